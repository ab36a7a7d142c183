// What the live model knows, and the indices that keep every lookup a notification needs
// independent of the company's size: user -> queues, party -> active calls, parent -> queue legs,
// call -> queues it waits in, user -> number of active calls; and each queue's agent counts, moved
// by one as its members join and leave calls instead of counted again. Every change to members,
// waiting callers and calls goes through here so the indices cannot drift from the maps they index.

import type { Company, QueueMember, User } from "../protocol/types";
import { type CallRecord, isPausedAgent, type QueueRecord } from "./records";

/** What views read: the model's state, never changed through this type. */
export interface ReadonlyModelState {
  readonly company: Company | null;
  readonly users: ReadonlyMap<string, User>;
  readonly queues: ReadonlyMap<string, QueueRecord>;
  readonly calls: ReadonlyMap<string, CallRecord>;
  /** the number of active calls `userId` is a party of */
  callsOfUser(userId: string): number;
  /** the queues `userId` is a member of, in queue order */
  queuesOf(userId: string): readonly QueueRecord[];
}

export class ModelState implements ReadonlyModelState {
  company: Company | null = null;
  /** changed only through setUser / deleteUser (queue agent counts depend on them) */
  private readonly userRecords = new Map<string, User>();
  readonly queues = new Map<string, QueueRecord>();
  readonly calls = new Map<string, CallRecord>();
  private readonly userCalls = new Counts();
  private readonly userQueues = new Index<QueueRecord>();
  private readonly waitingIn = new Index<QueueRecord>();
  private readonly partyCalls = new Index<CallRecord>();
  private readonly childCalls = new Index<CallRecord>();
  private seq = 0;

  get users(): ReadonlyMap<string, User> {
    return this.userRecords;
  }

  clear(): void {
    for (const map of [this.userRecords, this.queues, this.calls]) map.clear();
    for (const index of [this.userCalls, this.userQueues, this.waitingIn, this.partyCalls, this.childCalls])
      index.clear();
  }

  // ---- queues, members, waiting callers

  addQueue(queue: QueueRecord): QueueRecord {
    queue.seq = ++this.seq;
    queue.agents = null;
    this.queues.set(queue.id, queue);
    for (const userId of queue.members.keys()) this.userQueues.add(userId, queue);
    for (const callId of queue.waiting.keys()) this.waitingIn.add(callId, queue);
    return queue;
  }

  deleteQueue(queue: QueueRecord): void {
    for (const userId of queue.members.keys()) this.userQueues.remove(userId, queue);
    for (const callId of queue.waiting.keys()) this.waitingIn.remove(callId, queue);
    this.queues.delete(queue.id);
  }

  setMember(queue: QueueRecord, member: QueueMember): void {
    queue.members.set(member.userId, member);
    queue.agents = null;
    this.userQueues.add(member.userId, queue);
  }

  deleteMember(queue: QueueRecord, userId: string): void {
    queue.members.delete(userId);
    queue.agents = null;
    this.userQueues.remove(userId, queue);
  }

  queuesOf(userId: string): readonly QueueRecord[] {
    return this.userQueues.get(userId);
  }

  setWaiting(queue: QueueRecord, callId: string, enteredAt: number): void {
    queue.waiting.set(callId, enteredAt);
    this.waitingIn.add(callId, queue);
  }

  deleteWaiting(queue: QueueRecord, callId: string): void {
    queue.waiting.delete(callId);
    this.waitingIn.remove(callId, queue);
  }

  /** The queues where `callId` waits, in queue order. */
  queuesWaitedIn(callId: string): readonly QueueRecord[] {
    return this.waitingIn.get(callId);
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
    return this.partyCalls.get(key);
  }

  /** Active calls whose parent is `callId` (its queue legs), in arrival order. */
  childrenOf(callId: string): readonly CallRecord[] {
    return this.childCalls.get(callId);
  }

  /**
   * After a call's sides or parent changed: unindexCall (with the old keys and parent), then the
   * new keys set, then indexCall.
   */
  indexCall(record: CallRecord): void {
    if (record.sourceKey !== "") this.partyCalls.add(record.sourceKey, record);
    if (record.destinationKey !== "") this.partyCalls.add(record.destinationKey, record);
    if (record.parentCallId !== null) this.childCalls.add(record.parentCallId, record);
  }

  /** `parentCallId`: the parent it was indexed under, when that has changed since. */
  unindexCall(record: CallRecord, parentCallId = record.parentCallId): void {
    if (record.sourceKey !== "") this.partyCalls.remove(record.sourceKey, record);
    if (record.destinationKey !== "") this.partyCalls.remove(record.destinationKey, record);
    if (parentCallId !== null) this.childCalls.remove(parentCallId, record);
  }

