// The live model's mutation logic: every change a notification or a reload makes to the state,
// and the domain events each one announces. Each method takes the Change it belongs to, so what
// is announced (and whether at all) never depends on who called further up the stack.

import type { Call, CallStepResultNotification, PropertyChange, QueueMember, User } from "../protocol/types";
import { CallCorrelator } from "./correlator";
import {
  callpointView,
  decideDirection,
  isHeld,
  normaliseQueueExit,
  parentCallIdOf,
  partyKey,
  type QueueExit,
  secondsToMs,
  sideChanged,
  userIdsOf,
} from "./normalise";
import {
  type CallRecord,
  type CallSides,
  copyChange,
  copyMember,
  copyUser,
  keptProperties,
  keysOf,
  newCallRecord,
  newQueueRecord,
  type PendingLeave,
  placeholderUser,
  type QueueRecord,
  takeLeaves,
} from "./records";
import type { ModelState } from "./state";
import { findAttendedTransfer, findSuccessor, type RecentEnd } from "./transfers";
import type { CallView, DomainEvent, QueueStats } from "./types";
import { agentsOf, callView, memberView, queueStats, statsSignature, userView } from "./views";

const TOMBSTONES = 1000;
const RECENT_ENDS = 64;

/**
 * One change to the model (a notification applied, a snapshot loaded), passed down explicitly to
 * everything it touches: when it happens, what to tag its events with, whether to announce at all,
 * and which queues' statistics to recheck once it is done.
 */
export interface Change {
  now: number;
  /** the notification type being applied; undefined for a reload's differences */
  notification: string | undefined;
  /** the first load: the model is seeded and nothing is announced */
  silent: boolean;
  dirtyQueues: Set<string>;
}

export function newChange(now: number, notification: string | undefined, silent: boolean): Change {
  return { now, notification, silent, dirtyQueues: new Set() };
}

/** Where announcements go: the model's events, and what went wrong without stopping it. */
export interface ChangeSink {
  event(event: DomainEvent): void;
  warning(err: unknown, subject: unknown): void;
}

export class ModelChanges {
  readonly correlator = new CallCorrelator();
  /** Ended call ids (bounded), so late updates do not resurrect them. */
  readonly tombstones = new Map<string, number>();
  private recentEnds: RecentEnd[] = [];

  constructor(
    private readonly state: ModelState,
    private readonly sink: ChangeSink,
  ) {}

  /** Forget everything (a fresh first load). */
  clear(): void {
    this.state.clear();
    this.correlator.clear();
  }

  /** The queue's statistics as they are now count as announced (after a silent seed). */
  statsAnnounced(queue: QueueRecord): void {
    queue.announced = statsSignature(queue, this.agentsNow(queue));
  }

  sizes(): { tombstones: number; recentEnds: number; conversations: number; correlatedCalls: number } {
    const correlation = this.correlator.sizes();
    return {
      tombstones: this.tombstones.size,
      recentEnds: this.recentEnds.length,
      conversations: correlation.conversations,
      correlatedCalls: correlation.calls,
    };
  }

  // ------------------------------------------------------------------ calls

  /** A call the model has not seen: `call.started`, then whatever state it already reached. */
  startCall(call: Call, change: Change, fromSnapshot: boolean): CallRecord {
    const parentCallId = parentCallIdOf(call);
    const parent = parentCallId !== null ? this.state.calls.get(parentCallId) : undefined;
    // A call first seen in a snapshot started earlier: the platform's callpoint times tell when.
    const startedAt = fromSnapshot
      ? Math.min(
          secondsToMs(call.source?.timeCreated, change.now),
          secondsToMs(call.destination?.timeCreated, change.now),
        )
      : change.now;
    const record = newCallRecord(call, {
      direction: parent?.direction ?? decideDirection(call),
      startedAt,
      held: isHeld(call),
      parentCallId,
      queueId: parent?.queueId ?? null,
      queueName: parent?.queueName ?? null,
    });
    this.noteQueueOf(record, call);
    if (call.state === "ANSWERED" || call.state === "ON_HOLD") {
      record.answeredAt = fromSnapshot ? secondsToMs(call.destination?.timeStarted, change.now) : change.now;
    }
    this.state.addCall(record);
    this.countUsers([], userIdsOf(record.source, record.destination), change);
    this.emitEvent("call.started", callView(record), change);
    // A call may already be further along when first seen (a reload, a missed start).
    if (call.state === "RINGING") this.emitEvent("call.ringing", callView(record), change);
    if (record.answeredAt !== null) this.emitEvent("call.answered", callView(record), change);
    if (record.held) this.emitEvent("call.held", callView(record), change);
    this.correlator.started(callView(record));
    if (parent && record.answeredAt !== null) this.resolvePendingLeaves(parent, change);
    return record;
  }

