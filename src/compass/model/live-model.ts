// The live model: users, queues and calls kept current from a snapshot plus notifications, and the
// domain events (docs/message-contract.md) that every change produces. Pure: no sockets, no Node-RED.
//
// Events (EventEmitter):
//   "event"   DomainEvent  every domain event, including `call.summary` from the correlator
//   "loaded"  { resynced }  after every load(); the first load emits nothing else
//   "unknown" Notification  a notification this model does not understand (or cannot use); nothing changed
//   "warning" { error, subject }  a listener (or the model itself) threw; the model carried on
//
// Its parts: state.ts (what it knows, indexed), changes.ts (the mutation logic and its events),
// load.ts (seed and resync), views.ts (the JSON views, pure), correlator.ts (call.summary).
//
// Times are the `now` passed in (ms, when the notification was received): the platform's own
// timestamps are whole seconds, too coarse for ring and talk times.

import { EventEmitter } from "node:events";
import type { Company, KnownNotification, Notification } from "../protocol/types";
import { asError } from "../text";
import { type Change, ModelChanges, newChange } from "./changes";
import { resync, seed } from "./load";
import { COUNTER_NAMES, copyUser, isCall, newQueueRecord, placeholderUser, type Snapshot } from "./records";
import { ModelState } from "./state";
import type { CallView, QueueCounters, QueueStats, QueueView, UserView } from "./types";
import { callView, queueStats, queueView, userView } from "./views";

export type { Snapshot } from "./records";

export class LiveModel extends EventEmitter {
  private readonly state = new ModelState();
  private readonly changes = new ModelChanges(this.state, {
    event: (event) => this.emit("event", event),
    warning: (err, subject) => this.warn(err, subject),
  });
  private loadedOnce = false;

  // ------------------------------------------------------------------ loading

  /**
   * Seed (first call, silently) or resynchronise (later calls: the difference is emitted as
   * ordinary domain events, so flows never keep state from before a reconnect gap).
   */
  load(snapshot: Snapshot, now = Date.now()): void {
    if (!this.loadedOnce) {
      seed(this.changes, this.state, snapshot, newChange(now, undefined, true));
      this.loadedOnce = true;
      this.emit("loaded", { resynced: false });
      return;
    }
    const change = newChange(now, undefined, false);
    resync(this.changes, this.state, snapshot, change);
    this.changes.flushStats(change);
    this.emit("loaded", { resynced: true });
  }

  // ------------------------------------------------------------------ notifications

  /** Apply one notification. Never throws for platform data; unusable input goes to "unknown". */
  apply(n: Notification, now = Date.now()): void {
    if (!n || typeof n.type !== "string" || "unknown" in n || !this.isUsable(n as KnownNotification)) {
      this.emit("unknown", n);
      return;
    }
    const notification = n as KnownNotification;
    const change = newChange(now, notification.type, false);
    try {
      this.dispatch(notification, change);
      this.changes.flushStats(change);
    } catch (err) {
      // A model bug must not take the session down with it: report, keep going.
      this.warn(err, notification);
    }
  }

  private isUsable(n: KnownNotification): boolean {
    switch (n.type) {
      case "notification.call.start":
      case "notification.call.update":
        return (
          isCall(n.call) ||
          (n.type === "notification.call.update" && typeof n.callId === "string" && !!n.call)
        );
      case "notification.call.end":
      case "notification.call.stepresult":
      case "notification.call.queueExit":
        return typeof n.callId === "string";
      case "notification.queue.create":
        return typeof n.queueId === "string" || typeof n.queue?.id === "string";
      case "notification.queue.update":
      case "notification.queue.destroy":
        return typeof n.queueId === "string";
      case "notification.queue.call.enter":
      case "notification.queue.call.leave":
        return typeof n.queueId === "string" && typeof n.callId === "string";
      case "notification.queueMember.enter":
      case "notification.queueMember.leave":
      case "notification.queueMember.update":
        return typeof n.member?.queueId === "string" && typeof n.member?.userId === "string";
      case "notification.user.create":
      case "notification.user.update":
      case "notification.user.destroy":
      case "notification.user.status":
        return typeof n.userId === "string";
      default:
        return false;
    }
  }

