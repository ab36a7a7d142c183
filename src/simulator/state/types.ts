// The simulator's own domain vocabulary. Deliberately independent of the client's protocol types
// (src/compass/protocol): the simulator must not share code with what it is used to test.
//
// Contract between the parts of the simulator:
//   - `CompanyState` (store.ts) holds everything in memory and is the only writer.
//   - Every change it makes is announced once, synchronously, as a `SimNotification` on its
//     `"notification"` event, in the platform's vocabulary (`type` = the platform's type string).
//   - The REST server (rest/) reads and mutates the state through its methods.
//   - The XMPP side (xmpp/) answers GET / GET_COMPANY from the state and publishes every
//     `SimNotification` to the company's pubsub node as XML.
//   - The scenario engine (scenarios/) drives calls through the state's call methods.

export type SimCallState = "CONNECTING" | "RINGING" | "ANSWERED" | "ON_HOLD" | "DISCONNECTED";
export type SimCallpointState = "CONNECTING" | "RINGING" | "ANSWERED" | "INACTIVE" | "DISCONNECTED";
export type SimEndReason = "SOURCE_HANGUP" | "DESTINATION_HANGUP" | "DESTINATION_BUSY" | "REPLACE";
export type SimReceiveCalls = "ALL" | "ONLY_DIRECT" | "NONE";

export interface SimIdentity {
  id: string;
  name: string;
  /** id of the external number used as caller id, if any */
  cliExternalNumberId?: string;
}

export interface SimUser {
  id: string;
  username: string;
  password: string;
  name: string;
  contact?: string;
  language: string;
  extensions: string[];
  identities: SimIdentity[];
  /** rights on the company: "read" | "write" | "none" */
  companyRight: "read" | "write" | "none";
  /** user features, e.g. "queuePickupApi" */
  features: string[];
  /** phone id the user is logged in on, or -1 */
  location: number;
  receiveCalls: SimReceiveCalls;
  displayStatus: string;
  wrapupState?: { callId: string; endTime: number };
}

export interface SimQueueMember {
  queueId: string;
  userId: string;
  priority: number;
  callForward: boolean;
  /** ms epoch, 0 = not paused */
  pausedSince: number;
}

export interface SimQueueStats {
  averageWait: number;
  totalWait: number;
  maxWait: number;
  totalCalls: number;
  handledCalls: number;
}

export interface SimQueue {
  id: string;
  name: string;
  extension?: string;
  members: SimQueueMember[];
  /** ids of calls waiting in the queue, in arrival order */
  waitingCallIds: string[];
  stats: SimQueueStats;
}

export interface SimDpSwitch {
  id: string;
  name: string;
  /** 1-based index into settings */
  currentSetting: number;
  settings: string[];
}

export interface SimExternalNumber {
  id: string;
  number: string;
  name: string;
  /** where an inbound call to this number goes first: "user:<id>" | "queue:<id>" | "dpSwitch:<id>" */
  destination: string;
}

export type SimCallpoint =
  | {
      kind: "User";
      id: string;
      state: SimCallpointState;
      userId: string;
      userName: string;
      identityId: string;
      timeCreated: number;
    }
  | {
      kind: "Queue";
      id: string;
      state: SimCallpointState;
      queueId: string;
      queueName: string;
      timeCreated: number;
    }
  | {
      kind: "Dialplan";
      id: string;
      state: SimCallpointState;
      exten: string;
      digits?: string;
      description?: string;
      timeCreated: number;
    }
  | {
      kind: "External";
      id: string;
      state: SimCallpointState;
      number: string;
      name: string;
      timeCreated: number;
    }
  | {
      kind: "Resource";
      id: string;
      state: SimCallpointState;
      resourceType: string;
      resourceId: string;
      name: string;
      timeCreated: number;
    }
  | {
      kind: "ListenIn";
      id: string;
      state: SimCallpointState;
      listenedToCallId: string;
      timeCreated: number;
    };