  updateCall(record: CallRecord, call: Call, change: Change): void {
    const stateBefore = record.state;
    const before: CallSides = {
      source: record.source,
      destination: record.destination,
      sourceKey: record.sourceKey,
      destinationKey: record.destinationKey,
    };
    const parentBefore = record.parentCallId;
    record.state = call.state;
    record.properties = keptProperties(call);
    record.source = callpointView(call.source);
    record.destination = callpointView(call.destination);
    if (record.parentCallId === null) record.parentCallId = parentCallIdOf(call);
    const sourceKey = partyKey(call.source);
    const destinationKey = partyKey(call.destination);
    // most updates are progress (ringing, answered): the index is only touched when a side or the parent changed
    if (
      record.parentCallId !== parentBefore ||
      sourceKey !== before.sourceKey ||
      destinationKey !== before.destinationKey
    ) {
      this.state.unindexCall(record, parentBefore);
      record.sourceKey = sourceKey;
      record.destinationKey = destinationKey;
      this.state.indexCall(record);
    }
    if (record.direction === null) record.direction = decideDirection(call);
    this.noteQueueOf(record, call);
    this.countUsers(
      userIdsOf(before.source, before.destination),
      userIdsOf(record.source, record.destination),
      change,
    );

    const sourceChanged = sideChanged(before.sourceKey, sourceKey, before.source, record.source);
    const destinationChanged = sideChanged(
      before.destinationKey,
      destinationKey,
      before.destination,
      record.destination,
    );
    if (sourceChanged || destinationChanged) {
      const transfer = findAttendedTransfer(record, before, this.state, this.recentEnds, change.now);
      if (transfer) {
        this.correlator.transferred(record.id);
        this.emitEvent("call.transferred", { ...callView(record), transfer }, change);
      } else {
        const changed = [sourceChanged ? "source" : null, destinationChanged ? "destination" : null].filter(
          Boolean,
        );
        this.emitEvent("call.updated", { ...callView(record), changed }, change);
      }
    }
    if (call.state !== stateBefore) {
      if (call.state === "RINGING") this.emitEvent("call.ringing", callView(record), change);
      if (call.state === "ANSWERED" && stateBefore !== "ON_HOLD" && stateBefore !== "ANSWERED") {
        if (record.answeredAt === null) record.answeredAt = change.now;
        this.emitEvent("call.answered", callView(record), change);
      }
    }
    if (call.state === "ON_HOLD" && record.answeredAt === null) record.answeredAt = change.now;
    const held = isHeld(call);
    if (held !== record.held) {
      record.held = held;
      this.emitEvent(held ? "call.held" : "call.resumed", callView(record), change);
    }
    this.correlator.changed(callView(record), change.now);
    this.resolvePendingLeaves(record, change);
    if (record.parentCallId !== null) {
      const parent = this.state.calls.get(record.parentCallId);
      if (parent) this.resolvePendingLeaves(parent, change);
    }
  }

