// compass-cdr in real flows against the simulator: the CDR of a day agrees with the call.summary
// events a compass call event node heard for the same calls while the scenarios played; a range
// is fetched a day at a time with progress in the status; event logs arrive one message per row;
// every refusal reaches a Catch node with msg.statusCode.

import { strict as assert } from "node:assert";
import type { CallSummary } from "../../src/compass/model/correlator";
import { type Simulator, startSimulator } from "../../src/simulator";
import {
  runScenario,
  type ScenarioName,
  scenarioCatalogue,
  VirtualClock,
} from "../../src/simulator/scenarios";
import {
  catchAll,
  type FlowNode,
  type LoadedFlow,
  loadFlow,
  modelLoaded,
  simulatorConfig,
  startServer,
  stopServer,
  unload,
} from "../support/node-red";
import { waitFor } from "../support/wait";

const TAB = "tab1";
const DAY = "2024-01-01"; // the virtual clock's first day
const DAY_MS = 86_400_000;

type Row = Record<string, string | number | null>;
type Caught = { statusCode?: number; error: { message: string } };

/** Every scenario that plays calls (the people scenarios play none). */
const CALL_SCENARIOS: ScenarioName[] = scenarioCatalogue()
  .filter((s) => s.expected.summaries > 0)
  .map((s) => s.name);

