// Typed objects for the platform's XMPP API (manual: XMPP chapter, Appendix A/B; docs/platform-notes.md).
// These are the client's view of the wire format. Times stay as the platform sends them
// (Unix seconds) here; the model converts to milliseconds for flows.

export const COMPASS_NS = "http://iperity.com/compass";
export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";
export const PUBSUB_NS = "http://jabber.org/protocol/pubsub";
export const PUBSUB_EVENT_NS = "http://jabber.org/protocol/pubsub#event";

export type CallState = "CONNECTING" | "RINGING" | "ANSWERED" | "ON_HOLD" | "DISCONNECTED" | (string & {});
export type CallpointState =
  | "CONNECTING"
  | "RINGING"
  | "ANSWERED"
  | "INACTIVE"
  | "DISCONNECTED"
  | (string & {});
export type CallEndReason =
  | "SOURCE_HANGUP"
  | "DESTINATION_HANGUP"
  | "DESTINATION_BUSY"
  | "REPLACE"
  | (string & {});
export type CallUpdateType = "SOURCE" | "DESTINATION" | "BOTH" | "STATE" | (string & {});
export type ReceiveCalls = "ALL" | "ONLY_DIRECT" | "NONE" | (string & {});

/** Callpoint kinds, from the `type` attribute (or the xsi:type when `type` is missing). */
export type CallpointType =
  | "User"
  | "Queue"
  | "Dialplan"
  | "External"
  | "Resource"
  | "ListenIn"
  | (string & {});

export interface Callpoint {
  id: string;
  type: CallpointType;
  state: CallpointState;
  timeCreated?: number;
  timeStarted?: number;
  timeEnded?: number;
  properties: Record<string, string>;
  // User
  userId?: string;
  userName?: string;
  identityId?: string;
  // Queue
  queueId?: string;
  queueName?: string;
  // Dialplan
  exten?: string;
  digits?: string;
  description?: string;
  // External
  number?: string;
  name?: string;
  // Resource (name is shared with External)
  resourceType?: string;
  resourceId?: string;
  // ListenIn
  listenedToCallId?: string;
}

export interface Call {
  id: string;
  source: Callpoint;
  destination: Callpoint;
  state: CallState;
  properties: Record<string, string>;
  /** From properties.QueueCallForCall: the parent call this queue leg rings an agent for. */
  queueCallForCall?: string;
}

export interface QueueMember {
  queueId: string;
  userId: string;
  priority: number;
  /** ms epoch; 0 (or absent) = not paused. */
  pausedSince: number;
}

export interface WrapupState {
  callId?: string;
  endTime?: number;
}

export interface User {
  id: string;
  name: string;
  loggedIn: boolean;
  identifiers: Record<string, string>;
  queueEntries: QueueMember[];
  contact?: string;
  shortname?: string;
  language?: string;
  extensions?: string;
  address?: string;
  /** Phone id, -1 when not logged in. */
  location?: string;
  receiveCalls?: ReceiveCalls;
  displayStatus?: string;
  wrapupState?: WrapupState;
}

export interface Queue {
  id: string;
  name: string;
  userEntries: QueueMember[];
  callIds: string[];
  xmppJid?: string;
  averageWait?: number;
  totalWait?: number;
  maxWait?: number;
  totalCalls?: number;
  handledCalls?: number;
}

export interface PropertyChange {
  name: string;
  oldValue?: string;
  newValue?: string;
}

export interface Company {
  id: string;
  name: string;
}

// ---- requests -------------------------------------------------------------------------------

export type FilterType = "company" | "user" | "queue" | "call" | "callpoint";

export interface GetRequest {
  type: "GET";
  filter: { type: FilterType; id?: string; history?: boolean };
  company?: string;
}
export interface GetCompanyRequest {
  type: "GET_COMPANY";
}
export type CompassRequest = GetRequest | GetCompanyRequest;

// ---- results --------------------------------------------------------------------------------

export interface GetCompanyResult {
  kind: "getCompanyResult";
  company: Company;
}
export interface GetResult {
  kind: "getResult";
  users: User[];
  queues: Queue[];
  calls: Call[];
  /** Elements of kinds this client does not know, by element name (passed through). */
  unknown: string[];
  /** Known elements that could not be read (e.g. a user without id): one message each; absent when none. */
  invalid?: string[];
  /** Set when the result had more children than the parser processes (protocol LIMITS.maxChildren). */
  truncated?: true;
}
export type CompassResult = GetCompanyResult | GetResult;

