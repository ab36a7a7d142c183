// The shared live session seen from Node-RED: one connection for many nodes, status under every
// node, auth failure, resync after a dropped connection, compass-state, and the editor's admin
// endpoints. Real flows, real simulator (REST + embedded XMPP) over loopback.

import { strict as assert } from "node:assert";
import { type Simulator, startSimulator } from "../../src/simulator";
import {
  catchAll,
  credentialsOf,
  type FlowNode,
  helper,
  loadFlow,
  simulatorConfig,
  startServer,
  stopServer,
  unload,
} from "../support/node-red";
import { countingRelay } from "../support/servers";
import { waitFor } from "../support/wait";

const TAB = "tab1";
const NODE_TYPES = [
  "compass-config",
  "compass-call-event",
  "compass-queue-event",
  "compass-user-event",
  "compass-state",
];

const alice = credentialsOf();

function aliceConnections(sim: Simulator): number {
  return sim.xmpp!.endpoint.connections().filter((c) => c.username === "alice").length;
}

describe("live session in Node-RED (real flows, simulator over loopback)", () => {
  let sim: Simulator;

  before(async () => {
    await startServer();
  });
  after(async () => {
    await stopServer();
  });
  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(async () => {
    await unload();
    await sim.close();
  });

  it("ten trigger nodes on one config node share exactly one XMPP connection", async () => {
    const triggers: FlowNode[] = Array.from({ length: 10 }, (_, i) => ({
      id: `t${i}`,
      type: ["compass-call-event", "compass-queue-event", "compass-user-event"][i % 3]!,
      z: TAB,
      config: "cfg",
      wires: [[]],
    }));
    const f = await loadFlow(
      NODE_TYPES,
      [{ id: TAB, type: "tab" }, simulatorConfig(sim), ...triggers],
      alice,
    );
    await waitFor(
      () => triggers.every((t) => f.statuses(t.id).at(-1)?.fill === "green"),
      5000,
      "all nodes subscribed",
    );
    assert.equal(aliceConnections(sim), 1, "one connection on the server side");
    assert.equal(sim.xmpp!.endpoint.connections().length, 1);
  });

  it("shows connecting, then subscribed, under the node; the session closes when the flow goes", async () => {
    const f = await loadFlow(
      NODE_TYPES,
      [
        { id: TAB, type: "tab" },
        simulatorConfig(sim),
        { id: "calls", type: "compass-call-event", z: TAB, config: "cfg", wires: [[]] },
      ],
      alice,
    );
    await waitFor(() => f.statuses("calls").at(-1)?.fill === "green", 5000, "subscribed");
    const texts = f.statuses("calls").map((s) => s.text);
    assert.ok(
      texts.some((t) => /connect/.test(t)),
      `saw ${texts.join(" | ")}`,
    );
    assert.match(texts.at(-1), /subscribed/);
    await unload();
    await waitFor(() => aliceConnections(sim) === 0, 5000, "the session to close after the last node left");
  });

  it("a wrong password shows 'login rejected', reaches a Catch node, and is never retried", async () => {
    const relay = await countingRelay(sim.xmpp!.endpoint.port);
    try {
      const f = await loadFlow(
        NODE_TYPES,
        [
          { id: TAB, type: "tab" },
          simulatorConfig(sim, { xmppService: relay.service }),
          { id: "calls", type: "compass-call-event", z: TAB, config: "cfg", wires: [[]] },
          ...catchAll(TAB, "caught"),
        ],
        { cfg: { username: "alice", password: "not-her-password" } },
      );
      await waitFor(() => f.statuses("calls").at(-1)?.fill === "red", 5000, "a red status");
      assert.match(f.statuses("calls").at(-1).text, /rejected/);
      const [caught] = await f.waitFor("caught");
      assert.match(caught.error.message, /rejected/);
      assert.ok(!JSON.stringify(caught).includes("not-her-password"));
      const statusesBefore = f.statuses("calls").length;
      await new Promise((r) => setTimeout(r, 2500)); // longer than the first reconnect delay
      assert.equal(relay.accepted(), 1, "the server saw one login attempt, no retries");
      assert.equal(f.statuses("calls").length, statusesBefore);
    } finally {
      await unload();
      await relay.close();
    }
  });

  it("after a dropped connection, a call that ended during the gap ends and is summarised", async () => {
    const f = await loadFlow(
      NODE_TYPES,
      [
        { id: TAB, type: "tab" },
        simulatorConfig(sim),
        { id: "calls", type: "compass-call-event", z: TAB, config: "cfg", wires: [["out"]] },
        { id: "out", type: "helper", z: TAB },
      ],
      alice,
    );
    await waitFor(() => f.statuses("calls").at(-1)?.fill === "green", 5000, "subscribed");
    const { state } = sim;
    const caller = state.externalCallpoint("+31612345678", "Caller");
    const call = state.startCall(caller, state.dialplanCallpoint("201"));
    state.routeCall(call.id, "DESTINATION", state.userCallpoint("1001"));
    state.setCallState(call.id, "RINGING");
    state.setCallState(call.id, "ANSWERED");
    await f.waitFor("out", 4);

    // the link dies; while it is down the call ends
    await sim.xmpp!.endpoint.stopListening();
    sim.xmpp!.endpoint.dropAll();
    await waitFor(() => f.statuses("calls").at(-1)?.fill === "yellow", 5000, "reconnecting");
    state.endCall(call.id, "SOURCE_HANGUP");
    await sim.xmpp!.endpoint.startListening();

    const all = await f.waitFor("out", 6, 15000);
    const tail = all.slice(4);
    assert.deepEqual(
      tail.map((m) => m.topic),
      ["call.ended", "call.summary"],
    );
    assert.equal(tail[0].payload.id, call.id);
    assert.equal(tail[0].payload.resynced, true);
    assert.equal(tail[1].payload.outcome, "answered");
    assert.equal(tail[1].payload.resynced, true);
    assert.equal(aliceConnections(sim), 1);
  });

  it("compass-state answers users, queues, calls and one object from the live model", async () => {
    const f = await loadFlow(
      NODE_TYPES,
      [
        { id: TAB, type: "tab" },
        simulatorConfig(sim),
        {
          id: "state",
          type: "compass-state",
          z: TAB,
          config: "cfg",
          query: "msg",
          objectId: "id",
          objectIdType: "msg",
          wires: [["out"]],
        },
        { id: "out", type: "helper", z: TAB },
        ...catchAll(TAB, "caught"),
      ],
      alice,
    );
    await waitFor(() => f.statuses("state").at(-1)?.fill === "green", 5000, "subscribed");
    await waitFor(() => f.node("cfg").connection.modelLoaded, 5000, "the model to load");
    const ask = async (query: string, id?: string) => {
      const before = f.received("out").length;
      f.node("state").receive({ query, id });
      return (await f.waitFor("out", before + 1)).at(-1).payload;
    };
    assert.equal((await ask("company")).id, sim.state.company.id);
    assert.deepEqual(
      (await ask("users")).map((u: { id: string }) => u.id).sort(),
      sim.state
        .users()
        .map((u) => u.id)
        .sort(),
    );
    const queues = await ask("queues");
    assert.ok(queues.find((q: { name: string }) => q.name === "Support"));
    assert.equal((await ask("user", "1002")).name, "Bob Jansen");
    assert.deepEqual(await ask("calls"), []);
    const reloaded = await ask("reload");
    assert.equal(reloaded.users.length, sim.state.users().length);

    const { state } = sim;
    const ended = state.startCall(
      state.externalCallpoint("+31201111111", "Earlier caller"),
      state.dialplanCallpoint("202"),
    );
    state.endCall(ended.id, "SOURCE_HANGUP");
    const history = await ask("history");
    const past = history.find((c: { id: string }) => c.id === ended.id);
    assert.equal(past.state, "disconnected");
    assert.equal(past.direction, "inbound");
    assert.equal(past.source.number, "+31201111111");

    f.node("state").receive({ query: "user", id: "no-such-user" });
    const [caught] = await f.waitFor("caught");
    assert.match(caught.error.message, /no-such-user/);
  });

  it("the editor's admin endpoints list users and queues, and answer 503 for an undeployed connection", async () => {
    await loadFlow(
      NODE_TYPES,
      [
        { id: TAB, type: "tab" },
        simulatorConfig(sim),
        { id: "calls", type: "compass-call-event", z: TAB, config: "cfg", wires: [[]] },
      ],
      alice,
    );
    const users = await helper.request().get("/compass/cfg/users").expect(200);
    assert.ok(
      users.body.some((u: { id: string; name: string }) => u.id === "1001" && u.name === "Alice de Vries"),
    );
    const queues = await helper.request().get("/compass/cfg/queues").expect(200);
    assert.deepEqual(
      queues.body.map((q: { name: string }) => q.name),
      ["Sales", "Support"],
    );
    const missing = await helper.request().get("/compass/not-deployed/users").expect(503);
    assert.match(missing.body.error, /deploy/i);
  });
});
