// The live model: users, queues and calls kept current from a snapshot plus notifications, and the
// domain events (docs/product.md) that every change produces. Pure: no sockets, no Node-RED.
//
// Events (EventEmitter):
//   "event"   DomainEvent  every domain event, including `call.summary` from the correlator
//   "loaded"  { resynced }  after every load(); the first load emits nothing else
//   "unknown" Notification  a notification this model does not understand (or cannot use); nothing changed
//   "warning" { error, subject }  a listener (or the model itself) threw; the model carried on
//
// Times are the `now` passed in (ms, when the notification was received): the platform's own
// timestamps are whole seconds, too coarse for ring and talk times.

import { EventEmitter } from "node:events";
import type {
  Call,
  Company,
  KnownNotification,
  Notification,
  PropertyChange,
  QueueMember,
  User,
} from "../protocol/types";
import { CallCorrelator } from "./correlator";
import {
  callpointChanged,
  callpointView,
  decideDirection,
  isHeld,
  parentCallIdOf,
  partyKey,
  secondsToMs,
  userIdsOf,
} from "./normalise";
import {
  type CallRecord,
  COUNTER_NAMES,
  copyChange,
  copyMember,
  copyUser,
  isCall,
  membershipsOf,
  newQueueRecord,
  type PendingLeave,
  placeholderUser,
  type QueueRecord,
  type Snapshot,
} from "./records";
import { ModelState } from "./state";
import { findAttendedTransfer, findSuccessor, type RecentEnd } from "./transfers";
import type {
  CallView,
  DomainEvent,
  QueueCounters,
  QueueMemberView,
  QueueStats,
  QueueView,
  UserView,
} from "./types";
import { agentsOf, callView, memberView, queueStats, queueView, statsSignature, userView } from "./views";

export type { Snapshot } from "./records";

/**
 * One change to the model (a notification applied, a snapshot loaded), passed down explicitly to
 * everything it touches: when it happens, what to tag its events with, whether to announce at all,
 * and which queues' statistics to recheck once it is done.
 */
interface Change {
  now: number;
  /** the notification type being applied; undefined for a reload's differences */
  notification: string | undefined;
  /** the first load: the model is seeded and nothing is announced */
  silent: boolean;
  dirtyQueues: Set<string>;
}

function newChange(now: number, notification: string | undefined, silent: boolean): Change {
  return { now, notification, silent, dirtyQueues: new Set() };
}

const TOMBSTONES = 1000;
const RECENT_ENDS = 64;
const QUEUE_KEYS_FIRST = (a: Call, b: Call) =>
  Number(parentCallIdOf(a) !== null) - Number(parentCallIdOf(b) !== null);

export class LiveModel extends EventEmitter {
  private readonly state = new ModelState();
  private loadedOnce = false;
  /** Ended call ids (bounded), so late updates do not resurrect them. */
  private readonly tombstones = new Map<string, number>();
  private recentEnds: RecentEnd[] = [];
  private readonly statsSignatures = new Map<string, string>();
  private readonly correlator = new CallCorrelator();

  // ------------------------------------------------------------------ loading

  /**
   * Seed (first call, silently) or resynchronise (later calls: the difference is emitted as
   * ordinary domain events, so flows never keep state from before a reconnect gap).
   */
  load(snapshot: Snapshot, now = Date.now()): void {
    if (!this.loadedOnce) {
      this.seed(snapshot, newChange(now, undefined, true));
      this.loadedOnce = true;
      this.emit("loaded", { resynced: false });
      return;
    }
    const change = newChange(now, undefined, false);
    this.resync(snapshot, change);
    this.flushStats(change);
    this.emit("loaded", { resynced: true });
  }