  private dispatch(n: KnownNotification, change: Change): void {
    switch (n.type) {
      case "notification.call.start": {
        const known = this.state.calls.get(n.call.id);
        if (known) this.changes.updateCall(known, n.call, change);
        else if (!this.changes.tombstones.has(n.call.id)) this.changes.startCall(n.call, change, false);
        return;
      }
      case "notification.call.update": {
        const call = n.call.id ? n.call : { ...n.call, id: n.callId as string };
        const known = this.state.calls.get(call.id);
        if (known) this.changes.updateCall(known, call, change);
        else if (!this.changes.tombstones.has(call.id)) this.changes.startCall(call, change, false);
        return;
      }
      case "notification.call.end": {
        const record = this.state.calls.get(n.callId);
        if (record)
          this.changes.endCall(record, (n.endReason ?? "unknown").toLowerCase(), change, { resynced: false });
        return;
      }
      case "notification.call.stepresult": {
        const record = this.state.calls.get(n.callId);
        if (record) this.changes.stepResult(record, n, change);
        return;
      }
      case "notification.call.queueExit": {
        const record = this.state.calls.get(n.callId);
        if (record) record.queueExit = n.queueExit ?? null;
        return;
      }
      case "notification.queue.create": {
        const queue = n.queue ?? { id: n.queueId, name: "", userEntries: [], callIds: [] };
        const id = n.queueId ?? queue.id;
        const known = this.state.queues.get(id);
        if (known) {
          if (queue.name) known.name = queue.name;
        } else {
          this.state.addQueue(newQueueRecord({ ...queue, id }));
          for (const member of queue.userEntries ?? [])
            this.changes.memberEntered({ ...member, queueId: id }, change);
        }
        change.dirtyQueues.add(id);
        return;
      }
      case "notification.queue.update": {
        const queue = this.changes.ensureQueue(n.queueId);
        for (const change of n.changes ?? []) {
          if (change.name === "name" && change.newValue !== undefined) queue.name = change.newValue;
          else if ((COUNTER_NAMES as readonly string[]).includes(change.name)) {
            const value = Number(change.newValue);
            queue.counters[change.name as keyof QueueCounters] = Number.isFinite(value) ? value : null;
          }
        }
        change.dirtyQueues.add(queue.id);
        return;
      }
      case "notification.queue.destroy": {
        const queue = this.state.queues.get(n.queueId);
        if (queue) this.changes.removeQueue(queue, change);
        return;
      }
      case "notification.queue.call.enter":
        this.changes.callerJoined(this.changes.ensureQueue(n.queueId), n.callId, change);
        return;
      case "notification.queue.call.leave": {
        const queue = this.state.queues.get(n.queueId);
        if (queue) this.changes.callerLeft(queue, n.callId, change);
        return;
      }
      case "notification.queueMember.enter":
        this.changes.memberEntered(n.member, change);
        return;
      case "notification.queueMember.leave": {
        const known = this.state.queues.get(n.member.queueId)?.members.get(n.member.userId);
        if (known) this.changes.memberLeft(known, change);
        return;
      }
      case "notification.queueMember.update": {
        const known = this.state.queues.get(n.member.queueId)?.members.get(n.member.userId);
        if (known) this.changes.memberChanged(known, n.member, n.changes ?? [], change);
        else this.changes.memberEntered(n.member, change);
        return;
      }
      case "notification.user.create": {
        if (this.state.users.has(n.userId)) return;
        this.state.setUser(n.user ? copyUser({ ...n.user, id: n.userId }) : placeholderUser(n.userId));
        this.changes.emitEvent("user.created", { ...userView(this.state, n.userId) }, change);
        return;
      }
      case "notification.user.update":
        this.changes.applyUserChanges(this.changes.ensureUser(n.userId), n.changes ?? [], change);
        return;
      case "notification.user.destroy":
        if (this.state.users.has(n.userId)) this.changes.removeUser(n.userId, change);
        return;
      case "notification.user.status": {
        const user = this.changes.ensureUser(n.userId);
        if (n.receiveCalls !== undefined) user.receiveCalls = n.receiveCalls;
        if (n.displayStatus !== undefined) user.displayStatus = n.displayStatus;
        user.wrapupState = n.wrapupState;
        this.changes.touchUserQueues(user.id, change);
        this.changes.emitEvent("user.status", { ...userView(this.state, user.id) }, change);
        return;
      }
    }
  }

  /** The connection logs these (a model that stopped at one bad input would lose every later event). */
  private warn(err: unknown, subject: unknown): void {
    const error = asError(err);
    this.emit("warning", { error, subject });
  }

  // ------------------------------------------------------------------ views and queries

  /** The company from the last load (a copy), or null before the first. */
  get company(): Company | null {
    return this.state.company ? { ...this.state.company } : null;
  }

  getUsers(): UserView[] {
    return [...this.state.users.keys()].map((id) => userView(this.state, id));
  }

  getUser(id: string): UserView | null {
    return this.state.users.has(id) ? userView(this.state, id) : null;
  }

  getQueues(now = Date.now()): QueueView[] {
    return [...this.state.queues.values()].map((q) => queueView(this.state, q, now));
  }

  getQueue(id: string, now = Date.now()): QueueView | null {
    const queue = this.state.queues.get(id);
    return queue ? queueView(this.state, queue, now) : null;
  }

  getQueueStats(queueId: string, now = Date.now()): QueueStats | null {
    const queue = this.state.queues.get(queueId);
    return queue ? queueStats(this.state, queue, now) : null;
  }

  getCalls(): CallView[] {
    return [...this.state.calls.values()].map((r) => callView(r));
  }

  getCall(id: string): CallView | null {
    const record = this.state.calls.get(id);
    return record ? callView(record) : null;
  }

  /** Sizes of every growing structure (bounded-memory checks and diagnostics). */
  sizes(): Record<string, number> {
    let waiting = 0;
    let pendingLeaves = 0;
    for (const queue of this.state.queues.values()) waiting += queue.waiting.size;
    for (const record of this.state.calls.values()) pendingLeaves += record.pendingLeaves.length;
    const { conversations, correlatedCalls, tombstones, recentEnds } = this.changes.sizes();
    return {
      calls: this.state.calls.size,
      usersOnCalls: this.state.usersOnCalls,
      waiting,
      pendingLeaves,
      conversations,
      correlatedCalls,
      tombstones,
      recentEnds,
    };
  }
}
