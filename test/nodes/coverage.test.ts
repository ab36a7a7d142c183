// Issue 12's remaining platform coverage, seen where a user sees it: real flows with the trigger
// nodes, the simulator over loopback playing the scenario that produces each field or event.

import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import path from "node:path";
import { type Simulator, startSimulator } from "../../src/simulator";
import { runScenario, type ScenarioName, VirtualClock } from "../../src/simulator/scenarios";
import {
  type FlowNode,
  helper,
  type LoadedFlow,
  loadTriggers,
  nodeModule,
  startServer,
  stopServer,
  unload,
} from "../support/node-red";
import { waitFor } from "../support/wait";

// biome-ignore lint/suspicious/noExplicitAny: message payloads are asserted field by field
type Message = { topic: string; payload: Record<string, any> };

describe("issue 12 coverage in real flows (simulator over loopback)", () => {
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

  async function play(name: ScenarioName): Promise<void> {
    const run = await runScenario(sim.state, name, { timeScale: 0, clock });
    assert.equal(run.status, "completed");
  }

  /** Waits until the node's output has a message with `topic`, then a quiet moment. */
  async function heard(flow: LoadedFlow, output: string, topic: string): Promise<Message[]> {
    await waitFor(
      () => flow.received(output).some((m: Message) => m.topic === topic),
      8000,
      `${output} to hear ${topic}`,
    );
    await new Promise((r) => setTimeout(r, 150));
    return flow.received(output);
  }

  describe("call.step (an IVR caller's choice)", () => {
    it("a node that asks for call.step only hears the caller's digit, the side and the menu", async () => {
      const flow = await loadTriggers(sim, [
        { id: "steps", type: "compass-call-event", events: ["call.step"] },
        { id: "all", type: "compass-call-event", events: [] },
      ]);
      await play("ivr-menu");
      const steps = await heard(flow, "steps-out", "call.step");
      await heard(flow, "all-out", "call.summary");
      assert.deepEqual(
        steps.map((m) => m.topic),
        ["call.step"],
      );
      const step = steps[0]!.payload;
      assert.equal(step.result, "1");
      assert.equal(step.side, "destination");
      assert.deepEqual(step.resource, { type: "ivr", id: "900", name: "Main menu" });
      assert.equal(step.callId, step.id, "the call itself comes along, as with every call event");
      assert.equal(step.source.type, "external");
      assert.equal(step.direction, "inbound");
      const all = flow.received("all-out") as Message[];
      const topics = all.map((m) => m.topic);
      assert.ok(topics.indexOf("call.step") < topics.indexOf("call.ringing"), topics.join());
      assert.ok(!all.some((m) => m.topic === "call.updated" && "step" in m.payload));
      const summary = all.find((m) => m.topic === "call.summary")!.payload;
      assert.equal(summary.outcome, "answered");
    });

    it("the direction and number filters apply to call.step as to every call event", async () => {
      const flow = await loadTriggers(sim, [
        { id: "dirIn", type: "compass-call-event", events: ["call.step"], direction: "inbound" },
        { id: "dirOut", type: "compass-call-event", events: ["call.step"], direction: "outbound" },
        { id: "mobile", type: "compass-call-event", events: ["call.step"], numbers: "+316*" },
        {
          id: "landline",
          type: "compass-call-event",
          events: ["call.step", "call.summary"],
          numbers: "+3130*",
        },
      ]);
      await play("ivr-menu");
      await heard(flow, "dirIn-out", "call.step");
      await heard(flow, "mobile-out", "call.step");
      assert.deepEqual(flow.received("dirOut-out"), []);
      assert.deepEqual(flow.received("landline-out"), []);
    });
  });

  describe("queue.caller.left exitReason", () => {
    const cases: Array<[ScenarioName, Record<string, unknown>]> = [
      [
        "queue-timeout",
        { exitReason: "max_wait", exitKey: null, queueExit: "max_waittime", answered: false },
      ],
      ["queue-exit-key", { exitReason: "key", exitKey: "1", queueExit: "key_1", answered: false }],
      ["queue-abandoned", { exitReason: "hangup", exitKey: null, queueExit: null, answered: false }],
      [
        "queue-answered-after-reoffers",
        { exitReason: "answered", exitKey: null, queueExit: null, answered: true },
      ],
    ];
    for (const [name, expected] of cases) {
      it(`${name}: the caller left with exitReason ${expected.exitReason}`, async () => {
        const flow = await loadTriggers(sim, [
          { id: "left", type: "compass-queue-event", events: ["queue.caller.left"] },
        ]);
        await play(name);
        const [left, ...more] = await heard(flow, "left-out", "queue.caller.left");
        assert.deepEqual(more, []);
        const { exitReason, exitKey, queueExit, answered } = left!.payload;
        assert.deepEqual({ exitReason, exitKey, queueExit, answered }, expected);
      });
    }
  });

  describe("voicemail: the box a call.summary reached", () => {
    it("names the user's box on inbound-voicemail and the queue's box on a queue time-out; null otherwise", async () => {
      const flow = await loadTriggers(sim, [
        { id: "sums", type: "compass-call-event", events: ["call.summary"] },
      ]);
      const user = sim.state.user("1001")!;
      const queue = sim.state.queue("2001")!;
      for (const name of ["inbound-voicemail", "queue-timeout", "inbound-answered"] as const)
        await play(name);
      await waitFor(() => flow.received("sums-out").length >= 3, 8000, "three summaries");
      const summaries = (flow.received("sums-out") as Message[]).map((m) => m.payload);
      assert.deepEqual(
        summaries.map((s) => [s.outcome, s.voicemail]),
        [
          ["voicemail", { id: `7${user.id}`, name: `Voicemail ${user.name}` }],
          ["voicemail", { id: `8${queue.id}`, name: `Voicemail ${queue.name}` }],
          ["answered", null],
        ],
      );
    });

    it("the voicemail example alerts on a voicemail left, naming the box, and stays quiet otherwise", async () => {
      const file = path.join(__dirname, "../../../examples/compass-call-event - voicemail alert.json");
      const example = JSON.parse(readFileSync(file, "utf8")) as FlowNode[];
      const tab = "example-tab";
      const nodes: FlowNode[] = [{ id: tab, type: "tab" }];
      let configId = "";
      for (const node of example) {
        if (node.type === "compass-config") {
          configId = node.id as string;
          // the example's connection, pointed at this run's simulator
          nodes.push({ ...node, domain: sim.domain, restUrl: sim.rest.url, xmppService: sim.xmpp?.service });
        } else if (node.type === "debug") {
          nodes.push({ id: node.id, type: "helper", z: tab });
        } else nodes.push({ ...node, z: tab });
      }
      const debugId = example.find((n) => n.type === "debug")!.id as string;
      await helper.load(
        [
          nodeModule("compass-config"),
          nodeModule("compass-call-event"),
          require("@node-red/nodes/core/function/10-switch.js"),
          require("@node-red/nodes/core/function/15-change.js"),
          require("@node-red/nodes/core/common/90-comment.js"),
        ],
        nodes,
        { [configId]: { username: "alice", password: "compass-alice" } },
      );
      const alerts: Message[] = [];
      helper.getNode(debugId).on("input", (msg: Message) => alerts.push(msg));
      await waitFor(() => helper.getNode(configId).connection?.modelLoaded === true, 8000, "the live model");
      await play("inbound-answered");
      await play("inbound-voicemail");
      await waitFor(() => alerts.length >= 1, 8000, "the voicemail alert");
      await new Promise((r) => setTimeout(r, 200));
      const user = sim.state.user("1001")!;
      assert.equal(alerts.length, 1, "the answered call makes no alert");
      assert.equal(alerts[0]!.topic, "voicemail");
      assert.match(String(alerts[0]!.payload), new RegExp(`^New voicemail in Voicemail ${user.name} from `));
    });
  });

  describe("queue.stats paused agents in both pause models", () => {
    it("counts an agent whose v3 status is not ALL as paused, as a v2 queue pause is", async () => {
      const flow = await loadTriggers(sim, [
        {
          id: "stats",
          type: "compass-queue-event",
          events: ["queue.stats"],
          queueIds: "2001",
          statsInterval: 0.1,
        },
      ]);
      const agents = async (what: string, expected: { paused: number; available: number }) => {
        await waitFor(
          () => {
            const last = (flow.received("stats-out") as Message[]).at(-1)?.payload.agents;
            return last?.paused === expected.paused && last?.available === expected.available;
          },
          8000,
          what,
        );
      };
      // queue 2001: agents 1002 and 1003, both taking calls
      sim.state.setUserStatus("1002", { receiveCalls: "ONLY_DIRECT" });
      await agents("1002 paused by v3 status", { paused: 1, available: 1 });
      sim.state.setUserStatus("1003", { receiveCalls: "NONE" });
      await agents("both paused by v3 status", { paused: 2, available: 0 });
      sim.state.setUserStatus("1002", { receiveCalls: "ALL" });
      sim.state.setUserStatus("1003", { receiveCalls: "ALL" });
      await agents("both back", { paused: 0, available: 2 });
      sim.state.pauseQueue("1003", "2001");
      await agents("1003 paused by a v2 queue pause", { paused: 1, available: 1 });
    });
  });

  describe("numbers in E.164", () => {
    it("call events carry numberE164 on outside callpoints, summaries callerE164 and dialledE164", async () => {
      const flow = await loadTriggers(sim, [{ id: "calls", type: "compass-call-event", events: [] }]);
      await play("inbound-answered");
      await play("internal-call");
      await waitFor(
        () => (flow.received("calls-out") as Message[]).filter((m) => m.topic === "call.summary").length >= 2,
        8000,
        "two summaries",
      );
      const msgs = flow.received("calls-out") as Message[];
      const started = msgs.find((m) => m.topic === "call.started")!.payload;
      assert.equal(started.source.type, "external");
      assert.match(started.source.numberE164, /^\+316\d{8}$/);
      assert.equal(started.source.numberE164, started.source.number.replace(/[\s-]/g, ""));
      const [inbound, internal] = msgs.filter((m) => m.topic === "call.summary").map((m) => m.payload);
      assert.equal(inbound!.callerE164, started.source.numberE164);
      assert.equal(inbound!.dialled, "+31851234510");
      assert.equal(inbound!.dialledE164, "+31851234510");
      assert.equal(internal!.direction, "internal");
      assert.equal(internal!.callerE164, null, "a user calling has no outside number");
      assert.match(internal!.dialled, /^\d{3,4}$/);
      assert.equal(internal!.dialledE164, null, "an extension is not a phone number");
    });
  });
});
