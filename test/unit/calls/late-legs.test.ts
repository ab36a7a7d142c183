// Queue legs that reach the model late: after a reconnect gap, after their caller's summary, with a
// caller never seen, or with duplicate ends. Every leg must land in a summary, and a caller's call
// must never be counted twice (docs/message-contract.md, "Late queue legs").

import assert from "node:assert/strict";
import type { Call, CallState } from "../../../src/compass/protocol/types";
import { cp, freshModel, type Platform, type Recorder, seedSnapshot } from "../model/builders";
import { callerIntoQueue, summaries, unansweredOffer } from "./queue-calls";

/** The summaries that count a call (a follow-up replaces an earlier one, it is not another call). */
const counted = (rec: Recorder) => summaries(rec).filter((s) => !s.followUp);

/** The builders' Platform clock at its start (a snapshot made before the model exists). */
const BUILDERS_START = 1_700_000_000_000;

/** A queue leg as the platform lists it in a snapshot (GET call). */
function snapshotLeg(id: string, parent: string, agent: string, state: CallState, now: number): Call {
  const createdAt = Math.floor(now / 1000) - 5;
  return {
    id,
    source: { ...cp.queue("641", "Support", state), timeCreated: createdAt },
    destination: { ...cp.user(agent, `User ${agent}`, state), timeCreated: createdAt },
    state,
    properties: { QueueCallForCall: parent },
    queueCallForCall: parent,
  };
}

/** The caller hangs up while waiting: legs end, the caller leaves the queue, the call ends. */
function abandon(p: Platform, lastLeg: string, id = "X"): void {
  p.start(lastLeg, cp.queue("641", "Support"), cp.user("16"), id, "RINGING");
  p.tick(5000).end(lastLeg, "SOURCE_HANGUP").queueLeave("641", id).end(id, "SOURCE_HANGUP");
}

