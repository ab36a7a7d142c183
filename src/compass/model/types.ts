// Plain-JSON shapes the live model emits and answers with (docs/message-contract.md).
// Every optional value is present as `null` rather than missing, so flows can rely on the keys.

export type CallDirection = "inbound" | "outbound" | "internal";

/** One side of a call: `type` in lower case plus the fields of that type. */
export interface CallpointView {
  /** "user" | "queue" | "dialplan" | "external" | "resource" | "listenin" | other, lower case. */
  type: string;
  id: string;
  state: string;
  userId?: string | null;
  userName?: string | null;
  identityId?: string | null;
  queueId?: string | null;
  queueName?: string | null;
  exten?: string | null;
  digits?: string | null;
  description?: string | null;
  number?: string | null;
  /** `number` in E.164 form (numbers without a country code read as Dutch), null when not a phone number */
  numberE164?: string | null;
  name?: string | null;
  resourceType?: string | null;
  resourceId?: string | null;
  listenedToCallId?: string | null;
}

export interface CallView {
  id: string;
  state: string;
  direction: CallDirection;
  source: CallpointView;
  destination: CallpointView;
  /** The parent call this queue leg rings an agent for (QueueCallForCall), else null. */
  parentCallId: string | null;
  /** The first queue the call passed, else null. */
  queueId: string | null;
  queueName: string | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  /** Lower case on end ("source_hangup", "replace", "unknown" after a resync...), else null. */
  endReason: string | null;
  held: boolean;
  properties: Record<string, string>;
}

/** Who took part: a user, or an outside number. */
export interface PartyView {
  type: string;
  userId: string | null;
  userName: string | null;
  number: string | null;
  name: string | null;
}

export interface TransferInfo {
  kind: "attended" | "unattended";
  /** The call that was handed over (X). */
  fromCallId: string;
  /** The call that carries the conversation on (Y for unattended, X itself for attended). */
  toCallId: string;
  /** The consultation call between transferrer and target (attended only). */
  consultCallId: string | null;
  /** The party that handed the call over (B) and the one that took it (C). */
  from: CallpointView;
  to: CallpointView;
}

export interface QueueMemberView {
  queueId: string;
  queueName: string | null;
  userId: string;
  userName: string | null;
  priority: number;
  paused: boolean;
  /** ms epoch, 0 = not paused. */
  pausedSince: number;
}

export interface UserView {
  id: string;
  name: string;
  /** Logged on to a phone (manual: `loggedIn`). */
  loggedIn: boolean;
  /** Phone id, null when not logged in (platform sends -1). */
  location: string | null;
  receiveCalls: string | null;
  displayStatus: string | null;
  wrapupState: { callId: string | null; endTime: number | null } | null;
  shortname: string | null;
  contact: string | null;
  extensions: string | null;
  language: string | null;
  address: string | null;
  identifiers: Record<string, string>;
  queues: QueueMemberView[];
  /** Number of active calls the user is a party of. */
  activeCalls: number;
}

export interface WaitingCallerView {
  callId: string;
  enteredAt: number;
  waitMs: number;
}

export interface QueueCounters {
  averageWait: number | null;
  maxWait: number | null;
  totalCalls: number | null;
  handledCalls: number | null;
  totalWait: number | null;
}

export interface QueueStats {
  queueId: string;
  queueName: string;
  waiting: number;
  waitingCalls: WaitingCallerView[];
  longestWaitMs: number;
  agents: { loggedIn: number; available: number; paused: number };
  /** The platform's own counters, as it sends them (waits in seconds). */
  counters: QueueCounters;
  at: number;
}

export interface QueueView {
  id: string;
  name: string;
  xmppJid: string | null;
  members: QueueMemberView[];
  stats: QueueStats;
}

/** One item of the model's `"event"` stream. */
export interface DomainEvent {
  /** The event name in docs/message-contract.md, e.g. "call.answered". */
  event: string;
  payload: Record<string, unknown>;
  /** The platform's notification type this came from; absent for resync-derived events. */
  notification?: string;
  /** ms epoch. */
  timestamp: number;
  companyId: string;
}