  endCall(record: CallRecord, endReason: string, change: Change, options: { resynced: boolean }): void {
    for (const queue of this.state.queuesWaitedIn(record.id)) this.callerLeft(queue, record.id, change);
    for (const pending of takeLeaves(record)) {
      this.emitCallerLeft(record, pending, this.correlator.isAnswered(record.id), change, { endReason });
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
            { ...callView(successor.record), transfer: successor.transfer },
            change,
          );
        }
      }
    }
    const view: CallView = {
      ...callView(record),
      state: "disconnected",
      endedAt: change.now,
      endReason,
    };
    this.emitEvent("call.ended", options.resynced ? { ...view, resynced: true } : { ...view }, change);
    this.state.deleteCall(record);
    this.countUsers(userIdsOf(record.source, record.destination), [], change);
    this.tombstone(record, change);
    const summary = this.correlator.ended(view, {
      at: change.now,
      endReason,
      resynced: options.resynced,
      successorCallId,
    });
    if (summary) this.emitEvent("call.summary", summary, change);
  }

  /** A dial-plan step (an IVR menu) finished: `call.step`, the call plus what the step produced and where. */
  stepResult(record: CallRecord, n: CallStepResultNotification, change: Change): void {
    const side = n.side ? n.side.toLowerCase() : null;
    // the callpoint the step ran on, else the call's side it names
    const point = n.callpoint
      ? callpointView(n.callpoint)
      : side === "source" || side === "destination"
        ? record[side]
        : null;
    const resource =
      point?.type === "resource"
        ? { type: point.resourceType ?? null, id: point.resourceId ?? null, name: point.name ?? null }
        : null;
    this.emitEvent(
      "call.step",
      { ...callView(record), callId: record.id, result: n.result ?? null, side, resource },
      change,
    );
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
      keys: keysOf(record),
    });
    if (this.recentEnds.length > RECENT_ENDS) this.recentEnds = this.recentEnds.slice(-RECENT_ENDS);
  }

  private countUsers(before: string[], after: string[], change: Change): void {
    for (const id of before) {
      if (after.includes(id)) continue;
      if (this.state.countUserCall(id, -1)) this.dirtyUserQueues(id, change);
    }
    for (const id of after) {
      if (before.includes(id)) continue;
      if (this.state.countUserCall(id, 1)) this.dirtyUserQueues(id, change);
    }
  }

  // ------------------------------------------------------------------ queue callers

  callerJoined(queue: QueueRecord, callId: string, change: Change): void {
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
        call: record ? callView(record) : null,
      },
      change,
    );
  }

  /**
   * The caller left the queue. Whether an agent took it is often only clear a moment later (the
   * platform may announce the leave before the answer), so an undecided leave waits on its call.
   */
  callerLeft(queue: QueueRecord, callId: string, change: Change): void {
    const enteredAt = queue.waiting.get(callId);
    if (enteredAt === undefined) return;
    this.state.deleteWaiting(queue, callId);
    change.dirtyQueues.add(queue.id);
    this.correlator.queueLeft(callId, change.now);
    const pending: PendingLeave = { queueId: queue.id, enteredAt, leftAt: change.now };
    const record = this.state.calls.get(callId);
    if (!record) {
      this.emitCallerLeft(null, pending, false, change, { callId });
      return;
    }
    if (this.correlator.isAnswered(callId)) this.emitCallerLeft(record, pending, true, change);
    else record.pendingLeaves = [...record.pendingLeaves, pending];
  }

  private resolvePendingLeaves(record: CallRecord, change: Change): void {
    if (record.pendingLeaves.length === 0) return;
    const answered = this.correlator.isAnswered(record.id);
    // Routed anywhere but a person (voicemail, another queue, an outside number): nobody took it.
    const destination = record.destination.type;
    if (!answered && (destination === "user" || destination === "queue")) return;
    for (const pending of takeLeaves(record)) this.emitCallerLeft(record, pending, answered, change);
  }

  private emitCallerLeft(
    record: CallRecord | null,
    pending: PendingLeave,
    answered: boolean,
    change: Change,
    options: { callId?: string; endReason?: string } = {},
  ): void {
    const raw = record?.queueExit ?? null;
    // Without the platform's reason, what the call did tells: taken by an agent, or the caller hung up.
    const exit: QueueExit = raw
      ? normaliseQueueExit(raw)
      : {
          exitReason: answered ? "answered" : options.endReason === "source_hangup" ? "hangup" : null,
          exitKey: null,
        };
    this.emitEvent(
      "queue.caller.left",
      {
        queueId: pending.queueId,
        queueName: this.state.queues.get(pending.queueId)?.name ?? null,
        callId: options.callId ?? record?.id ?? "",
        enteredAt: pending.enteredAt,
        leftAt: pending.leftAt,
        waitMs: Math.max(0, pending.leftAt - pending.enteredAt),
        answered,
        exitReason: exit.exitReason,
        exitKey: exit.exitKey,
        queueExit: raw,
        call: record ? callView(record) : null,
      },
      change,
    );
  }

  // ------------------------------------------------------------------ queue members

  memberEntered(member: QueueMember, change: Change): void {
    const queue = this.ensureQueue(member.queueId);
    const copy = copyMember(member, queue.id);
    this.state.setMember(queue, copy);
    change.dirtyQueues.add(queue.id);
    this.emitEvent("queue.agent.login", { ...memberView(this.state, copy) }, change);
    if (copy.pausedSince > 0)
      this.emitEvent("queue.agent.paused", { ...memberView(this.state, copy) }, change);
  }

  memberLeft(member: QueueMember, change: Change): void {
    const queue = this.state.queues.get(member.queueId);
    if (!queue) return;
    const view = memberView(this.state, member);
    this.state.deleteMember(queue, member.userId);
    change.dirtyQueues.add(queue.id);
    this.emitEvent("queue.agent.logout", { ...view }, change);
  }

  memberChanged(known: QueueMember, update: QueueMember, changes: PropertyChange[], change: Change): void {
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
    // changed in place: set again through ModelState, so its queue counts agents again
    const queue = this.state.queues.get(known.queueId);
    if (queue) this.state.setMember(queue, known);
    change.dirtyQueues.add(known.queueId);
    if (paused !== wasPaused) {
      this.emitEvent(
        paused ? "queue.agent.paused" : "queue.agent.unpaused",
        { ...memberView(this.state, known) },
        change,
      );
    } else if (priorityChanged || changes.some((c) => c.name !== "pausedSince")) {
      this.emitEvent(
        "queue.agent.updated",
        { ...memberView(this.state, known), changes: changes.map(copyChange) },
        change,
      );
    }
  }

  removeQueue(queue: QueueRecord, change: Change): void {
    for (const member of [...queue.members.values()]) this.memberLeft(member, change);
    for (const callId of [...queue.waiting.keys()]) this.callerLeft(queue, callId, change);
    this.state.deleteQueue(queue);
    change.dirtyQueues.delete(queue.id);
    this.emitEvent("queue.stats", { ...this.statsOf(queue, change.now), removed: true }, change);
  }

  // ------------------------------------------------------------------ users

  applyUserChanges(user: User, changes: PropertyChange[], change: Change): void {
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

  diffUser(known: User, fresh: User, change: Change): void {
    const wasLoggedIn = known.loggedIn;
    const statusBefore = `${known.receiveCalls}|${known.displayStatus}`;
    const other: PropertyChange[] = [];
    for (const name of ["name", "shortname", "contact", "extensions", "language", "address"] as const) {
      if (fresh[name] !== known[name]) other.push({ name, oldValue: known[name], newValue: fresh[name] });
    }
    const copy = copyUser(fresh);
    this.state.setUser(copy);
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
        { ...userView(this.state, user.id) },
        change,
      );
    }
    if (`${user.receiveCalls}|${user.displayStatus}` !== statusBefore) {
      this.emitEvent("user.status", this.statusPayload(user.id), change);
    }
    if (other.length > 0) {
      this.emitEvent(
        "user.updated",
        { ...userView(this.state, user.id), changes: other.map(copyChange) },
        change,
      );
    }
    this.touchUserQueues(user.id, change);
  }

  removeUser(userId: string, change: Change): void {
    for (const queue of this.state.queuesOf(userId)) {
      const member = queue.members.get(userId);
      if (member) this.memberLeft(member, change);
    }
    const view = userView(this.state, userId);
    this.state.deleteUser(userId);
    this.emitEvent("user.removed", { ...view }, change);
  }

  ensureUser(userId: string): User {
    let user = this.state.users.get(userId);
    if (!user) {
      user = placeholderUser(userId);
      this.state.setUser(user);
    }
    return user;
  }

  ensureQueue(queueId: string): QueueRecord {
    let queue = this.state.queues.get(queueId);
    if (!queue) {
      queue = this.state.addQueue(newQueueRecord({ id: queueId, name: "", userEntries: [], callIds: [] }));
    }
    return queue;
  }

  /** The user's own state changed (login, status, created, replaced): their queues recount agents. */
  touchUserQueues(userId: string, change: Change): void {
    this.state.userChanged(userId);
    this.dirtyUserQueues(userId, change);
  }

  /** Only the user's calls changed: ModelState has moved their queues' counts already. */
  private dirtyUserQueues(userId: string, change: Change): void {
    for (const queue of this.state.queuesOf(userId)) change.dirtyQueues.add(queue.id);
  }

  // ------------------------------------------------------------------ stats

  flushStats(change: Change): void {
    for (const queueId of change.dirtyQueues) {
      const queue = this.state.queues.get(queueId);
      if (!queue) continue;
      const agents = this.agentsNow(queue);
      const signature = statsSignature(queue, agents);
      if (queue.announced === signature) continue;
      queue.announced = signature;
      this.emitEvent("queue.stats", this.statsOf(queue, change.now, agents), change);
    }
    change.dirtyQueues.clear();
  }

  private statsOf(queue: QueueRecord, now: number, agents = this.agentsNow(queue)): QueueStats {
    return queueStats(this.state, queue, now, agents);
  }

  /** The queue's agent counts: kept by ModelState, counted again when it dropped them. */
  agentsNow(queue: QueueRecord): QueueStats["agents"] {
    queue.agents ??= agentsOf(this.state, queue);
    return queue.agents;
  }

  // ------------------------------------------------------------------ events

  emitEvent(event: string, payload: object, change: Change): void {
    if (change.silent) return;
    const domainEvent: DomainEvent = {
      event,
      payload: payload as Record<string, unknown>,
      timestamp: change.now,
      companyId: this.state.company?.id ?? "",
    };
    if (change.notification !== undefined) domainEvent.notification = change.notification;
    try {
      this.sink.event(domainEvent);
    } catch (err) {
      // A failing listener must not leave the model half-updated (its fellow listeners of this one event are skipped).
      this.sink.warning(err, domainEvent);
    }
  }

  private statusPayload(userId: string): Record<string, unknown> {
    return { ...userView(this.state, userId) };
  }
}
