// The simulated company, held in memory. The only writer of simulator state: every mutator validates,
// changes the state, then announces the change synchronously as `SimNotification`s on "notification",
// in the order the platform sends them. Readers return live objects: callers must not mutate them.
// Notifications carry snapshots, so a listener that keeps one is not surprised by later changes.

import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { SimConflictError, SimForbiddenError, SimNotFoundError, SimValidationError } from "./errors";
import { defaultSeed, type SeedData } from "./seed";
import type {
  CompanyStateReader,
  SimCall,
  SimCallpoint,
  SimCallpointSpec,
  SimCallpointState,
  SimCallState,
  SimCompany,
  SimDpSwitch,
  SimEndReason,
  SimExternalNumber,
  SimIdentity,
  SimNotification,
  SimPhone,
  SimPropertyChange,
  SimQueue,
  SimQueueMember,
  SimReceiveCalls,
  SimUser,
} from "./types";

export interface CompanyStateOptions {
  seed?: SeedData;
  /** milliseconds since the epoch; notifications carry it in seconds */
  clock?: () => number;
  /** how many ended calls `recentCalls()` keeps */
  historySize?: number;
}

export interface QueueLoginOptions {
  priority?: number;
  callForward?: boolean;
}

export interface UserStatusChange {
  receiveCalls?: SimReceiveCalls;
  displayStatus?: string;
  /** end the user's wrap-up time now */
  endWrapup?: boolean;
}

export type CallSide = "SOURCE" | "DESTINATION";

