// The model's internal records and the small pure helpers that build them from protocol objects.

import { parseReceiveCalls } from "../operations";
import type { Call, CallState, Company, PropertyChange, Queue, QueueMember, User } from "../protocol/types";
import { callpointView, partyKey } from "./normalise";
import type { CallDirection, CallpointView, QueueCounters, QueueStats } from "./types";

/** What the session loads on every (re)connect. */
export interface Snapshot {
  company: Company;
  users: User[];
  queues: Queue[];
  calls: Call[];
}

export interface PendingLeave {
  queueId: string;
  enteredAt: number;
  leftAt: number;
}

export interface CallRecord {
  id: string;
  /** order of arrival among the active calls (ties in transfer detection go to the later one) */
  seq: number;
  /**
   * What the latest notification said of the call itself, kept once: its state, its properties,
   * and of its sides only their party keys and views (the parsed callpoints are not kept).
   */
  state: CallState;
  /** as the platform sent them; views hand out copies */
  properties: Readonly<Record<string, string>>;
  /** the views of the sides, built once per notification (views hand out copies) */
  source: CallpointView;
  destination: CallpointView;
  /** partyKey of each side, as indexed (see ModelState) */
  sourceKey: string;
  destinationKey: string;
  direction: CallDirection | null;
  startedAt: number;
  answeredAt: number | null;
  held: boolean;
  parentCallId: string | null;
  queueId: string | null;
  queueName: string | null;
  queueExit: string | null;
  /** Left a queue before we could tell whether an agent took it (rare: NO_LEAVES, shared, until then). */
  pendingLeaves: readonly PendingLeave[];
}

export interface QueueRecord {
  id: string;
  /** order of arrival among the queues (views list a user's queues in this order) */
  seq: number;
  name: string;
  xmppJid: string | null;
  members: Map<string, QueueMember>;
  /** callId -> entered at (ms). */
  waiting: Map<string, number>;
  counters: QueueCounters;
  /**
   * The members counted (agentsOf), kept up to date as users join and leave calls; null when
   * something else about a member or its user changed and they must be counted again.
   */
  agents: QueueStats["agents"] | null;
  /** statsSignature of the last queue.stats announced (or seeded), null before any */
  announced: string | null;
}

/**
 * Whether a member counts as paused. Paused is either model: v2 queue pause (`pausedSince` > 0) or
 * v3 user status (receive-calls other than ALL; a company on v3 never sets `pausedSince`). The
 * platform clears one when the other is used, and receive-calls is only set through v3, so each
 * agent is read by both without deciding per company.
 */
export function isPausedAgent(member: QueueMember, user: User | undefined): boolean {
  const status = user?.receiveCalls;
  // the XMPP spelling "ALL" is the common case: no parsing on the stats path for it
  return (
    member.pausedSince > 0 || (!!status && status !== "ALL" && (parseReceiveCalls(status) ?? "ALL") !== "ALL")
  );
}

export const COUNTER_NAMES = ["averageWait", "maxWait", "totalCalls", "handledCalls", "totalWait"] as const;

export const NO_LEAVES: readonly PendingLeave[] = Object.freeze([]);

/** The record's pending leaves, now taken from it. */
export function takeLeaves(record: CallRecord): readonly PendingLeave[] {
  const leaves = record.pendingLeaves;
  record.pendingLeaves = NO_LEAVES;
  return leaves;
}

/** The record of a call first seen, not yet answered nor indexed (ModelState.addCall does that). */
export function newCallRecord(
  call: Call,
  init: Pick<CallRecord, "direction" | "startedAt" | "held" | "parentCallId" | "queueId" | "queueName">,
): CallRecord {
  return {
    id: call.id,
    seq: 0,
    state: call.state,
    properties: keptProperties(call),
    source: callpointView(call.source),
    destination: callpointView(call.destination),
    sourceKey: partyKey(call.source),
    destinationKey: partyKey(call.destination),
    direction: init.direction,
    startedAt: init.startedAt,
    answeredAt: null,
    held: init.held,
    parentCallId: init.parentCallId,
    queueId: init.queueId,
    queueName: init.queueName,
    queueExit: null,
    pendingLeaves: NO_LEAVES,
  };
}

