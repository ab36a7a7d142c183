// Call correlation: the platform's calls (a parent, its queue legs, the calls that replace it on a
// transfer) -> one conversation -> exactly one `call.summary` once the conversation is over.
//
// Outcome rules, in this order (first that holds wins):
//   answered / transferred  a person answered (a user, or the outside party of an outbound call).
//                           `transferred` when a transfer completed (unattended REPLACE or attended)
//                           and the last person to answer differs from the first; else `answered`.
//   voicemail               the conversation's main call reached a Resource of resourceType voicemail.
//   busy                    the main call ended with DESTINATION_BUSY.
//   abandoned               the main call was still with a queue when it ended (entered a queue and
//                           was not routed anywhere else afterwards).
//   missed                  anything else: nobody answered (for outbound calls: the far end did not).
// Queue legs (QueueCallForCall) only count as `offers`; their own ends never decide the outcome,
// so re-offers never make a missed call.
//
// Every queue leg lands in a summary (docs/message-contract.md, "Late queue legs"):
//   - a conversation whose last call ended in a reload waits for the reload's calls (settleReload):
//     a leg that outlived its caller through the gap joins it first;
//   - a leg whose caller was already summarised reopens that conversation, which is summarised
//     again as a follow-up (`followUp: true`, replacing the earlier summary, never another call);
//   - legs whose caller was never seen share one conversation under the caller's call id.

import { toE164 } from "./numbers";
import type { CallDirection, CallpointView, CallView, PartyView } from "./types";

export type CallOutcome = "answered" | "missed" | "abandoned" | "busy" | "voicemail" | "transferred";

export interface VoicemailBox {
  id: string | null;
  name: string | null;
}

export interface CallSummary {
  conversationId: string;
  callIds: string[];
  direction: CallDirection;
  caller: { number: string | null; name: string | null; userId: string | null; userName: string | null };
  /** The number or extension dialled: the first Dialplan destination's exten (or digits). */
  dialled: string | null;
  /** `caller.number` and `dialled` in E.164 form; null when not a phone number (an extension). */
  callerE164: string | null;
  dialledE164: string | null;
  queueId: string | null;
  queueName: string | null;
  /** The first person who answered, or null. */
  answeredBy: PartyView | null;
  /** The last person who answered when that differs from `answeredBy` (after a transfer), else null. */
  finalAnsweredBy: PartyView | null;
  outcome: CallOutcome;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number;
  /** From the start until someone answered (or the end). */
  ringMs: number;
  /** Time in a queue until answered, left or ended; null when it never entered a queue. */
  waitMs: number | null;
  /** From the first answer to the end; 0 when never answered. */
  talkMs: number;
  /** Queue legs that rang an agent for this conversation. */
  offers: number;
  transfers: number;
  /** The box a `voicemail` outcome reached (the Resource callpoint's resourceId and name), else null. */
  voicemail: VoicemailBox | null;
  /** The main call's end reason (lower case). */
  endReason: string;
  /** The end was only seen through a reload after a reconnect gap. */
  resynced: boolean;
  /**
   * This conversation was summarised before: a queue leg came late and this summary, with it,
   * replaces the earlier one (same conversationId). Not another call.
   */
  followUp: boolean;
}

/** Who answered and when; the party's fields inline (one object per answer, not two). */
interface Answer extends PartyView {
  at: number;
  key: string;
}

interface Conversation {
  id: string;
  /** The call whose fate decides the outcome (the root, or the call that replaced it). */
  mainCallId: string;
  /** Only queue legs of this caller were seen (`id` is the caller's call id, `mainCallId` too). */
  callerUnseen: boolean;
  /** Summarised before and reopened by a late queue leg. */
  followUp: boolean;
  callIds: string[];
  /** how many of callIds have not ended (those byCall maps to this conversation) */
  active: number;
  /** counted among the open conversations (sizes) */
  open: boolean;
  direction: CallDirection;
  caller: CallSummary["caller"];
  dialled: string | null;
  queueId: string | null;
  queueName: string | null;
  queueEnteredAt: number | null;
  queueLeftAt: number | null;
  /** Still with a queue (entered, not routed elsewhere since). */
  withQueue: boolean;
  /** The voicemail box the main call reached before anyone answered, else null. */
  voicemail: VoicemailBox | null;
  answers: Answer[];
  transfers: number;
  offers: number;
  startedAt: number;
  lastEnd: { at: number; reason: string; resynced: boolean } | null;
  mainEndReason: string | null;
  /** The main call's end was only seen through a reload. */
  mainEndResynced: boolean;
}

/** Call ids of summarised conversations remembered for late queue legs (bounded, oldest forgotten). */
const REMEMBERED_CALLS = 1000;

const ANSWERED_STATES = new Set(["answered", "on_hold"]);