const RECEIVE_CALLS: readonly SimReceiveCalls[] = ["ALL", "ONLY_DIRECT", "NONE"];
const MAX_PRIORITY = 100;
const MAX_DISPLAY_STATUS = 255;
const DIALABLE = /^\+?[0-9*#]{1,32}$/;

export class CompanyState extends EventEmitter implements CompanyStateReader {
  readonly company: SimCompany;
  private readonly clock: () => number;
  private readonly historySize: number;
  private readonly usersById = new Map<string, SimUser>();
  private readonly queuesById = new Map<string, SimQueue>();
  private readonly switchesById = new Map<string, SimDpSwitch>();
  private readonly numbersById = new Map<string, SimExternalNumber>();
  private readonly phonesById = new Map<string, SimPhone>();
  private readonly active = new Map<string, SimCall>();
  private readonly history: SimCall[] = [];
  /** `${queueId} ${callId}` -> ms the caller entered the queue (for wait statistics) */
  private readonly queueEntries = new Map<string, number>();
  /** queue id -> callers that left it (the divisor of averageWait) */
  private readonly queueLeftCount = new Map<string, number>();
  private callCounter = 0;
  private callpointCounter = 100;
  private readonly callIdPrefix = randomBytes(6).toString("hex");

  constructor(options: CompanyStateOptions = {}) {
    super();
    const seed = structuredClone(options.seed ?? defaultSeed());
    this.clock = options.clock ?? Date.now;
    this.historySize = Math.max(0, options.historySize ?? 200);
    this.company = seed.company;
    for (const u of seed.users) this.usersById.set(u.id, u);
    for (const q of seed.queues) this.queuesById.set(q.id, q);
    for (const s of seed.dpSwitches) this.switchesById.set(s.id, s);
    for (const n of seed.externalNumbers) this.numbersById.set(n.id, n);
    for (const p of seed.phones) this.phonesById.set(p.id, p);
  }

  // ---------------------------------------------------------------- readers

  users(): SimUser[] {
    return [...this.usersById.values()];
  }
  user(id: string): SimUser | undefined {
    return this.usersById.get(id);
  }
  userByUsername(username: string): SimUser | undefined {
    const wanted = username.toLowerCase();
    for (const u of this.usersById.values()) if (u.username.toLowerCase() === wanted) return u;
    return undefined;
  }
  queues(): SimQueue[] {
    return [...this.queuesById.values()];
  }
  queue(id: string): SimQueue | undefined {
    return this.queuesById.get(id);
  }
  activeCalls(): SimCall[] {
    return [...this.active.values()];
  }
  recentCalls(): SimCall[] {
    return [...this.history];
  }
  call(id: string): SimCall | undefined {
    return this.active.get(id) ?? this.history.find((c) => c.id === id);
  }
  dpSwitches(): SimDpSwitch[] {
    return [...this.switchesById.values()];
  }
  dpSwitch(id: string): SimDpSwitch | undefined {
    return this.switchesById.get(id);
  }
  externalNumbers(): SimExternalNumber[] {
    return [...this.numbersById.values()];
  }
  externalNumber(id: string): SimExternalNumber | undefined {
    return this.numbersById.get(id);
  }
  phones(): SimPhone[] {
    return [...this.phonesById.values()];
  }
  phone(id: string): SimPhone | undefined {
    return this.phonesById.get(id);
  }
  /** the identity with this id and the user that owns it */
  identity(id: string): { user: SimUser; identity: SimIdentity } | undefined {
    for (const user of this.usersById.values()) {
      const identity = user.identities.find((i) => i.id === id);
      if (identity) return { user, identity };
    }
    return undefined;
  }
  /** the user owning an extension number */
  userByExtension(extension: string): SimUser | undefined {
    for (const u of this.usersById.values()) if (u.extensions.includes(extension)) return u;
    return undefined;
  }
  /** queue memberships of one user */
  membershipsOf(userId: string): SimQueueMember[] {
    this.requireUser(userId);
    const out: SimQueueMember[] = [];
    for (const q of this.queuesById.values()) for (const m of q.members) if (m.userId === userId) out.push(m);
    return out;
  }

  // ---------------------------------------------------------------- queue membership

  loginQueue(userId: string, queueId: string, options: QueueLoginOptions = {}): SimQueueMember {
    this.requireUser(userId);
    const queue = this.requireQueue(queueId);
    const priority = options.priority ?? 1;
    if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) {
      throw new SimValidationError(`priority must be an integer from 0 to ${MAX_PRIORITY}`);
    }
    if (queue.members.some((m) => m.userId === userId)) {
      throw new SimConflictError(`user ${userId} is already logged in to queue ${queueId}`);
    }
    const member: SimQueueMember = {
      queueId,
      userId,
      priority,
      callForward: options.callForward ?? false,
      pausedSince: 0,
    };
    queue.members.push(member);
    this.publish({
      type: "notification.queueMember.enter",
      timestamp: this.seconds(),
      member: { ...member },
    });
    return member;
  }

  logoutQueue(userId: string, queueId: string): void {
    const { queue, member } = this.requireMembership(userId, queueId);
    queue.members.splice(queue.members.indexOf(member), 1);
    this.publish({
      type: "notification.queueMember.leave",
      timestamp: this.seconds(),
      member: { ...member },
    });
  }

  /** v1/v2 pause model. Pausing a paused member changes nothing and announces nothing. */
  pauseQueue(userId: string, queueId: string): SimQueueMember {
    return this.setPaused(userId, queueId, true);
  }

  unpauseQueue(userId: string, queueId: string): SimQueueMember {
    return this.setPaused(userId, queueId, false);
  }

  private setPaused(userId: string, queueId: string, paused: boolean): SimQueueMember {
    const { member } = this.requireMembership(userId, queueId);
    if (paused === member.pausedSince > 0) return member;
    const old = member.pausedSince;
    member.pausedSince = paused ? Math.max(1, this.clock()) : 0;
    this.publish({
      type: "notification.queueMember.update",
      timestamp: this.seconds(),
      member: { ...member },
      changes: [change("pausedSince", old, member.pausedSince)],
    });
    return member;
  }

  // ---------------------------------------------------------------- users

  /** v3 status model. Announces one user.status when anything changed, nothing otherwise. */
  setUserStatus(userId: string, status: UserStatusChange): SimUser {
    const user = this.requireUser(userId);
    if (status.receiveCalls !== undefined && !RECEIVE_CALLS.includes(status.receiveCalls)) {
      throw new SimValidationError(`receiveCalls must be one of ${RECEIVE_CALLS.join(", ")}`);
    }
    if (status.displayStatus !== undefined) {
      if (typeof status.displayStatus !== "string" || status.displayStatus.length > MAX_DISPLAY_STATUS) {
        throw new SimValidationError(
          `displayStatus must be a string of at most ${MAX_DISPLAY_STATUS} characters`,
        );
      }
    }
    let changed = false;
    if (status.receiveCalls !== undefined && status.receiveCalls !== user.receiveCalls) {
      user.receiveCalls = status.receiveCalls;
      changed = true;
    }
    if (status.displayStatus !== undefined && status.displayStatus !== user.displayStatus) {
      user.displayStatus = status.displayStatus;
      changed = true;
    }
    if (status.endWrapup && user.wrapupState) {
      delete user.wrapupState;
      changed = true;
    }
    if (changed) this.publishStatus(user);
    return user;
  }

  /** Put a user in wrap-up after a call, until `endTime` (Unix seconds) or `endWrapup`. */
  startWrapup(userId: string, callId: string, endTime: number): SimUser {
    const user = this.requireUser(userId);
    user.wrapupState = { callId, endTime };
    this.publishStatus(user);
    return user;
  }

  /** Log a user in on a phone; whoever was on that phone is logged out first, as on a real PBX. */
  phoneLogin(userId: string, phoneId: string): SimUser {
    const user = this.requireUser(userId);
    if (!this.phonesById.has(phoneId)) throw new SimNotFoundError(`phone ${phoneId} does not exist`);
    const location = Number(phoneId);
    if (user.location === location) return user;
    for (const other of this.usersById.values()) {
      if (other !== user && other.location === location) this.phoneLogout(other.id);
    }
    const changes: SimPropertyChange[] = [];
    if (user.location === -1) changes.push(change("loggedIn", false, true));
    changes.push(change("location", user.location, location));
    user.location = location;
    this.publish({ type: "notification.user.update", timestamp: this.seconds(), userId, changes });
    return user;
  }

  /** Logging out a user who is not on a phone changes nothing and announces nothing. */
  phoneLogout(userId: string): SimUser {
    const user = this.requireUser(userId);
    if (user.location === -1) return user;
    const changes = [change("loggedIn", true, false), change("location", user.location, -1)];
    user.location = -1;
    this.publish({ type: "notification.user.update", timestamp: this.seconds(), userId, changes });
    return user;
  }

  /** Change a user's name, contact or language; one user.update listing what changed. */
  updateUser(userId: string, fields: { name?: string; contact?: string; language?: string }): SimUser {
    const user = this.requireUser(userId);
    const changes: SimPropertyChange[] = [];
    for (const key of ["name", "contact", "language"] as const) {
      const value = fields[key];
      if (value === undefined) continue;
      if (typeof value !== "string" || value.length > 255 || (key === "name" && value.trim() === "")) {
        throw new SimValidationError(`${key} must be a non-empty string of at most 255 characters`);
      }
      if (user[key] !== value) {
        changes.push(change(key, user[key] ?? "", value));
        user[key] = value;
      }
    }
    if (changes.length > 0) {
      this.publish({ type: "notification.user.update", timestamp: this.seconds(), userId, changes });
    }
    return user;
  }

  /**
   * Remove a user: it leaves its queues first (queueMember.leave each), then user.destroy.
   * Its calls go on: a PBX does not cut a call because an account was deleted.
   */
  removeUser(userId: string): void {
    this.requireUser(userId);
    for (const queue of this.queuesById.values()) {
      if (queue.members.some((m) => m.userId === userId)) this.logoutQueue(userId, queue.id);
    }
    this.usersById.delete(userId);
    this.publish({ type: "notification.user.destroy", timestamp: this.seconds(), userId });
  }

  /** Set or (with null) clear the external number an identity shows as caller id. */
  setIdentityCli(identityId: string, externalNumberId: string | null): SimIdentity {
    const found = this.identity(identityId);
    if (!found) throw new SimNotFoundError(`identity ${identityId} does not exist`);
    if (externalNumberId === null) {
      delete found.identity.cliExternalNumberId;
    } else {
      if (!this.numbersById.has(externalNumberId)) {
        throw new SimNotFoundError(`external number ${externalNumberId} does not exist`);
      }
      found.identity.cliExternalNumberId = externalNumberId;
    }
    return found.identity;
  }

  // ---------------------------------------------------------------- dial plan switches

  /** The platform announces no XMPP event for a switch change, so neither does the simulator. */
  setDpSwitch(id: string, setting: number): SimDpSwitch {
    const sw = this.switchesById.get(id);
    if (!sw) throw new SimNotFoundError(`dial plan switch ${id} does not exist`);
    if (!Number.isInteger(setting) || setting < 1 || setting > sw.settings.length) {
      throw new SimValidationError(`currentSetting must be an integer from 1 to ${sw.settings.length}`);
    }
    sw.currentSetting = setting;
    return sw;
  }

  // ---------------------------------------------------------------- callpoints

  userCallpoint(userId: string, identityId?: string): SimCallpointSpec {
    const user = this.requireUser(userId);
    const identity = identityId ?? user.identities[0]?.id ?? "";
    if (identityId !== undefined && !user.identities.some((i) => i.id === identityId)) {
      throw new SimNotFoundError(`identity ${identityId} does not belong to user ${userId}`);
    }
    return { kind: "User", userId, userName: user.name, identityId: identity };
  }
  queueCallpoint(queueId: string): SimCallpointSpec {
    const queue = this.requireQueue(queueId);
    return { kind: "Queue", queueId, queueName: queue.name };
  }
  externalCallpoint(number: string, name = ""): SimCallpointSpec {
    return { kind: "External", number, name };
  }
  dialplanCallpoint(exten: string, digits?: string, description?: string): SimCallpointSpec {
    return {
      kind: "Dialplan",
      exten,
      ...(digits !== undefined ? { digits } : {}),
      ...(description !== undefined ? { description } : {}),
    };
  }
  resourceCallpoint(resourceType: string, resourceId: string, name: string): SimCallpointSpec {
    return { kind: "Resource", resourceType, resourceId, name };
  }

  // ---------------------------------------------------------------- calls

  /**
   * A new call: call.start. Per the manual every call starts with a Dialplan destination; the
   * caller passes it (see `dialplanCallpoint`) and routes the call onwards with `routeCall`.
   */
  startCall(
    source: SimCallpointSpec,
    destination: SimCallpointSpec,
    options: { queueCallForCall?: string } = {},
  ): SimCall {
    if (options.queueCallForCall !== undefined && !this.active.has(options.queueCallForCall)) {
      throw new SimNotFoundError(`parent call ${options.queueCallForCall} is not active`);
    }
    const call: SimCall = {
      id: this.nextCallId(),
      source: this.materialize(source, "CONNECTING"),
      destination: this.materialize(destination, "CONNECTING"),
      state: "CONNECTING",
      startedAt: this.seconds(),
      ...(options.queueCallForCall !== undefined ? { queueCallForCall: options.queueCallForCall } : {}),
    };
    this.active.set(call.id, call);
    this.publish({ type: "notification.call.start", timestamp: this.seconds(), call: structuredClone(call) });
    return call;
  }

  /** Replace one side (or both) of a call: one call.update with the matching updateType. */
  routeCall(callId: string, side: CallSide, callpoint: SimCallpointSpec): SimCall;
  routeCall(
    callId: string,
    side: "BOTH",
    callpoints: { source: SimCallpointSpec; destination: SimCallpointSpec },
  ): SimCall;
  routeCall(
    callId: string,
    side: CallSide | "BOTH",
    target: SimCallpointSpec | { source: SimCallpointSpec; destination: SimCallpointSpec },
  ): SimCall {
    const call = this.requireActiveCall(callId);
    if (side === "BOTH") {
      const both = target as { source: SimCallpointSpec; destination: SimCallpointSpec };
      if (!both.source || !both.destination) {
        throw new SimValidationError("routing BOTH needs a source and a destination callpoint");
      }
      call.source = this.materialize(both.source, call.source.state);
      call.destination = this.materialize(both.destination, call.destination.state);
    } else if (side === "SOURCE") {
      call.source = this.materialize(target as SimCallpointSpec, call.source.state);
    } else if (side === "DESTINATION") {
      call.destination = this.materialize(target as SimCallpointSpec, call.destination.state);
    } else {
      throw new SimValidationError("side must be SOURCE, DESTINATION or BOTH");
    }
    this.publishCallUpdate(call, side);
    return call;
  }

  /**
   * The call's state: one call.update STATE. Both callpoints follow, except a side that holds
   * (INACTIVE) the call. Ending a call is `endCall`, never a state.
   */
  setCallState(callId: string, state: Exclude<SimCallState, "DISCONNECTED">): SimCall {
    const call = this.requireActiveCall(callId);
    if (!["CONNECTING", "RINGING", "ANSWERED", "ON_HOLD"].includes(state)) {
      throw new SimValidationError(
        "state must be CONNECTING, RINGING, ANSWERED or ON_HOLD (end a call with endCall)",
      );
    }
    if (call.state === state) return call;
    call.state = state;
    if (state !== "ON_HOLD") {
      for (const cp of [call.source, call.destination]) if (cp.state !== "INACTIVE") cp.state = state;
    }
    if (state === "ANSWERED" && call.answeredAt === undefined) call.answeredAt = this.seconds();
    this.publishCallUpdate(call, "STATE");
    return call;
  }

  /**
   * One side's state; INACTIVE means that side holds the call. The call turns ON_HOLD while a
   * side holds an answered call and back to ANSWERED when nobody holds it. One call.update STATE.
   */
  setCallpointState(
    callId: string,
    side: CallSide,
    state: Exclude<SimCallpointState, "DISCONNECTED">,
  ): SimCall {
    const call = this.requireActiveCall(callId);
    if (!["CONNECTING", "RINGING", "ANSWERED", "INACTIVE"].includes(state)) {
      throw new SimValidationError("callpoint state must be CONNECTING, RINGING, ANSWERED or INACTIVE");
    }
    const cp = side === "SOURCE" ? call.source : side === "DESTINATION" ? call.destination : undefined;
    if (!cp) throw new SimValidationError("side must be SOURCE or DESTINATION");
    if (cp.state === state) return call;
    cp.state = state;
    const holding = call.source.state === "INACTIVE" || call.destination.state === "INACTIVE";
    if (holding && call.state === "ANSWERED") call.state = "ON_HOLD";
    else if (!holding && call.state === "ON_HOLD") call.state = "ANSWERED";
    this.publishCallUpdate(call, "STATE");
    return call;
  }

  /**
   * End a call: call.end, and the call moves to the bounded history. Before that, as the platform
   * does: child legs ringing agents for it end (SOURCE_HANGUP), and a caller still waiting in a
   * queue leaves it unhandled (queue.call.leave + queue.update).
   */
  endCall(callId: string, reason: SimEndReason): SimCall {
    const call = this.requireActiveCall(callId);
    if (!["SOURCE_HANGUP", "DESTINATION_HANGUP", "DESTINATION_BUSY", "REPLACE"].includes(reason)) {
      throw new SimValidationError(
        "endReason must be SOURCE_HANGUP, DESTINATION_HANGUP, DESTINATION_BUSY or REPLACE",
      );
    }
    for (const child of [...this.active.values()]) {
      if (child.queueCallForCall === callId) this.endCall(child.id, "SOURCE_HANGUP");
    }
    for (const queue of this.queuesById.values()) {
      if (queue.waitingCallIds.includes(callId)) this.queueCallLeave(queue.id, callId, { handled: false });
    }
    call.state = "DISCONNECTED";
    call.source.state = "DISCONNECTED";
    call.destination.state = "DISCONNECTED";
    call.endedAt = this.seconds();
    call.endReason = reason;
    this.active.delete(callId);
    if (this.historySize > 0) {
      this.history.push(call);
      if (this.history.length > this.historySize)
        this.history.splice(0, this.history.length - this.historySize);
    }
    this.publish({ type: "notification.call.end", timestamp: this.seconds(), callId, endReason: reason });
    return call;
  }

  /** A caller starts waiting in a queue: queue.call.enter, then queue.update (totalCalls). */
  queueCallEnter(queueId: string, callId: string): void {
    const queue = this.requireQueue(queueId);
    this.requireActiveCall(callId);
    if (queue.waitingCallIds.includes(callId)) {
      throw new SimConflictError(`call ${callId} is already waiting in queue ${queueId}`);
    }
    queue.waitingCallIds.push(callId);
    this.queueEntries.set(`${queueId} ${callId}`, this.clock());
    const old = queue.stats.totalCalls;
    queue.stats.totalCalls += 1;
    const timestamp = this.seconds();
    this.publish({ type: "notification.queue.call.enter", timestamp, queueId, callId });
    this.publish({
      type: "notification.queue.update",
      timestamp,
      queueId,
      changes: [change("totalCalls", old, queue.stats.totalCalls)],
    });
  }

  /**
   * A caller leaves a queue, answered by an agent (`handled`) or not: queue.call.leave, then one
   * queue.update with whichever wait statistics changed.
   */
  queueCallLeave(queueId: string, callId: string, options: { handled?: boolean } = {}): void {
    const queue = this.requireQueue(queueId);
    const index = queue.waitingCallIds.indexOf(callId);
    if (index < 0) throw new SimConflictError(`call ${callId} is not waiting in queue ${queueId}`);
    queue.waitingCallIds.splice(index, 1);
    const key = `${queueId} ${callId}`;
    const enteredAt = this.queueEntries.get(key) ?? this.clock();
    this.queueEntries.delete(key);
    const waited = Math.max(0, Math.round((this.clock() - enteredAt) / 1000));
    const before = { ...queue.stats };
    const left = (this.queueLeftCount.get(queueId) ?? 0) + 1;
    this.queueLeftCount.set(queueId, left);
    queue.stats.totalWait += waited;
    queue.stats.maxWait = Math.max(queue.stats.maxWait, waited);
    queue.stats.averageWait = Math.round(queue.stats.totalWait / left);
    if (options.handled) queue.stats.handledCalls += 1;
    const changes: SimPropertyChange[] = [];
    for (const name of ["handledCalls", "averageWait", "maxWait", "totalWait"] as const) {
      if (before[name] !== queue.stats[name]) changes.push(change(name, before[name], queue.stats[name]));
    }
    const timestamp = this.seconds();
    this.publish({ type: "notification.queue.call.leave", timestamp, queueId, callId });
    if (changes.length > 0) this.publish({ type: "notification.queue.update", timestamp, queueId, changes });
  }

  /** Why a caller left a queue (timeout, full, ...): call.queueExit. */
  announceQueueExit(callId: string, queueExit: string): void {
    this.requireActiveCall(callId);
    this.publish({ type: "notification.call.queueExit", timestamp: this.seconds(), callId, queueExit });
  }

  /** A dial-plan step finished on one side of a call (an IVR caller chose a digit): call.stepresult. */
  announceStepResult(callId: string, side: CallSide, result: string): void {
    const call = this.requireActiveCall(callId);
    const callpoint = structuredClone(side === "SOURCE" ? call.source : call.destination);
    this.publish({
      type: "notification.call.stepresult",
      timestamp: this.seconds(),
      callId,
      result,
      side,
      callpoint,
    });
  }

  /**
   * Click-to-dial an outside number: the user's phone places the call. call.start (the user to
   * the dial plan), then call.update DESTINATION (the external party). Further progress (ringing,
   * answer) is the scenario engine's job.
   */
  dialNumber(userId: string, number: string): SimCall {
    const user = this.requireCallingUser(userId);
    const digits = typeof number === "string" ? number.replace(/[\s-]/g, "") : "";
    if (!DIALABLE.test(digits)) throw new SimValidationError("destination must be a phone number");
    const call = this.startCall(this.userCallpoint(user.id), this.dialplanCallpoint(digits, digits));
    return this.routeCall(call.id, "DESTINATION", this.externalCallpoint(digits));
  }

  /** Call a colleague: call.start (to the dial plan at their extension), call.update DESTINATION. */
  dialUser(userId: string, targetUserId: string): SimCall {
    const user = this.requireCallingUser(userId);
    const target = this.requireUser(targetUserId);
    if (target.id === user.id) throw new SimValidationError("a user cannot dial itself");
    const exten = target.extensions[0] ?? target.id;
    const call = this.startCall(this.userCallpoint(user.id), this.dialplanCallpoint(exten, exten));
    return this.routeCall(call.id, "DESTINATION", this.userCallpoint(target.id));
  }

  /**
   * Take a waiting caller from a queue the user belongs to: the one with `callId`, or else the
   * longest-waiting (from `queueId`, or any of the user's queues). Needs the user feature
   * "queuePickupApi". queue.call.leave + queue.update, call.update DESTINATION, call.update STATE.
   */
  pickupQueueCall(userId: string, options: { queueId?: string; callId?: string } = {}): SimCall {
    const user = this.requireCallingUser(userId);
    if (!user.features.includes("queuePickupApi")) {
      throw new SimForbiddenError("the Queue pickup API feature is not enabled for this user");
    }
    const queues = options.queueId !== undefined ? [this.requireQueue(options.queueId)] : this.queues();
    for (const queue of queues) {
      if (!queue.members.some((m) => m.userId === userId)) continue;
      const callId =
        options.callId === undefined
          ? queue.waitingCallIds[0]
          : queue.waitingCallIds.find((id) => id === options.callId);
      if (callId === undefined) continue;
      this.queueCallLeave(queue.id, callId, { handled: true });
      this.routeCall(callId, "DESTINATION", this.userCallpoint(userId));
      return this.setCallState(callId, "ANSWERED");
    }
    throw new SimConflictError(
      options.callId === undefined
        ? "no caller is waiting in a queue this user belongs to"
        : `call ${options.callId} is not waiting in a queue this user belongs to`,
    );
  }

  /**
   * Listen in on an active call (or on the call a user is in): a new call from the user's phone to
   * a ListenIn callpoint naming the call listened to, answered at once. Needs "listenInApi".
   */
  listenIn(userId: string, target: { callId?: string; userId?: string }): SimCall {
    const user = this.requireCallingUser(userId);
    if (!user.features.includes("listenInApi")) {
      throw new SimForbiddenError("the Listen in API feature is not enabled for this user");
    }
    let listened: SimCall | undefined;
    if (target.callId !== undefined) listened = this.requireActiveCall(target.callId);
    else if (target.userId !== undefined) {
      const other = this.requireUser(target.userId);
      listened = [...this.active.values()].find((c) =>
        [c.source, c.destination].some((cp) => cp.kind === "User" && cp.userId === other.id),
      );
      if (!listened) throw new SimConflictError(`user ${other.id} is not in a call`);
    } else throw new SimValidationError("listen in needs a call or a user");
    const call = this.startCall(this.userCallpoint(user.id), {
      kind: "ListenIn",
      listenedToCallId: listened.id,
    });
    return this.setCallState(call.id, "ANSWERED");
  }

  // ---------------------------------------------------------------- internals

  private publish(notification: SimNotification): void {
    // A faulty listener must neither stop the others nor undo a change already made.
    for (const listener of this.listeners("notification")) {
      try {
        (listener as (n: SimNotification) => void)(notification);
      } catch (err) {
        if (this.listenerCount("listenerError") > 0) this.emit("listenerError", err);
        else process.emitWarning(`simulator notification listener failed: ${(err as Error)?.message ?? err}`);
      }
    }
  }

  private publishStatus(user: SimUser): void {
    this.publish({
      type: "notification.user.status",
      timestamp: this.seconds(),
      userId: user.id,
      receiveCalls: user.receiveCalls,
      displayStatus: user.displayStatus,
      ...(user.wrapupState ? { wrapupState: { ...user.wrapupState } } : {}),
    });
  }

  private publishCallUpdate(call: SimCall, updateType: "SOURCE" | "DESTINATION" | "BOTH" | "STATE"): void {
    this.publish({
      type: "notification.call.update",
      timestamp: this.seconds(),
      call: structuredClone(call),
      updateType,
    });
  }

  private seconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  /** Opaque ids shaped like the platform's (`<hex>-<base36>.<hex>.<leg>`). */
  private nextCallId(): string {
    this.callCounter += 1;
    return `${this.callIdPrefix}-${this.callCounter.toString(36).padStart(6, "0")}.${randomBytes(12).toString("hex")}.0`;
  }

  private materialize(spec: SimCallpointSpec, defaultState: SimCallpointState): SimCallpoint {
    if (!spec || typeof spec !== "object") throw new SimValidationError("callpoint must be an object");
    if (spec.kind === "User") this.requireUser(spec.userId);
    else if (spec.kind === "Queue") this.requireQueue(spec.queueId);
    else if (spec.kind === "ListenIn") this.requireActiveCall(spec.listenedToCallId);
    else if (!["Dialplan", "External", "Resource"].includes(spec.kind)) {
      throw new SimValidationError(
        "callpoint kind must be User, Queue, Dialplan, External, Resource or ListenIn",
      );
    }
    this.callpointCounter += 1;
    const { state, ...rest } = spec;
    return {
      ...rest,
      id: String(this.callpointCounter),
      state: state ?? (defaultState === "DISCONNECTED" ? "CONNECTING" : defaultState),
      timeCreated: this.seconds(),
    } as SimCallpoint;
  }

  private requireUser(id: string): SimUser {
    const user = this.usersById.get(id);
    if (!user) throw new SimNotFoundError(`user ${id} does not exist`);
    return user;
  }

  private requireCallingUser(id: string): SimUser {
    const user = this.requireUser(id);
    if (user.location === -1) throw new SimConflictError(`user ${id} is not logged in on a phone`);
    return user;
  }

  private requireQueue(id: string): SimQueue {
    const queue = this.queuesById.get(id);
    if (!queue) throw new SimNotFoundError(`queue ${id} does not exist`);
    return queue;
  }

  private requireMembership(userId: string, queueId: string): { queue: SimQueue; member: SimQueueMember } {
    this.requireUser(userId);
    const queue = this.requireQueue(queueId);
    const member = queue.members.find((m) => m.userId === userId);
    if (!member) throw new SimConflictError(`user ${userId} is not logged in to queue ${queueId}`);
    return { queue, member };
  }

  private requireActiveCall(id: string): SimCall {
    const call = this.active.get(id);
    if (!call) throw new SimNotFoundError(`call ${id} is not active`);
    return call;
  }
}

function change(name: string, oldValue: unknown, newValue: unknown): SimPropertyChange {
  return { name, oldValue: String(oldValue), newValue: String(newValue) };
}
