// A private deployment: Prosody and an HTTPS REST server whose certificates come from a CA nobody
// trusts by default. compass-config refuses both without its "Trusted CA" (kept with the
// credentials) and accepts both with it; verification is never turned off.

import assert from "node:assert/strict";
import { sendJson, startHttpsServer, type TestServer } from "../support/http";
import { companyReader, type FlowNode, loadFlow, startServer, stopServer, unload } from "../support/node-red";
import { delay, waitFor } from "../support/wait";
import { DOMAIN, usePlatform } from "./harness";

const TAB = "ca-tab";

describe("faults: a trusted CA for private deployments (compass-config)", function () {
  this.timeout(60_000);
  let rest: TestServer | undefined;
  const fixture = usePlatform(async () => {
    await stopServer();
    await rest?.close();
  });

  before(async () => {
    const { key, cert } = fixture.platform.prosody.certs; // signed by the test's private CA, names 127.0.0.1
    rest = await startHttpsServer({ key, cert }, (req, res) => {
      if (req.method === "GET" && req.url.startsWith("/company")) {
        sendJson(res, 200, { id: "4000", name: "Private Co", self: `${rest?.origin}/company/4000` });
      } else sendJson(res, 404, { message: "not here" });
    });
    await startServer();
  });

  afterEach(unload);

  async function deploy(ca: string | undefined) {
    const p = fixture.platform;
    const nodes: FlowNode[] = [
      { id: TAB, type: "tab" },
      {
        id: "cfg",
        type: "compass-config",
        domain: "compass.test",
        restUrl: rest?.origin,
        xmppService: `xmpp://127.0.0.1:${p.prosody.c2sPort}`,
        jidDomain: DOMAIN,
        timeout: 5,
      },
      { id: "events", type: "compass-user-event", z: TAB, config: "cfg", events: [], users: "", wires: [[]] },
      ...companyReader(TAB),
    ];
    const alice = p.state.userByUsername("alice");
    return loadFlow(["compass-config", "compass-user-event", "compass-api"], nodes, {
      cfg: { username: "alice", password: alice?.password ?? "", ...(ca !== undefined ? { ca } : {}) },
    });
  }

  it("without the CA: XMPP and REST are both refused, with the reason", async () => {
    const f = await deploy(undefined);
    // (the reason under the node is another branch's work; the connection has it)
    const connection = () => f.node<{ connection: { status: { error?: string } } }>("cfg").connection;
    await waitFor(
      () => /certificate|TLS/i.test(connection().status.error ?? ""),
      15_000,
      "the connection to say the certificate was refused",
    );
    f.node("api").receive({});
    const [caught] = await f.waitFor("caught", 1, 10_000);
    assert.match(String(caught.error?.message), /certificate|TLS/i);
    assert.equal(f.received("out").length, 0);
    assert.ok(!f.statuses("events").some((s) => s.fill === "green"), "never subscribed");
  });

  it("with the CA (PEM in the credentials): XMPP subscribes and REST answers", async () => {
    const f = await deploy(fixture.platform.prosody.certs.caCert);
    await waitFor(() => f.statuses("events").at(-1)?.fill === "green", 15_000, "subscribed");
    f.node("api").receive({});
    const [answer] = await f.waitFor("out", 1, 10_000);
    assert.equal(answer.payload.name, "Private Co");
    await delay(50);
    assert.equal(f.received("caught").length, 0);
    fixture.watch.assertClean();
  });
});
