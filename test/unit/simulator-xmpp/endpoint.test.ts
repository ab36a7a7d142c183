import assert from "node:assert/strict";
import net from "node:net";
import { defaultPassword, defaultSeed } from "../../../src/simulator/state/seed";
import { CompanyState } from "../../../src/simulator/state/store";
import { startXmppEndpoint, type XmppEndpoint } from "../../../src/simulator/xmpp/server";
import { createTestCertificates, type TestCertificates } from "../../support/tls";
import { waitFor } from "../../support/wait";
import { NS, RawTcpClient, RawWebSocketClient } from "./raw-client";

const DOMAIN = "uc.compass.test";
const PHONE = `phone.${DOMAIN}`;
const PUBSUB = `pubsub.${DOMAIN}`;

function subscribeIq(jid: string, node: string, withExpireForm: boolean): string {
  const form = withExpireForm
    ? `<options><x xmlns="jabber:x:data" type="submit">` +
      `<field var="FORM_TYPE" type="hidden"><value>http://jabber.org/protocol/pubsub#subscribe_options</value></field>` +
      `<field var="pubsub#expire"><value>presence</value></field></x></options>`
    : "";
  return `<iq type="set" id="ID" to="${PUBSUB}"><pubsub xmlns="${NS.pubsub}"><subscribe node="${node}" jid="${jid}"/>${form}</pubsub></iq>`;
}

function getRequest(filter: string): string {
  return `<iq type="get" id="ID" to="${PHONE}"><request xmlns="${NS.compass}" type="GET">${filter}</request></iq>`;
}

function streamErrorCondition(client: RawTcpClient | RawWebSocketClient): Promise<string> {
  return client.next((el) => el.name === "stream:error").then((el) => el.getChildElements()[0]?.name ?? "");
}

