// Transfer detection (manual: "Unattended transfer", "Attended transfer"): which call carries a
// conversation on after a REPLACE, and whether a changed side is an attended hand-over.

import { type CallRecord, type CallSides, keysOf } from "./records";
import type { ModelState } from "./state";
import type { TransferInfo } from "./types";

/** How long after a consultation call ended its parties still explain a hand-over. */
const CONSULT_WINDOW_MS = 60_000;

/** A call's sides, and the fields of their party keys, in the order of `keysOf`. */
const SIDES = ["source", "destination"] as const;
const SIDE_KEYS = ["sourceKey", "destinationKey"] as const;

/** A consultation call's parties, kept briefly after it ends so an attended transfer can be seen. */
export interface RecentEnd {
  callId: string;
  parentCallId: string | null;
  at: number;
  keys: [string, string];
}

/** REPLACE: the call that carries on. A transfer unless it is one of the call's own queue legs. */
export function findSuccessor(
  record: CallRecord,
  calls: Pick<ModelState, "childrenOf" | "callsWithParty">,
): { record: CallRecord; transfer: TransferInfo | null } | null {
  let best: CallRecord | null = null;
  for (const other of calls.childrenOf(record.id)) {
    if (other.answeredAt !== null) return { record: other, transfer: null };
  }
  const keys = keysOf(record);
  // only calls sharing a party can carry the conversation on
  const sharing = new Set(keys.flatMap((k) => (k === "" ? [] : calls.callsWithParty(k))));
  for (const other of [...sharing].sort((a, b) => a.seq - b.seq)) {
    if (other.id === record.id || other.parentCallId === record.id || other.startedAt < record.startedAt)
      continue;
    const otherKeys = keysOf(other);
    const shared = keys.find((k) => k !== "" && otherKeys.includes(k));
    if (!shared || otherKeys[0] === otherKeys[1]) continue;
    const better =
      !best ||
      (other.answeredAt !== null && best.answeredAt === null) ||
      ((other.answeredAt !== null) === (best.answeredAt !== null) && other.startedAt >= best.startedAt);
    if (better) best = other;
  }
  if (!best) return null;
  const bestKeys = keysOf(best);
  const sharedIndex = keys.findIndex((k) => bestKeys.includes(k));
  // the other party of each call: the one handed over from, and the one handed to
  const from = sharedIndex === 0 ? 1 : 0;
  const to = bestKeys[0] === keys[sharedIndex] ? 1 : 0;
  if (keys[from] === bestKeys[to]) return { record: best, transfer: null };
  return {
    record: best,
    transfer: {
      kind: "unattended",
      fromCallId: record.id,
      toCallId: best.id,
      consultCallId: null,
      from: { ...record[SIDES[from]] },
      to: { ...best[SIDES[to]] },
    },
  };
}

/**
 * A side of X changed from B to C while a call between B and C exists or just ended: an
 * attended transfer (manual: "Attended transfer").
 */
export function findAttendedTransfer(
  record: CallRecord,
  before: CallSides,
  calls: Pick<ModelState, "callsWithParty">,
  recentEnds: RecentEnd[],
  now: number,
): TransferInfo | null {
  for (const index of [0, 1] as const) {
    const side = SIDES[index];
    const fromKey = before[SIDE_KEYS[index]];
    const toKey = record[SIDE_KEYS[index]];
    if (fromKey === toKey || fromKey === "" || toKey === "") continue;
    // Only a person hands a call over; a queue or dial plan giving it to someone is routing.
    if (!fromKey.startsWith("user:") && !fromKey.startsWith("external:")) continue;
    const matches = (keys: string[]) => keys.includes(fromKey) && keys.includes(toKey);
    let consult: string | null = null;
    // a consultation call has the old party on one side: only those calls are looked at
    for (const other of calls.callsWithParty(fromKey)) {
      if (other.id === record.id || other.parentCallId === record.id) continue;
      if (matches(keysOf(other))) consult = other.id;
    }
    if (consult === null) {
      for (let i = recentEnds.length - 1; i >= 0; i--) {
        const ended = recentEnds[i];
        if (ended.parentCallId === record.id || ended.callId === record.id) continue;
        if (now - ended.at <= CONSULT_WINDOW_MS && matches(ended.keys)) {
          consult = ended.callId;
          break;
        }
      }
    }
    if (consult !== null) {
      return {
        kind: "attended",
        fromCallId: record.id,
        toCallId: record.id,
        consultCallId: consult,
        from: { ...before[side] },
        to: { ...record[side] },
      };
    }
  }
  return null;
}
