// Every notification type the state can emit becomes well-formed XML in the manual's shape, read back
// with ltx's parser (not the simulator's own), with xsi declared wherever it is used.

import assert from "node:assert/strict";
import { CompanyState } from "../../../src/simulator/state/store";
import type { SimCall, SimNotification, SimQueueMember } from "../../../src/simulator/state/types";
import { buildXml, notificationNode, XSI_TYPE_BY_NOTIFICATION } from "../../../src/simulator/xmpp/payloads";
import type { LtxElement } from "./raw-client";

const { Parser } = require("@xmpp/xml") as {
  Parser: new () => {
    on(event: "element", l: (el: LtxElement) => void): void;
    on(event: "error", l: (err: Error) => void): void;
    write(s: string): void;
  };
};

function parse(xml: string): LtxElement {
  const parser = new Parser();
  let found: LtxElement | undefined;
  let error: Error | undefined;
  parser.on("element", (el) => {
    found = el;
  });
  parser.on("error", (err) => {
    error = err;
  });
  parser.write(`<root>${xml}`);
  if (error || !found) throw error ?? new Error("nothing parsed");
  return found;
}

const NS_XSI = "http://www.w3.org/2001/XMLSchema-instance";

describe("simulator notification payloads", () => {
  const state = new CompanyState();
  const t = 1700000000;
  const call: SimCall = {
    id: "call-1",
    source: {
      kind: "External",
      id: "11",
      state: "ANSWERED",
      number: "+31600000000",
      name: "A & B <x>",
      timeCreated: t,
    },
    destination: {
      kind: "Resource",
      id: "12",
      state: "INACTIVE",
      resourceType: "ivr",
      resourceId: "77",
      name: "Menu",
      timeCreated: t,
    },
    state: "ON_HOLD",
    queueCallForCall: "parent-1",
    startedAt: t,
  };
  const member: SimQueueMember = {
    queueId: "2001",
    userId: "1001",
    priority: 2,
    callForward: false,
    pausedSince: 0,
  };
  const change = { name: "name", oldValue: 'Old "quoted"', newValue: "New & <b>" };
  const user = state.user("1001");
  assert.ok(user);
  const samples: SimNotification[] = [
    { type: "notification.call.start", timestamp: t, call },
    { type: "notification.call.update", timestamp: t, call, updateType: "STATE" },
    { type: "notification.call.end", timestamp: t, callId: "call-1", endReason: "REPLACE" },
    { type: "notification.call.queueExit", timestamp: t, callId: "call-1", queueExit: "TIMEOUT" },
    {
      type: "notification.call.stepresult",
      timestamp: t,
      callId: "call-1",
      result: "3",
      side: "DESTINATION",
      callpoint: call.destination,
    },
    { type: "notification.queue.update", timestamp: t, queueId: "2001", changes: [change, change] },
    { type: "notification.queue.call.enter", timestamp: t, queueId: "2001", callId: "call-1" },
    { type: "notification.queue.call.leave", timestamp: t, queueId: "2001", callId: "call-1" },
    { type: "notification.queueMember.enter", timestamp: t, member },
    { type: "notification.queueMember.leave", timestamp: t, member },
    { type: "notification.queueMember.update", timestamp: t, member, changes: [change] },
    { type: "notification.user.create", timestamp: t, userId: "1001", user },
    { type: "notification.user.update", timestamp: t, userId: "1001", changes: [change] },
    { type: "notification.user.destroy", timestamp: t, userId: "1001" },
    {
      type: "notification.user.status",
      timestamp: t,
      userId: "1001",
      receiveCalls: "ONLY_DIRECT",
      displayStatus: "lunch",
      wrapupState: { callId: "call-1", endTime: t + 30 },
    },
  ];

  it("covers every notification type", () => {
    assert.deepEqual(samples.map((s) => s.type).sort(), Object.keys(XSI_TYPE_BY_NOTIFICATION).sort());
  });

  for (const sample of samples) {
    it(`writes ${sample.type}`, () => {
      const el = parse(buildXml({ notification: notificationNode(state, sample, "uc.compass.test") }));
      assert.equal(el.attrs.xmlns, "http://iperity.com/compass");
      assert.equal(el.attrs["xmlns:xsi"], NS_XSI);
      assert.equal(el.attrs.type, sample.type);
      assert.equal(el.attrs.timestamp, String(t));
      assert.equal(el.attrs["xsi:type"], XSI_TYPE_BY_NOTIFICATION[sample.type]);
      switch (sample.type) {
        case "notification.call.start":
        case "notification.call.update": {
          const c = el.getChild("call") as LtxElement;
          assert.equal(c.getChild("source")?.attrs["xsi:type"], "callpointExternal");
          assert.equal(c.getChild("source")?.getChildText("name"), "A & B <x>");
          assert.equal(c.getChild("destination")?.attrs.type, "Resource");
          assert.equal(c.getChild("destination")?.getChildText("resourceType"), "ivr");
          assert.equal(c.getChild("destination")?.getChildText("state"), "INACTIVE");
          assert.equal(c.getChildText("state"), "ON_HOLD");
          assert.equal(c.getChild("properties")?.getChildText("QueueCallForCall"), "parent-1");
          if (sample.type === "notification.call.update")
            assert.equal(el.getChildText("updateType"), "STATE");
          break;
        }
        case "notification.call.end":
          assert.equal(el.getChildText("endReason"), "REPLACE");
          break;
        case "notification.call.stepresult":
          assert.equal(el.getChildText("callId"), "call-1");
          assert.equal(el.getChildText("result"), "3");
          assert.equal(el.getChildText("side"), "DESTINATION");
          assert.equal(el.getChild("callpoint")?.attrs.type, "Resource");
          assert.equal(el.getChild("callpoint")?.getChildText("resourceType"), "ivr");
          break;
        case "notification.queue.update":
          assert.equal(el.getChildren("propertyChange").length, 2);
          assert.equal(el.getChildren("propertyChange")[0]?.getChildText("oldValue"), 'Old "quoted"');
          break;
        case "notification.queue.call.enter":
          assert.equal(el.getChild("queueCall")?.getChildText("callId"), "call-1");
          break;
        case "notification.queueMember.update":
          assert.equal(el.getChild("member")?.getChildText("pausedSince"), "0");
          assert.equal(el.getChild("propertyChange")?.getChildText("newValue"), "New & <b>");
          break;
        case "notification.user.create":
          assert.equal(
            el.getChild("user")?.getChild("identifiers")?.getChildText("xmppJid"),
            "alice@uc.compass.test",
          );
          break;
        case "notification.user.status":
          assert.equal(el.getChildText("receiveCalls"), "ONLY_DIRECT");
          assert.equal(el.getChild("wrapupState")?.getChildText("endTime"), String(t + 30));
          break;
        default:
          assert.ok(el.getChildElements().length > 0);
      }
    });
  }
});
