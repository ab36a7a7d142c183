import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { CompanyState } from "../../src/simulator/state/store";
import { type AttachedComponents, attachComponents } from "../support/components";
import { isProsodyAvailable, type ProsodyServer, startProsody } from "../support/prosody";
import { waitFor } from "../support/wait";
import { type LtxElement, NS, RawTcpClient } from "../unit/simulator-xmpp/raw-client";

const DOMAIN = "uc.compass.test";
const PHONE = `phone.${DOMAIN}`;
const PUBSUB = `pubsub.${DOMAIN}`;
const SECRET = "component-secret-for-tests";
const PASSWORD = "alice-test-password";

/** The value of an attribute by namespace, whatever prefix the sender (or Prosody) chose. */
function attrByNamespace(
  el: LtxElement,
  ns: string,
  local: string,
): { prefix: string; value: string } | undefined {
  for (const [key, value] of Object.entries(el.attrs)) {
    const [prefix, name] = key.split(":");
    if (name !== local || !prefix) continue;
    let scope: (LtxElement & { parent?: LtxElement }) | undefined = el;
    while (scope) {
      const declared = scope.attrs[`xmlns:${prefix}`];
      if (declared !== undefined) {
        if (declared === ns) return { prefix, value };
        break;
      }
      scope = scope.parent;
    }
  }
  return undefined;
}

