// What a user sees when a connection cannot be made, in real flows against real servers on loopback:
// the status under a trigger node says why (red where retrying cannot help), a Catch node hears it
// once per change of reason; trigger nodes show their last event and its time once events flow, and
// action nodes their last result. Certificate mismatch needs a trusted CA in the runtime and is
// shown in a child Node-RED (test/editor/test-connection.test.ts).

import { strict as assert } from "node:assert";
import { CompassSession } from "../../src/compass/xmpp";
import { type Simulator, startSimulator } from "../../src/simulator";
import { runScenario, VirtualClock } from "../../src/simulator/scenarios";
import {
  catchAll,
  credentialsOf,
  type FlowNode,
  helper,
  type LoadedFlow,
  loadFlow,
  simulatorConfig,
  startServer,
  stopServer,
  unload,
} from "../support/node-red";
import { closedPort, streamErrorServer } from "../support/servers";
import { createTestCertificates, type TestCertificates } from "../support/tls";
import { delay, waitFor } from "../support/wait";

const TAB = "tab1";
const TYPES = ["compass-config", "compass-call-event", "compass-user-status"];
const alice = credentialsOf();
/** "14:02": the runtime's local time of day */
const CLOCK = /\d\d:\d\d$/;

describe("connection status and reasons under the nodes (real flows, real servers on loopback)", function () {
  this.timeout(30_000);
  let sim: Simulator;
  let certs: TestCertificates | undefined;
  const extraServers: Array<{ close(): Promise<void> }> = [];
  const sessions: CompassSession[] = [];

  before(startServer);
  after(stopServer);
  afterEach(async () => {
    await unload();
    await Promise.all(sessions.splice(0).map((s) => s.stop()));
    for (const s of extraServers.splice(0)) await s.close();
    await sim?.close();
    await certs?.cleanup();
    certs = undefined;
  });

  /** A call-event trigger and a Catch node on one tab, the config node pointed where `xmppService` says. */
  async function triggerFlow(
    xmppService: string,
    credentials = alice,
    events: string[] = [],
  ): Promise<LoadedFlow> {
    const nodes: FlowNode[] = [
      { id: TAB, type: "tab" },
      simulatorConfig(sim, { xmppService }),
      { id: "calls", type: "compass-call-event", z: TAB, config: "cfg", events, wires: [["calls-out"]] },
      { id: "calls-out", type: "helper", z: TAB },
      ...catchAll(TAB, "caught"),
    ];
    return loadFlow(TYPES, nodes, credentials);
  }

  const last = (f: LoadedFlow) => f.statuses("calls").at(-1);
  const caughtTexts = (f: LoadedFlow) => f.received("caught").map((m) => m.error.message as string);

  it("a refused port: yellow 'reconnecting in N s · refused host:port', one Catch message however often it retries", async () => {
    sim = await startSimulator();
    const port = await closedPort();
    const f = await triggerFlow(`xmpp://127.0.0.1:${port}`);
    await waitFor(
      () => f.statuses("calls").filter((s) => /^reconnecting/.test(s.text)).length >= 2,
      8000,
      "two failed attempts",
    );
    assert.equal(last(f).fill, "yellow");
    assert.match(last(f).text, new RegExp(`^reconnecting in \\d+ s · refused 127\\.0\\.0\\.1:${port}$`));
    assert.deepEqual(caughtTexts(f), [`refused 127.0.0.1:${port}`]);
    // Node-RED's log: one warning for the reason, however many attempts (the rest is at debug)
    const spy = helper.log();
    const warnings = spy.args
      .map((a: Array<{ level: number; msg: unknown }>) => a[0])
      .filter((e: { level: number; msg: unknown }) => e.level === spy.WARN && /refused/.test(String(e.msg)));
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    const [caught] = f.received("caught");
    assert.equal(caught.topic, "session.reconnecting");
    assert.equal(caught.payload.reason.kind, "refused");
    assert.equal(caught.payload.retrying, true);
  });

  it("an unresolvable name: 'cannot resolve compass-nowhere.invalid', retried, to Catch", async () => {
    sim = await startSimulator();
    const f = await triggerFlow("xmpp://compass-nowhere.invalid:5222");
    await waitFor(() => /cannot resolve/.test(last(f)?.text ?? ""), 8000, "the DNS failure");
    assert.equal(last(f).fill, "yellow");
    assert.match(last(f).text, /^reconnecting in \d+ s · cannot resolve compass-nowhere\.invalid$/);
    await f.waitFor("caught");
    assert.deepEqual(caughtTexts(f), ["cannot resolve compass-nowhere.invalid"]);
  });

  it("a certificate from an unknown CA: red, says so, never retried", async () => {
    certs = await createTestCertificates(["uc.compass.test"]);
    sim = await startSimulator({ xmpp: { tls: { key: certs.key, cert: certs.cert } } });
    // the simulator's XMPP port itself: loopback, but the server offers STARTTLS, so TLS is used and verified
    const f = await triggerFlow(sim.xmpp!.service);
    await waitFor(() => last(f)?.fill === "red", 8000, "a red status");
    const expected = "certificate of uc.compass.test is not trusted: unknown certificate authority";
    assert.equal(last(f).text, expected);
    await f.waitFor("caught");
    assert.deepEqual(caughtTexts(f), [expected]);
    const shown = f.statuses("calls").length;
    await delay(2500); // longer than the first two reconnect delays
    assert.equal(f.statuses("calls").length, shown, "nothing changed: no retry");
    assert.equal(sim.xmpp!.endpoint.connections().length, 0);
  });

  it("a wrong password: red 'login rejected', to Catch once", async () => {
    sim = await startSimulator();
    const f = await triggerFlow(sim.xmpp!.service, { cfg: { username: "alice", password: "wrong" } });
    await waitFor(() => last(f)?.fill === "red", 8000, "a red status");
    assert.equal(last(f).text, "login rejected: check username and password");
    await f.waitFor("caught");
    assert.deepEqual(caughtTexts(f), ["login rejected: check username and password"]);
  });

  it("the 11th connection of a user: says the platform's limit, and gets in once a connection frees", async () => {
    sim = await startSimulator();
    const ten = Array.from(
      { length: 10 },
      () =>
        new CompassSession({
          service: sim.xmpp!.service,
          jidDomain: sim.xmpp!.jidDomain,
          username: "alice",
          password: "compass-alice",
          allowPlaintextOnLoopback: true,
        }),
    );
    sessions.push(...ten);
    for (const s of ten) s.start();
    await waitFor(() => ten.every((s) => s.status.state === "subscribed"), 10_000, "ten connections");
    const f = await triggerFlow(sim.xmpp!.service);
    const limit = "too many connections for this user (the platform allows 10)";
    await waitFor(() => (last(f)?.text ?? "").endsWith(limit), 8000, "the limit");
    assert.equal(last(f).fill, "yellow");
    assert.match(last(f).text, /^reconnecting in \d+ s · too many connections/);
    await f.waitFor("caught");
    await ten[0]!.stop();
    await waitFor(() => last(f)?.text === "subscribed", 10_000, "subscribed once a slot is free");
    assert.deepEqual(caughtTexts(f), [limit]);
  });

  it("a server that closes the stream: 'closed by the server: system-shutdown'", async () => {
    sim = await startSimulator();
    const server = await streamErrorServer("system-shutdown");
    extraServers.push(server);
    const f = await triggerFlow(`xmpp://127.0.0.1:${server.port}`);
    await waitFor(() => /closed by the server/.test(last(f)?.text ?? ""), 8000, "the stream error");
    assert.match(last(f).text, /^reconnecting in \d+ s · closed by the server: system-shutdown$/);
    await f.waitFor("caught");
    assert.deepEqual(caughtTexts(f), ["closed by the server: system-shutdown"]);
  });

  it("a trigger node shows its last event and time, the trouble while there is trouble, then the event again", async () => {
    const clock = new VirtualClock();
    sim = await startSimulator({ clock: clock.now });
    const f = await triggerFlow(sim.xmpp!.service, alice, ["call.summary"]);
    await waitFor(() => last(f)?.text === "subscribed", 8000, "subscribed");
    await waitFor(
      () => f.node<{ connection?: { modelLoaded: boolean } }>("cfg").connection?.modelLoaded === true,
      8000,
      "the live model",
    );
    await runScenario(sim.state, "inbound-missed", { timeScale: 0, clock });
    await f.waitFor("calls-out");
    await waitFor(() => /^call\.summary/.test(last(f)?.text ?? ""), 2000, "the last event shown");
    assert.match(last(f).text, /^call\.summary missed · \d\d:\d\d$/);
    assert.equal(last(f).fill, "green");
    const eventText = last(f).text;

    sim.xmpp!.endpoint.dropAll();
    await waitFor(() => last(f)?.fill === "yellow", 5000, "the trouble shown");
    await waitFor(() => last(f)?.fill === "green", 10_000, "healed");
    assert.equal(last(f).text, eventText, "after healing the last event shows again, not 'subscribed'");
  });

  it("a burst of events costs a few status updates, not one per event", async () => {
    const clock = new VirtualClock();
    sim = await startSimulator({ clock: clock.now });
    const f = await triggerFlow(sim.xmpp!.service);
    await waitFor(
      () => f.node<{ connection?: { modelLoaded: boolean } }>("cfg").connection?.modelLoaded === true,
      8000,
      "the live model",
    );
    const before = f.statuses("calls").length;
    const started = Date.now();
    for (let i = 0; i < 5; i++) await runScenario(sim.state, "inbound-missed", { timeScale: 0, clock });
    await waitFor(
      () => f.received("calls-out").filter((m) => m.topic === "call.summary").length === 5,
      8000,
      "five calls",
    );
    const took = Date.now() - started;
    await delay(400); // the trailing update
    const events = f.received("calls-out").length;
    const updates = f.statuses("calls").length - before;
    assert.ok(events >= 20, `a burst: ${events} events`);
    // at most one update per 250 ms while the burst lasted, plus the first and the trailing one
    const allowed = Math.ceil(took / 250) + 2;
    assert.ok(updates <= allowed, `${updates} status updates for ${events} events in ${took} ms`);
    assert.ok(updates < events / 4, `${updates} status updates for ${events} events`);
    assert.match(last(f).text, /^call\.summary missed · /, "the latest event wins");
  });

  it("an action node shows its last result and time, a failure in red with the reason, cleared by the next success", async () => {
    sim = await startSimulator({ xmppPort: false });
    const port = await closedPort();
    const nodes: FlowNode[] = [
      { id: TAB, type: "tab" },
      { id: "cfg", type: "compass-config", domain: sim.domain, restUrl: sim.rest.url },
      { id: "bad", type: "compass-config", domain: sim.domain, restUrl: `http://127.0.0.1:${port}` },
      {
        id: "action",
        type: "compass-user-status",
        z: TAB,
        config: "cfg",
        action: "get",
        user: "1001",
        userType: "str",
        wires: [["out"]],
      },
      {
        id: "refused",
        type: "compass-user-status",
        z: TAB,
        config: "bad",
        action: "get",
        user: "1001",
        userType: "str",
        wires: [["out"]],
      },
      { id: "out", type: "helper", z: TAB },
      ...catchAll(TAB, "caught"),
    ];
    const f = await loadFlow(TYPES, nodes, { ...alice, bad: alice.cfg });
    const status = (id: string) => f.statuses(id).at(-1);

    sim.rest.failNext(500, { message: "database unavailable" });
    f.node("action").receive({});
    await f.waitFor("caught");
    await waitFor(() => status("action")?.fill === "red", 5000, "a red status");
    assert.match(status("action").text, CLOCK);

    f.node("action").receive({});
    await f.waitFor("out");
    assert.deepEqual(
      f
        .statuses("action")
        .slice(-2)
        .map((s) => s.fill),
      ["blue", "green"],
      "requesting… clears the stale error, then the result",
    );
    assert.match(status("action").text, / · \d\d:\d\d$/);

    f.node("refused").receive({});
    await f.waitFor("caught", 2);
    await waitFor(() => status("refused")?.fill === "red", 5000, "a red status");
    assert.match(status("refused").text, new RegExp(`^refused 127\\.0\\.0\\.1:${port} · \\d\\d:\\d\\d$`));
  });
});
