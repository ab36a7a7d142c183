// What the live model knows, and the indices that keep every lookup a notification needs
// independent of the company's size: user -> queues, party -> active calls, parent -> queue legs,
// call -> queues it waits in. Every change to members, waiting callers and calls goes through
// here so the indices cannot drift from the maps they index.

import type { Company, QueueMember, User } from "../protocol/types";
import { partyKey } from "./normalise";
import type { CallRecord, QueueRecord } from "./records";

/** What views read: the model's state, never changed through this type. */
export interface ReadonlyModelState {
  readonly company: Company | null;
  readonly users: ReadonlyMap<string, User>;
  readonly queues: ReadonlyMap<string, QueueRecord>;
  readonly calls: ReadonlyMap<string, CallRecord>;
  /** userId -> number of active calls the user is a party of */
  readonly userCalls: ReadonlyMap<string, number>;
  /** the queues `userId` is a member of, in queue order */
  queuesOf(userId: string): readonly QueueRecord[];
}

export class ModelState implements ReadonlyModelState {
  company: Company | null = null;
  readonly users = new Map<string, User>();
  readonly queues = new Map<string, QueueRecord>();
  readonly calls = new Map<string, CallRecord>();
  readonly userCalls = new Map<string, number>();
  private readonly userQueues = new Map<string, Entry<QueueRecord>>();
  private readonly waitingIn = new Map<string, Entry<QueueRecord>>();
  private readonly partyCalls = new Map<string, Entry<CallRecord>>();
  private readonly childCalls = new Map<string, Entry<CallRecord>>();
  private seq = 0;

  clear(): void {
    for (const map of [
      this.users,
      this.queues,
      this.calls,
      this.userCalls,
      this.userQueues,
      this.waitingIn,
      this.partyCalls,
      this.childCalls,
    ])
      map.clear();
  }

  // ---- queues, members, waiting callers

  addQueue(queue: QueueRecord): QueueRecord {
    queue.seq = ++this.seq;
    this.queues.set(queue.id, queue);
    for (const userId of queue.members.keys()) addTo(this.userQueues, userId, queue);
    for (const callId of queue.waiting.keys()) addTo(this.waitingIn, callId, queue);
    return queue;
  }

  deleteQueue(queue: QueueRecord): void {
    for (const userId of queue.members.keys()) removeFrom(this.userQueues, userId, queue);
    for (const callId of queue.waiting.keys()) removeFrom(this.waitingIn, callId, queue);
    this.queues.delete(queue.id);
  }

  setMember(queue: QueueRecord, member: QueueMember): void {
    queue.members.set(member.userId, member);
    addTo(this.userQueues, member.userId, queue);
  }

  deleteMember(queue: QueueRecord, userId: string): void {
    queue.members.delete(userId);
    removeFrom(this.userQueues, userId, queue);
  }

  queuesOf(userId: string): readonly QueueRecord[] {
    return inOrder(this.userQueues.get(userId));
  }

  setWaiting(queue: QueueRecord, callId: string, enteredAt: number): void {
    queue.waiting.set(callId, enteredAt);
    addTo(this.waitingIn, callId, queue);
  }

  deleteWaiting(queue: QueueRecord, callId: string): void {
    queue.waiting.delete(callId);
    removeFrom(this.waitingIn, callId, queue);
  }

  /** The queues where `callId` waits, in queue order. */
  queuesWaitedIn(callId: string): readonly QueueRecord[] {
    return inOrder(this.waitingIn.get(callId));
  }

  // ---- calls

  addCall(record: CallRecord): void {
    record.seq = ++this.seq;
    this.calls.set(record.id, record);
    this.indexCall(record);
  }

  deleteCall(record: CallRecord): void {
    this.unindexCall(record);
    this.calls.delete(record.id);
  }

  /** Active calls with `key` (a partyKey) on either side, in arrival order. */
  callsWithParty(key: string): readonly CallRecord[] {
    return inOrder(this.partyCalls.get(key));
  }

  /** Active calls whose parent is `callId` (its queue legs), in arrival order. */
  childrenOf(callId: string): readonly CallRecord[] {
    return inOrder(this.childCalls.get(callId));
  }

  /** After a call's sides or parent changed: unindexCall (with the old parent), then indexCall. */
  indexCall(record: CallRecord): void {
    record.keys = [partyKey(record.raw.source), partyKey(record.raw.destination)];
    for (const key of record.keys) if (key !== "") addTo(this.partyCalls, key, record);
    if (record.parentCallId !== null) addTo(this.childCalls, record.parentCallId, record);
  }

  /** `parentCallId`: the parent it was indexed under, when that has changed since. */
  unindexCall(record: CallRecord, parentCallId = record.parentCallId): void {
    for (const key of record.keys) if (key !== "") removeFrom(this.partyCalls, key, record);
    if (parentCallId !== null) removeFrom(this.childCalls, parentCallId, record);
  }
}

// An index entry is the one value itself, or a Set once there are more: most keys (a user's
// queue, a caller's call) hold one value, and a Set each would cost a large company megabytes.
type Entry<V> = V | Set<V>;

function addTo<K, V extends object>(index: Map<K, Entry<V>>, key: K, value: V): void {
  const entry = index.get(key);
  if (entry === undefined) index.set(key, value);
  else if (entry instanceof Set) entry.add(value);
  else if (entry !== value) index.set(key, new Set([entry, value]));
}

function removeFrom<K, V extends object>(index: Map<K, Entry<V>>, key: K, value: V): void {
  const entry = index.get(key);
  if (entry === value) index.delete(key);
  else if (entry instanceof Set && entry.delete(value) && entry.size === 1)
    index.set(key, entry.values().next().value as V);
}

const EMPTY: never[] = [];

function inOrder<T extends { seq: number }>(entry: Entry<T> | undefined): readonly T[] {
  if (entry === undefined) return EMPTY;
  if (!(entry instanceof Set)) return [entry];
  return [...entry].sort((a, b) => a.seq - b.seq);
}