describe("compass-cdr (real flows, simulator over loopback)", () => {
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

  async function flowWith(
    props: Record<string, unknown>,
    options: { username?: string; password?: string; summaries?: boolean } = {},
  ): Promise<LoadedFlow> {
    const username = options.username ?? "alice";
    const nodes: FlowNode[] = [
      { id: TAB, type: "tab" },
      simulatorConfig(sim, { filesUrl: sim.files.url }),
      {
        id: "cdr",
        type: "compass-cdr",
        z: TAB,
        config: "cfg",
        report: "company-cdr",
        from: DAY,
        fromType: "str",
        to: "",
        toType: "str",
        output: "all",
        wires: [["rows"]],
        ...props,
      },
      { id: "rows", type: "helper", z: TAB },
      ...catchAll(TAB, "caught"),
    ];
    const types = ["compass-config", "compass-cdr"];
    if (options.summaries) {
      types.push("compass-call-event");
      nodes.push(
        {
          id: "calls",
          type: "compass-call-event",
          z: TAB,
          config: "cfg",
          events: ["call.summary"],
          wires: [["summaries"]],
        },
        { id: "summaries", type: "helper", z: TAB },
      );
    }
    const flow = await loadFlow(types, nodes, {
      cfg: { username, password: options.password ?? `compass-${username}` },
    });
    if (options.summaries) await modelLoaded(flow);
    return flow;
  }

  async function caught(flow: LoadedFlow, msg: Record<string, unknown> = {}): Promise<Caught> {
    flow.node("cdr").receive(msg);
    const [first] = (await flow.waitFor("caught")) as Caught[];
    return first!;
  }

  it("a day's company and queue CDR agree with the call.summary of every call played meanwhile", async function () {
    this.timeout(90_000);
    // Real time, 100x faster: the live model stamps answers and ends with the time it hears them, so
    // the simulator's clock must be the real one for the two to be compared.
    await sim.close();
    sim = await startSimulator();
    const flow = await flowWith(
      { report: "msg", from: "from", fromType: "msg", to: "to", toType: "msg" },
      { summaries: true },
    );
    const firstSecond = Math.floor(Date.now() / 1000);
    let expected = 0;
    for (const name of CALL_SCENARIOS) {
      const run = await runScenario(sim.state, name, { timeScale: 0.01 });
      assert.equal(run.status, "completed", name);
      expected += run.expected.summaries;
    }
    await waitFor(() => flow.received("summaries").length >= expected, 10_000, `${expected} summaries`);
    const summaries = (flow.received("summaries") as Array<{ payload: CallSummary }>).map((m) => m.payload);
    assert.equal(summaries.length, expected);

    // the simulated company's days are +01:00 days; the calls may straddle its midnight
    const companyDay = (seconds: number) => new Date((seconds + 3600) * 1000).toISOString().slice(0, 10);
    const days = { from: companyDay(firstSecond), to: companyDay(Math.floor(Date.now() / 1000)) };
    flow.node("cdr").receive({ topic: "company-cdr", ...days });
    const [answer] = (await flow.waitFor("rows")) as Array<{ payload: Row[]; topic: string }>;
    assert.equal(answer!.topic, "company-cdr");
    const rows = answer!.payload;
    // the CDR has whole seconds; the summary the moment the event was heard, in the same second or
    // the next one: compared in whole seconds, within one
    const within = (cdr: unknown, summary: number | null, what: string) =>
      assert.ok(
        typeof cdr === "number" &&
          summary !== null &&
          Math.abs(Math.floor(summary / 1000) * 1000 - cdr) <= 1000,
        `${what}: ${cdr} vs ${summary}`,
      );

    const claimed = new Set<string>();
    for (const summary of summaries) {
      const what = `${summary.outcome} call ${summary.conversationId}`;
      const own = rows.filter((r) => summary.callIds.includes(String(r.call_id)));
      for (const r of own) claimed.add(String(r.call_id));
      const first = own.find((r) => r.call_id === summary.conversationId);
      assert.ok(first, `${what} has a CDR row under its call id`);
      if (summary.caller.userId === null) {
        assert.equal(first.from_type, "external", what);
        assert.equal(first.from_number, summary.caller.number, `${what}: caller number`);
      } else {
        assert.equal(first.from_type, "identity", what);
        assert.equal(
          sim.state.identity(String(first.from_id))?.user.id,
          summary.caller.userId,
          `${what}: caller`,
        );
      }
      const answers = own.map((r) => r.answer_time).filter((t): t is number => typeof t === "number");
      assert.equal(answers.length > 0, summary.answeredAt !== null, `${what}: answered or not`);
      if (summary.answeredAt !== null) within(Math.min(...answers), summary.answeredAt, `${what} answered`);
      within(first.start_time, summary.startedAt, `${what} started`);
      within(Math.max(...own.map((r) => r.end_time as number)), summary.endedAt, `${what} ended`);
    }
    assert.deepEqual(
      rows.map((r) => r.call_id).filter((id) => !claimed.has(String(id))),
      [],
      "no CDR row without a summary (queue legs are not company calls)",
    );
    const outcomes = new Set(summaries.map((s) => s.outcome));
    for (const outcome of ["answered", "missed", "busy", "abandoned", "voicemail", "transferred"]) {
      assert.ok(outcomes.has(outcome as CallSummary["outcome"]), `the comparison covers a ${outcome} call`);
    }

    // The queue CDR: one row per caller who waited, with the queue, the agent and the wait the
    // summary names. The wait is whole seconds there, a difference of two moments here.
    flow.node("cdr").receive({ topic: "queue-cdr", ...days });
    const [, queueAnswer] = (await flow.waitFor("rows", 2)) as Array<{ payload: Row[] }>;
    const queued = summaries.filter((s) => s.queueId !== null);
    assert.ok(queued.length >= 2, "the queue scenarios played");
    assert.equal(queueAnswer!.payload.length, queued.length, "a queue row for each caller who waited");
    for (const summary of queued) {
      const what = `${summary.outcome} queue call ${summary.conversationId}`;
      const row = queueAnswer!.payload.find((r) => r.call_id === summary.conversationId);
      assert.ok(row, what);
      assert.equal(row.queue_id, summary.queueId, what);
      assert.equal(row.agent_id, summary.answeredBy?.userId ?? null, `${what}: the agent`);
      const waited = (row.wait_duration as number) * 1000;
      assert.ok(
        Math.abs(waited - (summary.waitMs ?? 0)) <= 1500,
        `${what}: waited ${waited} vs ${summary.waitMs}`,
      );
    }
  });

  it("fetches a range of days one request at a time, showing progress, then the result", async () => {
    await runScenario(sim.state, "inbound-answered", { timeScale: 0, clock });
    clock.advance(DAY_MS);
    await runScenario(sim.state, "queue-abandoned", { timeScale: 0, clock });
    clock.advance(DAY_MS);
    await runScenario(sim.state, "inbound-missed", { timeScale: 0, clock });
    const flow = await flowWith({ report: "msg", from: "from", fromType: "msg", to: "to", toType: "msg" });
    flow.node("cdr").receive({ topic: "queue-cdr", from: "2024-01-01", to: "2024-01-03" });
    const [answer] = (await flow.waitFor("rows")) as Array<{
      payload: Row[];
      report: { days: string[]; count: number };
    }>;
    assert.deepEqual(answer!.report.days, ["2024-01-01", "2024-01-02", "2024-01-03"]);
    assert.equal(answer!.report.count, 1, "one caller waited in a queue");
    assert.equal(answer!.payload[0]!.agent_id, null, "and hung up before an agent answered");
    const texts: string[] = flow.statuses("cdr").map((s: { text?: string }) => s.text ?? "");
    assert.deepEqual(
      texts.filter((t) => /^day /.test(t)),
      ["day 1 of 3", "day 2 of 3", "day 3 of 3"],
    );
    assert.match(texts.at(-1) ?? "", /^1 row · \d\d:\d\d$/);
  });

  it("sends call events and user events for a time range, one message per row with msg.parts", async () => {
    const start = clock.now();
    const call = await runScenario(sim.state, "inbound-answered", { timeScale: 0, clock });
    await runScenario(sim.state, "agent-login-logout", { timeScale: 0, clock });
    const end = clock.now() + 1000;
    const flow = await flowWith({
      report: "msg",
      from: "from",
      fromType: "msg",
      to: "to",
      toType: "msg",
      output: "each",
    });

    flow.node("cdr").receive({ topic: "call-events", from: start, to: end });
    await waitFor(() => flow.received("rows").length > 0, 5000, "call events");
    const first = flow.received("rows")[0] as { parts: { count: number } };
    const events = (await flow.waitFor("rows", first.parts.count)) as Array<{
      topic: string;
      payload: Row;
      parts: { id: string; index: number; count: number };
    }>;
    assert.ok(events.every((m) => m.topic === "call-events" && m.parts.id === events[0]!.parts.id));
    assert.deepEqual(
      events.map((m) => m.parts.index),
      events.map((_, i) => i),
    );
    const steps = events.filter((m) => m.payload.call_id === call.callIds[0]).map((m) => m.payload);
    assert.ok(steps.some((r) => r.state === "answered") && steps.at(-1)?.state === "down");

    const before = flow.received("rows").length;
    flow.node("cdr").receive({ topic: "user-events", from: start, to: end });
    await waitFor(() => flow.received("rows").length > before, 5000, "user events");
    const logins = (flow.received("rows") as Array<{ topic: string; payload: Row }>)
      .slice(before)
      .map((m) => m.payload);
    assert.ok(logins.some((r) => r.event_type === "login" && r.target_type === "queue"));
    assert.ok(logins.some((r) => r.event_type === "logoff" && r.target_type === "queue"));
  });

  it("a wrong password reaches Catch with 401", async () => {
    const flow = await flowWith({}, { password: "not-the-password" });
    const err = await caught(flow);
    assert.equal(err.statusCode, 401);
  });

  it("a user without access to the company's reports (Dave) reaches Catch with 403", async () => {
    const flow = await flowWith({}, { username: "dave" });
    const err = await caught(flow);
    assert.equal(err.statusCode, 403);
    assert.match(err.error.message, /may not read the company's reports/);
  });

  it("a day with no file reaches Catch with 404 naming the day", async () => {
    const flow = await flowWith({ from: "2023-12-31" });
    const err = await caught(flow);
    assert.equal(err.statusCode, 404);
    assert.match(err.error.message, /2023-12-31/);
  });

  it("a range over a month reaches Catch with a clear error (the unit test shows nothing is sent)", async () => {
    const flow = await flowWith({ from: "2024-01-01", to: "2024-03-01" });
    const err = await caught(flow);
    assert.equal(err.statusCode, undefined);
    assert.match(err.error.message, /longer than the platform allows in one download \(31 days\)/);
    assert.equal(flow.received("rows").length, 0);
  });
});
