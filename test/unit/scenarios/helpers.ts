// Shared by the scenario tests: a company on a virtual clock that records what it announces, and a
// compact, exact text form of each notification (call ids as c1, c2... in order of appearance, so
// sequences compare across runs whose platform-style ids differ).

import { VirtualClock } from "../../../src/simulator/scenarios";
import { CompanyState } from "../../../src/simulator/state/store";
import type { SimCallpoint, SimNotification } from "../../../src/simulator/state/types";

export const T0 = Date.UTC(2024, 0, 1, 9, 0, 0);

export interface Recorded {
  state: CompanyState;
  clock: VirtualClock;
  notifications: SimNotification[];
}

export function recordedCompany(): Recorded {
  const clock = new VirtualClock(T0);
  const state = new CompanyState({ clock: clock.now });
  const notifications: SimNotification[] = [];
  state.on("notification", (n) => notifications.push(n));
  return { state, clock, notifications };
}

function side(cp: SimCallpoint): string {
  const who =
    cp.kind === "User"
      ? cp.userId
      : cp.kind === "Queue"
        ? cp.queueId
        : cp.kind === "External"
          ? cp.number.slice(0, 4)
          : cp.kind === "Resource"
            ? cp.resourceType
            : cp.kind === "ListenIn"
              ? cp.listenedToCallId
              : cp.exten;
  return `${cp.kind}(${who}):${cp.state}`;
}

/** One line per notification; call ids become c1, c2... in order of first appearance. */
export function describeAll(notifications: readonly SimNotification[]): string[] {
  const refs = new Map<string, string>();
  const ref = (id: string) => {
    if (!refs.has(id)) refs.set(id, `c${refs.size + 1}`);
    return refs.get(id) as string;
  };
  return notifications.map((n) => {
    const type = n.type.replace("notification.", "");
    switch (n.type) {
      case "notification.call.start":
      case "notification.call.update": {
        const c = n.call;
        const head =
          n.type === "notification.call.update"
            ? `${type} ${ref(c.id)} ${n.updateType}`
            : `${type} ${ref(c.id)}`;
        const leg = c.queueCallForCall ? ` for ${ref(c.queueCallForCall)}` : "";
        return `${head} ${side(c.source)} -> ${side(c.destination)} ${c.state}${leg}`;
      }
      case "notification.call.end":
        return `${type} ${ref(n.callId)} ${n.endReason}`;
      case "notification.call.stepresult":
        return `${type} ${ref(n.callId)} ${n.side} ${side(n.callpoint)} result ${n.result}`;
      case "notification.call.queueExit":
        return `${type} ${ref(n.callId)} ${n.queueExit}`;
      case "notification.queue.call.enter":
      case "notification.queue.call.leave":
        return `${type} ${n.queueId} ${ref(n.callId)}`;
      case "notification.queue.update":
        return `${type} ${n.queueId} ${n.changes.map((c) => `${c.name}:${c.oldValue}>${c.newValue}`).join(",")}`;
      case "notification.queueMember.enter":
      case "notification.queueMember.leave":
      case "notification.queueMember.update":
        return `${type} ${n.member.queueId} ${n.member.userId} ${n.member.pausedSince > 0 ? "paused" : "active"}`;
      case "notification.user.status":
        return `${type} ${n.userId} ${n.receiveCalls} "${n.displayStatus}"${n.wrapupState ? ` wrapup ${ref(n.wrapupState.callId)}` : ""}`;
      case "notification.user.update":
        return `${type} ${n.userId} ${n.changes.map((c) => `${c.name}:${c.oldValue}>${c.newValue}`).join(",")}`;
      default:
        return type;
    }
  });
}
