// Fault suite, part 6: security. In a child Node-RED with adminAuth on and debug logging, the
// password never appears (plain, base64, URL-encoded, as SASL PLAIN or HTTP Basic would carry it) in
// the log, GET /flows, GET /credentials, the package's admin routes or the editor's comms messages;
// the admin routes answer only with the editor's permission. A wrong password makes exactly one login
// attempt, counted at the server side; a server offering no TLS is never given a login.

import assert from "node:assert/strict";
import net from "node:net";
import { WebSocket } from "ws";
import { CompassSession } from "../../src/compass/xmpp";
import { adminToken, CONFIG_ID, type EditorStack, startEditorStack } from "../support/editor";
import { delay, waitFor } from "../support/wait";
import { connectTo, DOMAIN, figure, usePlatform } from "./harness";

const ADMIN = { username: "admin", password: "admin-password-for-tests" };

/** Every form in which a password could leak. */
function leakForms(username: string, password: string): string[] {
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  return [
    password,
    encodeURIComponent(password),
    b64(password),
    b64(`${username}:${password}`), // HTTP Basic
    b64(`\u0000${username}\u0000${password}`), // SASL PLAIN
    b64(`${username}@${DOMAIN}\u0000${username}\u0000${password}`),
  ];
}

function assertNoLeak(where: string, text: string, forms: string[]): void {
  for (const form of forms)
    assert.equal(text.includes(form), false, `${where} contains the password (${form})`);
}

describe("faults: secrets and permissions", function () {
  this.timeout(90_000);

  describe("a child Node-RED with adminAuth and debug logging", () => {
    let stack: EditorStack | undefined;
    before(async () => {
      stack = await startEditorStack({ admin: ADMIN, logLevel: "debug" });
    });
    after(async () => stack?.stop());

    it("never shows the password, and its admin routes need the editor's permission", async () => {
      const s = stack as EditorStack;
      const alice = s.simulator.credentials.find((c) => c.username === "alice");
      assert.ok(alice);
      const forms = leakForms(alice.username, alice.password);
      const token = await adminToken(s.url, ADMIN);
      const auth = { authorization: `Bearer ${token}` };

      // the editor's comms: every status, notification and debug message while the flow runs
      const comms: string[] = [];
      const ws = new WebSocket(`${s.url.replace(/^http/, "ws")}comms`);
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      ws.on("message", (data) => comms.push(String(data)));
      ws.send(JSON.stringify({ auth: token }));
      // Node-RED takes subscriptions only once the token is checked
      await waitFor(
        () => comms.some((m) => m.includes('"auth":"ok"')),
        10_000,
        `comms auth (${comms.join(" ")})`,
      );
      for (const topic of ["status/#", "notification/#", "debug", "#"])
        ws.send(JSON.stringify({ subscribe: topic }));
      try {
        // some traffic, so status and events flow
        const state = s.simulator.state;
        const call = state.startCall(
          state.externalCallpoint("+31612340000", "Caller"),
          state.dialplanCallpoint("201"),
        );
        state.routeCall(call.id, "DESTINATION", state.userCallpoint("1001"));
        state.setCallState(call.id, "ANSWERED");
        state.endCall(call.id, "DESTINATION_HANGUP");
        await waitFor(
          () => comms.some((m) => m.includes("status/")),
          20_000,
          "status messages over comms",
        ).catch((err: Error) => {
          throw new Error(
            `${err.message}; comms: ${comms.join(" ").slice(0, 500)}; log: ${s.output().slice(-1500)}`,
          );
        });

        const routes = [
          { path: "flows", expect: 200 },
          { path: `credentials/compass-config/${CONFIG_ID}`, expect: 200 },
          { path: `compass/${CONFIG_ID}/users`, expect: 200 },
          { path: `compass/${CONFIG_ID}/queues`, expect: 200 },
        ];
        for (const route of routes) {
          const without = await fetch(`${s.url}${route.path}`);
          assert.equal(without.status, 401, `${route.path} without a token`);
          await without.text();
          const withToken = await fetch(`${s.url}${route.path}`, { headers: auth });
          const body = await withToken.text();
          assert.equal(withToken.status, route.expect, `${route.path} with a token: ${body.slice(0, 200)}`);
          assertNoLeak(`GET /${route.path}`, body, forms);
          if (route.path.startsWith("credentials")) {
            const creds = JSON.parse(body) as Record<string, unknown>;
            assert.equal(creds.has_password, true);
            assert.equal(creds.password, undefined);
          }
        }
        await delay(500);
      } finally {
        ws.close();
      }
      assert.ok(comms.length > 0);
      assertNoLeak("comms", comms.join("\n"), forms);
      const log = s.output();
      assert.match(log, /\[debug\]/, "the log is at debug level");
      assertNoLeak("Node-RED's debug log", log, forms);
      figure("security: comms messages checked", comms.length);
      figure("security: debug log bytes checked", log.length);
    });
  });

  describe("login attempts and TLS", () => {
    const fixture = usePlatform();

    it("a wrong password makes exactly one login attempt (counted at the server side)", async () => {
      const p = fixture.platform;
      const before = p.relay.connections.length;
      const connection = connectTo(p, { password: "a-wrong-password" });
      try {
        await waitFor(() => connection.status.state === "auth-failed", 15_000, "auth-failed");
        // 8 s instead of 60: it covers three backoff periods (1 + 2 + 4 s), each of which would have
        // been a new attempt if the session retried; the session has no timer left to retry with
        await delay(8000);
        assert.equal(p.relay.connections.length - before, 1, "one TCP connection, one login");
        assert.equal(connection.status.state, "auth-failed");
      } finally {
        await connection.close();
      }
      fixture.watch.assertClean();
      figure("wrong password: login attempts in 8 s", p.relay.connections.length - before);
    });
  });

  it("a server that offers no STARTTLS never gets a login, and no retry falls back to plaintext", async () => {
    const received: string[] = [];
    const server = net.createServer((socket) => {
      socket.on("error", () => undefined);
      socket.on("data", (d) => {
        received.push(String(d));
        if (String(d).includes("<stream:stream")) {
          socket.write(
            `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='x' from='${DOMAIN}' version='1.0'>` +
              "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>",
          );
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const session = new CompassSession({
      service: `xmpp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
      jidDomain: DOMAIN,
      username: "alice",
      password: "never-in-the-clear",
      allowPlaintextOnLoopback: false, // as for any host that is not this machine
      backoff: { initialMs: 50, maxMs: 100 },
    });
    try {
      session.start();
      await waitFor(() => session.status.state === "error", 5000, "refused");
      await delay(500);
      assert.match(session.status.error ?? "", /STARTTLS|TLS/);
      const sent = received.join("");
      assert.equal(sent.includes("<auth"), false, "no SASL auth sent");
      assertNoLeak("what the client sent", sent, leakForms("alice", "never-in-the-clear"));
    } finally {
      await session.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
