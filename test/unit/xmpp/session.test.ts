// CompassSession against the simulator's embedded XMPP endpoint over loopback: plain, STARTTLS with a
// CA of our own, and WebSocket. A TCP proxy of ours sits in between where a test needs to see or
// break the link.
import assert from "node:assert/strict";
import type { Notification } from "../../../src/compass/protocol";
import {
  CompassRequestError,
  CompassSession,
  type CompassSessionOptions,
  type SessionReady,
  type SessionStatus,
  SessionUnavailableError,
} from "../../../src/compass/xmpp";
import { defaultPassword } from "../../../src/simulator/state/seed";
import { CompanyState } from "../../../src/simulator/state/store";
import { startXmppEndpoint, type XmppEndpoint } from "../../../src/simulator/xmpp/server";
import { createTestCertificates, type TestCertificates } from "../../support/tls";
import { activeResources, delay, once, settlesTo, statusOf, TcpProxy, waitFor } from "./helpers";

const DOMAIN = "uc.compass.test";
const PUBSUB = `pubsub.${DOMAIN}`;
const FAST_BACKOFF = { initialMs: 20, maxMs: 200, factor: 2, jitter: 0.3 };

describe("CompassSession against the simulator endpoint", function () {
  this.timeout(30_000);
  let state: CompanyState;
  let endpoint: XmppEndpoint;
  let proxy: TcpProxy | undefined;
  const sessions: CompassSession[] = [];

  beforeEach(async () => {
    state = new CompanyState();
    endpoint = await startXmppEndpoint(state, { port: 0, websocketPort: 0, userDomain: DOMAIN });
  });

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.stop()));
    await proxy?.close();
    proxy = undefined;
    await endpoint.close();
  });

  function session(overrides: Partial<CompassSessionOptions> = {}): CompassSession {
    const s = new CompassSession({
      service: `xmpp://127.0.0.1:${endpoint.port}`,
      jidDomain: DOMAIN,
      username: "bob",
      password: defaultPassword("bob"),
      resourcePrefix: "test",
      allowPlaintextOnLoopback: true,
      backoff: FAST_BACKOFF,
      ...overrides,
    });
    sessions.push(s);
    return s;
  }

  async function started(s: CompassSession, timeoutMs = 5000): Promise<SessionReady> {
    const ready = once<[SessionReady]>(s, "ready", timeoutMs);
    s.start();
    const [info] = await ready;
    return info;
  }

  it("sets up in the platform's order: login, unique resource, invisible, presence, company, subscribe", async () => {
    proxy = await TcpProxy.start(endpoint.port);
    const s = session({ service: `xmpp://127.0.0.1:${proxy.port}` });
    const states: string[] = [];
    s.on("status", (st: SessionStatus) => states.push(st.state));
    const ready = await started(s);

    assert.deepEqual(ready.company, { id: state.company.id, name: state.company.name });
    assert.match(ready.jid, /^bob@uc\.compass\.test\/test-[0-9a-f]{12}$/);
    assert.deepEqual(states, ["connecting", "connected", "subscribed"]);
    const sent = proxy.sent;
    const order = [
      /<auth [^>]*mechanism="SCRAM-SHA-1"/,
      /<bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><resource>test-/,
      /<list name="invisible"><item action="deny" order="1"><presence-out\/>/,
      /<active name="invisible"\/>/,
      /<presence xmlns="jabber:client"><priority>-1<\/priority><\/presence>/,
      /to="phone\.uc\.compass\.test"[^>]*><request xmlns="http:\/\/iperity\.com\/compass" type="GET_COMPANY"/,
      /<subscribe node="[^"]+" jid="bob@uc\.compass\.test\/test-[0-9a-f]{12}"\/><options>.*pubsub#expire"><value>presence</,
    ].map((re) => {
      const m = re.exec(sent);
      assert.ok(m, `not sent: ${re}`);
      return m.index;
    });
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      "set-up steps out of order",
    );
    assert.ok(!sent.includes(defaultPassword("bob")), "the password never crosses the wire in the clear");
    const subs = endpoint.services.subscriptionList();
    assert.equal(subs.length, 1);
    assert.equal(subs[0]?.jid, ready.jid);
    assert.equal(subs[0]?.expiresWithPresence, true);
    assert.equal(subs[0]?.state, "subscribed");
    assert.equal(endpoint.connections().length, 1, "one connection for the session");
  });

  it("uses STARTTLS with a CA passed in `ca`, and refuses a certificate it cannot verify", async () => {
    const certs: TestCertificates = await createTestCertificates([DOMAIN]);
    try {
      await endpoint.close();
      endpoint = await startXmppEndpoint(state, {
        port: 0,
        userDomain: DOMAIN,
        tls: { key: certs.key, cert: certs.cert },
      });
      const good = session({ ca: certs.caCert, allowPlaintextOnLoopback: false });
      await started(good);
      assert.equal(endpoint.connections()[0]?.secure, true);
      await good.stop();

      const untrusting = session({ allowPlaintextOnLoopback: false });
      untrusting.start();
      // an untrusted certificate will not change by retrying: the session stops (see failure.test.ts)
      const status = await statusOf(untrusting, "error");
      assert.match(status.error ?? "", /TLS with uc\.compass\.test failed/);
      assert.equal(endpoint.connections().filter((c) => c.jid).length, 0);
    } finally {
      await certs.cleanup();
    }
  });

  it("refuses to log in without TLS when plaintext is not allowed, and says so", async () => {
    proxy = await TcpProxy.start(endpoint.port);
    const s = session({ service: `xmpp://127.0.0.1:${proxy.port}`, allowPlaintextOnLoopback: false });
    s.start();
    const status = await statusOf(s, "error");
    assert.match(status.error ?? "", /offers no STARTTLS; refusing to log in without TLS/);
    assert.ok(!proxy.sent.includes("<auth"), "no credentials were sent");
    await delay(150);
    assert.equal(proxy.accepted, 1, "no retry loop");
  });

  it("rejects unencrypted WebSocket anywhere but loopback", () => {
    const base = { jidDomain: DOMAIN, username: "bob", password: "x" };
    assert.throws(
      () => new CompassSession({ ...base, service: "ws://example.com/ws", allowPlaintextOnLoopback: true }),
      /only allowed on loopback/,
    );
    assert.throws(
      () => new CompassSession({ ...base, service: "ws://127.0.0.1:1/ws" }),
      /only allowed on loopback/,
    );
    assert.throws(
      () => new CompassSession({ ...base, service: "http://example.com" }),
      /xmpp:\/\/, ws:\/\/ or wss:\/\//,
    );
  });

  it("works over WebSocket (ws:// on loopback)", async () => {
    const s = session({ service: endpoint.websocketUrl as string });
    const ready = await started(s);
    assert.equal(endpoint.connections()[0]?.transport, "websocket");
    const result = await s.request({ type: "GET", filter: { type: "user" } });
    assert.equal(result.kind, "getResult");
    assert.equal(endpoint.services.subscriptionList()[0]?.jid, ready.jid);
  });

  it("works over secure WebSocket (wss://) with the CA in `ca`", async () => {
    const certs = await createTestCertificates([DOMAIN]);
    try {
      await endpoint.close();
      endpoint = await startXmppEndpoint(state, {
        port: 0,
        websocketPort: 0,
        userDomain: DOMAIN,
        tls: { key: certs.key, cert: certs.cert },
      });
      assert.match(endpoint.websocketUrl ?? "", /^wss:/);
      const s = session({
        service: endpoint.websocketUrl as string,
        ca: certs.caCert,
        allowPlaintextOnLoopback: false,
      });
      await started(s);
      assert.equal(endpoint.connections()[0]?.secure, true);
    } finally {
      await certs.cleanup();
    }
  });

  it("answers requests, and IQ errors become CompassRequestError with the condition", async () => {
    const s = session();
    await assert.rejects(
      s.request({ type: "GET_COMPANY" }),
      (err: unknown) => err instanceof SessionUnavailableError && err.reason === "not-connected",
    );
    await started(s);
    const users = await s.request({ type: "GET", filter: { type: "user" } });
    assert.equal(users.kind, "getResult");
    assert.equal(users.kind === "getResult" && users.users.length, state.users().length);
    await assert.rejects(
      s.request({ type: "GET", filter: { type: "bogus" as "user" } }),
      (err: unknown) =>
        err instanceof CompassRequestError && err.condition === "bad-request" && err.errorType === "modify",
    );
  });

  it("delivers notifications with their element", async () => {
    const s = session();
    await started(s);
    const user = state.users()[0];
    assert.ok(user);
    const got = once<[Notification, { name: string }]>(s, "notification");
    state.setUserStatus(user.id, { displayStatus: "in a meeting" });
    const [notification, element] = await got;
    assert.equal(notification.type, "notification.user.status");
    assert.equal(element.name, "notification");
  });

  it("reports an unreadable notification as protocol-error and keeps going", async () => {
    proxy = await TcpProxy.start(endpoint.port);
    const s = session({ service: `xmpp://127.0.0.1:${proxy.port}` });
    const { jid } = await started(s);
    const problems: Error[] = [];
    s.on("protocol-error", (err: Error) => problems.push(err));
    const secret = "s3cret-in-a-bad-stanza";
    // a call.start without its <call>: unreadable
    proxy.inject(
      `<message from="${PUBSUB}" to="${jid}" type="headline"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="${state.company.id}"><item id="x"><notification xmlns="http://iperity.com/compass" type="notification.call.start" timestamp="1"><password>${secret}</password></notification></item></items></event></message>`,
    );
    // a forged event from anyone but the pubsub service is ignored
    const forged: Notification[] = [];
    s.on("notification", (n: Notification) => forged.push(n));
    proxy.inject(
      `<message from="mallory@${DOMAIN}/x" to="${jid}"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="${state.company.id}"><item id="y"><notification xmlns="http://iperity.com/compass" type="notification.user.destroy" timestamp="1"><userId>1</userId></notification></item></items></event></message>`,
    );
    await waitFor(() => problems.length > 0, 2000, "protocol-error");
    assert.equal(problems[0]?.name, "ProtocolError");
    assert.match(problems[0]?.message ?? "", /call\.start has no <call>/);
    assert.ok(!problems[0]?.message.includes(secret));
    assert.equal(s.status.state, "subscribed");
    const user = state.users()[0];
    assert.ok(user);
    const next = once<[Notification]>(s, "notification");
    state.setUserStatus(user.id, { displayStatus: "back" });
    const [good] = await next;
    assert.equal(good.type, "notification.user.status");
    assert.deepEqual(
      forged.map((n) => n.type),
      ["notification.user.status"],
      "the forged event was not delivered",
    );
  });

  it("answers pings, refuses other IQs, and survives a broken stream by reconnecting", async () => {
    proxy = await TcpProxy.start(endpoint.port);
    const s = session({ service: `xmpp://127.0.0.1:${proxy.port}` });
    const { jid } = await started(s);
    proxy.inject(`<iq type="get" id="p1" from="${DOMAIN}" to="${jid}"><ping xmlns="urn:xmpp:ping"/></iq>`);
    proxy.inject(
      `<iq type="set" id="q1" from="${DOMAIN}" to="${jid}"><query xmlns="jabber:iq:roster"/></iq>`,
    );
    proxy.inject(
      `<iq type="result" id="nobody-asked" from="${DOMAIN}" to="${jid}"/><presence from="x@y/z"/>`,
    );
    await waitFor(() => proxy?.sent.includes('id="q1"') ?? false, 2000, "answers");
    assert.match(proxy.sent, /<iq type="result" id="p1" to="uc\.compass\.test"\/>/);
    assert.match(
      proxy.sent,
      /<iq type="error" id="q1" to="uc\.compass\.test"><error type="cancel"><service-unavailable/,
    );
    assert.equal(s.status.state, "subscribed");

    // input the XML parser throws on (instead of reporting) must not crash the process
    let reconnecting = statusOf(s, "reconnecting");
    let ready = once<[SessionReady]>(s, "ready");
    proxy.inject("<message><body>&bogus;</body></message>");
    assert.match((await reconnecting).error ?? "", /unreadable XML from the server/);
    await ready;
    // input it reports as a parse error
    reconnecting = statusOf(s, "reconnecting");
    ready = once<[SessionReady]>(s, "ready");
    proxy.inject("</not-open>");
    assert.ok((await reconnecting).error);
    await ready;
    assert.equal(endpoint.connections().length, 1);
  });

  it("reconnects at once with a new resource after a conflict", async () => {
    const s = session();
    const first = await started(s);
    const resource = first.jid.split("/")[1] as string;
    const reconnecting = statusOf(s, "reconnecting");
    const ready = once<[SessionReady]>(s, "ready", 5000);
    // a second login (the standard client) binding the same resource kicks ours (RFC 6120 7.7.2.2)
    const { client } = require("@xmpp/client") as {
      client(o: object): {
        start(): Promise<unknown>;
        stop(): Promise<unknown>;
        on(e: string, l: () => void): void;
      };
    };
    const other = client({
      service: `xmpp://127.0.0.1:${endpoint.port}`,
      domain: DOMAIN,
      username: "bob",
      password: defaultPassword("bob"),
      resource,
    });
    other.on("error", () => undefined);
    try {
      await other.start();
      const status = await reconnecting;
      assert.equal(status.nextAttemptInMs, 0);
      assert.match(status.error ?? "", /conflict/);
      const [again] = await ready;
      assert.notEqual(again.jid, first.jid);
      assert.equal(
        endpoint.services.subscriptionList().some((sub) => sub.jid === again.jid),
        true,
      );
    } finally {
      await other.stop().catch(() => undefined);
    }
  });

  it("reconnects with growing backoff after server drops and resubscribes each time", async () => {
    const s = session({ backoff: { initialMs: 50, maxMs: 1000, factor: 2, jitter: 0 } });
    const first = await started(s);
    const delays: number[] = [];
    s.on("status", (st: SessionStatus) => {
      if (st.state === "reconnecting") delays.push(st.nextAttemptInMs ?? -1);
    });
    // while the server refuses connections, attempts fail and back off
    await endpoint.stopListening();
    endpoint.dropAll();
    await waitFor(() => delays.length >= 3, 5000, "three failed attempts");
    assert.deepEqual(delays.slice(0, 3), [50, 100, 200]);
    const ready = once<[SessionReady]>(s, "ready", 5000);
    await endpoint.startListening();
    const [again] = await ready;
    assert.notEqual(again.jid, first.jid);
    const subs = endpoint.services.subscriptionList();
    assert.deepEqual(
      subs.map((sub) => sub.jid),
      [again.jid],
    );
    // after a successful subscribe the backoff starts again from the beginning
    delays.length = 0;
    endpoint.dropAll();
    await waitFor(() => delays.length >= 1, 2000, "reconnecting");
    assert.equal(delays[0], 50);
    await once(s, "ready", 5000);
  });

  it("detects a dead link by ping, tears it down and reconnects", async () => {
    proxy = await TcpProxy.start(endpoint.port);
    const s = session({ service: `xmpp://127.0.0.1:${proxy.port}`, pingIntervalMs: 100, pingTimeoutMs: 150 });
    const first = await started(s);
    const reconnecting = statusOf(s, "reconnecting", 3000);
    const ready = once<[SessionReady]>(s, "ready", 5000);
    proxy.blackhole();
    const status = await reconnecting;
    assert.match(status.error ?? "", /no answer to ping within 150 ms/);
    const [again] = await ready;
    assert.notEqual(again.jid, first.jid);
    assert.equal(proxy.accepted, 2);
    await waitFor(() => proxy?.open === 1, 2000, "the dead connection closed");
  });

  it("stops for good on a wrong password: auth-failed and no second attempt until start()", async () => {
    proxy = await TcpProxy.start(endpoint.port);
    const logged: string[] = [];
    const s2 = session({
      service: `xmpp://127.0.0.1:${proxy.port}`,
      password: "wrong-password-123",
      log: { debug: (m) => logged.push(m), warn: (m) => logged.push(m) },
    });
    const failed = statusOf(s2, "auth-failed");
    s2.start();
    const status = await failed;
    assert.match(status.error ?? "", /not-authorized/);
    await delay(300);
    assert.equal(proxy.accepted, 1, "exactly one login attempt");
    assert.equal(s2.status.state, "auth-failed");
    await waitFor(() => endpoint.connections().length === 0, 2000, "connection closed");
    assert.ok(
      logged.length > 0 && logged.every((m) => !m.includes("wrong-password-123")),
      "password never logged",
    );
    // start() is the explicit way to try again
    const again = statusOf(s2, "auth-failed");
    s2.start();
    await again;
    assert.equal(proxy.accepted, 2);
  });

  it("stop() sends unavailable presence, closes the socket and leaves nothing running", async () => {
    await delay(1); // mocha's own test timer is running from here on
    const baseline = activeResources();
    const s = session();
    await started(s);
    assert.equal(endpoint.services.subscriptionList().length, 1);
    const states: string[] = [];
    s.on("status", (st: SessionStatus) => states.push(st.state));
    await s.stop();
    assert.deepEqual(states, ["stopped"]);
    assert.equal(endpoint.services.subscriptionList().length, 0, "subscription ended with the presence");
    await waitFor(() => endpoint.connections().length === 0, 2000, "server saw the close");
    await settlesTo(baseline);
    await s.stop(); // idempotent
  });

  it("stop() on a link that no longer answers still ends within its bound and leaves nothing", async () => {
    proxy = await TcpProxy.start(endpoint.port);
    await delay(1);
    const baseline = activeResources();
    const s = session({ service: `xmpp://127.0.0.1:${proxy.port}` });
    await started(s);
    proxy.blackhole();
    const t0 = Date.now();
    await s.stop();
    assert.ok(Date.now() - t0 < 3000, `stop() took ${Date.now() - t0} ms`);
    await proxy.close();
    proxy = undefined;
    await settlesTo(baseline, 300);
  });

  it("stop() during a connection attempt and start() twice are safe", async () => {
    const s = session();
    s.start();
    s.start();
    await s.stop();
    assert.equal(s.status.state, "stopped");
    await delay(100);
    assert.equal(s.status.state, "stopped");
    assert.equal(endpoint.connections().length, 0);
  });

  it("start() right after stop(), without waiting for it, ends connected", async () => {
    const s = session();
    const first = await started(s);
    const stopping = s.stop();
    const ready = once<[SessionReady]>(s, "ready");
    s.start();
    await stopping;
    const [again] = await ready;
    assert.notEqual(again.jid, first.jid);
    assert.equal(s.status.state, "subscribed");
    await waitFor(() => endpoint.connections().length === 1, 2000, "the old connection closed");
  });

  it("leaks no listeners, timers or sockets over 100 reconnect cycles", async function () {
    this.timeout(60_000);
    // SCRAM at the default 1024 iterations costs the JS client ~180 ms per login; the cycles test the session
    await endpoint.close();
    endpoint = await startXmppEndpoint(state, { port: 0, userDomain: DOMAIN, scramIterations: 16 });
    const s = session({ backoff: { initialMs: 1, maxMs: 5, factor: 2, jitter: 0 } });
    await started(s);
    await delay(20);
    const baseline = activeResources();
    const listeners = s.eventNames().map((e) => s.listenerCount(e));
    for (let i = 0; i < 100; i++) {
      const ready = once(s, "ready", 5000);
      endpoint.dropAll();
      await ready;
    }
    await delay(50);
    assert.equal(endpoint.connections().length, 1);
    assert.equal(endpoint.services.subscriptionList().length, 1);
    assert.deepEqual(
      s.eventNames().map((e) => s.listenerCount(e)),
      listeners,
    );
    await settlesTo(baseline);
    await s.stop();
  });
});
