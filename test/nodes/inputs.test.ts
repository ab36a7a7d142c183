// Which input wins, message or node, as each action node's input table declares it: read in real
// flows against the simulator, so a field the table gets wrong changes what the platform does.

import { strict as assert } from "node:assert";
import { type Simulator, startSimulator } from "../../src/simulator";
import { actionFlow, startServer, stopServer, unload } from "../support/node-red";

describe("action node inputs: message or node (real flows, simulator)", () => {
  let sim: Simulator;

  before(startServer);
  after(stopServer);
  beforeEach(async () => {
    sim = await startSimulator({ xmppPort: false });
  });
  afterEach(async () => {
    await unload();
    await sim.close();
  });

  const agent = { action: "login", user: "1005", userType: "str", queue: "2001", queueType: "str" };

  it("msg.priority and msg.callForward win over the node's values when the message has them", async () => {
    const f = await actionFlow(sim, "compass-queue-agent", { ...agent, priority: 2, callForward: false });
    f.node("action").receive({ priority: 7, callForward: true });
    await f.waitFor("out");
    const [member] = sim.state.membershipsOf("1005");
    assert.deepEqual([member.queueId, member.priority, member.callForward], ["2001", 7, true]);
  });

  it("without them the node's priority and call forward apply", async () => {
    const f = await actionFlow(sim, "compass-queue-agent", { ...agent, priority: 4, callForward: true });
    f.node("action").receive({ priority: null });
    await f.waitFor("out");
    const [member] = sim.state.membershipsOf("1005");
    assert.deepEqual([member.priority, member.callForward], [4, true]);
  });

  it("the node's action wins over msg.action unless the node is set to take it from the message", async () => {
    const fixed = await actionFlow(sim, "compass-queue-agent", agent);
    fixed.node("action").receive({ action: "logout" });
    await fixed.waitFor("out");
    assert.deepEqual(
      sim.state.membershipsOf("1005").map((m) => m.queueId),
      ["2001"],
      "logged in, as the node says",
    );
    await unload();
    const fromMsg = await actionFlow(sim, "compass-queue-agent", { ...agent, action: "msg" });
    fromMsg.node("action").receive({ action: "logout" });
    await fromMsg.waitFor("out");
    assert.deepEqual(sim.state.membershipsOf("1005"), [], "logged out, as the message says");
  });

  it("user status: the node's status wins; 'set by msg.payload' takes the message's", async () => {
    const fixed = await actionFlow(sim, "compass-user-status", {
      action: "set",
      user: "1003",
      userType: "str",
      receiveCalls: "NONE",
    });
    fixed.node("action").receive({ payload: "ALL" });
    await fixed.waitFor("out");
    assert.equal(sim.state.user("1003")?.receiveCalls, "NONE");
    await unload();
    const fromMsg = await actionFlow(sim, "compass-user-status", {
      action: "set",
      user: "1003",
      userType: "str",
      receiveCalls: "msg",
    });
    fromMsg.node("action").receive({ payload: "receiveOnlyDirect" });
    await fromMsg.waitFor("out");
    assert.equal(sim.state.user("1003")?.receiveCalls, "ONLY_DIRECT");
  });
});
