// Typed protocol objects -> the plain JSON views flows see, plus the small derivations the model
// and the correlator share (party identity, direction, hold).

import { interned } from "../protocol/dom";
import type { Call, Callpoint } from "../protocol/types";
import { toE164 } from "./numbers";
import type { CallDirection, CallpointView, PartyView } from "./types";

/** Lower case; the short, repeated values views keep (states, types) as one shared copy each. */
const lower = (value: string | undefined): string => (value ? interned(value.toLowerCase()) : "");
const orNull = (value: string | undefined): string | null => (value === undefined ? null : value);

/**
 * The plain JSON view of a callpoint, a fresh object. A call's record keeps the views of its
 * current sides (built once per notification) and hands out copies; a cache keyed by callpoint
 * (a WeakMap) cost more with every active call the company had.
 */
export function callpointView(cp: Callpoint): CallpointView {
  // Object literals per kind (no spreads): this runs for every callpoint the platform sends.
  const type = lower(cp.type);
  const id = cp.id;
  const state = lower(cp.state);
  switch (type) {
    case "user":
      return {
        type,
        id,
        state,
        userId: orNull(cp.userId),
        userName: orNull(cp.userName),
        identityId: orNull(cp.identityId),
      };
    case "queue":
      return { type, id, state, queueId: orNull(cp.queueId), queueName: orNull(cp.queueName) };
    case "dialplan":
      return {
        type,
        id,
        state,
        exten: orNull(cp.exten),
        digits: orNull(cp.digits),
        description: orNull(cp.description),
      };
    case "external": {
      const number = orNull(cp.number);
      const e164 = toE164(number);
      return {
        type,
        id,
        state,
        number,
        // most numbers come in E.164 already: one string for both
        numberE164: e164 === number ? number : e164,
        name: orNull(cp.name),
      };
    }
    case "resource":
      return {
        type,
        id,
        state,
        resourceType: cp.resourceType === undefined ? null : cp.resourceType.toLowerCase(),
        resourceId: orNull(cp.resourceId),
        name: orNull(cp.name),
      };
    case "listenin":
      return { type, id, state, listenedToCallId: orNull(cp.listenedToCallId) };
    default: {
      // Unknown kind: keep whatever fields it carried so nothing is lost.
      const view: CallpointView = { type, id, state };
      for (const key of ["userId", "userName", "queueId", "queueName", "exten", "number", "name"] as const) {
        const value = cp[key];
        if (value !== undefined) view[key] = value;
      }
      return view;
    }
  }
}

/**
 * Who a callpoint stands for, independent of its callpoint id and state: two callpoints with the
 * same key are the same party (used to spot transfers and changed sides).
 */
export function partyKey(cp: Callpoint | undefined): string {
  if (!cp) return "";
  const type = lower(cp.type);
  switch (type) {
    case "user":
      return `user:${cp.userId ?? cp.id}`;
    case "queue":
      return `queue:${cp.queueId ?? cp.id}`;
    case "dialplan":
      return `dialplan:${cp.exten ?? cp.digits ?? cp.id}`;
    case "external":
      return `external:${cp.number ?? cp.id}`;
    case "resource":
      return `resource:${lower(cp.resourceType)}:${cp.resourceId ?? cp.name ?? cp.id}`;
    case "listenin":
      return `listenin:${cp.listenedToCallId ?? cp.id}`;
    default:
      return `${type}:${cp.id}`;
  }
}

/**
 * True when a side changed in anything but its state and times (a re-route, not progress), from
 * its party keys (partyKey) and views before and after.
 */
export function sideChanged(
  keyBefore: string,
  keyAfter: string,
  before: CallpointView,
  after: CallpointView,
) {
  if (keyBefore !== keyAfter) return true;
  for (const key of Object.keys(after) as (keyof CallpointView)[]) {
    if (key === "state" || key === "id") continue;
    if (before[key] !== after[key]) return true;
  }
  return false;
}

export function partyView(cp: Callpoint): PartyView {
  const type = lower(cp.type);
  return {
    type,
    userId: type === "user" ? orNull(cp.userId) : null,
    userName: type === "user" ? orNull(cp.userName) : null,
    number: type === "external" ? orNull(cp.number) : null,
    name: type === "external" || type === "resource" ? orNull(cp.name) : null,
  };
}

/**
 * The direction, or null while it cannot be told yet (a user dialling into the dial plan may be
 * calling a colleague or the outside world).
 */
export function decideDirection(call: Call): CallDirection | null {
  const source = lower(call.source?.type);
  const destination = lower(call.destination?.type);
  if (source === "external") return "inbound";
  if (source === "user") {
    if (destination === "external") return "outbound";
    if (destination === "dialplan" || destination === "") return null;
    return "internal";
  }
  if (destination === "dialplan") return null;
  return "internal";
}

