// The whole client path against a real Prosody (TLS verified with a test CA) and the simulator's
// platform services attached as XEP-0114 components: the live model is loaded and kept current by
// notifications; a Prosody restart mid-session recovers and ends the calls that ended in the gap.

import assert from "node:assert/strict";
import { CompassConnection } from "../../src/compass/connection";
import type { DomainEvent } from "../../src/compass/model";
import { CompanyState } from "../../src/simulator/state/store";
import { type AttachedComponents, attachComponents } from "../support/components";
import { isProsodyAvailable, type ProsodyServer, startProsody } from "../support/prosody";
import { waitFor } from "../support/wait";

const DOMAIN = "uc.compass.test";
const SECRET = "component-secret-for-connection-tests";

describe("CompassConnection against Prosody with the simulator's components", function () {
  this.timeout(60_000);
  let prosody: ProsodyServer | undefined;
  let components: AttachedComponents | undefined;
  let state: CompanyState;
  let connection: CompassConnection | undefined;

  before(async function () {
    if (!isProsodyAvailable()) {
      console.log(
        "    SKIP: prosody is not installed (/usr/bin/prosody); connection integration tests skipped",
      );
      this.skip();
    }
    state = new CompanyState();
    prosody = await startProsody({
      userDomain: DOMAIN,
      components: [
        { domain: `phone.${DOMAIN}`, secret: SECRET },
        { domain: `pubsub.${DOMAIN}`, secret: SECRET },
      ],
      users: state.users().map((u) => ({ username: u.username, password: u.password })),
    });
    components = await attachComponents(state, {
      host: "127.0.0.1",
      port: prosody.componentPort,
      secret: SECRET,
      userDomain: DOMAIN,
      probeIntervalMs: 500,
    });
  });

  after(async () => {
    await connection?.close();
    await components?.close();
    await prosody?.stop();
  });

  function connect(password: string, onStatus?: (s: { state: string }) => void): CompassConnection {
    const c = new CompassConnection({
      endpoints: {
        restUrl: "http://127.0.0.1:9", // REST is not used here
        xmppService: `xmpp://127.0.0.1:${prosody!.c2sPort}`,
        jidDomain: DOMAIN,
        phoneService: `phone.${DOMAIN}`,
        pubsubService: `pubsub.${DOMAIN}`,
      },
      username: "alice",
      password,
      ca: prosody!.certs.caCert,
    });
    if (onStatus) c.on("status", onStatus);
    c.acquire("test");
    return c;
  }

  it("loads the model, keeps it current, and after a Prosody restart ends the call that ended meanwhile", async () => {
    connection = connect(state.userByUsername("alice")!.password);
    const events: DomainEvent[] = [];
    connection.onEvents(["*"], (e) => events.push(e));
    await waitFor(() => connection!.modelLoaded, 15_000, "the model to load through Prosody");
    assert.equal(connection.model.getUsers().length, state.users().length);
    assert.equal(connection.model.company?.id, state.company.id);

    const call = state.startCall(
      state.externalCallpoint("+31612345678", "Caller"),
      state.dialplanCallpoint("201"),
    );
    state.routeCall(call.id, "DESTINATION", state.userCallpoint("1001"));
    state.setCallState(call.id, "ANSWERED");
    await waitFor(
      () => connection!.model.getCall(call.id)?.state === "answered",
      15_000,
      "the answered call in the model",
    );

    const restarted = prosody!.restart();
    await waitFor(() => connection!.status.state === "reconnecting", 15_000, "the connection to notice");
    // The client waits at least a second before it tries again: nobody hears this end.
    state.endCall(call.id, "DESTINATION_HANGUP");
    await restarted;

    await waitFor(
      () => connection!.modelLoaded && connection!.model.getCall(call.id) === null,
      45_000,
      "resync after restart",
    );
    const ended = events.find((e) => e.event === "call.ended" && e.payload.id === call.id);
    assert.ok(ended, "the stale call ended in the model's events");
    assert.equal(ended.payload.resynced, true);
    const summary = events.find(
      (e) => e.event === "call.summary" && (e.payload.callIds as string[]).includes(call.id),
    );
    assert.equal(summary?.payload.outcome, "answered");
  });

  it("a wrong password stops at auth-failed and does not try again", async () => {
    const states: string[] = [];
    const wrong = connect("not-the-password", (s) => states.push(s.state));
    try {
      await waitFor(() => wrong.status.state === "auth-failed", 15_000, "auth-failed");
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(
        states.filter((s) => s === "connecting").length,
        1,
        `one attempt only: ${states.join(", ")}`,
      );
      assert.equal(wrong.status.state, "auth-failed");
    } finally {
      await wrong.close();
    }
  });
});
