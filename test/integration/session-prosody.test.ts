// CompassSession against a real Prosody (TLS with a test CA), with the simulator's platform services
// attached as XEP-0114 components: the set-up the platform needs, notifications, recovery after a
// server restart, auth failures that stop, and a server that offers stream management.
import assert from "node:assert/strict";
import type { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import type { Notification } from "../../src/compass/protocol";
import {
  CompassSession,
  type CompassSessionOptions,
  type SessionReady,
  type SessionStatus,
} from "../../src/compass/xmpp";
import { CompanyState } from "../../src/simulator/state/store";
import { type AttachedComponents, attachComponents } from "../support/components";
import { isProsodyAvailable, type ProsodyServer, startProsody } from "../support/prosody";
import { delay, once, statusOf, TcpProxy, waitFor } from "../unit/xmpp/helpers";

const DOMAIN = "uc.compass.test";
const PHONE = `phone.${DOMAIN}`;
const PUBSUB = `pubsub.${DOMAIN}`;
const SECRET = "component-secret-for-session-tests";
const PASSWORD = "bob-test-password";

/** Server-side ESTABLISHED TCP connections on `port` (from /proc/net/tcp, IPv4 loopback). */
function establishedOn(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .slice(1)
    .filter((line) => {
      const cols = line.trim().split(/\s+/);
      return cols[1]?.endsWith(`:${hexPort}`) && cols[3] === "01";
    }).length;
}

async function withProsody(
  streamManagement: boolean,
): Promise<{ prosody: ProsodyServer; components: AttachedComponents; state: CompanyState }> {
  const prosody = await startProsody({
    userDomain: DOMAIN,
    components: [
      { domain: PHONE, secret: SECRET },
      { domain: PUBSUB, secret: SECRET },
    ],
    users: [{ username: "bob", password: PASSWORD }],
    streamManagement,
  });
  const state = new CompanyState();
  try {
    const components = await attachComponents(state, {
      host: "127.0.0.1",
      port: prosody.componentPort,
      secret: SECRET,
      userDomain: DOMAIN,
      probeIntervalMs: 500,
    });
    return { prosody, components, state };
  } catch (err) {
    await prosody.stop();
    throw err;
  }
}

describe("CompassSession against Prosody with the simulator's components", function () {
  this.timeout(60_000);
  let prosody: ProsodyServer | undefined;
  let components: AttachedComponents | undefined;
  let state: CompanyState;
  let proxy: TcpProxy | undefined;
  const sessions: CompassSession[] = [];

  before(async function () {
    if (!isProsodyAvailable()) {
      console.log("    SKIP: prosody is not installed (/usr/bin/prosody); session integration tests skipped");
      this.skip();
    }
    ({ prosody, components, state } = await withProsody(false));
  });

  after(async () => {
    await components?.close();
    await prosody?.stop();
  });

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.stop()));
    await proxy?.close();
    proxy = undefined;
  });

  function session(server: ProsodyServer, overrides: Partial<CompassSessionOptions> = {}): CompassSession {
    const s = new CompassSession({
      service: `xmpp://127.0.0.1:${server.c2sPort}`,
      jidDomain: DOMAIN,
      username: "bob",
      password: PASSWORD,
      ca: server.certs.caCert,
      resourcePrefix: "it",
      backoff: { initialMs: 200, maxMs: 1000, factor: 2, jitter: 0.2 },
      ...overrides,
    });
    sessions.push(s);
    return s;
  }

  async function started(s: CompassSession, timeoutMs = 10_000): Promise<SessionReady> {
    const ready = once<[SessionReady]>(s, "ready", timeoutMs);
    s.start();
    return (await ready)[0];
  }

  it("sets up over STARTTLS: bound, invisible, present, company known, subscribed; one connection", async () => {
    const server = prosody as ProsodyServer;
    const states: string[] = [];
    const s = session(server);
    s.on("status", (st: SessionStatus) => states.push(st.state));
    const before = establishedOn(server.c2sPort);
    const ready = await started(s);
    assert.deepEqual(states, ["connecting", "connected", "subscribed"]);
    assert.equal(ready.company.id, state.company.id);
    assert.match(ready.jid, /^bob@uc\.compass\.test\/it-[0-9a-f]{12}$/);
    const subs = components?.services.subscriptionList() ?? [];
    assert.deepEqual(
      subs.map((sub) => [sub.jid, sub.state, sub.expiresWithPresence]),
      [[ready.jid, "subscribed", true]],
    );
    assert.equal(establishedOn(server.c2sPort) - before, 1, "exactly one connection to the server");
    const users = await s.request({ type: "GET", filter: { type: "user" } });
    assert.equal(users.kind === "getResult" && users.users.length, state.users().length);
  });

  it("receives notifications through Prosody", async () => {
    const s = session(prosody as ProsodyServer);
    await started(s);
    const user = state.users()[0];
    assert.ok(user);
    const got = once<[Notification]>(s, "notification", 5000);
    state.setUserStatus(user.id, { displayStatus: "through prosody" });
    const [n] = await got;
    assert.equal(n.type, "notification.user.status");
  });

  it("recovers from a Prosody restart: reconnects, resubscribes and is ready again", async () => {
    const server = prosody as ProsodyServer;
    const s = session(server);
    const first = await started(s);
    const reconnecting = statusOf(s, "reconnecting", 10_000);
    const readyAgain = once<[SessionReady]>(s, "ready", 30_000);
    await server.restart();
    await reconnecting;
    const [again] = await readyAgain;
    assert.notEqual(again.jid, first.jid);
    await waitFor(
      () => (components?.services.subscriptionList() ?? []).some((sub) => sub.jid === again.jid),
      5000,
      "resubscribed",
    );
    const user = state.users()[1];
    assert.ok(user);
    const got = once<[Notification]>(s, "notification", 5000);
    state.setUserStatus(user.id, { displayStatus: "after restart" });
    await got;
  });

  it("stops retrying after a wrong password", async () => {
    const server = prosody as ProsodyServer;
    proxy = await TcpProxy.start(server.c2sPort);
    const s = session(server, { service: `xmpp://127.0.0.1:${proxy.port}`, password: "not-bobs-password" });
    const failed = statusOf(s, "auth-failed", 10_000);
    s.start();
    const status = await failed;
    assert.match(status.error ?? "", /not-authorized/);
    assert.ok(!(status.error ?? "").includes("not-bobs-password"));
    await delay(1500);
    assert.equal(proxy.accepted, 1, "one login attempt, no retries");
    assert.equal(s.status.state, "auth-failed");
  });

  describe("with stream management offered (mod_smacks)", () => {
    let smProsody: ProsodyServer | undefined;
    let smComponents: AttachedComponents | undefined;

    before(async () => {
      ({ prosody: smProsody, components: smComponents } = await withProsody(true));
      assert.ok(smProsody.modules.includes("smacks"));
    });

    after(async () => {
      await smComponents?.close();
      await smProsody?.stop();
    });

    it("never enables it, and requests stay fast", async () => {
      const server = smProsody as ProsodyServer;
      const s = session(server);
      // what the link received and sent, seen on the session's xmpp.js entity (an internal, read only)
      const received: string[] = [];
      const sent: string[] = [];
      s.on("status", (st: SessionStatus) => {
        if (st.state !== "connecting") return;
        const entity = (s as unknown as { link: { entity: EventEmitter } }).link.entity;
        entity.on("element", (el: object) => received.push(String(el)));
        entity.on("send", (el: object) => sent.push(String(el)));
      });
      await started(s);
      assert.ok(
        received.some(
          (el) => el.includes("<sm xmlns='urn:xmpp:sm:3'") || el.includes('<sm xmlns="urn:xmpp:sm:3"'),
        ),
        "the server offers stream management",
      );
      assert.ok(!sent.some((el) => el.includes("<enable")), "the session never enables it");
      const times: number[] = [];
      for (let i = 0; i < 40; i++) {
        const t0 = process.hrtime.bigint();
        await s.request({ type: "GET_COMPANY" });
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      times.sort((a, b) => a - b);
      const p50 = times[Math.floor(times.length / 2)] as number;
      // with xmpp.js's stream management this was ~43 ms; without it ~1-2 ms
      assert.ok(p50 < 20, `IQ round trip p50 ${p50.toFixed(1)} ms`);
      assert.equal(s.status.state, "subscribed");
    });
  });
});
