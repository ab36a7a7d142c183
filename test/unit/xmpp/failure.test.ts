// Every way a connection can fail, against real servers on loopback, and the typed reason the session
// reports for it: the kinds, what each names (host, address, the certificate's names, the server's
// condition), which ones stop retrying, and the log warning once per change of reason.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { classifyFailure, failureKey } from "../../../src/compass/failure";
import { CompassNetworkError, errorForStatus } from "../../../src/compass/rest/errors";
import { CompassSession, type CompassSessionOptions, type SessionStatus } from "../../../src/compass/xmpp";
import { defaultPassword } from "../../../src/simulator/state/seed";
import { CompanyState } from "../../../src/simulator/state/store";
import { startXmppEndpoint, type XmppEndpoint } from "../../../src/simulator/xmpp/server";
import { closedPort, silentServer, streamErrorServer } from "../../support/servers";
import { createTestCertificates, type TestCertificates } from "../../support/tls";
import { delay, statusOf, waitFor } from "./helpers";

const run = promisify(execFile);
const DOMAIN = "uc.compass.test";
const FAST_BACKOFF = { initialMs: 20, maxMs: 100, factor: 2, jitter: 0 };

describe("connection failures: typed reasons from real servers", function () {
  this.timeout(30_000);
  const sessions: CompassSession[] = [];
  const servers: Array<{ close(): Promise<void> }> = [];
  const endpoints: XmppEndpoint[] = [];
  let certs: TestCertificates | undefined;

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.stop()));
    await Promise.all(endpoints.splice(0).map((e) => e.close()));
    for (const s of servers.splice(0)) await s.close();
    await certs?.cleanup();
    certs = undefined;
  });

  function session(overrides: Partial<CompassSessionOptions>): CompassSession {
    const s = new CompassSession({
      service: "xmpp://127.0.0.1:1",
      jidDomain: DOMAIN,
      username: "bob",
      password: defaultPassword("bob"),
      allowPlaintextOnLoopback: true,
      backoff: FAST_BACKOFF,
      connectTimeoutMs: 3000,
      ...overrides,
    });
    sessions.push(s);
    return s;
  }

  async function tlsEndpoint(names: string[], selfSigned = false): Promise<XmppEndpoint> {
    certs = await createTestCertificates(names);
    let { key, cert } = certs;
    if (selfSigned) {
      // a server certificate that signs itself, for the right name
      await run(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:prime256v1",
          "-nodes",
          "-keyout",
          "self.key",
          "-out",
          "self.crt",
          "-days",
          "2",
          "-subj",
          `/CN=${names[0]}`,
          "-addext",
          `subjectAltName=DNS:${names[0]}`,
        ],
        { cwd: certs.dir, timeout: 20_000 },
      );
      key = await readFile(path.join(certs.dir, "self.key"), "utf8");
      cert = await readFile(path.join(certs.dir, "self.crt"), "utf8");
    }
    const endpoint = await startXmppEndpoint(new CompanyState(), {
      port: 0,
      userDomain: DOMAIN,
      tls: { key, cert },
    });
    endpoints.push(endpoint);
    return endpoint;
  }

  it("a refused port: kind refused with the address, retried, the same reason (key) on every retry", async () => {
    const port = await closedPort();
    const s = session({ service: `xmpp://127.0.0.1:${port}` });
    const seen: SessionStatus[] = [];
    s.on("status", (st: SessionStatus) => seen.push(st));
    s.start();
    await waitFor(() => seen.filter((st) => st.state === "reconnecting").length >= 4, 5000, "four retries");
    const last = seen.filter((st) => st.state === "reconnecting").at(-1)!;
    assert.equal(last.reason?.kind, "refused");
    assert.equal(last.reason?.address, `127.0.0.1:${port}`);
    assert.equal(last.reason?.retryable, true);
    assert.ok(
      seen.some((st) => st.state === "connecting" && st.reason?.kind === "refused"),
      "a retry's connecting status keeps the reason",
    );
    // what compass-config compares to warn and tell Catch nodes once per change, not per retry
    const keys = new Set(seen.filter((st) => st.reason).map((st) => failureKey(st.reason!)));
    assert.equal(keys.size, 1, [...keys].join(" | "));
  });

  it("an unresolvable name (.invalid): kind dns naming the host", async () => {
    const s = session({ service: "xmpp://compass-nowhere.invalid:5222" });
    s.start();
    const status = await statusOf(s, "reconnecting");
    assert.equal(status.reason?.kind, "dns");
    assert.equal(status.reason?.host, "compass-nowhere.invalid");
  });

  it("a server that never answers: kind timeout", async () => {
    const silent = await silentServer();
    servers.push(silent);
    const s = session({ service: `xmpp://127.0.0.1:${silent.port}`, connectTimeoutMs: 300 });
    s.start();
    const status = await statusOf(s, "reconnecting");
    assert.equal(status.reason?.kind, "timeout");
    assert.equal(status.reason?.retryable, true);
  });

  it("a trusted certificate for other names: certificate-mismatch with what it holds; red, never retried", async () => {
    const endpoint = await tlsEndpoint(["uc.other.com", "*.other.com"]);
    const s = session({
      service: `xmpp://127.0.0.1:${endpoint.port}`,
      ca: certs!.caCert,
      allowPlaintextOnLoopback: false,
    });
    s.start();
    const status = await statusOf(s, "error");
    assert.equal(status.reason?.kind, "certificate-mismatch");
    assert.equal(status.reason?.host, DOMAIN);
    assert.deepEqual(status.reason?.certificateNames, ["uc.other.com", "*.other.com", "127.0.0.1"]);
    assert.equal(status.reason?.retryable, false);
    await delay(300); // several backoff periods
    assert.equal(s.status.state, "error", "no retry");
    assert.equal(endpoint.connections().length, 0, "never logged in");
  });

  it("a certificate from an unknown CA, and a self-signed one: certificate-untrusted, not retried", async () => {
    const unknownCa = await tlsEndpoint([DOMAIN]);
    const s = session({ service: `xmpp://127.0.0.1:${unknownCa.port}`, allowPlaintextOnLoopback: false });
    s.start();
    const status = await statusOf(s, "error");
    assert.equal(status.reason?.kind, "certificate-untrusted");
    assert.equal(status.reason?.untrustedBecause, "unknown-ca");
    assert.equal(status.reason?.host, DOMAIN);
    await s.stop();
    await unknownCa.close();
    await certs?.cleanup();

    const selfSigned = await tlsEndpoint([DOMAIN], true);
    const s2 = session({ service: `xmpp://127.0.0.1:${selfSigned.port}`, allowPlaintextOnLoopback: false });
    s2.start();
    const status2 = await statusOf(s2, "error");
    assert.equal(status2.reason?.kind, "certificate-untrusted");
    assert.equal(status2.reason?.untrustedBecause, "self-signed");
  });

  it("over secure WebSocket too: a mismatch names the URL's host, an unknown CA says so", async () => {
    certs = await createTestCertificates(["uc.other.com"]);
    const endpoint = await startXmppEndpoint(new CompanyState(), {
      port: 0,
      websocketPort: 0,
      userDomain: DOMAIN,
      tls: { key: certs.key, cert: certs.cert },
    });
    endpoints.push(endpoint);
    // by name, so the certificate's IP entry does not match: wss:// checks the URL's host
    const service = (endpoint.websocketUrl as string).replace("127.0.0.1", "localhost");
    const trusting = session({ service, ca: certs.caCert, allowPlaintextOnLoopback: false });
    trusting.start();
    const mismatch = await statusOf(trusting, "error");
    assert.equal(mismatch.reason?.kind, "certificate-mismatch");
    assert.equal(mismatch.reason?.host, "localhost");
    assert.deepEqual(mismatch.reason?.certificateNames, ["uc.other.com", "127.0.0.1"]);
    const untrusting = session({ service, allowPlaintextOnLoopback: false });
    untrusting.start();
    const untrusted = await statusOf(untrusting, "error");
    assert.equal(untrusted.reason?.kind, "certificate-untrusted");
    assert.equal(untrusted.reason?.host, "localhost");
  });

  it("a wrong password: login-rejected, auth-failed, not retried", async () => {
    const endpoint = await startXmppEndpoint(new CompanyState(), { port: 0, userDomain: DOMAIN });
    endpoints.push(endpoint);
    const s = session({ service: `xmpp://127.0.0.1:${endpoint.port}`, password: "not-bobs" });
    s.start();
    const status = await statusOf(s, "auth-failed");
    assert.equal(status.reason?.kind, "login-rejected");
    assert.equal(status.reason?.condition, "not-authorized");
    assert.equal(status.reason?.retryable, false);
  });

  it("the 11th connection of a user: connection-limit, retried with backoff", async () => {
    const endpoint = await startXmppEndpoint(new CompanyState(), { port: 0, userDomain: DOMAIN });
    endpoints.push(endpoint);
    const service = `xmpp://127.0.0.1:${endpoint.port}`;
    const ten = Array.from({ length: 10 }, () => session({ service }));
    for (const s of ten) s.start();
    await waitFor(() => ten.every((s) => s.status.state === "subscribed"), 10_000, "ten connections");
    const eleventh = session({ service });
    eleventh.start();
    const status = await statusOf(eleventh, "reconnecting");
    assert.equal(status.reason?.kind, "connection-limit");
    assert.equal(status.reason?.retryable, true);
    // one of the ten leaves: the 11th gets in on its next attempt
    await ten[0]!.stop();
    await statusOf(eleventh, "subscribed", 5000);
  });

  it("a stream error from the server: stream-closed with its condition", async () => {
    const server = await streamErrorServer("system-shutdown");
    servers.push(server);
    const s = session({ service: `xmpp://127.0.0.1:${server.port}` });
    s.start();
    const status = await statusOf(s, "reconnecting");
    assert.equal(status.reason?.kind, "stream-closed");
    assert.equal(status.reason?.condition, "system-shutdown");
  });

  it("with reconnect off, one attempt only: a refused port ends in error, not reconnecting", async () => {
    const port = await closedPort();
    const s = session({ service: `xmpp://127.0.0.1:${port}`, reconnect: false });
    s.start();
    const status = await statusOf(s, "error");
    assert.equal(status.reason?.kind, "refused");
    await delay(200);
    assert.equal(s.status.state, "error");
  });

  it("REST failures classify the same way (401, refused, TLS codes the client keeps)", () => {
    const unauthorized = errorForStatus({
      statusCode: 401,
      method: "GET",
      url: "http://127.0.0.1:1/user",
      body: null,
      username: "bob",
      versions: [3],
      secrets: [],
    });
    assert.equal(classifyFailure(unauthorized).kind, "login-rejected");
    const refused = new CompassNetworkError("GET /user failed: network error ECONNREFUSED", "ECONNREFUSED");
    assert.deepEqual(
      [classifyFailure(refused, { host: "rest.example.com" }).kind, classifyFailure(refused).retryable],
      ["refused", true],
    );
    const untrusted = new CompassNetworkError("x", "DEPTH_ZERO_SELF_SIGNED_CERT");
    assert.equal(classifyFailure(untrusted).untrustedBecause, "self-signed");
    assert.equal(classifyFailure(new Error("something else")).kind, "other");
  });
});