  private seed(snapshot: Snapshot, change: Change): void {
    {
      this.state.company = { ...snapshot.company };
      this.state.clear();
      this.correlator.clear();
      for (const user of snapshot.users ?? []) this.state.users.set(user.id, copyUser(user));
      for (const queue of snapshot.queues ?? []) this.state.addQueue(newQueueRecord(queue));
      for (const [queueId, members] of membershipsOf(snapshot)) {
        const queue = this.ensureQueue(queueId);
        for (const member of members.values()) this.state.setMember(queue, member);
      }
      const calls = (snapshot.calls ?? [])
        .filter((c) => c && c.state !== "DISCONNECTED")
        .sort(QUEUE_KEYS_FIRST);
      for (const call of calls) this.startCall(call, change, true);
      for (const queue of snapshot.queues ?? []) {
        const record = this.state.queues.get(queue.id);
        for (const callId of queue.callIds ?? []) {
          if (record) this.state.setWaiting(record, callId, change.now);
          this.correlator.queueEntered(callId, queue.id, queue.name ?? null, change.now);
        }
      }
      for (const queue of this.state.queues.values()) {
        this.statsSignatures.set(queue.id, statsSignature(queue, agentsOf(this.state, queue)));
      }
    }
  }

  private resync(snapshot: Snapshot, change: Change): void {
    if (snapshot.company) this.state.company = { ...snapshot.company };
    // Calls first: ends free agents, and queue callers that vanished are explained by their call.
    const fresh = new Map<string, Call>();
    for (const call of snapshot.calls ?? [])
      if (call && call.state !== "DISCONNECTED") fresh.set(call.id, call);
    const vanished = [...this.state.calls.values()].filter((r) => !fresh.has(r.id));
    vanished.sort((a, b) => Number(b.parentCallId !== null) - Number(a.parentCallId !== null));
    for (const record of vanished) this.endCall(record, "unknown", change, { resynced: true });
    for (const call of [...fresh.values()].sort(QUEUE_KEYS_FIRST)) {
      const record = this.state.calls.get(call.id);
      if (record) this.updateCall(record, call, change);
      else if (!this.tombstones.has(call.id)) this.startCall(call, change, true);
    }

    // Users: created, changed, removed.
    const freshUsers = new Map((snapshot.users ?? []).map((u) => [u.id, u]));
    for (const user of freshUsers.values()) {
      const known = this.state.users.get(user.id);
      if (!known) {
        this.state.users.set(user.id, copyUser(user));
        this.emitEvent("user.created", { ...this.userView(user.id) }, change);
      } else {
        this.diffUser(known, user, change);
      }
    }

    // Queues: created; memberships; waiting callers; counters; removed.
    const freshQueues = new Map((snapshot.queues ?? []).map((q) => [q.id, q]));
    for (const queue of freshQueues.values()) {
      const known = this.state.queues.get(queue.id);
      if (!known) {
        this.state.addQueue(newQueueRecord(queue));
        change.dirtyQueues.add(queue.id);
      } else {
        if (queue.name !== undefined && queue.name !== known.name) known.name = queue.name;
        for (const name of COUNTER_NAMES) {
          const value = queue[name];
          if (typeof value === "number" && known.counters[name] !== value) known.counters[name] = value;
        }
        change.dirtyQueues.add(queue.id);
      }
    }
    const memberships = membershipsOf(snapshot);
    for (const queue of [...this.state.queues.values()]) {
      const freshMembers = memberships.get(queue.id) ?? new Map<string, QueueMember>();
      for (const [userId, member] of [...queue.members]) {
        if (!freshMembers.has(userId)) this.memberLeft(member, change);
      }
      for (const member of freshMembers.values()) {
        const known = queue.members.get(member.userId);
        if (!known) this.memberEntered(member, change);
        else this.memberChanged(known, member, [], change);
      }
    }
    for (const [queueId, members] of memberships) {
      if (this.state.queues.has(queueId)) continue;
      for (const member of members.values()) this.memberEntered(member, change);
    }
    for (const queue of freshQueues.values()) {
      const record = this.state.queues.get(queue.id);
      if (!record) continue;
      const waitingNow = new Set(queue.callIds ?? []);
      for (const callId of [...record.waiting.keys()])
        if (!waitingNow.has(callId)) this.callerLeft(record, callId, change);
      for (const callId of waitingNow)
        if (!record.waiting.has(callId)) this.callerJoined(record, callId, change);
    }
    for (const queue of [...this.state.queues.values()]) {
      if (!freshQueues.has(queue.id)) this.removeQueue(queue, change);
    }
    for (const userId of [...this.state.users.keys()]) {
      if (!freshUsers.has(userId)) this.removeUser(userId, change);
    }
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
      this.flushStats(change);
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
        if (known) this.updateCall(known, n.call, change);
        else if (!this.tombstones.has(n.call.id)) this.startCall(n.call, change, false);
        return;
      }
      case "notification.call.update": {
        const call = n.call.id ? n.call : { ...n.call, id: n.callId as string };
        const known = this.state.calls.get(call.id);
        if (known) this.updateCall(known, call, change);
        else if (!this.tombstones.has(call.id)) this.startCall(call, change, false);
        return;
      }
      case "notification.call.end": {
        const record = this.state.calls.get(n.callId);
        if (record)
          this.endCall(record, (n.endReason ?? "unknown").toLowerCase(), change, { resynced: false });
        return;
      }
      case "notification.call.stepresult": {
        const record = this.state.calls.get(n.callId);
        if (!record) return;
        this.emitEvent(
          "call.updated",
          {
            ...this.callView(record),
            step: {
              result: n.result ?? null,
              side: n.side ? n.side.toLowerCase() : null,
              callpoint: n.callpoint ? callpointView(n.callpoint) : null,
            },
          },
          change,
        );
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
            this.memberEntered({ ...member, queueId: id }, change);
        }
        change.dirtyQueues.add(id);
        return;
      }
      case "notification.queue.update": {
        const queue = this.ensureQueue(n.queueId);
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
        if (queue) this.removeQueue(queue, change);
        return;
      }
      case "notification.queue.call.enter":
        this.callerJoined(this.ensureQueue(n.queueId), n.callId, change);
        return;
      case "notification.queue.call.leave": {
        const queue = this.state.queues.get(n.queueId);
        if (queue) this.callerLeft(queue, n.callId, change);
        return;
      }
      case "notification.queueMember.enter":
        this.memberEntered(n.member, change);
        return;
      case "notification.queueMember.leave": {
        const known = this.state.queues.get(n.member.queueId)?.members.get(n.member.userId);
        if (known) this.memberLeft(known, change);
        return;
      }
      case "notification.queueMember.update": {
        const known = this.state.queues.get(n.member.queueId)?.members.get(n.member.userId);
        if (known) this.memberChanged(known, n.member, n.changes ?? [], change);
        else this.memberEntered(n.member, change);
        return;
      }
      case "notification.user.create": {
        if (this.state.users.has(n.userId)) return;
        this.state.users.set(
          n.userId,
          n.user ? copyUser({ ...n.user, id: n.userId }) : placeholderUser(n.userId),
        );
        this.emitEvent("user.created", { ...this.userView(n.userId) }, change);
        return;
      }
      case "notification.user.update":
        this.applyUserChanges(this.ensureUser(n.userId), n.changes ?? [], change);
        return;
      case "notification.user.destroy":
        if (this.state.users.has(n.userId)) this.removeUser(n.userId, change);
        return;
      case "notification.user.status": {
        const user = this.ensureUser(n.userId);
        if (n.receiveCalls !== undefined) user.receiveCalls = n.receiveCalls;
        if (n.displayStatus !== undefined) user.displayStatus = n.displayStatus;
        user.wrapupState = n.wrapupState;
        this.touchUserQueues(user.id, change);
        this.emitEvent("user.status", this.statusPayload(user.id), change);
        return;
      }
    }
  }

  // ------------------------------------------------------------------ calls

  /** A call the model has not seen: `call.started`, then whatever state it already reached. */
  private startCall(call: Call, change: Change, fromSnapshot: boolean): CallRecord {
    const parentCallId = parentCallIdOf(call);
    const parent = parentCallId !== null ? this.state.calls.get(parentCallId) : undefined;
    // A call first seen in a snapshot started earlier: the platform's callpoint times tell when.
    const startedAt = fromSnapshot
      ? Math.min(
          secondsToMs(call.source?.timeCreated, change.now),
          secondsToMs(call.destination?.timeCreated, change.now),
        )
      : change.now;
    const record: CallRecord = {
      id: call.id,
      seq: 0,
      keys: ["", ""],
      raw: call,
      direction: parent?.direction ?? decideDirection(call),
      startedAt,
      answeredAt: null,
      held: isHeld(call),
      parentCallId,
      queueId: parent?.queueId ?? null,
      queueName: parent?.queueName ?? null,
      users: userIdsOf(call),
      queueExit: null,
      pendingLeaves: [],
    };
    this.noteQueueOf(record, call);
    if (call.state === "ANSWERED" || call.state === "ON_HOLD") {
      record.answeredAt = fromSnapshot ? secondsToMs(call.destination?.timeStarted, change.now) : change.now;
    }
    this.state.addCall(record);
    this.countUsers([], record.users, change);
    this.emitEvent("call.started", this.callView(record), change);
    // A call may already be further along when first seen (a reload, a missed start).
    if (call.state === "RINGING") this.emitEvent("call.ringing", this.callView(record), change);
    if (record.answeredAt !== null) this.emitEvent("call.answered", this.callView(record), change);
    if (record.held) this.emitEvent("call.held", this.callView(record), change);
    this.correlator.started(this.callView(record));
    if (parent && record.answeredAt !== null) this.resolvePendingLeaves(parent, change);
    return record;
  }

  private updateCall(record: CallRecord, call: Call, change: Change): void {
    const before = record.raw;
    this.state.unindexCall(record);
    record.raw = call;
    if (record.parentCallId === null) record.parentCallId = parentCallIdOf(call);
    this.state.indexCall(record);
    if (record.direction === null) record.direction = decideDirection(call);
    this.noteQueueOf(record, call);
    const users = userIdsOf(call);
    this.countUsers(record.users, users, change);
    record.users = users;

    const sourceChanged = callpointChanged(before.source, call.source);
    const destinationChanged = callpointChanged(before.destination, call.destination);
    if (sourceChanged || destinationChanged) {
      const transfer = findAttendedTransfer(record, before, call, this.state, this.recentEnds, change.now);
      if (transfer) {
        this.correlator.transferred(record.id);
        this.emitEvent("call.transferred", { ...this.callView(record), transfer }, change);
      } else {
        const changed = [sourceChanged ? "source" : null, destinationChanged ? "destination" : null].filter(
          Boolean,
        );
        this.emitEvent("call.updated", { ...this.callView(record), changed }, change);
      }
    }
    if (call.state !== before.state) {
      if (call.state === "RINGING") this.emitEvent("call.ringing", this.callView(record), change);
      if (call.state === "ANSWERED" && before.state !== "ON_HOLD" && before.state !== "ANSWERED") {
        if (record.answeredAt === null) record.answeredAt = change.now;
        this.emitEvent("call.answered", this.callView(record), change);
      }
    }
    if (call.state === "ON_HOLD" && record.answeredAt === null) record.answeredAt = change.now;
    const held = isHeld(call);
    if (held !== record.held) {
      record.held = held;
      this.emitEvent(held ? "call.held" : "call.resumed", this.callView(record), change);
    }
    this.correlator.changed(this.callView(record), change.now);
    this.resolvePendingLeaves(record, change);
    if (record.parentCallId !== null) {
      const parent = this.state.calls.get(record.parentCallId);
      if (parent) this.resolvePendingLeaves(parent, change);
    }
  }

  private endCall(
    record: CallRecord,
    endReason: string,
    change: Change,
    options: { resynced: boolean },
  ): void {
    for (const queue of this.state.queuesWaitedIn(record.id)) this.callerLeft(queue, record.id, change);
    for (const pending of record.pendingLeaves.splice(0)) {
      this.emitCallerLeft(record, pending, this.correlator.isAnswered(record.id), change);
    }
    let successorCallId: string | null = null;
    if (endReason === "replace") {
      const successor = findSuccessor(record, this.state);
      if (successor) {
        successorCallId = successor.record.id;
        if (successor.transfer) {
          this.correlator.transferred(record.id);
          this.emitEvent(
            "call.transferred",
            { ...this.callView(successor.record), transfer: successor.transfer },
            change,
          );
        }
      }
    }
    const view: CallView = {
      ...this.callView(record),
      state: "disconnected",
      endedAt: change.now,
      endReason,
    };
    this.emitEvent("call.ended", options.resynced ? { ...view, resynced: true } : { ...view }, change);
    this.state.deleteCall(record);
    this.countUsers(record.users, [], change);
    this.tombstone(record, change);
    const summary = this.correlator.ended(view, {
      at: change.now,
      endReason,
      resynced: options.resynced,
      successorCallId,
    });
    if (summary) this.emitEvent("call.summary", summary, change);
  }

  private noteQueueOf(record: CallRecord, call: Call): void {
    for (const cp of [call.destination, call.source]) {
      if (record.queueId === null && cp?.type === "Queue" && cp.queueId !== undefined) {
        record.queueId = cp.queueId;
        record.queueName = cp.queueName ?? this.state.queues.get(cp.queueId)?.name ?? null;
      }
    }
  }

  private tombstone(record: CallRecord, change: Change): void {
    this.tombstones.set(record.id, change.now);
    if (this.tombstones.size > TOMBSTONES)
      this.tombstones.delete(this.tombstones.keys().next().value as string);
    this.recentEnds.push({
      callId: record.id,
      parentCallId: record.parentCallId,
      at: change.now,
      keys: [partyKey(record.raw.source), partyKey(record.raw.destination)],
    });
    if (this.recentEnds.length > RECENT_ENDS) this.recentEnds = this.recentEnds.slice(-RECENT_ENDS);
  }

  private countUsers(before: string[], after: string[], change: Change): void {
    for (const id of before) {
      if (after.includes(id)) continue;
      const count = (this.state.userCalls.get(id) ?? 1) - 1;
      if (count <= 0) {
        this.state.userCalls.delete(id);
        this.touchUserQueues(id, change);
      } else this.state.userCalls.set(id, count);
    }
    for (const id of after) {
      if (before.includes(id)) continue;
      const count = (this.state.userCalls.get(id) ?? 0) + 1;
      this.state.userCalls.set(id, count);
      if (count === 1) this.touchUserQueues(id, change);
    }
  }

  // ------------------------------------------------------------------ queue callers

  private callerJoined(queue: QueueRecord, callId: string, change: Change): void {
    if (queue.waiting.has(callId)) return;
    this.state.setWaiting(queue, callId, change.now);
    change.dirtyQueues.add(queue.id);
    const record = this.state.calls.get(callId);
    if (record && record.queueId === null) {
      record.queueId = queue.id;
      record.queueName = queue.name;
    }
    this.correlator.queueEntered(callId, queue.id, queue.name, change.now);
    this.emitEvent(
      "queue.caller.joined",
      {
        queueId: queue.id,
        queueName: queue.name,
        callId,
        enteredAt: change.now,
        call: record ? this.callView(record) : null,
      },
      change,
    );
  }

  /**
   * The caller left the queue. Whether an agent took it is often only clear a moment later (the
   * platform may announce the leave before the answer), so an undecided leave waits on its call.
   */
  private callerLeft(queue: QueueRecord, callId: string, change: Change): void {
    const enteredAt = queue.waiting.get(callId);
    if (enteredAt === undefined) return;
    this.state.deleteWaiting(queue, callId);
    change.dirtyQueues.add(queue.id);
    this.correlator.queueLeft(callId, change.now);
    const pending: PendingLeave = { queueId: queue.id, enteredAt, leftAt: change.now };
    const record = this.state.calls.get(callId);
    if (!record) {
      this.emitCallerLeft(null, pending, false, change, callId);
      return;
    }
    if (this.correlator.isAnswered(callId)) this.emitCallerLeft(record, pending, true, change);
    else record.pendingLeaves.push(pending);
  }

  private resolvePendingLeaves(record: CallRecord, change: Change): void {
    if (record.pendingLeaves.length === 0) return;
    const answered = this.correlator.isAnswered(record.id);
    // Routed anywhere but a person (voicemail, another queue, an outside number): nobody took it.
    const destination = record.raw.destination?.type;
    if (!answered && (destination === "User" || destination === "Queue")) return;
    for (const pending of record.pendingLeaves.splice(0))
      this.emitCallerLeft(record, pending, answered, change);
  }

  private emitCallerLeft(
    record: CallRecord | null,
    pending: PendingLeave,
    answered: boolean,
    change: Change,
    callId = record?.id ?? "",
  ): void {
    this.emitEvent(
      "queue.caller.left",
      {
        queueId: pending.queueId,
        queueName: this.state.queues.get(pending.queueId)?.name ?? null,
        callId,
        enteredAt: pending.enteredAt,
        leftAt: pending.leftAt,
        waitMs: Math.max(0, pending.leftAt - pending.enteredAt),
        answered,
        exitReason: record?.queueExit ?? null,
        call: record ? this.callView(record) : null,
      },
      change,
    );
  }

  // ------------------------------------------------------------------ queue members

  private memberEntered(member: QueueMember, change: Change): void {
    const queue = this.ensureQueue(member.queueId);
    const copy = copyMember(member);
    this.state.setMember(queue, copy);
    change.dirtyQueues.add(queue.id);
    this.emitEvent("queue.agent.login", { ...this.memberView(copy) }, change);
    if (copy.pausedSince > 0) this.emitEvent("queue.agent.paused", { ...this.memberView(copy) }, change);
  }

  private memberLeft(member: QueueMember, change: Change): void {
    const queue = this.state.queues.get(member.queueId);
    if (!queue) return;
    const view = this.memberView(member);
    this.state.deleteMember(queue, member.userId);
    change.dirtyQueues.add(queue.id);
    this.emitEvent("queue.agent.logout", { ...view }, change);
  }

  private memberChanged(
    known: QueueMember,
    update: QueueMember,
    changes: PropertyChange[],
    change: Change,
  ): void {
    const wasPaused = known.pausedSince > 0;
    const priorityChanged = typeof update.priority === "number" && update.priority !== known.priority;
    if (typeof update.pausedSince === "number") known.pausedSince = update.pausedSince;
    if (typeof update.priority === "number") known.priority = update.priority;
    for (const change of changes) {
      const value = Number(change.newValue);
      if (change.name === "pausedSince" && Number.isFinite(value)) known.pausedSince = value;
      if (change.name === "priority" && Number.isFinite(value)) known.priority = value;
    }
    const paused = known.pausedSince > 0;
    change.dirtyQueues.add(known.queueId);
    if (paused !== wasPaused) {
      this.emitEvent(
        paused ? "queue.agent.paused" : "queue.agent.unpaused",
        { ...this.memberView(known) },
        change,
      );
    } else if (priorityChanged || changes.some((c) => c.name !== "pausedSince")) {
      this.emitEvent(
        "queue.agent.updated",
        { ...this.memberView(known), changes: changes.map(copyChange) },
        change,
      );
    }
  }

  private removeQueue(queue: QueueRecord, change: Change): void {
    for (const member of [...queue.members.values()]) this.memberLeft(member, change);
    for (const callId of [...queue.waiting.keys()]) this.callerLeft(queue, callId, change);
    this.state.deleteQueue(queue);
    change.dirtyQueues.delete(queue.id);
    this.statsSignatures.delete(queue.id);
    this.emitEvent("queue.stats", { ...this.statsOf(queue, change.now), removed: true }, change);
  }

  // ------------------------------------------------------------------ users

  private applyUserChanges(user: User, changes: PropertyChange[], change: Change): void {
    const wasLoggedIn = user.loggedIn;
    const statusBefore = `${user.receiveCalls}|${user.displayStatus}`;
    const other: PropertyChange[] = [];
    for (const change of changes) {
      const value = change.newValue;
      switch (change.name) {
        case "loggedIn":
          user.loggedIn = value === "true";
          break;
        case "location":
          user.location = value;
          break;
        case "receiveCalls":
          user.receiveCalls = value;
          break;
        case "displayStatus":
          user.displayStatus = value;
          break;
        case "name":
        case "shortname":
        case "contact":
        case "extensions":
        case "language":
        case "address":
          if (change.name === "name") user.name = value ?? "";
          else user[change.name] = value;
          other.push(change);
          break;
        default:
          other.push(change);
      }
    }
    this.announceUserChanges(user, wasLoggedIn, statusBefore, other, change);
  }

  private diffUser(known: User, fresh: User, change: Change): void {
    const wasLoggedIn = known.loggedIn;
    const statusBefore = `${known.receiveCalls}|${known.displayStatus}`;
    const other: PropertyChange[] = [];
    for (const name of ["name", "shortname", "contact", "extensions", "language", "address"] as const) {
      if (fresh[name] !== known[name]) other.push({ name, oldValue: known[name], newValue: fresh[name] });
    }
    const copy = copyUser(fresh);
    this.state.users.set(known.id, copy);
    this.announceUserChanges(copy, wasLoggedIn, statusBefore, other, change);
  }

  private announceUserChanges(
    user: User,
    wasLoggedIn: boolean,
    statusBefore: string,
    other: PropertyChange[],
    change: Change,
  ): void {
    if (user.loggedIn !== wasLoggedIn) {
      this.emitEvent(
        user.loggedIn ? "user.phone.login" : "user.phone.logout",
        { ...this.userView(user.id) },
        change,
      );
    }
    if (`${user.receiveCalls}|${user.displayStatus}` !== statusBefore) {
      this.emitEvent("user.status", this.statusPayload(user.id), change);
    }
    if (other.length > 0) {
      this.emitEvent("user.updated", { ...this.userView(user.id), changes: other.map(copyChange) }, change);
    }
    this.touchUserQueues(user.id, change);
  }

  private removeUser(userId: string, change: Change): void {
    for (const queue of this.state.queuesOf(userId)) {
      const member = queue.members.get(userId);
      if (member) this.memberLeft(member, change);
    }
    const view = this.userView(userId);
    this.state.users.delete(userId);
    this.emitEvent("user.removed", { ...view }, change);
  }

  private ensureUser(userId: string): User {
    let user = this.state.users.get(userId);
    if (!user) {
      user = placeholderUser(userId);
      this.state.users.set(userId, user);
    }
    return user;
  }

  private ensureQueue(queueId: string): QueueRecord {
    let queue = this.state.queues.get(queueId);
    if (!queue) {
      queue = this.state.addQueue(newQueueRecord({ id: queueId, name: "", userEntries: [], callIds: [] }));
    }
    return queue;
  }

  private touchUserQueues(userId: string, change: Change): void {
    for (const queue of this.state.queuesOf(userId)) change.dirtyQueues.add(queue.id);
  }

  // ------------------------------------------------------------------ stats

  private flushStats(change: Change): void {
    for (const queueId of change.dirtyQueues) {
      const queue = this.state.queues.get(queueId);
      if (!queue) continue;
      const agents = agentsOf(this.state, queue);
      const signature = statsSignature(queue, agents);
      if (this.statsSignatures.get(queueId) === signature) continue;
      this.statsSignatures.set(queueId, signature);
      this.emitEvent("queue.stats", this.statsOf(queue, change.now, agents), change);
    }
    change.dirtyQueues.clear();
  }

  private statsOf(queue: QueueRecord, now: number, agents = agentsOf(this.state, queue)): QueueStats {
    return queueStats(this.state, queue, now, agents);
  }

  // ------------------------------------------------------------------ events

  private emitEvent(event: string, payload: object, change: Change): void {
    if (change.silent) return;
    const domainEvent: DomainEvent = {
      event,
      payload: payload as Record<string, unknown>,
      timestamp: change.now,
      companyId: this.state.company?.id ?? "",
    };
    if (change.notification !== undefined) domainEvent.notification = change.notification;
    try {
      this.emit("event", domainEvent);
    } catch (err) {
      // A failing listener must not leave the model half-updated (its fellow listeners of this one event are skipped).
      this.warn(err, domainEvent);
    }
  }

  /** The connection logs these (a model that stops for one bad input would lose every later event). */
  private warn(err: unknown, subject: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.emit("warning", { error, subject });
  }

  // ------------------------------------------------------------------ views and queries

  private callView(record: CallRecord): CallView {
    return callView(record);
  }

  private memberView(member: QueueMember): QueueMemberView {
    return memberView(this.state, member);
  }

  private userView(userId: string): UserView {
    return userView(this.state, userId);
  }

  private statusPayload(userId: string): Record<string, unknown> {
    return { ...this.userView(userId) };
  }

  /** The company from the last load (a copy), or null before the first. */
  get company(): Company | null {
    return this.state.company ? { ...this.state.company } : null;
  }

  getUsers(): UserView[] {
    return [...this.state.users.keys()].map((id) => this.userView(id));
  }

  getUser(id: string): UserView | null {
    return this.state.users.has(id) ? this.userView(id) : null;
  }

  getQueues(now = Date.now()): QueueView[] {
    return [...this.state.queues.values()].map((q) => this.queueView(q, now));
  }

  getQueue(id: string, now = Date.now()): QueueView | null {
    const queue = this.state.queues.get(id);
    return queue ? this.queueView(queue, now) : null;
  }

  getQueueStats(queueId: string, now = Date.now()): QueueStats | null {
    const queue = this.state.queues.get(queueId);
    return queue ? this.statsOf(queue, now) : null;
  }

  getCalls(): CallView[] {
    return [...this.state.calls.values()].map((r) => this.callView(r));
  }

  getCall(id: string): CallView | null {
    const record = this.state.calls.get(id);
    return record ? this.callView(record) : null;
  }

  /** Sizes of every growing structure (bounded-memory checks and diagnostics). */
  sizes(): Record<string, number> {
    let waiting = 0;
    let pendingLeaves = 0;
    for (const queue of this.state.queues.values()) waiting += queue.waiting.size;
    for (const record of this.state.calls.values()) pendingLeaves += record.pendingLeaves.length;
    const correlation = this.correlator.sizes();
    return {
      calls: this.state.calls.size,
      usersOnCalls: this.state.userCalls.size,
      waiting,
      pendingLeaves,
      conversations: correlation.conversations,
      correlatedCalls: correlation.calls,
      tombstones: this.tombstones.size,
      recentEnds: this.recentEnds.length,
    };
  }

  private queueView(queue: QueueRecord, now: number): QueueView {
    return queueView(this.state, queue, now);
  }
}