/** A call's sides as its record keeps them: each side's view and party key. */
export type CallSides = Pick<CallRecord, "source" | "destination" | "sourceKey" | "destinationKey">;

/** The party keys of both sides, in side order (for the few paths that compare them as a pair). */
export function keysOf(sides: CallSides): [string, string] {
  return [sides.sourceKey, sides.destinationKey];
}

/** A call's properties to keep: most calls carry none, and share one frozen empty object. */
export function keptProperties(call: Call): CallRecord["properties"] {
  return hasAny(call.properties) ? call.properties : NO_PROPERTIES;
}

const NO_PROPERTIES: CallRecord["properties"] = Object.freeze({});

function hasAny(properties: Record<string, string> | undefined): properties is Record<string, string> {
  for (const _ in properties) return true;
  return false;
}

export function isCall(call: Call | undefined): call is Call {
  return !!call && typeof call.id === "string" && !!call.source && !!call.destination;
}

/** A kept user's queueEntries: one frozen empty list for all of them. */
const NO_ENTRIES: User["queueEntries"] = Object.freeze([]) as unknown as User["queueEntries"];

export function copyUser(user: User): User {
  return {
    ...user,
    loggedIn: user.loggedIn === true,
    identifiers: { ...(user.identifiers ?? {}) },
    // memberships live in the queues' member maps (ModelState indexes them by user)
    queueEntries: NO_ENTRIES,
    ...(user.wrapupState ? { wrapupState: { ...user.wrapupState } } : {}),
  };
}

export function placeholderUser(id: string): User {
  return { id, name: "", loggedIn: false, identifiers: {}, queueEntries: NO_ENTRIES };
}

/** `queueId`: the queue record's own id, so its members share that one string. */
export function copyMember(member: QueueMember, queueId = member.queueId): QueueMember {
  return {
    queueId,
    userId: member.userId,
    priority: typeof member.priority === "number" && Number.isFinite(member.priority) ? member.priority : 0,
    pausedSince: typeof member.pausedSince === "number" && member.pausedSince > 0 ? member.pausedSince : 0,
  };
}

export function copyChange(change: PropertyChange): PropertyChange {
  return {
    name: change.name,
    oldValue: change.oldValue ?? undefined,
    newValue: change.newValue ?? undefined,
  };
}

export function newQueueRecord(queue: Queue): QueueRecord {
  const counters: QueueCounters = {
    averageWait: null,
    maxWait: null,
    totalCalls: null,
    handledCalls: null,
    totalWait: null,
  };
  for (const name of COUNTER_NAMES) {
    const value = queue[name];
    if (typeof value === "number" && Number.isFinite(value)) counters[name] = value;
  }
  return {
    id: queue.id,
    seq: 0,
    name: queue.name ?? "",
    xmppJid: queue.xmppJid ?? null,
    members: new Map(),
    waiting: new Map(),
    counters,
    agents: null,
    announced: null,
  };
}

/** Queue memberships from both sides of a snapshot (queue.userEntries and user.queueEntries). */
export function membershipsOf(snapshot: Snapshot): Map<string, Map<string, QueueMember>> {
  const result = new Map<string, Map<string, QueueMember>>();
  const add = (member: QueueMember) => {
    if (!member || typeof member.queueId !== "string" || typeof member.userId !== "string") return;
    let members = result.get(member.queueId);
    if (!members) {
      members = new Map();
      result.set(member.queueId, members);
    }
    if (!members.has(member.userId)) members.set(member.userId, copyMember(member));
  };
  for (const queue of snapshot.queues ?? []) {
    for (const entry of queue.userEntries ?? []) add({ ...entry, queueId: entry.queueId ?? queue.id });
  }
  for (const user of snapshot.users ?? []) {
    for (const entry of user.queueEntries ?? []) add({ ...entry, userId: entry.userId ?? user.id });
  }
  return result;
}