describe("simulator services as components of a real Prosody", function () {
  this.timeout(30_000);
  let prosody: ProsodyServer | undefined;
  let components: AttachedComponents | undefined;
  let state: CompanyState;
  const clients: RawTcpClient[] = [];

  before(async function () {
    if (!isProsodyAvailable()) {
      console.log("    SKIP: prosody is not installed (/usr/bin/prosody); Prosody integration tests skipped");
      this.skip();
    }
    prosody = await startProsody({
      userDomain: DOMAIN,
      components: [
        { domain: PHONE, secret: SECRET },
        { domain: PUBSUB, secret: SECRET },
      ],
      users: [
        { username: "alice", password: PASSWORD },
        { username: "bob", password: PASSWORD },
      ],
    });
    state = new CompanyState();
    components = await attachComponents(state, {
      host: "127.0.0.1",
      port: prosody.componentPort,
      secret: SECRET,
      userDomain: DOMAIN,
      probeIntervalMs: 200,
    });
  });

  after(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await components?.close();
    await prosody?.stop();
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });

  async function login(username: string, resource: string): Promise<{ client: RawTcpClient; jid: string }> {
    const server = prosody as ProsodyServer;
    const result = await RawTcpClient.login({
      port: server.c2sPort,
      domain: DOMAIN,
      username,
      password: PASSWORD,
      resource,
      ca: server.certs.caCert,
    });
    clients.push(result.client);
    return result;
  }

  it("answers GET_COMPANY and GET through Prosody", async () => {
    const { client } = await login("alice", "api");
    const company = await client.iq(
      `<iq type="get" id="ID" to="${PHONE}"><request xmlns="${NS.compass}" type="GET_COMPANY"/></iq>`,
    );
    assert.equal(company.attrs.type, "result", company.toString());
    assert.equal(company.attrs.from, PHONE);
    const result = company.getChild("result", NS.compass) as LtxElement;
    assert.equal(result.getChildText("id"), state.company.id);
    assert.equal(attrByNamespace(result, NS.xsi, "type")?.value, "getCompanyResult");
    // exactly one answer: @xmpp/component's own IQ handler must not answer as well
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(
      client.received.filter((el) => el.name === "iq" && el.attrs.id === company.attrs.id).length,
      0,
    );

    const users = await client.iq(
      `<iq type="get" id="ID" to="${PHONE}"><request xmlns="${NS.compass}" type="GET"><filter type="user"/></request></iq>`,
    );
    assert.equal(users.getChild("result", NS.compass)?.getChildren("user").length, state.users().length);
  });

  it("delivers a notification through Prosody, which rewrites the xsi prefix", async () => {
    const { client, jid } = await login("alice", "events");
    // privacy lists: mod_privacy_lists when installed, else Prosody's service-unavailable
    const privacy = await client.iq(
      `<iq type="set" id="ID"><query xmlns="${NS.privacy}"><list name="invisible"><item action="deny" order="1"><presence-out/></item></list></query></iq>`,
    );
    assert.ok(
      privacy.attrs.type === "result" ||
        privacy.getChild("error")?.getChild("service-unavailable", NS.stanzas),
    );
    client.send("<presence><priority>-1</priority></presence>");
    const sub = await client.iq(
      `<iq type="set" id="ID" to="${PUBSUB}"><pubsub xmlns="${NS.pubsub}"><subscribe node="${state.company.id}" jid="${jid}"/>` +
        `<options><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE" type="hidden"><value>http://jabber.org/protocol/pubsub#subscribe_options</value></field>` +
        `<field var="pubsub#expire"><value>presence</value></field></x></options></pubsub></iq>`,
    );
    assert.equal(sub.getChild("pubsub", NS.pubsub)?.getChild("subscription")?.attrs.subscription, "pending");
    const confirmed = await client.next(
      (el) => el.name === "message" && !!el.getChild("event", NS.pubsubEvent),
    );
    assert.equal(
      confirmed.getChild("event", NS.pubsubEvent)?.getChild("subscription")?.attrs.subscription,
      "subscribed",
    );

    state.loginQueue("1005", "2001");
    const event = await client.next((el) => el.name === "message" && el.attrs.type === "headline");
    const notification = event
      .getChild("event", NS.pubsubEvent)
      ?.getChild("items")
      ?.getChild("item")
      ?.getChild("notification", NS.compass);
    assert.ok(notification, event.toString());
    assert.equal(notification.attrs.type, "notification.queueMember.enter");
    const xsiType = attrByNamespace(notification, NS.xsi, "type");
    assert.equal(xsiType?.value, "queueMemberEnterNotification");
    // Prosody re-serializes namespaced attributes with its own prefixes: readers must go by namespace
    assert.notEqual(xsiType?.prefix, "xsi", "expected Prosody to rewrite the xsi: prefix");
    assert.match(client.transcript, /ns\d+:type=["']queueMemberEnterNotification["']/);
  });

  it("drops the subscription when the subscriber's session ends (liveness probe)", async () => {
    const services = (components as AttachedComponents).services;
    const { client, jid } = await login("bob", "gone-soon");
    client.send("<presence/>");
    await client.iq(
      `<iq type="set" id="ID" to="${PUBSUB}"><pubsub xmlns="${NS.pubsub}"><subscribe node="${state.company.id}" jid="${jid}"/></pubsub></iq>`,
    );
    await waitFor(() => services.subscriptionList().some((s) => s.jid === jid));
    client.destroy();
    await waitFor(() => !services.subscriptionList().some((s) => s.jid === jid));
  });

  it("serves a standard client (@xmpp/client 0.14) that verifies Prosody's certificate", async () => {
    const server = prosody as ProsodyServer;
    // @xmpp/client has no TLS options: trust is given with NODE_EXTRA_CA_CERTS, read only at node start
    const script = `
      const { client, xml } = require("@xmpp/client");
      const x = client({ service: process.env.SERVICE, domain: "${DOMAIN}", username: "alice", password: process.env.PW, resource: "std" });
      x.on("error", (e) => { console.log(JSON.stringify({ error: e.message })); process.exit(1); });
      x.on("stanza", (s) => {
        const n = s.getChild("event", "${NS.pubsubEvent}")?.getChild("items")?.getChild("item")?.getChild("notification");
        if (n) { console.log(JSON.stringify({ type: n.attrs.type, xsiType: n.getAttr("type", "${NS.xsi}") })); x.stop().then(() => process.exit(0)); }
      });
      (async () => {
        await x.start();
        await x.send(xml("presence", {}, xml("priority", {}, "-1")));
        const r = await x.iqCaller.request(xml("iq", { type: "get", to: "${PHONE}" }, xml("request", { xmlns: "${NS.compass}", type: "GET_COMPANY" })));
        const node = r.getChild("result").getChildText("id");
        await x.iqCaller.request(xml("iq", { type: "set", to: "${PUBSUB}" }, xml("pubsub", { xmlns: "${NS.pubsub}" }, xml("subscribe", { node, jid: x.jid.toString() }))));
        console.log(JSON.stringify({ secure: x.isSecure(), jid: x.jid.toString(), node }));
      })();`;
    const child = spawn(process.execPath, ["-e", script], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: server.certs.caCertPath,
        SERVICE: `xmpp://127.0.0.1:${server.c2sPort}`,
        PW: PASSWORD,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: Array<Record<string, unknown>> = [];
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    let buffered = "";
    child.stdout.on("data", (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      for (const line of parts) if (line.trim()) lines.push(JSON.parse(line));
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      await waitFor(() => lines.length > 0 || child.exitCode !== null, 15_000);
      assert.equal(lines[0]?.secure, true, `${JSON.stringify(lines)} ${stderr}`);
      assert.equal(lines[0]?.node, state.company.id);
      await new Promise((r) => setTimeout(r, 100)); // the subscribed message follows the pending result
      state.loginQueue("1004", "2001");
      assert.equal(await exited, 0, `${stderr} ${JSON.stringify(lines)}`);
      assert.deepEqual(lines[1], {
        type: "notification.queueMember.enter",
        xsiType: "queueMemberEnterNotification",
      });
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("can offer stream management when a test asks for it", async () => {
    const withSm = await startProsody({
      userDomain: DOMAIN,
      users: [{ username: "alice", password: PASSWORD }],
      streamManagement: true,
    });
    try {
      assert.deepEqual(withSm.modules.includes("smacks"), true);
      const client = await RawTcpClient.connect(withSm.c2sPort);
      clients.push(client);
      await client.openStream(DOMAIN);
      await client.startTls(withSm.certs.caCert, DOMAIN);
      await client.openStream(DOMAIN);
      assert.equal((await client.authPlain("alice", PASSWORD)).name, "success");
      const features = await client.openStream(DOMAIN);
      assert.ok(features.getChild("sm", "urn:xmpp:sm:3"), features.toString());
    } finally {
      await withSm.stop();
    }
    // and the default server does not
    const { client } = await login("alice", "no-sm");
    assert.equal(client.transcript.includes("urn:xmpp:sm:3"), false);
  });

  it("components reconnect after Prosody restarts", async () => {
    await (prosody as ProsodyServer).restart();
    const { client } = await login("alice", "after-restart");
    let answer: LtxElement | undefined;
    const deadline = Date.now() + 10_000;
    // @xmpp/reconnect retries every second; the first requests may hit a not-yet-attached component
    while (Date.now() < deadline) {
      answer = await client.iq(
        `<iq type="get" id="ID" to="${PHONE}"><request xmlns="${NS.compass}" type="GET_COMPANY"/></iq>`,
      );
      if (answer.attrs.type === "result") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(answer?.attrs.type, "result");
  });
});