describe("simulator XMPP endpoint (raw client)", () => {
  let certs: TestCertificates;
  let state: CompanyState;
  let endpoint: XmppEndpoint;
  const clients: Array<{ destroy(): void }> = [];

  before(async () => {
    certs = await createTestCertificates([DOMAIN, PHONE, PUBSUB]);
  });
  after(async () => {
    await certs?.cleanup();
  });

  beforeEach(async () => {
    state = new CompanyState();
    endpoint = await startXmppEndpoint(state, {
      port: 0,
      websocketPort: 0,
      tls: { key: certs.key, cert: certs.cert },
      userDomain: DOMAIN,
    });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await endpoint.close();
  });

  async function login(
    username = "alice",
    resource?: string,
  ): Promise<{ client: RawTcpClient; jid: string }> {
    const result = await RawTcpClient.login({
      port: endpoint.port,
      domain: DOMAIN,
      username,
      password: defaultPassword(username),
      ca: certs.caCert,
      ...(resource ? { resource } : {}),
    });
    clients.push(result.client);
    return result;
  }

  async function subscribed(client: RawTcpClient, jid: string): Promise<void> {
    client.send(`<presence><priority>-1</priority></presence>`);
    const reply = await client.iq(subscribeIq(jid, state.company.id, true));
    assert.equal(reply.attrs.type, "result");
    await client.next(
      (el) => el.name === "message" && !!el.getChild("event", NS.pubsubEvent)?.getChild("subscription"),
    );
  }

  it("requires STARTTLS, then runs the whole session of the manual's Appendix A", async () => {
    const raw = await RawTcpClient.connect(endpoint.port);
    clients.push(raw);
    const features = await raw.openStream(DOMAIN);
    assert.ok(features.getChild("starttls", NS.tls)?.getChild("required"), "STARTTLS required");
    assert.equal(features.getChild("mechanisms", NS.sasl), undefined, "no SASL before TLS");
    assert.equal(features.getChild("sm", "urn:xmpp:sm:3"), undefined);
    raw.destroy();

    const { client, jid } = await login("alice", "api-1");
    assert.equal(jid, `alice@${DOMAIN}/api-1`);
    assert.equal(endpoint.connections().find((c) => c.jid === jid)?.secure, true);

    // invisible privacy list + activation (XEP-0016)
    const list = await client.iq(
      `<iq type="set" id="ID"><query xmlns="${NS.privacy}"><list name="invisible"><item action="deny" order="1"><presence-out/></item></list></query></iq>`,
    );
    assert.equal(list.attrs.type, "result");
    const active = await client.iq(
      `<iq type="set" id="ID"><query xmlns="${NS.privacy}"><active name="invisible"/></query></iq>`,
    );
    assert.equal(active.attrs.type, "result");
    client.send(`<presence><priority>-1</priority></presence>`);

    const company = await client.iq(
      `<iq type="get" id="ID" to="${PHONE}"><request xmlns="${NS.compass}" type="GET_COMPANY"/></iq>`,
    );
    assert.equal(company.attrs.from, PHONE);
    const result = company.getChild("result", NS.compass);
    assert.ok(result);
    assert.equal(result.attrs["xmlns:xsi"], NS.xsi);
    assert.equal(result.attrs["xsi:type"], "getCompanyResult");
    assert.equal(result.getChildText("id"), state.company.id);
    assert.equal(result.getChildText("name"), state.company.name);

    const users = (await client.iq(getRequest(`<filter type="user"/>`))).getChild("result", NS.compass);
    assert.equal(users?.attrs["xsi:type"], "getResult");
    const alice = users?.getChildren("user").find((u) => u.attrs.id === "1001");
    assert.ok(alice);
    assert.equal(alice.getChild("identifiers")?.getChildText("xmppJid"), `alice@${DOMAIN}`);
    assert.equal(alice.getChildText("name"), "Alice de Vries");
    assert.equal(alice.getChildText("loggedIn"), "true");
    assert.equal(alice.getChildText("receiveCalls"), "ALL");
    assert.deepEqual(
      alice
        .getChild("queueEntries")
        ?.getChildren("entry")
        .map((e) => e.getChildText("queueId")),
      ["2002"],
    );

    const queues = (await client.iq(getRequest(`<filter type="queue" id="2001"/>`))).getChild(
      "result",
      NS.compass,
    );
    const support = queues?.getChildren("queue") ?? [];
    assert.equal(support.length, 1);
    assert.equal(support[0]?.getChildText("xmppJid"), "queue-2001");
    assert.equal(support[0]?.getChildText("totalCalls"), "0");
    assert.equal(support[0]?.getChild("userEntries")?.getChildren("entry").length, 2);

    const parent = state.startCall(state.externalCallpoint("+31612345678"), state.dialplanCallpoint("800"));
    state.startCall(state.queueCallpoint("2001"), state.userCallpoint("1002"), {
      queueCallForCall: parent.id,
    });
    const calls = (await client.iq(getRequest(`<filter type="call"/>`))).getChild("result", NS.compass);
    const [first, child] = calls?.getChildren("call") ?? [];
    assert.equal(first?.attrs.id, parent.id);
    assert.equal(first?.getChild("source")?.attrs.type, "External");
    assert.equal(first?.getChild("source")?.attrs["xsi:type"], "callpointExternal");
    assert.equal(first?.getChild("destination")?.attrs["xsi:type"], "callpointDialplan");
    assert.equal(first?.getChildText("state"), "CONNECTING");
    assert.equal(child?.getChild("properties")?.getChildText("QueueCallForCall"), parent.id);
    assert.equal(child?.getChild("destination")?.getChildText("userId"), "1002");

    // subscribe: pending, then the subscribed message, then live notifications
    const sub = await client.iq(subscribeIq(jid, state.company.id, true));
    const subscription = sub.getChild("pubsub", NS.pubsub)?.getChild("subscription");
    assert.equal(subscription?.attrs.subscription, "pending");
    assert.equal(subscription?.attrs.node, state.company.id);
    const confirmed = await client.next(
      (el) => el.name === "message" && !!el.getChild("event", NS.pubsubEvent),
    );
    assert.equal(confirmed.attrs.from, PUBSUB);
    assert.equal(
      confirmed.getChild("event", NS.pubsubEvent)?.getChild("subscription")?.attrs.subscription,
      "subscribed",
    );

    const before = Math.floor(Date.now() / 1000);
    state.loginQueue("1005", "2001", { priority: 3 });
    const event = await client.next((el) => el.name === "message" && el.attrs.type === "headline");
    const items = event.getChild("event", NS.pubsubEvent)?.getChild("items");
    assert.equal(items?.attrs.node, state.company.id);
    const notification = items?.getChild("item")?.getChild("notification", NS.compass);
    assert.ok(notification, event.toString());
    assert.equal(notification.attrs.type, "notification.queueMember.enter");
    assert.equal(notification.attrs["xsi:type"], "queueMemberEnterNotification");
    assert.equal(notification.attrs["xmlns:xsi"], NS.xsi);
    assert.ok(Number(notification.attrs.timestamp) >= before - 1);
    assert.equal(notification.getChild("member")?.getChildText("userId"), "1005");
    assert.equal(notification.getChild("member")?.getChildText("priority"), "3");
    assert.equal(
      event.getChild("headers", "http://jabber.org/protocol/shim")?.getChildText("header"),
      state.company.id,
    );

    // the live platform's xsi:type names (dispatch must be on `type`)
    state.updateUser("1005", { name: "Erin S." });
    const update = await client.next((el) => el.name === "message" && el.attrs.type === "headline");
    const n2 = update
      .getChild("event", NS.pubsubEvent)
      ?.getChild("items")
      ?.getChild("item")
      ?.getChild("notification");
    assert.equal(n2?.attrs.type, "notification.user.update");
    assert.equal(n2?.attrs["xsi:type"], "updateUserNotification");
    assert.equal(n2?.getChild("propertyChange")?.getChildText("newValue"), "Erin S.");

    // ping, then a clean close
    const pong = await client.iq(`<iq type="get" id="ID" to="${DOMAIN}"><ping xmlns="urn:xmpp:ping"/></iq>`);
    assert.equal(pong.attrs.type, "result");
    client.endStream();
    await client.whenClosed();
    assert.ok(client.streamEnded);
  });

  it("answers GET with history, unknown requests and unknown filters", async () => {
    const { client } = await login("bob");
    const call = state.startCall(state.externalCallpoint("+31600000001"), state.dialplanCallpoint("801"));
    state.endCall(call.id, "SOURCE_HANGUP");
    const live = (await client.iq(getRequest(`<filter type="call"/>`))).getChild("result", NS.compass);
    assert.equal(live?.getChildren("call").length, 0);
    const history = (await client.iq(getRequest(`<filter type="call" history="true"/>`))).getChild(
      "result",
      NS.compass,
    );
    const ended = history?.getChildren("call").find((c) => c.attrs.id === call.id);
    assert.equal(ended?.getChildText("state"), "DISCONNECTED");

    const badFilter = await client.iq(getRequest(`<filter type="spaceship"/>`));
    assert.equal(badFilter.attrs.type, "error");
    assert.ok(badFilter.getChild("error")?.getChild("bad-request", NS.stanzas));
    const unknown = await client.iq(
      `<iq type="get" id="ID" to="${PHONE}"><request xmlns="${NS.compass}" type="FLY"/></iq>`,
    );
    assert.ok(unknown.getChild("error")?.getChild("bad-request", NS.stanzas));
    const action = await client.iq(
      `<iq type="set" id="ID" to="${PHONE}"><request xmlns="${NS.compass}" type="ACTION"/></iq>`,
    );
    assert.ok(action.getChild("error")?.getChild("feature-not-implemented", NS.stanzas));
    const other = await client.iq(`<iq type="get" id="ID" to="${PHONE}"><query xmlns="urn:example"/></iq>`);
    assert.equal(other.attrs.type, "error");
  });

  it("rejects a wrong password with not-authorized and refuses ANONYMOUS", async () => {
    const client = await RawTcpClient.connect(endpoint.port);
    clients.push(client);
    await client.openStream(DOMAIN);
    await client.startTls(certs.caCert, DOMAIN);
    const features = await client.openStream(DOMAIN);
    const mechanisms = features
      .getChild("mechanisms", NS.sasl)
      ?.getChildren("mechanism")
      .map((m) => m.getText());
    assert.deepEqual(mechanisms, ["SCRAM-SHA-1", "PLAIN"]);
    client.send(`<auth xmlns="${NS.sasl}" mechanism="ANONYMOUS"/>`);
    const anonymous = await client.next((el) => el.name === "failure");
    assert.ok(anonymous.getChild("invalid-mechanism"));
    const wrong = await client.authPlain("alice", "not-her-password");
    assert.equal(wrong.name, "failure");
    assert.ok(wrong.getChild("not-authorized"));
    assert.ok(!client.transcript.includes("not-her-password"));
    const ghost = await client.authPlain("nobody", "x");
    assert.ok(ghost.getChild("not-authorized"));
  });

  it("kicks the older connection with conflict when the same full JID binds again", async () => {
    const older = await login("carol", "desk");
    const newer = await login("carol", "desk");
    assert.equal(newer.jid, older.jid);
    assert.equal(await streamErrorCondition(older.client), "conflict");
    await older.client.whenClosed();
    const pong = await newer.client.iq(`<iq type="get" id="ID"><ping xmlns="urn:xmpp:ping"/></iq>`);
    assert.equal(pong.attrs.type, "result");
    assert.equal(endpoint.connections().filter((c) => c.jid === newer.jid).length, 1);
  });

  it("allows at most 10 connections per JID", async () => {
    const ten = await Promise.all(Array.from({ length: 10 }, (_, i) => login("dave", `r${i}`)));
    assert.equal(new Set(ten.map((t) => t.jid)).size, 10);
    const eleventh = await RawTcpClient.connect(endpoint.port);
    clients.push(eleventh);
    await eleventh.openStream(DOMAIN);
    await eleventh.startTls(certs.caCert, DOMAIN);
    await eleventh.openStream(DOMAIN);
    assert.equal((await eleventh.authPlain("dave", defaultPassword("dave"))).name, "success");
    await eleventh.openStream(DOMAIN);
    await assert.rejects(eleventh.bind("r10"), /resource-constraint/);
    assert.equal(await streamErrorCondition(eleventh), "policy-violation");
    await eleventh.whenClosed();
    // another user is not affected
    const other = await login("erin");
    assert.match(other.jid, /^erin@/);
  });

  it("ends only the offending connection on malformed XML, DOCTYPE or an oversized stanza", async () => {
    const bystander = await login("alice", "bystander");
    const cases: Array<[string, string]> = [
      ["<iq type='get' id='x'><ping xmlns='urn:xmpp:ping'></iq>", "not-well-formed"],
      ['<!DOCTYPE foo [<!ENTITY x "boom">]>', "restricted-xml"],
      ["<message to='x'><body>&x;</body></message>", "restricted-xml"],
      [`<message to="x"><body>${"a".repeat(70 * 1024)}</body></message>`, "policy-violation"],
    ];
    for (const [garbage, condition] of cases) {
      const { client } = await login("bob");
      client.send(garbage);
      assert.equal(await streamErrorCondition(client), condition, garbage.slice(0, 40));
      await client.whenClosed();
    }
    const pong = await bystander.client.iq(`<iq type="get" id="ID"><ping xmlns="urn:xmpp:ping"/></iq>`);
    assert.equal(pong.attrs.type, "result");
  });

  it("rejects a bad first stream with a stream header and not-well-formed", async () => {
    const client = await RawTcpClient.connect(endpoint.port);
    clients.push(client);
    client.send("hello<<<");
    await client.whenClosed();
    assert.match(client.transcript, /<stream:stream[^>]*>.*<not-well-formed/);
  });

  it("speaks RFC 7395 over WebSocket with the xmpp subprotocol", async () => {
    assert.ok(endpoint.websocketUrl);
    // wss with a test CA the client does not trust must fail: TLS is verified, never skipped
    const ws = await RawWebSocketClient.connect(endpoint.websocketUrl as string, "xmpp").catch(
      () => undefined,
    );
    assert.equal(ws, undefined, "self-signed certificate must not be trusted by default");
    const plain = await startXmppEndpoint(state, { port: 0, websocketPort: 0, userDomain: DOMAIN });
    try {
      const client = await RawWebSocketClient.connect(plain.websocketUrl as string);
      clients.push(client);
      assert.equal(client.protocol, "xmpp");
      let features = await client.open(DOMAIN);
      assert.ok(features.getChild("mechanisms", NS.sasl));
      assert.equal((await client.authPlain("alice", defaultPassword("alice"))).name, "success");
      features = await client.open(DOMAIN);
      assert.ok(features.getChild("bind", NS.bind));
      const jid = await client.bind("ws");
      assert.equal(jid, `alice@${DOMAIN}/ws`);
      const company = await client.iq(
        `<iq xmlns="jabber:client" type="get" id="ID" to="${PHONE}"><request xmlns="${NS.compass}" type="GET_COMPANY"/></iq>`,
      );
      assert.equal(company.getChild("result", NS.compass)?.getChildText("id"), state.company.id);
      // every frame is exactly one element, stanzas declare jabber:client
      const iqFrame = client.frames.find((f) => f.startsWith("<iq"));
      assert.match(iqFrame ?? "", /^<iq xmlns="jabber:client"/);
      client.send(`<close xmlns="${NS.framing}"/>`);
      await client.next((el) => el.name === "close");
      await client.whenClosed();

      // a frame with two elements is a framing error
      const bad = await RawWebSocketClient.connect(plain.websocketUrl as string);
      clients.push(bad);
      await bad.open(DOMAIN);
      bad.send("<presence/><presence/>");
      assert.equal(await streamErrorCondition(bad), "not-well-formed");
      await bad.whenClosed();
    } finally {
      await plain.close();
    }
  });

  it("drops a presence-bound subscription when the session ends, keeps serving the others", async () => {
    const a = await login("alice", "a");
    const b = await login("bob", "b");
    await subscribed(a.client, a.jid);
    await subscribed(b.client, b.jid);
    assert.equal(endpoint.services.subscriptionList().length, 2);
    a.client.destroy();
    await waitFor(() => endpoint.services.subscriptionList().length === 1);
    assert.equal(endpoint.services.subscriptionList()[0]?.jid, b.jid);

    // unavailable presence ends it as well
    b.client.send(`<presence type="unavailable"/>`);
    await waitFor(() => endpoint.services.subscriptionList().length === 0);
  });

  it("answers a wrong node with item-not-found, a foreign JID with bad-request, and unsubscribes", async () => {
    const { client, jid } = await login("alice");
    const wrong = await client.iq(subscribeIq(jid, "999", false));
    assert.ok(wrong.getChild("error")?.getChild("item-not-found", NS.stanzas));
    const foreign = await client.iq(subscribeIq(`bob@${DOMAIN}/x`, state.company.id, false));
    assert.ok(foreign.getChild("error")?.getChild("bad-request", NS.stanzas));
    await subscribed(client, jid);
    assert.equal(endpoint.services.subscriptionList()[0]?.expiresWithPresence, true);
    const unsub = await client.iq(
      `<iq type="set" id="ID" to="${PUBSUB}"><pubsub xmlns="${NS.pubsub}"><unsubscribe node="${state.company.id}" jid="${jid}"/></pubsub></iq>`,
    );
    assert.equal(unsub.attrs.type, "result");
    assert.equal(endpoint.services.subscriptionList().length, 0);
  });

  it("delivers events only after available presence (as the manual requires)", async () => {
    const { client, jid } = await login("alice");
    await client.iq(subscribeIq(jid, state.company.id, true));
    await client.next((el) => el.name === "message");
    state.setDpSwitch("3001", 2);
    state.loginQueue("1005", "2001");
    client.send("<presence/>");
    // a round trip guarantees the server has processed the presence
    await client.iq(`<iq type="get" id="ID"><ping xmlns="urn:xmpp:ping"/></iq>`);
    state.logoutQueue("1005", "2001");
    const event = await client.next((el) => el.attrs.type === "headline");
    const n = event
      .getChild("event", NS.pubsubEvent)
      ?.getChild("items")
      ?.getChild("item")
      ?.getChild("notification");
    assert.equal(n?.attrs.type, "notification.queueMember.leave");
  });

  it("drops all connections and stops/starts listening for outage tests", async () => {
    const { client } = await login("alice");
    endpoint.dropAll();
    await client.whenClosed();
    assert.ok(!client.streamEnded, "no stream close on a dropped connection");
    assert.equal(endpoint.connections().length, 0);
    await endpoint.stopListening();
    await assert.rejects(
      new Promise<void>((resolve, reject) => {
        const s = net.connect({ port: endpoint.port, host: "127.0.0.1" }, () => {
          s.destroy();
          resolve();
        });
        s.on("error", reject);
      }),
      /ECONNREFUSED/,
    );
    await endpoint.startListening();
    const again = await login("alice");
    assert.match(again.jid, /^alice@/);
  });

  it("disconnects a client that stops reading once its output queue is full", async () => {
    const strict = await startXmppEndpoint(state, {
      port: 0,
      userDomain: DOMAIN,
      maxPendingBytes: 64 * 1024,
    });
    try {
      const { client, jid } = await RawTcpClient.login({
        port: strict.port,
        domain: DOMAIN,
        username: "alice",
        password: defaultPassword("alice"),
      });
      clients.push(client);
      await subscribed(client, jid);
      client.pauseReading();
      // bounded: ~600 bytes each, far beyond loopback socket buffers plus the 64 KiB limit
      for (let i = 0; i < 20_000 && strict.connections().length > 0; i++)
        state.updateUser("1005", { name: `n${i}` });
      assert.equal(strict.connections().length, 0, "slow consumer still connected");
      assert.equal(strict.services.subscriptionList().length, 0);
    } finally {
      await strict.close();
    }
  });

  it("closes a connection that does not log in in time", async () => {
    const quick = await startXmppEndpoint(state, { port: 0, userDomain: DOMAIN, authTimeoutMs: 100 });
    try {
      const client = await RawTcpClient.connect(quick.port);
      clients.push(client);
      await client.openStream(DOMAIN);
      assert.equal(await streamErrorCondition(client), "connection-timeout");
      await client.whenClosed();
      assert.equal(quick.connections().length, 0);
    } finally {
      await quick.close();
    }
  });

  it("logs users of a company with its own domain in on that domain, and refuses unknown hosts", async () => {
    const seed = defaultSeed();
    seed.company.domain = "example-company.test";
    const own = new CompanyState({ seed });
    const server = await startXmppEndpoint(own, { port: 0, userDomain: DOMAIN });
    try {
      const { client, jid } = await RawTcpClient.login({
        port: server.port,
        domain: "example-company.test",
        username: "bob",
        password: defaultPassword("bob"),
        resource: "r",
      });
      clients.push(client);
      assert.equal(jid, "bob@example-company.test/r");
      const users = (await client.iq(getRequest(`<filter type="user" id="1002"/>`))).getChild(
        "result",
        NS.compass,
      );
      assert.equal(
        users?.getChild("user")?.getChild("identifiers")?.getChildText("xmppJid"),
        "bob@example-company.test",
      );

      const stranger = await RawTcpClient.connect(server.port);
      clients.push(stranger);
      stranger.send(
        `<stream:stream to="elsewhere.test" version="1.0" xmlns="jabber:client" xmlns:stream="${NS.stream}">`,
      );
      assert.equal(await streamErrorCondition(stranger), "host-unknown");
    } finally {
      await server.close();
    }
  });

  it("sends whitespace keepalives and accepts them", async () => {
    const fast = await startXmppEndpoint(state, { port: 0, userDomain: DOMAIN, keepaliveIntervalMs: 20 });
    try {
      const { client } = await RawTcpClient.login({
        port: fast.port,
        domain: DOMAIN,
        username: "alice",
        password: defaultPassword("alice"),
      });
      clients.push(client);
      client.send("   \n ");
      const length = client.transcript.length;
      await waitFor(() => client.transcript.length > length);
      assert.match(client.transcript.slice(length), /^\s+$/);
      const pong = await client.iq(`<iq type="get" id="ID"><ping xmlns="urn:xmpp:ping"/></iq>`);
      assert.equal(pong.attrs.type, "result");
    } finally {
      await fast.close();
    }
  });
});
