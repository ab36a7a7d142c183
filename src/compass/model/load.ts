// Loading a snapshot: the first one seeds the model silently; every later one (after a reconnect)
// is compared with what the model holds and the differences are announced as ordinary events, so
// flows never keep state from before a gap.

import type { Call, QueueMember } from "../protocol/types";
import type { Change, ModelChanges } from "./changes";
import { parentCallIdOf } from "./normalise";
import { COUNTER_NAMES, copyMember, copyUser, membershipsOf, newQueueRecord, type Snapshot } from "./records";
import type { ModelState } from "./state";
import { userView } from "./views";

/** Parents before their queue legs, so a leg finds its parent. */
const QUEUE_KEYS_FIRST = (a: Call, b: Call) =>
  Number(parentCallIdOf(a) !== null) - Number(parentCallIdOf(b) !== null);

export function seed(model: ModelChanges, state: ModelState, snapshot: Snapshot, change: Change): void {
  model.clear();
  state.company = { ...snapshot.company };
  for (const user of snapshot.users ?? []) state.setUser(copyUser(user));
  for (const queue of snapshot.queues ?? []) state.addQueue(newQueueRecord(queue));
  for (const [queueId, members] of membershipsOf(snapshot)) {
    const queue = model.ensureQueue(queueId);
    for (const member of members.values()) state.setMember(queue, copyMember(member, queue.id));
  }
  const calls = (snapshot.calls ?? []).filter((c) => c && c.state !== "DISCONNECTED").sort(QUEUE_KEYS_FIRST);
  for (const call of calls) model.startCall(call, change, true);
  for (const queue of snapshot.queues ?? []) {
    const record = state.queues.get(queue.id);
    for (const callId of queue.callIds ?? []) {
      if (record) state.setWaiting(record, callId, change.now);
      model.correlator.queueEntered(callId, queue.id, queue.name ?? null, change.now);
    }
  }
  for (const queue of state.queues.values()) model.statsAnnounced(queue);
}

export function resync(model: ModelChanges, state: ModelState, snapshot: Snapshot, change: Change): void {
  if (snapshot.company) state.company = { ...snapshot.company };
  // Calls first: ends free agents, and queue callers that vanished are explained by their call.
  const fresh = new Map<string, Call>();
  for (const call of snapshot.calls ?? [])
    if (call && call.state !== "DISCONNECTED") fresh.set(call.id, call);
  const vanished = [...state.calls.values()].filter((r) => !fresh.has(r.id));
  vanished.sort((a, b) => Number(b.parentCallId !== null) - Number(a.parentCallId !== null));
  for (const record of vanished) model.endCall(record, "unknown", change, { resynced: true });
  for (const call of [...fresh.values()].sort(QUEUE_KEYS_FIRST)) {
    const record = state.calls.get(call.id);
    if (record) model.updateCall(record, call, change);
    else if (!model.tombstones.has(call.id)) model.startCall(call, change, true);
  }
  // Only now, with the listed queue legs joined to their callers, are the gap's conversations over.
  for (const summary of model.correlator.settleReload()) model.emitEvent("call.summary", summary, change);

  // Users: created, changed, removed.
  const freshUsers = new Map((snapshot.users ?? []).map((u) => [u.id, u]));
  for (const user of freshUsers.values()) {
    const known = state.users.get(user.id);
    if (!known) {
      state.setUser(copyUser(user));
      model.emitEvent("user.created", { ...userView(state, user.id) }, change);
    } else {
      model.diffUser(known, user, change);
    }
  }

  // Queues: created; memberships; waiting callers; counters; removed.
  const freshQueues = new Map((snapshot.queues ?? []).map((q) => [q.id, q]));
  for (const queue of freshQueues.values()) {
    const known = state.queues.get(queue.id);
    if (!known) {
      state.addQueue(newQueueRecord(queue));
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
  for (const queue of [...state.queues.values()]) {
    const freshMembers = memberships.get(queue.id) ?? new Map<string, QueueMember>();
    for (const [userId, member] of [...queue.members]) {
      if (!freshMembers.has(userId)) model.memberLeft(member, change);
    }
    for (const member of freshMembers.values()) {
      const known = queue.members.get(member.userId);
      if (!known) model.memberEntered(member, change);
      else model.memberChanged(known, member, [], change);
    }
  }
  for (const [queueId, members] of memberships) {
    if (state.queues.has(queueId)) continue;
    for (const member of members.values()) model.memberEntered(member, change);
  }
  for (const queue of freshQueues.values()) {
    const record = state.queues.get(queue.id);
    if (!record) continue;
    const waitingNow = new Set(queue.callIds ?? []);
    for (const callId of [...record.waiting.keys()])
      if (!waitingNow.has(callId)) model.callerLeft(record, callId, change);
    for (const callId of waitingNow)
      if (!record.waiting.has(callId)) model.callerJoined(record, callId, change);
  }
  for (const queue of [...state.queues.values()]) {
    if (!freshQueues.has(queue.id)) model.removeQueue(queue, change);
  }
  for (const userId of [...state.users.keys()]) {
    if (!freshUsers.has(userId)) model.removeUser(userId, change);
  }
}