  // ---- users on calls

  callsOfUser(userId: string): number {
    return this.userCalls.get(userId);
  }

  /** How many users are a party of at least one active call. */
  get usersOnCalls(): number {
    return this.userCalls.nonZero;
  }

  /**
   * `userId` joined (+1) or left (-1) an active call. Answers whether that moved the user onto
   * their first call or off their last, which is when their queues' available agents change.
   */
  countUserCall(userId: string, delta: 1 | -1): boolean {
    if (!this.userCalls.add(userId, delta)) return false;
    const user = this.users.get(userId);
    if (user?.loggedIn) {
      for (const queue of this.userQueues.get(userId)) {
        const member = queue.members.get(userId);
        // onto a first call: one fewer available; off the last: one more
        if (queue.agents && member && !isPausedAgent(member, user)) queue.agents.available -= delta;
      }
    }
    return true;
  }

  /** A user added or replaced: their queues count them again. */
  setUser(user: User): void {
    this.userRecords.set(user.id, user);
    this.userChanged(user.id);
  }

  /** After the user left every queue. */
  deleteUser(userId: string): void {
    this.userRecords.delete(userId);
  }

  /** Something about the user itself changed (login, status, the record replaced): recount their queues. */
  userChanged(userId: string): void {
    for (const queue of this.userQueues.get(userId)) queue.agents = null;
  }
}

// Why the indices below never delete a key the moment it empties: V8's Map leaves a deleted entry
// in its bucket's chain until the whole table is rebuilt, so a key deleted and added again (an
// agent's next call, the dial plan's extension for every new call) lengthens that one chain each
// time. With 10,000 entries, adding such a key walked thousands of dead entries: 36 µs per call
// instead of 2 µs, the largest cost per notification that grew with the company (test/bench/index.bench.ts).
// An emptied key keeps its place, and emptied keys are swept in one pass once they outnumber the
// rest: memory stays within twice the live keys, and churn costs one overwrite.
const SWEEP_AT = 1024;

/** key -> values: the one value itself, or a Set once there are more (most keys hold one value,
 * and a Set each would cost a large company megabytes); `undefined` while emptied. */
class Index<V extends { seq: number }> {
  private readonly map = new Map<string, V | Set<V> | undefined>();
  private emptied = 0;

  add(key: string, value: V): void {
    const entry = this.map.get(key);
    if (entry === undefined) {
      if (this.map.has(key)) this.emptied--;
      this.map.set(key, value);
    } else if (entry instanceof Set) entry.add(value);
    else if (entry !== value) this.map.set(key, new Set([entry, value]));
  }

  remove(key: string, value: V): void {
    const entry = this.map.get(key);
    if (entry === value) {
      this.map.set(key, undefined);
      if (++this.emptied > SWEEP_AT && this.emptied > this.map.size / 2) this.sweep();
    } else if (entry instanceof Set && entry.delete(value) && entry.size === 1)
      this.map.set(key, entry.values().next().value as V);
  }

  /** The values of `key`, in arrival order (`seq`). */
  get(key: string): readonly V[] {
    const entry = this.map.get(key);
    if (entry === undefined) return EMPTY;
    if (!(entry instanceof Set)) return [entry];
    return [...entry].sort((a, b) => a.seq - b.seq);
  }

  clear(): void {
    this.map.clear();
    this.emptied = 0;
  }

  private sweep(): void {
    for (const [key, entry] of this.map) if (entry === undefined) this.map.delete(key);
    this.emptied = 0;
  }
}

/** key -> a count; a key at zero is kept (see above) and swept like an emptied index key. */
class Counts {
  private readonly map = new Map<string, number>();
  private zeros = 0;

  /** keys above zero */
  get nonZero(): number {
    return this.map.size - this.zeros;
  }

  get(key: string): number {
    return this.map.get(key) ?? 0;
  }

  /** Moves the count (never below zero); answers whether it went from zero to one or back. */
  add(key: string, delta: 1 | -1): boolean {
    const kept = this.map.get(key);
    const before = kept ?? 0;
    const count = Math.max(0, before + delta);
    if (count === before) return false;
    this.map.set(key, count);
    if (kept === 0) this.zeros--;
    if (count === 0) this.zeros++;
    if (this.zeros > SWEEP_AT && this.zeros > this.map.size / 2) this.sweep();
    return before === 0 || count === 0;
  }

  clear(): void {
    this.map.clear();
    this.zeros = 0;
  }

  private sweep(): void {
    for (const [key, count] of this.map) if (count === 0) this.map.delete(key);
    this.zeros = 0;
  }
}

const EMPTY: never[] = [];