export interface SimCall {
  id: string;
  source: SimCallpoint;
  destination: SimCallpoint;
  state: SimCallState;
  /** parent call id when this is a queue leg ringing an agent */
  queueCallForCall?: string;
  /** seconds */
  startedAt: number;
  answeredAt?: number;
  endedAt?: number;
  endReason?: SimEndReason;
}

export interface SimPropertyChange {
  name: string;
  oldValue: string;
  newValue: string;
}

/** Notifications in the platform's vocabulary; `timestamp` is Unix seconds. */
export type SimNotification =
  | { type: "notification.call.start"; timestamp: number; call: SimCall }
  | {
      type: "notification.call.update";
      timestamp: number;
      call: SimCall;
      updateType: "SOURCE" | "DESTINATION" | "BOTH" | "STATE";
    }
  | { type: "notification.call.end"; timestamp: number; callId: string; endReason: SimEndReason }
  | { type: "notification.call.queueExit"; timestamp: number; callId: string; queueExit: string }
  | {
      type: "notification.call.stepresult";
      timestamp: number;
      callId: string;
      /** what the step produced, e.g. the digit an IVR caller pressed */
      result: string;
      /** the side of the call the step ran on */
      side: "SOURCE" | "DESTINATION";
      /** the callpoint that ran the step (an IVR Resource) */
      callpoint: SimCallpoint;
    }
  | { type: "notification.queue.update"; timestamp: number; queueId: string; changes: SimPropertyChange[] }
  | { type: "notification.queue.call.enter"; timestamp: number; queueId: string; callId: string }
  | { type: "notification.queue.call.leave"; timestamp: number; queueId: string; callId: string }
  | { type: "notification.queueMember.enter"; timestamp: number; member: SimQueueMember }
  | { type: "notification.queueMember.leave"; timestamp: number; member: SimQueueMember }
  | {
      type: "notification.queueMember.update";
      timestamp: number;
      member: SimQueueMember;
      changes: SimPropertyChange[];
    }
  | { type: "notification.user.create"; timestamp: number; userId: string; user: SimUser }
  | { type: "notification.user.update"; timestamp: number; userId: string; changes: SimPropertyChange[] }
  | { type: "notification.user.destroy"; timestamp: number; userId: string }
  | {
      type: "notification.user.status";
      timestamp: number;
      userId: string;
      receiveCalls: SimReceiveCalls;
      displayStatus: string;
      wrapupState?: { callId: string; endTime: number };
    };

export interface SimCompany {
  id: string;
  name: string;
  /** the company's own JID domain, if configured */
  domain?: string;
}

/**
 * What the XMPP side and the REST server may rely on. store.ts implements it (class CompanyState);
 * it may add more methods (call primitives for the scenario engine, REST actions), never fewer.
 */
export interface CompanyStateReader {
  readonly company: SimCompany;
  users(): SimUser[];
  user(id: string): SimUser | undefined;
  /** for SASL and Basic auth: the user with this username (the JID's local part) */
  userByUsername(username: string): SimUser | undefined;
  queues(): SimQueue[];
  queue(id: string): SimQueue | undefined;
  /** calls not yet ended */
  activeCalls(): SimCall[];
  /** recently ended calls, newest last, bounded in number (for `history="true"`) */
  recentCalls(): SimCall[];
  call(id: string): SimCall | undefined;
  dpSwitches(): SimDpSwitch[];
  externalNumbers(): SimExternalNumber[];
  on(event: "notification", listener: (n: SimNotification) => void): this;
  off(event: "notification", listener: (n: SimNotification) => void): this;
}

// ---- Additions by the state/REST side (new names only; nothing above changes) ----

/** A phone account (SIP credentials) a user can log in on; `SimUser.location` holds its id. */
export interface SimPhone {
  id: string;
  name: string;
}

/** A callpoint before the state gives it an id, a state and a creation time. */
export type SimCallpointSpec = SimCallpoint extends infer C
  ? C extends SimCallpoint
    ? Omit<C, "id" | "state" | "timeCreated"> & { state?: SimCallpointState }
    : never
  : never;