/** A side holds (callpoint INACTIVE) or the whole call is ON_HOLD. */
export function isHeld(call: Call): boolean {
  return (
    call.state === "ON_HOLD" || call.source?.state === "INACTIVE" || call.destination?.state === "INACTIVE"
  );
}

/** The parent call id of a queue leg: the typed field, else the raw property (trimmed). */
export function parentCallIdOf(call: Call): string | null {
  const raw = call.queueCallForCall ?? call.properties?.["QueueCallForCall"];
  const id = typeof raw === "string" ? raw.trim() : "";
  return id === "" ? null : id;
}

/** Users taking part in a call (by id), from the views of its sides, for "on a call" availability. */
export function userIdsOf(sourceView: CallpointView, destinationView: CallpointView): string[] {
  const source = userIdOf(sourceView);
  const destination = userIdOf(destinationView);
  if (source === null) return destination === null ? [] : [destination];
  return destination === null || destination === source ? [source] : [source, destination];
}

function userIdOf(view: CallpointView): string | null {
  return view.type === "user" ? (view.userId ?? null) : null;
}

/** Platform seconds -> ms, or the fallback when absent or nonsense. */
export function secondsToMs(seconds: number | undefined, fallback: number): number {
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : fallback;
}

/**
 * Before the dial plan has routed a user's call, guess from the digits: a full phone number is an
 * outside call, a short one an extension. The routed destination replaces the guess.
 */
export function provisionalDirection(destination: CallpointView): CallDirection {
  const dialled = (destination.digits ?? destination.exten ?? "").replace(/[\s-]/g, "");
  return dialled.startsWith("+") || dialled.replace(/\D/g, "").length >= 7 ? "outbound" : "internal";
}

/** A call as the platform's history lists it (`history="true"`), in the field names of a CallView. */
export interface HistoryCallView {
  id: string;
  state: string;
  direction: CallDirection | null;
  source: CallpointView;
  destination: CallpointView;
  parentCallId: string | null;
  /** ms epoch, from the callpoints' times where the platform sends them */
  startedAt: number | null;
  endedAt: number | null;
  properties: Record<string, string>;
}

export function historyCallView(call: Call): HistoryCallView {
  const started = call.source.timeStarted ?? call.source.timeCreated;
  const ended = call.source.timeEnded ?? call.destination.timeEnded;
  return {
    id: call.id,
    state: lower(call.state),
    direction: decideDirection(call),
    source: callpointView(call.source),
    destination: callpointView(call.destination),
    parentCallId: parentCallIdOf(call),
    startedAt: started ? secondsToMs(started, 0) : null,
    endedAt: ended ? secondsToMs(ended, 0) : null,
    properties: { ...call.properties },
  };
}

export type QueueExitReason =
  | "answered"
  | "hangup"
  | "max_wait"
  | "max_length"
  | "join_empty"
  | "leave_when_empty"
  | "key"
  | "other";

/** Why a caller left a queue, normalised; `key` is the key pressed for "key". */
export interface QueueExit {
  exitReason: QueueExitReason | null;
  exitKey: string | null;
}

// The platform's spellings differ between its docs, its report exports (max_len, max_waittime,
// key_N...) and its XMPP; compared without case, spaces, dashes and underscores.
const QUEUE_EXIT_SPELLINGS: Record<string, QueueExitReason> = {
  answered: "answered",
  completed: "answered",
  handled: "answered",
  hangup: "hangup",
  abandon: "hangup",
  abandoned: "hangup",
  callerhangup: "hangup",
  maxwait: "max_wait",
  maxwaittime: "max_wait",
  timeout: "max_wait",
  maxlen: "max_length",
  maxlength: "max_length",
  full: "max_length",
  joinempty: "join_empty",
  leavewhenempty: "leave_when_empty",
  leaveempty: "leave_when_empty",
};
const KEY_EXIT = /^(?:exit(?:with)?)?key(.*)$/;

/** The platform's queueExit value, normalised; an unknown value is "other" (the raw value stays beside it). */
export function normaliseQueueExit(raw: string): QueueExit {
  const compact = raw.toLowerCase().replace(/[\s_-]/g, "");
  const known = QUEUE_EXIT_SPELLINGS[compact];
  if (known) return { exitReason: known, exitKey: null };
  const key = KEY_EXIT.exec(compact);
  if (key) return { exitReason: "key", exitKey: key[1] ? key[1] : null };
  return { exitReason: "other", exitKey: null };
}
