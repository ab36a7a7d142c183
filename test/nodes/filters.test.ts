// Trigger node filters in real flows: each filtered node hears exactly the events about what it
// asked for, while an unfiltered node beside it hears everything. Scenarios on the simulator.
// The filter tests run twice: as the editor saves nodes now (userIds, queueIds, version 1) and as a
// flow saved before the rename (users, queues, no version), which must filter exactly the same.

import { strict as assert } from "node:assert";
import { type Simulator, startSimulator } from "../../src/simulator";
import { runScenario, type ScenarioName, VirtualClock } from "../../src/simulator/scenarios";
import {
  type FlowNode,
  type LoadedFlow,
  loadTriggers,
  startServer,
  stopServer,
  unload,
} from "../support/node-red";
import { delay, waitFor } from "../support/wait";

/** A node as an older release saved it: the filters under their old names, and no version. */
function savedBeforeRename(node: FlowNode): FlowNode {
  const { userIds, queueIds, version: _version, ...rest } = node;
  return {
    ...rest,
    ...(userIds === undefined ? {} : { users: userIds }),
    ...(queueIds === undefined ? {} : { queues: queueIds }),
  };
}

const SAVED_AS = {
  "saved now": (node: FlowNode): FlowNode => ({ version: 1, ...node }),
  "saved before the rename (users, queues)": savedBeforeRename,
};

for (const [savedAs, save] of Object.entries(SAVED_AS))
  describe(`trigger node filters, ${savedAs} (real flows over loopback)`, () => {
    let sim: Simulator;
    let clock: VirtualClock;

    before(startServer);
    after(stopServer);
    beforeEach(async () => {
      clock = new VirtualClock();
      sim = await startSimulator({ clock: clock.now });
    });
    afterEach(async () => {
      await unload();
      await sim.close();
    });

    const deploy = (triggers: FlowNode[]) => loadTriggers(sim, triggers.map(save));

    async function play(...names: ScenarioName[]): Promise<void> {
      for (const name of names) await runScenario(sim.state, name, { timeScale: 0, clock });
    }

    const summaries = (f: LoadedFlow, id: string) =>
      f.received(`${id}-out`).filter((m) => m.topic === "call.summary");

    it("call events: users, queues, direction and number patterns each narrow what a node hears", async () => {
      const f = await deploy([
        { id: "all", type: "compass-call-event", events: ["call.summary"] },
        { id: "dave", type: "compass-call-event", events: ["call.summary"], userIds: "1004" },
        { id: "support", type: "compass-call-event", events: ["call.summary"], queueIds: "2001" },
        { id: "outboundOnly", type: "compass-call-event", events: ["call.summary"], direction: "outbound" },
        { id: "dutchMobiles", type: "compass-call-event", events: ["call.summary"], numbers: "+316*" },
        { id: "nobody", type: "compass-call-event", events: [], userIds: "no-such-user" },
      ]);
      // (node ids must not equal a property value: Node-RED would take it for a config reference)
      // inbound to alice from a +316 mobile; internal alice -> dave; outbound; a queue call to Support
      await play("inbound-answered", "internal-call", "outbound-answered", "queue-answered-after-reoffers");
      await waitFor(() => summaries(f, "all").length === 4, 8000, "four summaries");
      await delay(150);

      const outcomes = (id: string) =>
        summaries(f, id).map((m) => `${m.payload.direction}:${m.payload.outcome}`);
      assert.deepEqual(outcomes("all"), [
        "inbound:answered",
        "internal:answered",
        "outbound:answered",
        "inbound:answered",
      ]);
      assert.deepEqual(outcomes("dave"), ["internal:answered"]);
      assert.deepEqual(
        summaries(f, "support").map((m) => m.payload.queueId),
        ["2001"],
      );
      assert.deepEqual(outcomes("outboundOnly"), ["outbound:answered"]);
      assert.ok(summaries(f, "dutchMobiles").length >= 1);
      for (const m of summaries(f, "dutchMobiles")) assert.match(m.payload.caller.number ?? "", /^\+316/);
      assert.equal(f.received("nobody-out").length, 0, "a filter that matches nothing hears nothing");
    });

    it("queue events: a queue filter hears only its queue; user events: a user filter only that user", async () => {
      const f = await deploy([
        {
          id: "support",
          type: "compass-queue-event",
          events: ["queue.agent.login", "queue.agent.logout"],
          queueIds: "2001",
        },
        {
          id: "sales",
          type: "compass-queue-event",
          events: ["queue.agent.login", "queue.agent.logout"],
          queueIds: "2002",
        },
        { id: "alice", type: "compass-user-event", userIds: "1001" },
        { id: "erin", type: "compass-user-event", userIds: "1005" },
      ]);
      await play("agent-login-logout", "phone-login-logout", "user-status-changes");
      await waitFor(
        () => f.received("alice-out").length >= 7 && f.received("erin-out").length >= 2,
        8000,
        "user events",
      );
      await delay(150);
      assert.deepEqual(
        f.received("support-out").map((m) => m.topic),
        ["queue.agent.login", "queue.agent.logout"],
      );
      assert.equal(f.received("sales-out").length, 0);
      assert.ok(f.received("alice-out").every((m) => (m.payload.userId ?? m.payload.id) === "1001"));
      assert.deepEqual(
        f.received("erin-out").map((m) => m.topic),
        ["user.phone.login", "user.phone.logout"],
      );
    });

    it("queue.stats is rate-limited per queue: the first change at once, then the latest per interval", async () => {
      const f = await deploy([
        {
          id: "stats",
          type: "compass-queue-event",
          events: ["queue.stats"],
          queueIds: "2001",
          statsInterval: 1,
        },
      ]);
      const started = Date.now();
      await play("queue-answered-after-reoffers", "queue-abandoned");
      await waitFor(() => f.received("stats-out").length >= 2, 5000, "a trailing snapshot");
      await delay(1300);
      const got = f.received("stats-out");
      assert.ok(got.length >= 2 && got.length <= 4, `${got.length} snapshots for dozens of changes in ~2 s`);
      const last = got.at(-1);
      assert.equal(last.payload.queueId, "2001");
      assert.equal(last.payload.waiting, 0, "the trailing snapshot is the latest state");
      assert.ok(Date.now() - started < 6000);
    });
  });
