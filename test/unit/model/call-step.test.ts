import assert from "node:assert/strict";
import { cp, freshModel } from "./builders";

describe("LiveModel call.step (notification.call.stepresult)", () => {
  it("announces the step with the call, the result, the side in lower case and the menu it ran on", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.external("+31201234567"), cp.dialplan("0201234567"));
    p.route("X", "DESTINATION", cp.resource("ivr", "7001", "Main menu"));
    const menu = cp.resource("ivr", "7001", "Main menu");
    p.send({
      type: "notification.call.stepresult",
      timestamp: 1,
      callId: "X",
      result: "2",
      side: "DESTINATION",
      callpoint: menu,
    });
    const step = rec.only("call.step");
    assert.equal(step.id, "X");
    assert.equal(step.callId, "X");
    assert.equal(step.result, "2");
    assert.equal(step.side, "destination");
    assert.deepEqual(step.resource, { type: "ivr", id: "7001", name: "Main menu" });
    assert.equal(step.direction, "inbound");
    assert.equal(rec.payloads("call.updated").filter((u) => "step" in u).length, 0);
  });

  it("without a callpoint the resource is read from the side named; nothing at all for an unknown call", () => {
    const { platform: p, rec } = freshModel();
    p.start("X", cp.external("+31201234567"), cp.dialplan("0201234567"));
    p.route("X", "DESTINATION", cp.resource("ivr", "7001", "Main menu"));
    p.send({ type: "notification.call.stepresult", timestamp: 1, callId: "X", side: "DESTINATION" });
    assert.deepEqual(rec.only("call.step").resource, { type: "ivr", id: "7001", name: "Main menu" });
    assert.equal(rec.only("call.step").result, null);
    rec.clear();
    p.send({ type: "notification.call.stepresult", timestamp: 1, callId: "X", side: "SOURCE", result: "1" });
    assert.equal(rec.only("call.step").resource, null, "the caller's side is no resource");
    rec.clear();
    p.send({ type: "notification.call.stepresult", timestamp: 1, callId: "ghost", result: "1" });
    assert.deepEqual(rec.names("call."), []);
  });
});
