import assert from "node:assert/strict";
import { cp, freshModel } from "./builders";

describe("LiveModel call events", () => {
  it("plays a simple inbound call: start, routed to a user, ringing, answered, hangup", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.external("+31201234567", "Caller"), cp.dialplan("0201234567"));
    p.tick(100).route("X", "DESTINATION", cp.user("17", "Jan Jansen"));
    p.tick(100).state("X", "RINGING");
    p.tick(3000).state("X", "ANSWERED");
    p.tick(60_000).end("X", "DESTINATION_HANGUP");

    assert.deepEqual(rec.names("call."), [
      "call.started",
      "call.updated",
      "call.ringing",
      "call.answered",
      "call.ended",
      "call.summary",
    ]);
    const started = rec.only("call.started");
    assert.equal(started.direction, "inbound");
    assert.equal(started.state, "connecting");
    assert.deepEqual(started.source, {
      type: "external",
      id: (started.source as { id: string }).id,
      state: "connecting",
      number: "+31201234567",
      numberE164: "+31201234567",
      name: "Caller",
    });
    assert.equal((started.destination as { type: string }).type, "dialplan");
    const updated = rec.only("call.updated");
    assert.deepEqual(updated.changed, ["destination"]);
    assert.equal((updated.destination as { userId: string }).userId, "17");
    const answered = rec.only("call.answered");
    assert.equal(answered.answeredAt, p.now - 60_000);
    assert.equal(answered.startedAt, p.now - 63_200);
    const ended = rec.only("call.ended");
    assert.equal(ended.endReason, "destination_hangup");
    assert.equal(ended.endedAt, p.now);
    assert.equal(ended.state, "disconnected");
    const event = rec.events.find((e) => e.event === "call.ended")!;
    assert.equal(event.notification, "notification.call.end");
    assert.equal(event.companyId, "15");
    assert.equal(event.timestamp, p.now);
  });

  it("decides outbound from a user calling an outside number, and keeps it", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.user("17", "Jan Jansen"), cp.dialplan("0612345678"));
    p.route("X", "DESTINATION", cp.external("0612345678"));
    p.state("X", "RINGING").tick(2000).state("X", "ANSWERED");
    p.route("X", "DESTINATION", cp.user("18")); // a later re-route never changes the direction
    p.tick(5000).end("X", "SOURCE_HANGUP");
    assert.deepEqual(rec.names("call."), [
      "call.started",
      "call.updated",
      "call.ringing",
      "call.answered",
      "call.updated",
      "call.ended",
      "call.summary",
    ]);
    assert.deepEqual(
      rec.events.filter((e) => e.event.startsWith("call.")).map((e) => e.payload.direction),
      ["outbound", "outbound", "outbound", "outbound", "outbound", "outbound", "outbound"],
    );
  });

  it("calls a colleague's extension an internal call", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.user("17"), cp.dialplan("216"));
    assert.equal(rec.only("call.started").direction, "internal");
    p.route("X", "DESTINATION", cp.user("16"))
      .state("X", "RINGING")
      .state("X", "ANSWERED")
      .end("X", "SOURCE_HANGUP");
    assert.deepEqual(
      rec.events
        .map((e) => [e.event, e.payload.direction])
        .filter(([name]) => String(name).startsWith("call.")),
      [
        ["call.started", "internal"],
        ["call.updated", "internal"],
        ["call.ringing", "internal"],
        ["call.answered", "internal"],
        ["call.ended", "internal"],
        ["call.summary", "internal"],
      ],
    );
  });

  it("reports hold and resume from a callpoint INACTIVE and from call state ON_HOLD", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.external("+3120555"), cp.dialplan("020"));
    p.route("X", "DESTINATION", cp.user("17")).state("X", "RINGING").state("X", "ANSWERED");
    p.side("X", "DESTINATION", "INACTIVE");
    p.side("X", "DESTINATION", "ANSWERED");
    p.state("X", "ON_HOLD");
    p.state("X", "ANSWERED");
    p.end("X", "SOURCE_HANGUP");
    assert.deepEqual(rec.names("call."), [
      "call.started",
      "call.updated",
      "call.ringing",
      "call.answered",
      "call.held",
      "call.resumed",
      "call.held",
      "call.resumed",
      "call.ended",
      "call.summary",
    ]);
    assert.deepEqual(
      rec.payloads("call.held").map((c) => c.held),
      [true, true],
    );
    assert.equal(rec.payloads("call.resumed")[1].held, false);
  });

  it("reports an unattended transfer when the original call ends with REPLACE", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.external("+3120555"), cp.dialplan("020"));
    p.route("X", "DESTINATION", cp.user("17", "Jan Jansen")).state("X", "RINGING").state("X", "ANSWERED");
    p.tick(10_000).start("Y", cp.external("+3120555"), cp.user("18", "Piet Bakker"), undefined, "RINGING");
    p.tick(4000).state("Y", "ANSWERED");
    p.end("X", "REPLACE");
    p.tick(30_000).end("Y", "DESTINATION_HANGUP");
    assert.deepEqual(rec.names("call."), [
      "call.started",
      "call.updated",
      "call.ringing",
      "call.answered",
      "call.started",
      "call.ringing",
      "call.answered",
      "call.transferred",
      "call.ended",
      "call.ended",
      "call.summary",
    ]);
    const transferred = rec.only("call.transferred");
    assert.equal(transferred.id, "Y");
    assert.deepEqual(
      {
        ...(transferred.transfer as object),
        from: (transferred.transfer as { from: { userId: string } }).from.userId,
        to: (transferred.transfer as { to: { userId: string } }).to.userId,
      },
      { kind: "unattended", fromCallId: "X", toCallId: "Y", consultCallId: null, from: "17", to: "18" },
    );
    assert.equal(rec.payloads("call.ended")[0].endReason, "replace");
  });

  it("reports an attended transfer when X's destination moves to the consulted user", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.external("+3120555"), cp.dialplan("020"));
    p.route("X", "DESTINATION", cp.user("17")).state("X", "RINGING").state("X", "ANSWERED");
    p.side("X", "DESTINATION", "INACTIVE");
    p.start("Y", cp.user("17"), cp.dialplan("218"));
    p.route("Y", "DESTINATION", cp.user("18")).state("Y", "RINGING").state("Y", "ANSWERED");
    p.tick(20_000).end("Y", "SOURCE_HANGUP");
    p.route("X", "DESTINATION", cp.user("18", "Piet Bakker"));
    p.side("X", "DESTINATION", "ANSWERED");
    p.tick(30_000).end("X", "SOURCE_HANGUP");
    const xEvents = rec.events.filter((e) => e.payload.id === "X").map((e) => e.event);
    assert.deepEqual(xEvents, [
      "call.started",
      "call.updated",
      "call.ringing",
      "call.answered",
      "call.held",
      "call.transferred",
      "call.resumed",
      "call.ended",
    ]);
    const transfer = rec.only("call.transferred").transfer as Record<
      string,
      { userId?: string } | string | null
    >;
    assert.equal(transfer.kind, "attended");
    assert.equal(transfer.consultCallId, "Y");
    assert.equal((transfer.from as { userId: string }).userId, "17");
    assert.equal((transfer.to as { userId: string }).userId, "18");
  });

  it("ties queue legs to their parent and keeps direction and queue on them", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.external("+3120555"), cp.dialplan("020"));
    p.route("X", "DESTINATION", cp.queue("641", "Support")).queueEnter("641", "X");
    p.start("L1", cp.queue("641", "Support"), cp.user("16"), "X", "RINGING");
    const leg = rec.payloads("call.started")[1];
    assert.equal(leg.parentCallId, "X");
    assert.equal(leg.queueId, "641");
    assert.equal(leg.direction, "inbound");
  });
});