/** The party key of the person who answered this call, when it is answered by a person. */
function answeringKey(call: CallView): string | null {
  if (!ANSWERED_STATES.has(call.state)) return null;
  const cp = call.destination;
  if (cp.type === "user") return `user:${cp.userId ?? cp.id}`;
  if (cp.type === "external") return `external:${cp.number ?? cp.id}`;
  return null;
}

function answer(at: number, key: string, cp: CallpointView): Answer {
  return {
    at,
    key,
    type: cp.type,
    userId: cp.userId ?? null,
    userName: cp.userName ?? null,
    number: cp.number ?? null,
    name: cp.name ?? null,
  };
}

function partyOf(answer: Answer): PartyView {
  return {
    type: answer.type,
    userId: answer.userId,
    userName: answer.userName,
    number: answer.number,
    name: answer.name,
  };
}

export class CallCorrelator {
  private readonly byCall = new Map<string, Conversation>();
  /** open conversations: a count, not a map (nothing looks them up by id; byCall does) */
  private openConversations = 0;
  /** call id -> its conversation, ended in a reload and not yet summarised (see settleReload) */
  private readonly reloadEnded = new Map<string, Conversation>();
  /** caller's call id -> the conversation of its queue legs, while the caller itself is unseen */
  private readonly byUnseenCaller = new Map<string, Conversation>();
  /** call id -> its summarised conversation, for late queue legs (REMEMBERED_CALLS at most) */
  private readonly summarised = new Map<string, Conversation>();

  /** A call appeared (notification or reload). Queue legs join their caller's conversation. */
  started(call: CallView): void {
    if (this.byCall.has(call.id)) return;
    const callerId = call.parentCallId;
    const caller =
      callerId !== null ? this.conversationOfCaller(callerId) : this.conversationAwaiting(call.id);
    if (caller) {
      caller.callIds.push(call.id);
      caller.active += 1;
      this.byCall.set(call.id, caller);
      if (callerId !== null) caller.offers += 1;
      else {
        // the caller of legs seen before it: it carries the conversation from now on
        caller.callerUnseen = false;
        this.byUnseenCaller.delete(call.id);
      }
      this.changed(call, call.startedAt);
      return;
    }
    const source = call.source;
    const conversation: Conversation = {
      id: callerId ?? call.id,
      mainCallId: callerId ?? call.id,
      callerUnseen: callerId !== null,
      followUp: false,
      callIds: [call.id],
      active: 1,
      open: false,
      direction: call.direction,
      caller: {
        number: source.number ?? null,
        name: source.name ?? null,
        userId: source.userId ?? null,
        userName: source.userName ?? null,
      },
      dialled: null,
      queueId: null,
      queueName: null,
      queueEnteredAt: null,
      queueLeftAt: null,
      withQueue: false,
      voicemail: null,
      answers: [],
      transfers: 0,
      offers: 0,
      startedAt: call.startedAt,
      lastEnd: null,
      mainEndReason: null,
      mainEndResynced: false,
    };
    this.setOpen(conversation, true);
    this.byCall.set(call.id, conversation);
    if (conversation.callerUnseen) {
      // a leg of a caller never seen: the caller waits in the leg's queue, the leg is an offer
      this.byUnseenCaller.set(conversation.id, conversation);
      conversation.offers = 1;
      if (source.type === "queue") {
        this.enterQueue(conversation, source.queueId ?? null, source.queueName ?? null, call.startedAt);
      }
    }
    this.changed(call, call.startedAt);
  }

  /** The call's current view after any change: answers, routing, queue, voicemail. */
  changed(call: CallView, at: number): void {
    const conversation = this.byCall.get(call.id);
    if (!conversation) return;
    const isMain = conversation.mainCallId === call.id;
    if (isMain) {
      // Direction may only be decided after the dial plan routed the call.
      if (conversation.callIds.length === 1) conversation.direction = call.direction;
      const destination = call.destination;
      if (conversation.dialled === null && destination.type === "dialplan") {
        conversation.dialled = destination.exten ?? destination.digits ?? null;
      }
      if (destination.type === "queue") {
        this.enterQueue(conversation, destination.queueId ?? null, destination.queueName ?? null, at);
      } else if (destination.type !== "dialplan" && conversation.withQueue && answeringKey(call) === null) {
        // Routed away from the queue (timeout to voicemail, overflow to a number...).
        conversation.withQueue = false;
      }
      if (
        destination.type === "resource" &&
        destination.resourceType === "voicemail" &&
        conversation.answers.length === 0
      ) {
        conversation.voicemail = { id: destination.resourceId ?? null, name: destination.name ?? null };
      }
    }
    const key = answeringKey(call);
    if (key !== null) {
      const last = conversation.answers[conversation.answers.length - 1];
      // the first answer as a literal: most conversations keep one, and a pushed-to array reserves 17 slots
      if (!last) conversation.answers = [answer(at, key, call.destination)];
      else if (last.key !== key) conversation.answers.push(answer(at, key, call.destination));
      conversation.withQueue = false;
    }
  }

