// Every simulator scenario, played on the simulator while a flow listens through the trigger nodes:
// the exact msg.topic sequences and the key payload fields a user's flow receives. Real flows,
// real simulator over loopback (REST + XMPP), real model and correlation in between.

import { strict as assert } from "node:assert";
import { QUEUE_EVENTS } from "../../src/compass/events";
import { type Simulator, startSimulator } from "../../src/simulator";
import { runScenario, type ScenarioName, VirtualClock } from "../../src/simulator/scenarios";
import { type LoadedFlow, loadTriggers, startServer, stopServer, unload } from "../support/node-red";
import { waitFor } from "../support/wait";

const QUEUE_EVENTS_BUT_STATS = QUEUE_EVENTS.filter((e) => e !== "queue.stats");

// biome-ignore lint/suspicious/noExplicitAny: message payloads are asserted field by field
type Message = { topic: string; payload: Record<string, any> };

interface Heard {
  calls: Message[];
  queues: Message[];
  users: Message[];
}

describe("trigger nodes during every simulator scenario (real flows over loopback)", () => {
  let sim: Simulator;
  let flow: LoadedFlow;
  let clock: VirtualClock;

  before(startServer);
  after(stopServer);
  beforeEach(async () => {
    clock = new VirtualClock();
    sim = await startSimulator({ clock: clock.now });
    flow = await loadTriggers(sim, [
      { id: "calls", type: "compass-call-event", events: [] },
      { id: "queues", type: "compass-queue-event", events: QUEUE_EVENTS_BUT_STATS },
      { id: "users", type: "compass-user-event", events: [] },
    ]);
  });
  afterEach(async () => {
    await unload();
    await sim.close();
  });

  /** Plays the scenario instantly, then waits until the flow has heard `until` and a quiet moment. */
  async function play(name: ScenarioName, until: (h: Heard) => boolean): Promise<Heard> {
    const run = await runScenario(sim.state, name, { timeScale: 0, clock });
    assert.equal(run.status, "completed");
    const heard = (): Heard => ({
      calls: flow.received("calls-out"),
      queues: flow.received("queues-out"),
      users: flow.received("users-out"),
    });
    await waitFor(() => until(heard()), 8000, `the flow to hear ${name}`);
    await new Promise((r) => setTimeout(r, 150)); // nothing more may follow
    return heard();
  }

  const topics = (msgs: Array<{ topic: string }>) => msgs.map((m) => m.topic);
  const summaries = (h: Heard) => h.calls.filter((m) => m.topic === "call.summary");

  const simpleCalls: Array<[ScenarioName, string[], string, string]> = [
    [
      "inbound-answered",
      ["started", "updated", "ringing", "answered", "ended", "summary"],
      "answered",
      "inbound",
    ],
    ["inbound-missed", ["started", "updated", "ringing", "ended", "summary"], "missed", "inbound"],
    ["inbound-busy", ["started", "updated", "ended", "summary"], "busy", "inbound"],
    [
      "inbound-voicemail",
      ["started", "updated", "ringing", "updated", "answered", "ended", "summary"],
      "voicemail",
      "inbound",
    ],
    [
      "outbound-answered",
      ["started", "updated", "ringing", "answered", "ended", "summary"],
      "answered",
      "outbound",
    ],
    [
      "internal-call",
      ["started", "updated", "ringing", "answered", "ended", "summary"],
      "answered",
      "internal",
    ],
    [
      "hold-resume",
      ["started", "updated", "ringing", "answered", "held", "resumed", "ended", "summary"],
      "answered",
      "inbound",
    ],
  ];
  for (const [name, expected, outcome, direction] of simpleCalls) {
    it(`${name}: ${expected.join(", ")} -> outcome ${outcome}`, async () => {
      const h = await play(name, (x) => summaries(x).length >= 1);
      assert.deepEqual(
        topics(h.calls),
        expected.map((e) => `call.${e}`),
      );
      const [summary] = summaries(h);
      assert.equal(summary!.payload.outcome, outcome);
      assert.equal(summary!.payload.direction, direction);
      assert.equal(h.calls[0]!.payload.direction, direction);
      const ended = h.calls.find((m) => m.topic === "call.ended")!;
      assert.equal(typeof ended.payload.endedAt, "number");
      assert.match(ended.payload.endReason, /^[a-z_]+$/, "end reasons are lower case");
      assert.deepEqual(topics(h.users), [], "no user events for a plain call");
    });
  }

  it("unattended-transfer: the conversation ends once, summarised as transferred", async () => {
    const h = await play("unattended-transfer", (x) => summaries(x).length >= 1);
    const [first, second] = [...new Set(h.calls.map((m) => m.payload.id).filter(Boolean))];
    assert.ok(first && second && first !== second);
    assert.ok(topics(h.calls).includes("call.transferred"));
    const transferred = h.calls.find((m) => m.topic === "call.transferred")!;
    assert.equal(transferred.payload.transfer.kind, "unattended");
    assert.equal(h.calls.filter((m) => m.topic === "call.ended").length, 2);
    const all = summaries(h);
    assert.equal(all.length, 1, "one conversation, one summary");
    assert.equal(all[0]!.payload.outcome, "transferred");
    assert.equal(all[0]!.payload.answeredBy.userId, "1001");
    assert.equal(all[0]!.payload.finalAnsweredBy.userId, "1004");
  });

  it("attended-transfer: the caller's conversation is transferred; the consultation is its own call", async () => {
    const h = await play("attended-transfer", (x) => summaries(x).length >= 2);
    const transferred = h.calls.find((m) => m.topic === "call.transferred")!;
    assert.equal(transferred.payload.transfer.kind, "attended");
    const outcomes = summaries(h)
      .map((s) => `${s.payload.direction}:${s.payload.outcome}`)
      .sort();
    assert.deepEqual(outcomes, ["inbound:transferred", "internal:answered"]);
  });

  it("queue-answered-after-reoffers: eight offers, one summary 'answered', no missed call", async () => {
    const h = await play("queue-answered-after-reoffers", (x) => summaries(x).length >= 1);
    const parent = h.calls[0]!.payload.id as string;
    const legStarts = h.calls.filter((m) => m.topic === "call.started" && m.payload.parentCallId === parent);
    assert.equal(legStarts.length, 8, "every offer to an agent is a leg of the caller's call");
    const all = summaries(h);
    assert.equal(all.length, 1, "re-offers never make their own summaries");
    assert.equal(all[0]!.payload.outcome, "answered");
    assert.equal(all[0]!.payload.offers, 8);
    assert.equal(all[0]!.payload.queueId, "2001");
    assert.notEqual(all[0]!.payload.answeredBy, null);
    assert.deepEqual(topics(h.queues), ["queue.caller.joined", "queue.caller.left"]);
    assert.equal(h.queues[1]!.payload.answered, true);
    assert.equal(h.queues[1]!.payload.queueId, "2001");
  });

  it("queue-abandoned: the caller hangs up while waiting: one summary 'abandoned', not missed", async () => {
    const h = await play("queue-abandoned", (x) => summaries(x).length >= 1);
    const all = summaries(h);
    assert.equal(all.length, 1);
    assert.equal(all[0]!.payload.outcome, "abandoned");
    assert.equal(all[0]!.payload.answeredBy, null);
    assert.ok(all[0]!.payload.offers > 0);
    assert.deepEqual(topics(h.queues), ["queue.caller.joined", "queue.caller.left"]);
    assert.equal(h.queues[1]!.payload.answered, false);
  });

  it("agent-login-logout: login, paused, unpaused, logout for the agent and queue", async () => {
    const h = await play("agent-login-logout", (x) => x.queues.length >= 4);
    assert.deepEqual(topics(h.queues), [
      "queue.agent.login",
      "queue.agent.paused",
      "queue.agent.unpaused",
      "queue.agent.logout",
    ]);
    for (const m of h.queues) {
      assert.equal(m.payload.userId, "1001");
      assert.equal(m.payload.queueId, "2001");
    }
    assert.equal(h.queues[1]!.payload.paused, true);
    assert.equal(h.queues[2]!.payload.paused, false);
  });

  it("user-status-changes: seven user.status messages with receive-calls and wrap-up", async () => {
    const h = await play("user-status-changes", (x) => x.users.length >= 7);
    assert.deepEqual(topics(h.users), Array(7).fill("user.status"));
    assert.deepEqual(
      h.users.map((m) => m.payload.receiveCalls),
      ["ONLY_DIRECT", "NONE", "ALL", "ALL", "ALL", "ALL", "ALL"],
    );
    assert.notEqual(h.users[4]!.payload.wrapupState, null);
    assert.equal(h.users[5]!.payload.wrapupState, null);
  });

  it("phone-login-logout: user.phone.login then user.phone.logout", async () => {
    const h = await play("phone-login-logout", (x) => x.users.length >= 2);
    assert.deepEqual(topics(h.users), ["user.phone.login", "user.phone.logout"]);
    assert.equal(h.users[0]!.payload.id, "1005");
    assert.equal(h.users[0]!.payload.loggedIn, true);
    assert.equal(h.users[1]!.payload.loggedIn, false);
  });
});
