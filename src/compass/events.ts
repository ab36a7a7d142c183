// The domain event names flows see as msg.topic (docs/message-contract.md, docs/nodes.md), one list per
// trigger node. The live model emits exactly these.

export const CALL_EVENTS = [
  "call.started",
  "call.ringing",
  "call.answered",
  "call.held",
  "call.resumed",
  "call.transferred",
  "call.updated",
  "call.step",
  "call.ended",
  "call.summary",
] as const;

export const QUEUE_EVENTS = [
  "queue.agent.login",
  "queue.agent.logout",
  "queue.agent.paused",
  "queue.agent.unpaused",
  "queue.agent.updated",
  "queue.caller.joined",
  "queue.caller.left",
  "queue.stats",
] as const;

export const USER_EVENTS = [
  "user.phone.login",
  "user.phone.logout",
  "user.status",
  "user.created",
  "user.updated",
  "user.removed",
] as const;

/** The users and queues an event is about: what trigger nodes filter on. */
export interface EventConcerns {
  users: string[];
  queues: string[];
}

export function eventConcerns(event: { event: string; payload: Record<string, unknown> }): EventConcerns {
  const { payload } = event;
  if (event.event.startsWith("user.")) return { users: ids(payload.userId ?? payload.id), queues: [] };
  if (event.event.startsWith("queue.")) return { users: ids(payload.userId), queues: ids(payload.queueId) };
  // Calls and summaries name their parties in nested objects. Read the known places directly:
  // this runs once per event for every filtered node, and a generic walk costs several times more.
  const users: string[] = [];
  const queues: string[] = [];
  const transfer = payload.transfer as Record<string, unknown> | undefined;
  for (const side of [
    payload.source,
    payload.destination,
    payload.caller,
    payload.answeredBy,
    payload.finalAnsweredBy,
    transfer?.from,
    transfer?.to,
  ]) {
    if (!side || typeof side !== "object") continue;
    const { userId, queueId } = side as Record<string, unknown>;
    if (typeof userId === "string" && userId) users.push(userId);
    if (typeof queueId === "string" && queueId) queues.push(queueId);
  }
  if (typeof payload.queueId === "string" && payload.queueId) queues.push(payload.queueId);
  return { users, queues };
}

/** String values of the given keys in a payload and the objects nested in it (two levels down). */
export function valuesOf(payload: Record<string, unknown>, keys: readonly string[]): string[] {
  const found: string[] = [];
  const visit = (obj: Record<string, unknown>, depth: number) => {
    for (const key in obj) {
      const value = obj[key];
      if (typeof value === "string") {
        if (keys.includes(key)) found.push(value);
      } else if (depth > 0 && value && typeof value === "object" && !Array.isArray(value)) {
        visit(value as Record<string, unknown>, depth - 1);
      }
    }
  };
  visit(payload, 2);
  return found;
}

function ids(value: unknown): string[] {
  return typeof value === "string" && value ? [value] : typeof value === "number" ? [String(value)] : [];
}
