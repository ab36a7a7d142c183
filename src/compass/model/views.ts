// The plain JSON views flows see, and queue statistics: pure functions over the model's state,
// which they only read. Each call builds a fresh object, so a flow that changes one cannot change
// the model or another flow's copy.

import type { QueueMember } from "../protocol/types";
import { provisionalDirection } from "./normalise";
import { type CallRecord, isPausedAgent, placeholderUser, type QueueRecord } from "./records";
import type { ReadonlyModelState } from "./state";
import type { CallView, QueueMemberView, QueueStats, QueueView, UserView } from "./types";

export function callView(record: CallRecord): CallView {
  return {
    id: record.id,
    state: (record.state ?? "").toLowerCase(),
    direction: record.direction ?? provisionalDirection(record.destination),
    source: { ...record.source },
    destination: { ...record.destination },
    parentCallId: record.parentCallId,
    queueId: record.queueId,
    queueName: record.queueName,
    startedAt: record.startedAt,
    answeredAt: record.answeredAt,
    endedAt: null,
    endReason: null,
    held: record.held,
    properties: { ...record.properties },
  };
}

export function memberView(state: ReadonlyModelState, member: QueueMember): QueueMemberView {
  return {
    queueId: member.queueId,
    queueName: state.queues.get(member.queueId)?.name ?? null,
    userId: member.userId,
    userName: state.users.get(member.userId)?.name ?? null,
    priority: member.priority,
    paused: member.pausedSince > 0,
    pausedSince: member.pausedSince,
  };
}

export function userView(state: ReadonlyModelState, userId: string): UserView {
  const user = state.users.get(userId) ?? placeholderUser(userId);
  const queues: QueueMemberView[] = [];
  for (const queue of state.queuesOf(userId)) {
    const member = queue.members.get(userId);
    if (member) queues.push(memberView(state, member));
  }
  const location =
    user.location === undefined || user.location === null || ["-1", ""].includes(String(user.location))
      ? null
      : String(user.location);
  return {
    id: user.id,
    name: user.name,
    loggedIn: user.loggedIn,
    location,
    receiveCalls: user.receiveCalls ?? null,
    displayStatus: user.displayStatus ?? null,
    wrapupState: user.wrapupState
      ? { callId: user.wrapupState.callId ?? null, endTime: user.wrapupState.endTime ?? null }
      : null,
    shortname: user.shortname ?? null,
    contact: user.contact ?? null,
    extensions: user.extensions ?? null,
    language: user.language ?? null,
    address: user.address ?? null,
    identifiers: { ...(user.identifiers ?? {}) },
    queues,
    activeCalls: state.callsOfUser(userId),
  };
}

/**
 * Logged-in, available (logged in, not on a call, not paused) and paused members (isPausedAgent).
 * The model keeps these per queue (QueueRecord.agents); this count is their definition.
 */
export function agentsOf(state: ReadonlyModelState, queue: QueueRecord): QueueStats["agents"] {
  let loggedIn = 0;
  let available = 0;
  let paused = 0;
  for (const member of queue.members.values()) {
    loggedIn += 1;
    const user = state.users.get(member.userId);
    if (isPausedAgent(member, user)) paused += 1;
    else if (user?.loggedIn && state.callsOfUser(member.userId) === 0) available += 1;
  }
  return { loggedIn, available, paused };
}

/** What makes a stats snapshot different, without the fields that only move with the clock. */
export function statsSignature(queue: QueueRecord, agents: QueueStats["agents"]): string {
  const { loggedIn, available, paused } = agents;
  let waiting = "";
  for (const [callId, enteredAt] of queue.waiting) waiting += `${callId}@${enteredAt},`;
  const c = queue.counters;
  return `${queue.name}|${waiting}|${loggedIn}|${available}|${paused}|${c.averageWait}|${c.maxWait}|${c.totalCalls}|${c.handledCalls}|${c.totalWait}`;
}

export function queueStats(
  state: ReadonlyModelState,
  queue: QueueRecord,
  now: number,
  agents = agentsOf(state, queue),
): QueueStats {
  const waitingCalls = [...queue.waiting].map(([callId, enteredAt]) => ({
    callId,
    enteredAt,
    waitMs: Math.max(0, now - enteredAt),
  }));
  return {
    queueId: queue.id,
    queueName: queue.name,
    waiting: waitingCalls.length,
    waitingCalls,
    longestWaitMs: waitingCalls.reduce((max, w) => Math.max(max, w.waitMs), 0),
    agents: { ...agents },
    counters: { ...queue.counters },
    at: now,
  };
}

export function queueView(state: ReadonlyModelState, queue: QueueRecord, now: number): QueueView {
  return {
    id: queue.id,
    name: queue.name,
    xmppJid: queue.xmppJid,
    members: [...queue.members.values()].map((m) => memberView(state, m)),
    stats: queueStats(state, queue, now),
  };
}
