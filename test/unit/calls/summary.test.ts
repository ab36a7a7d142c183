import assert from "node:assert/strict";
import { cp, freshModel } from "../model/builders";
import { callerIntoQueue, summaries, unansweredOffer } from "./queue-calls";

describe("call.summary", () => {
  it("summarises a simple inbound call as answered with ring and talk times", () => {
    const { platform: p, rec } = freshModel();
    const startedAt = p.now;
    p.start("X", cp.external("+31201234567", "Caller"), cp.dialplan("0201234567"));
    p.tick(200).route("X", "DESTINATION", cp.user("17", "Jan Jansen"));
    p.state("X", "RINGING").tick(4800).state("X", "ANSWERED");
    p.tick(60_000).end("X", "DESTINATION_HANGUP");
    const [summary] = summaries(rec);
    assert.deepEqual(summary, {
      conversationId: "X",
      callIds: ["X"],
      direction: "inbound",
      caller: { number: "+31201234567", name: "Caller", userId: null, userName: null },
      dialled: "0201234567",
      callerE164: "+31201234567",
      dialledE164: "+31201234567",
      queueId: null,
      queueName: null,
      answeredBy: { type: "user", userId: "17", userName: "Jan Jansen", number: null, name: null },
      finalAnsweredBy: null,
      outcome: "answered",
      startedAt,
      answeredAt: startedAt + 5000,
      endedAt: startedAt + 65_000,
      ringMs: 5000,
      waitMs: null,
      talkMs: 60_000,
      offers: 0,
      transfers: 0,
      voicemail: null,
      endReason: "destination_hangup",
      resynced: false,
      followUp: false,
    });
  });

  it("summarises an outbound call answered by the outside party", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.user("17", "Jan Jansen"), cp.dialplan("0612345678"));
    p.route("X", "DESTINATION", cp.external("0612345678")).state("X", "RINGING");
    p.tick(3000).state("X", "ANSWERED").tick(1000).end("X", "SOURCE_HANGUP");
    const [summary] = summaries(rec);
    assert.equal(summary.outcome, "answered");
    assert.equal(summary.direction, "outbound");
    assert.deepEqual(summary.caller, { number: null, name: null, userId: "17", userName: "Jan Jansen" });
    assert.equal(summary.answeredBy?.number, "0612345678");
    assert.equal(summary.dialled, "0612345678");
  });

  it("summarises an internal call", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.user("17"), cp.dialplan("216")).route("X", "DESTINATION", cp.user("16"));
    p.state("X", "RINGING").state("X", "ANSWERED").end("X", "DESTINATION_HANGUP");
    const [summary] = summaries(rec);
    assert.equal(summary.direction, "internal");
    assert.equal(summary.outcome, "answered");
    assert.equal(summary.answeredBy?.userId, "16");
  });

  it("summarises DESTINATION_BUSY as busy", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.external("+3120555"), cp.dialplan("020")).route("X", "DESTINATION", cp.user("17"));
    p.end("X", "DESTINATION_BUSY");
    assert.deepEqual(
      summaries(rec).map((s) => [s.outcome, s.answeredBy, s.talkMs]),
      [["busy", null, 0]],
    );
  });

  it("summarises a caller hanging up before anyone answered as missed", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.external("+3120555"), cp.dialplan("020")).route("X", "DESTINATION", cp.user("17"));
    p.state("X", "RINGING").tick(12_000).end("X", "SOURCE_HANGUP");
    const [summary] = summaries(rec);
    assert.equal(summary.outcome, "missed");
    assert.equal(summary.ringMs, 12_000);
    assert.equal(summary.answeredAt, null);
  });

  it("summarises a call that went to voicemail as voicemail, not answered", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.external("+3120555"), cp.dialplan("020")).route("X", "DESTINATION", cp.user("17"));
    p.state("X", "RINGING").tick(20_000);
    p.route("X", "DESTINATION", cp.resource("voicemail", "v17", "Voicemail Jan"));
    p.state("X", "ANSWERED").tick(30_000).end("X", "SOURCE_HANGUP");
    const [summary] = summaries(rec);
    assert.equal(summary.outcome, "voicemail");
    assert.equal(summary.answeredBy, null);
  });

  it("makes ONE answered summary for a queue call with three re-offers, never a missed one", () => {
    const { platform: p, rec } = freshModel();
    callerIntoQueue(p);
    unansweredOffer(p, "L1", "16");
    unansweredOffer(p, "L2", "18");
    unansweredOffer(p, "L3", "16");
    p.start("L4", cp.queue("641", "Support"), cp.user("18", "Piet Bakker"), "X", "RINGING");
    p.tick(5000).state("L4", "ANSWERED");
    p.queueLeave("641", "X");
    p.route("X", "DESTINATION", cp.user("18", "Piet Bakker"));
    p.end("L4", "REPLACE");
    p.tick(90_000).end("X", "SOURCE_HANGUP");

    const all = summaries(rec);
    assert.equal(all.length, 1);
    const [summary] = all;
    assert.equal(summary.outcome, "answered");
    assert.equal(summary.offers, 4);
    assert.deepEqual(summary.callIds, ["X", "L1", "L2", "L3", "L4"]);
    assert.equal(summary.answeredBy?.userId, "18");
    assert.equal(summary.queueId, "641");
    assert.equal(summary.queueName, "Support");
    assert.equal(summary.waitMs, 65_000);
    assert.equal(summary.talkMs, 90_000);
    assert.equal(summary.transfers, 0);
    // The leg ends are ordinary call.ended events, tied to the parent, not summaries.
    assert.equal(rec.payloads("call.ended").filter((c) => c.parentCallId === "X").length, 4);
    const left = rec.only("queue.caller.left");
    assert.equal(left.answered, true);
    assert.equal(left.waitMs, 65_000);
  });

  it("also follows a queue that hands the caller to the answering leg (parent ends with REPLACE)", () => {
    const { platform: p, rec } = freshModel();
    callerIntoQueue(p);
    unansweredOffer(p, "L1", "16");
    p.start("L2", cp.queue("641", "Support"), cp.user("18"), "X", "RINGING");
    p.tick(3000).state("L2", "ANSWERED");
    p.queueLeave("641", "X").end("X", "REPLACE");
    p.tick(40_000).end("L2", "DESTINATION_HANGUP");
    const all = summaries(rec);
    assert.deepEqual(
      all.map((s) => [s.outcome, s.offers, s.answeredBy?.userId, s.talkMs]),
      [["answered", 2, "18", 40_000]],
    );
    assert.equal(rec.names("call.transferred").length, 0);
  });

  it("makes ONE abandoned summary when the caller hangs up while waiting in the queue", () => {
    const { platform: p, rec } = freshModel();
    callerIntoQueue(p);
    unansweredOffer(p, "L1", "16");
    unansweredOffer(p, "L2", "18");
    p.start("L3", cp.queue("641", "Support"), cp.user("16"), "X", "RINGING");
    p.tick(5000);
    // The platform's order on a caller hangup: legs end, the caller leaves the queue, the call ends.
    p.end("L3", "SOURCE_HANGUP").queueLeave("641", "X").end("X", "SOURCE_HANGUP");
    const all = summaries(rec);
    assert.equal(all.length, 1);
    assert.equal(all[0].outcome, "abandoned");
    assert.equal(all[0].offers, 3);
    assert.equal(all[0].waitMs, 45_000);
    assert.equal(all[0].answeredBy, null);
    const left = rec.only("queue.caller.left");
    assert.equal(left.answered, false);
    assert.equal(left.waitMs, 45_000);
  });

  it("waits for the answer when the caller leaves the queue before the agent's answer is announced", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.external("+3120555"), cp.dialplan("020")).route(
      "X",
      "DESTINATION",
      cp.queue("641", "Support"),
    );
    p.state("X", "RINGING").queueEnter("641", "X").tick(7000);
    // Queue pickup: the leave comes first, then the routing to the agent, then the answer.
    p.queueLeave("641", "X");
    assert.equal(rec.payloads("queue.caller.left").length, 0);
    p.route("X", "DESTINATION", cp.user("16"));
    assert.equal(rec.payloads("queue.caller.left").length, 0);
    p.state("X", "ANSWERED");
    const left = rec.only("queue.caller.left");
    assert.equal(left.answered, true);
    assert.equal(left.waitMs, 7000);
    p.end("X", "SOURCE_HANGUP");
    assert.equal(rec.only("call.summary").outcome, "answered");
  });

  it("counts a queue timeout to voicemail as voicemail, and the queue leave as not answered", () => {
    const { platform: p, rec } = freshModel();
    callerIntoQueue(p);
    unansweredOffer(p, "L1", "16");
    p.send({ type: "notification.call.queueExit", timestamp: 1, callId: "X", queueExit: "TIMEOUT" });
    p.queueLeave("641", "X");
    p.route("X", "DESTINATION", cp.resource("voicemail", "v1", "Support voicemail"));
    const left = rec.only("queue.caller.left");
    assert.equal(left.answered, false);
    assert.equal(left.exitReason, "max_wait");
    assert.equal(left.queueExit, "TIMEOUT", "the platform's own value stays beside it");
    p.tick(20_000).end("X", "SOURCE_HANGUP");
    const [summary] = summaries(rec);
    assert.equal(summary.outcome, "voicemail");
    assert.deepEqual(summary.voicemail, { id: "v1", name: "Support voicemail" });
    assert.equal(summary.waitMs, 20_000);
    assert.equal(summary.offers, 1);
  });

  it("summarises an unattended transfer (REPLACE) as one transferred conversation", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.external("+3120555"), cp.dialplan("020"));
    p.route("X", "DESTINATION", cp.user("17", "Jan Jansen"))
      .state("X", "RINGING")
      .tick(2000)
      .state("X", "ANSWERED");
    p.tick(10_000).start("Y", cp.external("+3120555"), cp.user("18", "Piet Bakker"), undefined, "RINGING");
    p.tick(4000).state("Y", "ANSWERED").end("X", "REPLACE");
    p.tick(30_000).end("Y", "DESTINATION_HANGUP");
    const all = summaries(rec);
    assert.equal(all.length, 1);
    const [summary] = all;
    assert.equal(summary.conversationId, "X");
    assert.deepEqual(summary.callIds, ["X", "Y"]);
    assert.equal(summary.outcome, "transferred");
    assert.equal(summary.answeredBy?.userId, "17");
    assert.equal(summary.finalAnsweredBy?.userId, "18");
    assert.equal(summary.talkMs, 44_000);
    assert.equal(summary.transfers, 1);
    assert.equal(summary.endReason, "destination_hangup");
  });

  it("summarises an attended transfer as transferred; the consultation is its own internal call", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.external("+3120555"), cp.dialplan("020"));
    p.route("X", "DESTINATION", cp.user("17")).state("X", "ANSWERED");
    p.side("X", "DESTINATION", "INACTIVE");
    p.start("Y", cp.user("17"), cp.dialplan("218")).route("Y", "DESTINATION", cp.user("18"));
    p.state("Y", "ANSWERED").tick(10_000).end("Y", "SOURCE_HANGUP");
    p.route("X", "DESTINATION", cp.user("18")).side("X", "DESTINATION", "ANSWERED");
    p.tick(30_000).end("X", "SOURCE_HANGUP");
    assert.deepEqual(
      summaries(rec).map((s) => [
        s.conversationId,
        s.direction,
        s.outcome,
        s.finalAnsweredBy?.userId ?? null,
      ]),
      [
        ["Y", "internal", "answered", null],
        ["X", "inbound", "transferred", "18"],
      ],
    );
  });

  it("keeps an answered call that is forwarded without a transfer as answered", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.external("+3120555"), cp.dialplan("020")).route("X", "DESTINATION", cp.user("17"));
    p.state("X", "RINGING").tick(10_000).route("X", "DESTINATION", cp.user("16")).state("X", "ANSWERED");
    p.end("X", "SOURCE_HANGUP");
    const [summary] = summaries(rec);
    assert.equal(summary.outcome, "answered");
    assert.equal(summary.answeredBy?.userId, "16");
  });
});
