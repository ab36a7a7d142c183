// The editor's "Test connection" route against the simulator in a real Node-RED: a good connection,
// a wrong password (exactly one login attempt, counted by TCP relays in front of REST and XMPP), a
// certificate for other names, the stored password used when the dialog sends the placeholder, and
// one test per connection at a time. The answer never holds the password.

import { strict as assert } from "node:assert";
import { type Simulator, startSimulator } from "../../src/simulator";
import {
  credentialsOf,
  helper,
  loadFlow,
  nodeModule,
  simulatorConfig,
  startServer,
  stopServer,
  unload,
} from "../support/node-red";
import { closedPort, countingRelay, silentServer } from "../support/servers";
import { createTestCertificates, type TestCertificates } from "../support/tls";
import { delay } from "../support/wait";

const TAB = "tab1";
const ROUTE = "/compass/test-connection";

describe("Test connection (admin route, real Node-RED, simulator over loopback)", function () {
  this.timeout(30_000);
  let sim: Simulator;
  let certs: TestCertificates | undefined;
  const closers: Array<() => Promise<void>> = [];

  before(startServer);
  after(stopServer);
  afterEach(async () => {
    await unload();
    for (const close of closers.splice(0)) await close();
    await sim.close();
    await certs?.cleanup();
    certs = undefined;
  });

  /** A deployed compass-config (alice's stored credentials) and nothing else. */
  async function deployConfig(): Promise<void> {
    await loadFlow(["compass-config"], [{ id: TAB, type: "tab" }, simulatorConfig(sim)], credentialsOf());
  }

  /** The dialog's values as the editor posts them; the password unchanged unless given. */
  function dialog(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      id: "cfg",
      domain: sim.domain,
      restUrl: sim.rest.url,
      xmppService: sim.xmpp!.service,
      jidDomain: "",
      apiVersions: "3,2",
      timeout: 10,
      username: "alice",
      password: "__PWRD__",
      ...overrides,
    };
  }

  it("a good connection, with the stored password: 'REST v3 ok · XMPP ok · <company> · <n> users'", async () => {
    sim = await startSimulator();
    await deployConfig();
    const res = await helper.request().post(ROUTE).send(dialog()).expect(200);
    assert.equal(res.body.ok, true);
    // the simulator's seed: its company and five users
    assert.equal(res.body.text, "REST v3 ok · XMPP ok · Simulated Company BV · 5 users");
    assert.equal(sim.state.company.name, "Simulated Company BV");
    assert.equal(sim.state.users().length, 5);
    assert.equal(res.body.result.rest.version, 3);
    assert.ok(!JSON.stringify(res.body).includes("compass-alice"), "the password is never echoed");
  });

  it("a wrong password typed in the dialog: login rejected with the lock warning, exactly one login attempt", async () => {
    sim = await startSimulator();
    await deployConfig();
    const restRelay = await countingRelay(sim.rest.port);
    const xmppRelay = await countingRelay(sim.xmpp!.endpoint.port);
    closers.push(restRelay.close, xmppRelay.close);
    const res = await helper
      .request()
      .post(ROUTE)
      .send(
        dialog({
          password: "not-alices-password",
          restUrl: `http://127.0.0.1:${restRelay.port}`,
          xmppService: `xmpp://127.0.0.1:${xmppRelay.port}`,
        }),
      )
      .expect(200);
    assert.equal(res.body.ok, false);
    assert.equal(
      res.body.text,
      "REST: login rejected: check username and password · XMPP not tried. " +
        "Careful: 20 failed logins lock this IP address out for 10 minutes.",
    );
    await delay(1500); // longer than the first retry delay would be
    assert.equal(restRelay.accepted(), 1, "one REST request");
    assert.equal(xmppRelay.accepted(), 0, "no second login over XMPP");
    assert.ok(!JSON.stringify(res.body).includes("not-alices-password"));
  });

  it("a wrong password where only XMPP answers: one XMPP login attempt, not retried", async () => {
    sim = await startSimulator();
    await deployConfig();
    const xmppRelay = await countingRelay(sim.xmpp!.endpoint.port);
    closers.push(xmppRelay.close);
    const restPort = await closedPort();
    const res = await helper
      .request()
      .post(ROUTE)
      .send(
        dialog({
          password: "not-alices-password",
          restUrl: `http://127.0.0.1:${restPort}`,
          xmppService: `xmpp://127.0.0.1:${xmppRelay.port}`,
        }),
      )
      .expect(200);
    assert.equal(
      res.body.text,
      `REST: refused 127.0.0.1:${restPort} · XMPP: login rejected: check username and password. ` +
        "Careful: 20 failed logins lock this IP address out for 10 minutes.",
    );
    await delay(2500);
    assert.equal(xmppRelay.accepted(), 1, "exactly one XMPP connection");
  });

  it("a certificate for other names: 'XMPP: certificate does not match … (holds: …)'", async () => {
    certs = await createTestCertificates(["uc.other.com", "*.other.com"]);
    sim = await startSimulator({ xmpp: { tls: { key: certs.key, cert: certs.cert } } });
    await deployConfig();
    // the CA as the dialog's trusted-CA field would send it: trusted, so only the name is wrong
    const res = await helper
      .request()
      .post(ROUTE)
      .send(dialog({ ca: certs.caCert }))
      .expect(200);
    assert.equal(res.body.ok, false);
    assert.equal(
      res.body.text,
      "REST v3 ok · XMPP: certificate does not match uc.compass.test (holds: uc.other.com, *.other.com, 127.0.0.1)",
    );
    assert.equal(sim.xmpp!.endpoint.connections().filter((c) => c.jid).length, 0, "never logged in");
    // a CA field the user left unchanged arrives as the editor's placeholder: the stored CA (none here)
    const unchanged = await helper
      .request()
      .post(ROUTE)
      .send(dialog({ ca: "__PWRD__" }))
      .expect(200);
    assert.equal(
      unchanged.body.text,
      "REST v3 ok · XMPP: certificate of uc.compass.test is not trusted: unknown certificate authority",
    );
  });

  it("settings that cannot work are a result line, not an error: plain http and ws:// to a remote host", async () => {
    sim = await startSimulator();
    await deployConfig();
    const res = await helper
      .request()
      .post(ROUTE)
      .send(dialog({ restUrl: "http://rest.example.com", xmppService: "ws://uc.example.com/ws" }))
      .expect(200);
    assert.equal(res.body.ok, false);
    assert.match(
      res.body.text,
      /^REST: .*https.* · XMPP: .*unencrypted WebSocket is only allowed on loopback/,
    );
  });

  it("never takes another node's stored secrets: the id of an MQTT broker with a password gets nothing", async () => {
    sim = await startSimulator();
    const restRelay = await countingRelay(sim.rest.port);
    closers.push(restRelay.close);
    const mqtt = require.resolve("@node-red/nodes/core/network/10-mqtt.js");
    await helper.load(
      [nodeModule("compass-config"), require(mqtt)],
      [{ id: "broker", type: "mqtt-broker", broker: "127.0.0.1", port: 1, autoConnect: false }],
      { broker: { user: "alice", password: "broker-secret" } },
    );
    const res = await helper
      .request()
      .post(ROUTE)
      .send(dialog({ id: "broker", restUrl: `http://127.0.0.1:${restRelay.port}` }))
      .expect(400);
    assert.equal(res.body.text, "Type the password: this connection has none stored yet.");
    assert.equal(restRelay.accepted(), 0, "nothing was sent anywhere");
  });

  it("an undeployed connection with the placeholder password asks for the password; a second test waits its turn", async () => {
    sim = await startSimulator();
    await deployConfig();
    const none = await helper
      .request()
      .post(ROUTE)
      .send(dialog({ id: "never-deployed" }))
      .expect(400);
    assert.equal(none.body.text, "Type the password: this connection has none stored yet.");

    // a server that accepts and says nothing keeps the first test busy for its 1 s timeout
    const silent = await silentServer();
    closers.push(silent.close);
    const slow = dialog({
      timeout: 1,
      xmppService: `xmpp://127.0.0.1:${silent.port}`,
    });
    const first = helper.request().post(ROUTE).send(slow);
    const firstDone = new Promise((resolve, reject) =>
      first.end((err: unknown, r: unknown) => (err ? reject(err) : resolve(r))),
    );
    await delay(200);
    const second = await helper.request().post(ROUTE).send(slow).expect(409);
    assert.equal(second.body.text, "A test of this connection is already running.");
    const answer = (await firstDone) as { body: { text: string } };
    assert.match(answer.body.text, /^REST v3 ok · XMPP: timed out connecting to 127\.0\.0\.1$/);
  });
});