// ---- pubsub subscription state (XEP-0060) ---------------------------------------------------

export type SubscriptionStateName = "none" | "pending" | "subscribed" | "unconfigured" | (string & {});

/** A `<subscription>` seen in a subscribe result (`pubsub`) or a `pubsub#event` message. */
export interface PubsubSubscription {
  state: SubscriptionStateName;
  node?: string;
  jid?: string;
  subid?: string;
}

// ---- notifications (dispatch on `type`, never on xsi:type) ---------------------------------

interface NotificationBase {
  /** The platform's `type` string, e.g. "notification.call.start". */
  type: string;
  /** The `xsi:type` as sent (informational only; the live platform's names differ from the schema). */
  xsiType?: string;
  /** Unix seconds as sent. */
  timestamp: number;
}

export interface CallStartNotification extends NotificationBase {
  type: "notification.call.start";
  call: Call;
}
export interface CallUpdateNotification extends NotificationBase {
  type: "notification.call.update";
  call: Call;
  updateType: CallUpdateType;
  callId?: string;
}
export interface CallEndNotification extends NotificationBase {
  type: "notification.call.end";
  callId: string;
  endReason: CallEndReason;
}
export interface CallStepResultNotification extends NotificationBase {
  type: "notification.call.stepresult";
  callId: string;
  result?: string;
  side?: "SOURCE" | "DESTINATION" | (string & {});
  callpoint?: Callpoint;
}
export interface CallQueueExitNotification extends NotificationBase {
  type: "notification.call.queueExit";
  callId: string;
  queueExit?: string;
}
export interface QueueCreateNotification extends NotificationBase {
  type: "notification.queue.create";
  queueId: string;
  queue: Queue;
}
export interface QueueUpdateNotification extends NotificationBase {
  type: "notification.queue.update";
  queueId: string;
  changes: PropertyChange[];
}
export interface QueueDestroyNotification extends NotificationBase {
  type: "notification.queue.destroy";
  queueId: string;
}
export interface QueueCallEnterNotification extends NotificationBase {
  type: "notification.queue.call.enter";
  queueId: string;
  callId: string;
}
export interface QueueCallLeaveNotification extends NotificationBase {
  type: "notification.queue.call.leave";
  queueId: string;
  callId: string;
}
export interface QueueMemberEnterNotification extends NotificationBase {
  type: "notification.queueMember.enter";
  member: QueueMember;
}
export interface QueueMemberLeaveNotification extends NotificationBase {
  type: "notification.queueMember.leave";
  member: QueueMember;
}
export interface QueueMemberUpdateNotification extends NotificationBase {
  type: "notification.queueMember.update";
  member: QueueMember;
  changes: PropertyChange[];
}
export interface UserCreateNotification extends NotificationBase {
  type: "notification.user.create";
  userId: string;
  user?: User;
}
export interface UserUpdateNotification extends NotificationBase {
  type: "notification.user.update";
  userId: string;
  changes: PropertyChange[];
}
export interface UserDestroyNotification extends NotificationBase {
  type: "notification.user.destroy";
  userId: string;
}
export interface UserStatusNotification extends NotificationBase {
  type: "notification.user.status";
  userId: string;
  receiveCalls?: ReceiveCalls;
  displayStatus?: string;
  wrapupState?: WrapupState;
}
/** A notification whose `type` this client does not know: passed through, never fatal. */
export interface UnknownNotification extends NotificationBase {
  type: string;
  unknown: true;
}

export type KnownNotification =
  | CallStartNotification
  | CallUpdateNotification
  | CallEndNotification
  | CallStepResultNotification
  | CallQueueExitNotification
  | QueueCreateNotification
  | QueueUpdateNotification
  | QueueDestroyNotification
  | QueueCallEnterNotification
  | QueueCallLeaveNotification
  | QueueMemberEnterNotification
  | QueueMemberLeaveNotification
  | QueueMemberUpdateNotification
  | UserCreateNotification
  | UserUpdateNotification
  | UserDestroyNotification
  | UserStatusNotification;

export type Notification = KnownNotification | UnknownNotification;

export function isKnown(n: Notification): n is KnownNotification {
  return !("unknown" in n);
}