  /** The call started waiting in a queue. */
  queueEntered(callId: string, queueId: string, queueName: string | null, at: number): void {
    const conversation = this.byCall.get(callId);
    if (conversation) this.enterQueue(conversation, queueId, queueName, at);
  }

  /** The call stopped waiting in a queue (answered or not: the call's later fate tells). */
  queueLeft(callId: string, at: number): void {
    const conversation = this.byCall.get(callId);
    if (conversation && conversation.queueLeftAt === null) conversation.queueLeftAt = at;
  }

  /** A transfer completed within the conversation of `callId`. */
  transferred(callId: string): void {
    const conversation = this.byCall.get(callId);
    if (conversation) conversation.transfers += 1;
  }

  /** Whether any person answered in the conversation of `callId` (false when unknown). */
  isAnswered(callId: string): boolean {
    return (this.byCall.get(callId)?.answers.length ?? 0) > 0;
  }

  /**
   * A call ended. `successorCallId` is the call that carries the conversation on (REPLACE): its own
   * conversation is folded into this one. Returns the conversation's summary when this was its
   * last call, else null. `resynced`: a reload found the call gone; that reload's conversations
   * are summarised by settleReload(), which it calls once its own calls are in.
   */
  ended(
    call: CallView,
    options: { at: number; endReason: string; resynced?: boolean; successorCallId?: string | null },
  ): CallSummary | null {
    const conversation = this.byCall.get(call.id);
    if (!conversation) return null;
    const successor = options.successorCallId ? this.byCall.get(options.successorCallId) : undefined;
    if (successor && successor !== conversation) this.merge(conversation, successor);
    if (conversation.mainCallId === call.id) {
      if (options.successorCallId && this.byCall.get(options.successorCallId) === conversation) {
        conversation.mainCallId = options.successorCallId;
      } else {
        conversation.mainEndReason = options.endReason;
        conversation.mainEndResynced = options.resynced === true;
      }
    }
    conversation.active -= 1;
    this.byCall.delete(call.id);
    // A late leg does not move the end of its caller's call, which ended before it.
    const lateLeg = conversation.followUp && !conversation.callerUnseen && call.parentCallId !== null;
    if (!lateLeg) {
      conversation.lastEnd = {
        at: options.at,
        reason: options.endReason,
        resynced: options.resynced === true,
      };
    }
    if (conversation.active > 0) return null;
    if (options.resynced) {
      // a leg the reload lists may carry the conversation on: summarised in settleReload()
      for (const id of conversation.callIds) this.reloadEnded.set(id, conversation);
      return null;
    }
    return this.finish(conversation);
  }

  /**
   * After a reload's calls are in: the summaries of the conversations it ended, but for those a
   * queue leg it listed carries on (they are summarised when that leg ends).
   */
  settleReload(): CallSummary[] {
    const ended = new Set(this.reloadEnded.values());
    this.reloadEnded.clear();
    return [...ended].filter((c) => c.active === 0).map((c) => this.finish(c));
  }

  /** Open conversations and tracked calls (for memory checks). */
  sizes(): { conversations: number; calls: number } {
    return { conversations: this.openConversations, calls: this.byCall.size };
  }

  /** Forget everything without summaries (a fresh first load). */
  clear(): void {
    this.byCall.clear();
    this.openConversations = 0;
    this.reloadEnded.clear();
    this.byUnseenCaller.clear();
    this.summarised.clear();
  }

  /**
   * The conversation a queue leg of `callerId` joins: the caller's open one, one a reload ended,
   * one of its earlier legs while the caller is unseen, or a summarised one, reopened as a follow-up.
   */
  private conversationOfCaller(callerId: string): Conversation | undefined {
    const open =
      this.byCall.get(callerId) ?? this.reloadEnded.get(callerId) ?? this.byUnseenCaller.get(callerId);
    if (open) return open;
    const done = this.summarised.get(callerId);
    return done ? this.reopen(done) : undefined;
  }

  /** The conversation of the queue legs of `callId` while that caller was unseen, if any. */
  private conversationAwaiting(callId: string): Conversation | undefined {
    const open = this.byUnseenCaller.get(callId);
    if (open) return open;
    const done = this.summarised.get(callId);
    return done?.callerUnseen && done.id === callId ? this.reopen(done) : undefined;
  }

