// What the adapter (src/compass/xmpp/xmppjs.ts) relies on in xmpp.js internals, checked against the
// installed release: an xmpp.js bump that renames or changes one of them fails here.
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import net from "node:net";
import xml, { Element, Parser } from "@xmpp/xml";
import {
  attachWebSocket,
  bypassMiddleware,
  Client,
  ConnectionTCP,
  ConnectionWebSocket,
  catchParserThrows,
  markBound,
  replaceSocket,
  startEntity,
  WebSocketSocket,
  withMessageSites,
  type XmppEntity,
  type XmppSocket,
} from "../../../src/compass/xmpp/xmppjs";

function newEntity(service = "xmpp://127.0.0.1:1"): XmppEntity {
  const entity = new Client({ service, domain: "example.com" });
  entity.on("error", () => {});
  return entity;
}

class FakeSocket extends EventEmitter implements XmppSocket {
  write(_data: string, callback?: (err?: Error) => void): void {
    callback?.();
  }
  end(): void {}
}

describe("xmpp.js internals behind the adapter", () => {
  it("loads the lib/ transports and socket as constructors", () => {
    for (const ctor of [ConnectionTCP, ConnectionWebSocket, WebSocketSocket])
      assert.equal(typeof ctor, "function");
    assert.equal(
      typeof (ConnectionWebSocket as { prototype: { Socket: unknown } }).prototype.Socket,
      "function",
    );
  });

  it("keeps the service and domain in entity.options", () => {
    assert.deepEqual(newEntity("xmpp://127.0.0.1:5").options, {
      service: "xmpp://127.0.0.1:5",
      domain: "example.com",
    });
  });

  it("catchParserThrows: what the parser throws from the socket's data goes to the handler", () => {
    const entity = newEntity();
    const thrown: unknown[] = [];
    catchParserThrows(entity, (err) => thrown.push(err));
    // the data listener is bound when a socket is attached, so the wrapper must be in place by then
    const socket = new FakeSocket();
    replaceSocket(entity, socket);
    (entity as unknown as { parser: unknown }).parser = new Parser();
    socket.emit(
      "data",
      Buffer.from('<stream:stream xmlns="jabber:client" xmlns:stream="http://etherx.jabber.org/streams">'),
    );
    assert.equal(thrown.length, 0);
    socket.emit("data", Buffer.from("<message>&bogus;</message>"));
    assert.equal(thrown.length, 1);
    assert.match(String((thrown[0] as Error).message), /bogus/);
  });

  it("bypassMiddleware: claimed elements skip the entity's element events, the rest still emit them", () => {
    const entity = newEntity();
    const received: string[] = [];
    const stanzas: string[] = [];
    entity.on("stanza", (el: Element) => stanzas.push(el.name));
    bypassMiddleware(
      entity,
      (el) => el.name === "message",
      (el) => received.push(el.name),
    );
    entity._onElement(xml("message", {}));
    entity._onElement(xml("iq", { type: "result", id: "1" }));
    assert.deepEqual(received, ["message"]);
    assert.deepEqual(stanzas, ["iq"]);
  });

  it("replaceSocket: the entity listens to the new socket only", () => {
    const entity = newEntity();
    const first = new FakeSocket();
    const second = new FakeSocket();
    replaceSocket(entity, first);
    assert.equal(entity.socket, first);
    assert.ok(first.listenerCount("data") > 0);
    replaceSocket(entity, second);
    assert.equal(entity.socket, second);
    assert.equal(first.listenerCount("data"), 0);
    assert.ok(second.listenerCount("data") > 0);
  });

  it("markBound: sets the JID and goes online once, with the JID", () => {
    const entity = newEntity();
    const online: string[] = [];
    entity.on("online", (jid: { toString(): string }) => online.push(String(jid)));
    markBound(entity, "alice@example.com/node-red");
    assert.equal(String(entity.jid), "alice@example.com/node-red");
    assert.equal(entity.status, "online");
    assert.deepEqual(online, ["alice@example.com/node-red"]);
  });

  it("attachWebSocket: the xmpp.js socket listens to the WebSocket it is given", () => {
    const socket = new WebSocketSocket() as XmppSocket & { socket?: unknown };
    const ws = new EventEmitter() as EventEmitter & { addEventListener?: unknown };
    const connects: number[] = [];
    socket.on("connect", () => connects.push(1));
    attachWebSocket(socket, ws);
    assert.equal(socket.socket, ws);
    ws.emit("open");
    assert.deepEqual(connects, [1]);
  });

  it("startEntity: a connection reset before the stream header rejects once, with no unhandled rejection", async () => {
    const server = net.createServer((s) => s.resetAndDestroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const entity = newEntity(`xmpp://127.0.0.1:${port}`);
    entity.timeout = 2000;
    entity.transports.push(ConnectionTCP);
    try {
      await assert.rejects(startEntity(entity));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      entity.socket?.end();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("withMessageSites: the TCP and WebSocket parsers build the same stanzas as without it", () => {
    const stanzas = [
      '<iq type="result" id="1"><query xmlns="jabber:iq:version"><name>x</name></query></iq>',
      '<message from="pubsub.example.com"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="1"><item id="a"><notification type="n" a="1">text<callId>C1</callId><empty/></notification></item></items></event></message>',
      "<presence/>",
      '<message to="me"><body>hi &amp; bye</body></message>',
    ];
    const framed = (ConnectionWebSocket as unknown as { prototype: { Parser: typeof Parser } }).prototype
      .Parser;
    const streams = [
      {
        Base: Parser,
        open: '<stream:stream xmlns="jabber:client" xmlns:stream="http://etherx.jabber.org/streams">',
      },
      // the WebSocket parser reads one stanza per frame, after an <open/>
      { Base: framed, open: '<open xmlns="urn:ietf:params:xml:ns:xmpp-framing"/>' },
    ];
    for (const { Base, open } of streams) {
      const parse = (P: typeof Parser) => {
        const parser = new P();
        const out: Element[] = [];
        parser.on("element", (el: Element) => out.push(el));
        parser.write(open);
        for (const stanza of stanzas) parser.write(stanza);
        return out;
      };
      const expected = parse(Base);
      const ours = parse(withMessageSites(Base));
      assert.equal(ours.length, stanzas.length, Base.name);
      assert.deepEqual(
        ours.map((el) => el.toString()),
        expected.map((el) => el.toString()),
      );
      // the messages' elements are made by withMessageSites, and still behave as ltx Elements
      for (const el of ours) assert.ok(el instanceof Element);
      const notification = ours[1]
        ?.getChild("event")
        ?.getChild("items")
        ?.getChild("item")
        ?.getChild("notification");
      assert.equal(notification?.attrs.type, "n");
      assert.equal(notification?.getChildText("callId"), "C1");
      assert.equal(notification?.parent?.name, "item");
      assert.equal(ours[3]?.getChildText("body"), "hi & bye");
    }
  });
});