describe("call.summary: late queue legs", () => {
  it("folds a leg that outlived its caller through a reconnect gap into the caller's one summary", () => {
    const { model, platform: p, rec } = freshModel();
    callerIntoQueue(p);
    unansweredOffer(p, "L1", "16");
    p.start("L2", cp.queue("641", "Support"), cp.user("16"), "X", "RINGING");
    // The gap: L2 ends unanswered, L3 rings Piet, he answers, the queue hands the caller over
    // (X ends with REPLACE). The reload finds X and L2 gone and L3 talking.
    p.tick(30_000);
    const snapshot = seedSnapshot();
    snapshot.calls = [snapshotLeg("L3", "X", "18", "ANSWERED", p.now)];
    model.load(snapshot, p.now);
    assert.equal(summaries(rec).length, 0, "nothing is summarised while L3 still talks");
    p.tick(60_000).end("L3", "DESTINATION_HANGUP");

    const all = summaries(rec);
    assert.equal(all.length, 1, JSON.stringify(all.map((s) => [s.conversationId, s.outcome])));
    const [summary] = all;
    assert.equal(summary.conversationId, "X");
    assert.deepEqual(summary.callIds, ["X", "L1", "L2", "L3"]);
    assert.equal(summary.outcome, "answered");
    assert.equal(summary.answeredBy?.userId, "18");
    assert.equal(summary.offers, 3);
    assert.equal(summary.resynced, true, "the caller's end was only seen through the reload");
    assert.equal(summary.followUp, false);
  });

  it("gives a leg seen after its caller's summary (through a reload) one follow-up, never a second counted call", () => {
    const { model, platform: p, rec } = freshModel();
    callerIntoQueue(p);
    unansweredOffer(p, "L1", "16");
    abandon(p, "L2");
    assert.deepEqual(
      summaries(rec).map((s) => [s.outcome, s.offers]),
      [["abandoned", 2]],
    );
    // A reconnect: the reload lists nothing new, then a notification held during the reload
    // tells of a further re-offer of the summarised caller, and of its end.
    p.tick(2000);
    model.load(seedSnapshot(), p.now);
    p.start("L3", cp.queue("641", "Support"), cp.user("18"), "X", "RINGING");
    p.tick(15_000).end("L3", "SOURCE_HANGUP");

    const all = summaries(rec);
    assert.equal(counted(rec).length, 1, "the caller is counted once");
    assert.equal(all.length, 2, "the late leg is in a follow-up");
    const [first, followUp] = all;
    assert.equal(first.followUp, false);
    assert.equal(followUp.followUp, true);
    assert.equal(followUp.conversationId, "X");
    assert.deepEqual(followUp.callIds, ["X", "L1", "L2", "L3"]);
    assert.equal(followUp.offers, 3);
    assert.equal(followUp.outcome, "abandoned", "a re-offer nobody took never makes it missed");
    assert.equal(followUp.endedAt, first.endedAt, "the caller's call ended when it ended");
    assert.equal(model.sizes().conversations, 0);
  });

  it("gives a leg the reload lists after its caller's summary a follow-up when it ends", () => {
    const { model, platform: p, rec } = freshModel();
    callerIntoQueue(p);
    abandon(p, "L1");
    p.tick(2000);
    const snapshot = seedSnapshot();
    snapshot.calls = [snapshotLeg("L2", "X", "18", "RINGING", p.now)];
    model.load(snapshot, p.now);
    p.tick(10_000).end("L2", "SOURCE_HANGUP");
    assert.deepEqual(
      summaries(rec).map((s) => [s.followUp, s.outcome, s.offers, s.callIds.join(",")]),
      [
        [false, "abandoned", 1, "X,L1"],
        [true, "abandoned", 2, "X,L1,L2"],
      ],
    );
  });

  it("gives a late leg that was answered a follow-up that says answered", () => {
    const { platform: p, rec } = freshModel();
    callerIntoQueue(p);
    p.tick(5000).queueLeave("641", "X").end("X", "SOURCE_HANGUP");
    p.start("L1", cp.queue("641", "Support"), cp.user("18", "Piet Bakker"), "X", "RINGING");
    p.tick(2000).state("L1", "ANSWERED").tick(30_000).end("L1", "DESTINATION_HANGUP");
    assert.deepEqual(
      summaries(rec).map((s) => [s.followUp, s.outcome, s.answeredBy?.userId ?? null]),
      [
        [false, "abandoned", null],
        [true, "answered", "18"],
      ],
    );
  });

  it("summarises legs whose caller is never seen once, under the caller's call id", () => {
    const { model, platform: p, rec } = freshModel();
    // The caller's start was lost; the queue's leg is answered and carries the caller on.
    p.start("L1", cp.queue("641", "Support"), cp.user("18", "Piet Bakker"), "X", "RINGING");
    p.tick(3000).state("L1", "ANSWERED").tick(40_000).end("L1", "DESTINATION_HANGUP");
    const [summary, ...more] = summaries(rec);
    assert.equal(more.length, 0);
    assert.equal(summary.conversationId, "X");
    assert.deepEqual(summary.callIds, ["L1"]);
    assert.equal(summary.outcome, "answered");
    assert.equal(summary.answeredBy?.userId, "18");
    assert.equal(summary.offers, 1);
    assert.equal(summary.queueId, "641");
    assert.equal(summary.talkMs, 40_000);
    assert.equal(model.sizes().conversations, 0);
    assert.equal(model.sizes().correlatedCalls, 0);
  });

  it("summarises a leg the first load lists without its caller like any leg of an unseen caller", () => {
    const snapshot = seedSnapshot();
    snapshot.calls = [snapshotLeg("L1", "X", "16", "ANSWERED", BUILDERS_START)];
    const { model, platform: p, rec } = freshModel(snapshot);
    p.tick(20_000).end("L1", "DESTINATION_HANGUP");
    assert.deepEqual(
      summaries(rec).map((s) => [s.conversationId, s.callIds.join(","), s.outcome, s.followUp]),
      [["X", "L1", "answered", false]],
    );
    assert.equal(model.sizes().conversations, 0);
  });

  it("remembers summarised callers for late legs within a bound, then treats the caller as unseen", () => {
    const { model, platform: p, rec } = freshModel();
    // 1000 callers of two calls each (the caller and one re-offer), the first one's leg comes last
    for (let i = 0; i < 1000; i++) {
      callerIntoQueue(p, `X${i}`);
      unansweredOffer(p, `L${i}`, "16", `X${i}`);
      p.queueLeave("641", `X${i}`).end(`X${i}`, "SOURCE_HANGUP");
    }
    p.start("late-999", cp.queue("641", "Support"), cp.user("18"), "X999", "RINGING");
    p.tick(1000).end("late-999", "SOURCE_HANGUP");
    p.start("late-0", cp.queue("641", "Support"), cp.user("18"), "X0", "RINGING");
    p.tick(1000).end("late-0", "SOURCE_HANGUP");
    const [recent, forgotten] = summaries(rec).slice(-2);
    assert.deepEqual(
      [recent.conversationId, recent.followUp, recent.callIds.join(",")],
      ["X999", true, "X999,L999,late-999"],
    );
    assert.deepEqual(
      [forgotten.conversationId, forgotten.followUp, forgotten.callIds.join(",")],
      ["X0", false, "late-0"],
    );
    assert.equal(model.sizes().conversations, 0);
  });

  it("joins every leg of one unseen caller into one conversation while they overlap", () => {
    const { platform: p, rec } = freshModel();
    p.start("L1", cp.queue("641", "Support"), cp.user("16"), "X", "RINGING");
    p.start("L2", cp.queue("641", "Support"), cp.user("18"), "X", "RINGING");
    p.tick(15_000).end("L1", "SOURCE_HANGUP").end("L2", "SOURCE_HANGUP");
    assert.deepEqual(
      summaries(rec).map((s) => [s.conversationId, s.callIds.join(","), s.offers]),
      [["X", "L1,L2", 2]],
    );
  });

  it("gives a caller seen only after its legs' summary a follow-up, not a second counted call", () => {
    const { platform: p, rec } = freshModel();
    p.start("L1", cp.queue("641", "Support"), cp.user("16"), "X", "RINGING");
    p.tick(15_000).end("L1", "SOURCE_HANGUP");
    // a late start of the caller's own call (its start had been lost), then its end
    p.start("X", cp.external("+31612345678", "Klant"), cp.queue("641", "Support"), undefined, "ANSWERED");
    p.tick(5000).end("X", "SOURCE_HANGUP");
    assert.deepEqual(
      summaries(rec).map((s) => [s.conversationId, s.followUp, s.callIds.join(","), s.offers, s.endReason]),
      [
        ["X", false, "L1", 1, "source_hangup"],
        ["X", true, "L1,X", 1, "source_hangup"],
      ],
    );
    assert.equal(summaries(rec)[1].endedAt, p.now, "the caller's own end is the conversation's end");
  });

  it("keeps one summary when a leg ends after its caller's call (no reload)", () => {
    const { platform: p, rec } = freshModel();
    callerIntoQueue(p);
    p.start("L1", cp.queue("641", "Support"), cp.user("16"), "X", "RINGING");
    p.tick(4000).queueLeave("641", "X").end("X", "SOURCE_HANGUP");
    assert.equal(summaries(rec).length, 0, "L1 still rings");
    p.tick(100).end("L1", "SOURCE_HANGUP");
    assert.deepEqual(
      summaries(rec).map((s) => [s.followUp, s.outcome, s.callIds.join(","), s.offers]),
      [[false, "abandoned", "X,L1", 1]],
    );
  });

  it("ignores duplicate ends and starts of summarised calls after a reconnect", () => {
    const { model, platform: p, rec } = freshModel();
    callerIntoQueue(p);
    unansweredOffer(p, "L1", "16");
    abandon(p, "L2");
    p.tick(1000);
    model.load(seedSnapshot(), p.now);
    // The platform repeats what it had sent just before the gap.
    p.end("L2", "SOURCE_HANGUP").end("X", "SOURCE_HANGUP");
    p.start("L2", cp.queue("641", "Support"), cp.user("16"), "X", "RINGING");
    p.send({ type: "notification.call.end", timestamp: 1, callId: "L2", endReason: "SOURCE_HANGUP" });
    assert.equal(summaries(rec).length, 1);
    assert.equal(rec.payloads("call.ended").length, 3, "X, L1 and L2 each ended once");
    assert.equal(model.getCalls().length, 0);
  });

  it("ends legs and callers vanished in a gap in one summary, however the reload orders them", () => {
    const { model, platform: p, rec } = freshModel();
    callerIntoQueue(p);
    p.start("L1", cp.queue("641", "Support"), cp.user("16"), "X", "RINGING");
    p.tick(8000);
    model.load(seedSnapshot(), p.now);
    assert.deepEqual(
      summaries(rec).map((s) => [s.outcome, s.callIds.join(","), s.resynced, s.followUp]),
      [["abandoned", "X,L1", true, false]],
    );
  });
});