  /** A summarised conversation a late call joins: summarised again when over, as a follow-up. */
  private reopen(done: Conversation): Conversation {
    for (const id of [done.id, ...done.callIds]) this.summarised.delete(id);
    done.followUp = true;
    this.setOpen(done, true);
    if (done.callerUnseen) this.byUnseenCaller.set(done.id, done);
    return done;
  }

  /** A summarised conversation, kept for late queue legs by every call id that may be their caller. */
  private remember(conversation: Conversation): void {
    for (const id of [conversation.id, ...conversation.callIds]) {
      this.summarised.delete(id);
      this.summarised.set(id, conversation);
    }
    while (this.summarised.size > REMEMBERED_CALLS) {
      this.summarised.delete(this.summarised.keys().next().value as string);
    }
  }

  private setOpen(conversation: Conversation, open: boolean): void {
    if (conversation.open !== open) this.openConversations += open ? 1 : -1;
    conversation.open = open;
  }

  private enterQueue(
    conversation: Conversation,
    queueId: string | null,
    queueName: string | null,
    at: number,
  ) {
    if (conversation.queueId === null && queueId !== null) {
      conversation.queueId = queueId;
      conversation.queueName = queueName;
    } else if (conversation.queueName === null && queueName !== null && conversation.queueId === queueId) {
      conversation.queueName = queueName;
    }
    if (conversation.queueEnteredAt === null) conversation.queueEnteredAt = at;
    if (conversation.answers.length === 0) conversation.withQueue = true;
  }

  /** Fold `other` (the successor's conversation) into `into`. */
  private merge(into: Conversation, other: Conversation): void {
    for (const id of other.callIds) {
      into.callIds.push(id);
      if (this.byCall.get(id) === other) this.byCall.set(id, into);
    }
    into.active += other.active;
    into.answers = [...into.answers, ...other.answers].sort((a, b) => a.at - b.at);
    into.offers += other.offers;
    into.transfers += other.transfers;
    if (into.queueId === null && other.queueId !== null) {
      into.queueId = other.queueId;
      into.queueName = other.queueName;
      into.queueEnteredAt = other.queueEnteredAt;
      into.queueLeftAt = other.queueLeftAt;
    }
    this.setOpen(other, false);
    if (this.byUnseenCaller.get(other.id) === other) this.byUnseenCaller.delete(other.id);
  }

  private finish(conversation: Conversation): CallSummary {
    this.setOpen(conversation, false);
    if (this.byUnseenCaller.get(conversation.id) === conversation)
      this.byUnseenCaller.delete(conversation.id);
    this.remember(conversation);
    const end = conversation.lastEnd ?? { at: conversation.startedAt, reason: "unknown", resynced: false };
    const endReason = conversation.mainEndReason ?? end.reason;
    const first = conversation.answers[0] ?? null;
    const last = conversation.answers[conversation.answers.length - 1] ?? null;
    const handedOn = first !== null && last !== null && last.key !== first.key;
    let outcome: CallOutcome;
    if (first) outcome = handedOn && conversation.transfers > 0 ? "transferred" : "answered";
    else if (conversation.voicemail) outcome = "voicemail";
    else if (endReason === "destination_busy") outcome = "busy";
    else if (conversation.withQueue) outcome = "abandoned";
    else outcome = "missed";
    const answeredAt = first ? first.at : null;
    const endedAt = Math.max(end.at, conversation.startedAt);
    let waitMs: number | null = null;
    if (conversation.queueEnteredAt !== null) {
      const candidates = [answeredAt, conversation.queueLeftAt, endedAt].filter(
        (t): t is number => t !== null && t >= (conversation.queueEnteredAt as number),
      );
      waitMs = Math.min(...candidates) - conversation.queueEnteredAt;
    }
    const summary: CallSummary = {
      conversationId: conversation.id,
      callIds: [...conversation.callIds],
      direction: conversation.direction,
      caller: { ...conversation.caller },
      dialled: conversation.dialled,
      callerE164: toE164(conversation.caller.number),
      dialledE164: toE164(conversation.dialled),
      queueId: conversation.queueId,
      queueName: conversation.queueName,
      answeredBy: first ? partyOf(first) : null,
      finalAnsweredBy: handedOn && last ? partyOf(last) : null,
      outcome,
      startedAt: conversation.startedAt,
      answeredAt,
      endedAt,
      ringMs: (answeredAt ?? endedAt) - conversation.startedAt,
      waitMs,
      talkMs: answeredAt === null ? 0 : Math.max(0, endedAt - answeredAt),
      offers: conversation.offers,
      transfers: conversation.transfers,
      voicemail: outcome === "voicemail" && conversation.voicemail ? { ...conversation.voicemail } : null,
      endReason,
      resynced: end.resynced || conversation.mainEndResynced,
      followUp: conversation.followUp,
    };
    return summary;
  }
}
