// The few xmpp.js 0.14 building blocks the session composes, loaded through require() (they are ESM;
// Node 20.19+ loads them synchronously) and typed with only what we use. We compose them ourselves
// instead of using @xmpp/client because its STARTTLS takes no TLS options (no extra CA, no explicit
// identity check), its reconnect module retries every second without backoff, and its stream
// management module is deliberately left out (see link.ts).
import type { EventEmitter } from "node:events";
import { Element } from "@xmpp/xml";

/** The socket objects xmpp.js transports hand to a connection. */
export interface XmppSocket extends EventEmitter {
  secure?: boolean;
  write(data: string, callback?: (err?: Error) => void): void;
  end(): void;
}

/** @xmpp/client-core's Client (a @xmpp/connection Connection). */
export interface XmppEntity extends EventEmitter {
  status: string;
  jid: { toString(): string } | null;
  socket: XmppSocket | null;
  timeout: number;
  transports: unknown[];
  options: { service: string; domain: string };
  start(): Promise<unknown>;
  connect(service: string): Promise<unknown>;
  open(options: { domain: string; lang?: string }): Promise<unknown>;
  stop(): Promise<unknown>;
  send(element: Element): Promise<void>;
  sendReceive(element: Element, timeout?: number): Promise<Element>;
  restart(): Promise<unknown>;
  isSecure(): boolean;
  footer(el: unknown): string;
  footerElement(): unknown;
  _onData(data: Buffer | string): void;
  /** every top-level element the parser completes (stanzas, nonzas, stream errors) */
  _onElement(element: Element): void;
  _attachSocket(socket: XmppSocket): void;
  _detachSocket(): void;
  _jid(jid: string): unknown;
  _ready(resumed?: boolean): void;
}

export interface MiddlewareContext {
  stanza: Element;
  entity: XmppEntity;
}
export type Next = () => Promise<unknown>;
export type Handler = (ctx: MiddlewareContext, next: Next) => unknown;

export interface Middleware {
  use(fn: Handler): Handler;
}
export interface StreamFeatures {
  use(
    name: string,
    xmlns: string,
    handler: (ctx: MiddlewareContext, next: Next, feature: Element) => unknown,
  ): void;
}

export interface SaslFactory {
  use(mechanism: unknown): void;
}

type Authenticate = (credentials: { username: string; password: string }, mechanism: string) => Promise<void>;
export type OnAuthenticate = (
  authenticate: Authenticate,
  mechanisms: string[],
  fast: unknown,
  entity: XmppEntity,
) => Promise<void>;

function esmDefault<T>(mod: unknown): T {
  const m = mod as { default?: T };
  return (m.default ?? mod) as T;
}

export const Client = (require("@xmpp/client-core") as { Client: new (options: object) => XmppEntity })
  .Client;
export const ConnectionTCP = esmDefault<new () => unknown>(require("@xmpp/tcp/lib/Connection.js"));
export const ConnectionWebSocket = esmDefault<{ prototype: { Socket: unknown } } & (new () => unknown)>(
  require("@xmpp/websocket/lib/Connection.js"),
);
export const WebSocketSocket = esmDefault<new () => XmppSocket>(require("@xmpp/websocket/lib/Socket.js"));
export const middleware = esmDefault<(deps: { entity: XmppEntity }) => Middleware>(
  require("@xmpp/middleware"),
);
export const streamFeatures = esmDefault<(deps: { middleware: Middleware }) => StreamFeatures>(
  require("@xmpp/stream-features"),
);
export const sasl = esmDefault<
  (deps: { streamFeatures: StreamFeatures; saslFactory: SaslFactory }, onAuthenticate: OnAuthenticate) => void
>(require("@xmpp/sasl"));
export const SaslFactoryClass = (require("saslmechanisms") as { Factory: new () => SaslFactory }).Factory;
export const scramSha1 = esmDefault<(factory: SaslFactory) => void>(require("@xmpp/sasl-scram-sha-1"));
export const plain = esmDefault<(factory: SaslFactory) => void>(require("@xmpp/sasl-plain"));

// ---------------------------------------------------------------------------------------------------
// Every use of xmpp.js internals (underscore members, lib/ paths, the order of connect/open) is
// below or above in this file, each with a test in test/unit/xmpp/xmppjs.test.ts against the
// installed release: an xmpp.js bump that changes one fails there, not in the field.

/**
 * Wraps the entity's data handler (socket data → parser): `onThrow` gets what the parser throws
 * out of the socket's data listener (ltx does on some bad input), instead of an uncaught exception.
 */
export function catchParserThrows(entity: XmppEntity, onThrow: (err: unknown) => void): void {
  const parse = entity._onData.bind(entity);
  entity._onData = (data: Buffer | string) => {
    try {
      parse(data);
    } catch (err) {
      onThrow(err);
    }
  };
}

/**
 * Hands the top-level elements `take` claims straight to `receive`, skipping xmpp.js's middleware
 * chain (which parses `to` and `from` into JIDs for each one); the rest go the usual way.
 */
export function bypassMiddleware(
  entity: XmppEntity,
  take: (element: Element) => boolean,
  receive: (element: Element) => void,
): void {
  const onElement = entity._onElement.bind(entity);
  entity._onElement = (element) => {
    if (take(element)) receive(element);
    else onElement(element);
  };
}

/** Moves the entity onto another socket (the TLS socket after STARTTLS). */
export function replaceSocket(entity: XmppEntity, socket: XmppSocket): void {
  entity._detachSocket();
  entity._attachSocket(socket);
}

/** After our own resource binding: sets the entity's JID and makes it go "online" (not resumed). */
export function markBound(entity: XmppEntity, jid: string): void {
  entity._jid(jid);
  entity._ready(false);
}

/** Gives an xmpp.js WebSocket Socket the `ws` WebSocket to use (what its connect() does itself). */
export function attachWebSocket(socket: unknown, ws: unknown): void {
  (socket as { _attachSocket(ws: unknown): void })._attachSocket(ws);
}

/**
 * xmpp.js's own start(), without its flaw: start() makes a promise for "online" (rejected by the
 * next "error") before it opens the stream, and returns it only if opening succeeds. When the
 * socket fails before the server's stream header (a server restarting resets the connection), the
 * open and that promise both reject and nobody handles the second: an unhandled rejection, which
 * ends Node-RED ("[red] Uncaught Exception: Error: read ECONNRESET", no stack of ours).
 */
export async function startEntity(entity: XmppEntity): Promise<void> {
  const { service, domain } = entity.options;
  await entity.connect(service);
  const online = new Promise<void>((resolve, reject) => {
    const settle = (err?: Error) => {
      entity.off("online", onOnline);
      entity.off("error", settle);
      if (err) reject(err);
      else resolve();
    };
    const onOnline = () => settle();
    entity.on("online", onOnline);
    entity.on("error", settle);
  });
  online.catch(() => {}); // handled here, whichever of open() and online fails first
  await entity.open({ domain });
  await online;
}

/** What withMessageSites relies on in xmpp.js's stream parsers (@xmpp/xml Parser, websocket FramedParser). */
interface StreamParser {
  /** TCP: the stream header element once open; WebSocket: always null */
  root: Element | null;
  /** the element being parsed; at a stanza's start tag it equals `root` */
  cursor: Element | null;
  onStartElement(name: string, attrs: Record<string, string>): void;
}
type StreamParserClass = new () => StreamParser;

/**
 * `Base` (an xmpp.js stream parser class) with the elements of <message> stanzas built here, at
 * allocation sites of their own, instead of by ltx's Element constructor.
 *
 * Why: V8 decides once per allocation site whether to allocate its objects straight into the old
 * generation, and the decision is final. The snapshot's IQ results (10,000 users are megabytes of
 * XML) stay alive while they are parsed, so the `[]` and `{}` in ltx's constructor are judged
 * long-lived and every later element is allocated old. Old elements pointing at young children
 * keep that garbage alive through each young collection, and it is promoted: with a large company
 * 7 KB per notification, young collections 3x longer. Event messages die young, so their own sites
 * stay young. Everything else (the stream header, IQs, presences) is left to `Base`.
 */
export function withMessageSites<P extends StreamParserClass>(Base: P): P {
  class MessageSitesParser extends (Base as StreamParserClass) {
    private inMessage = false;

    override onStartElement(name: string, attrs: Record<string, string>): void {
      const stanzaStart = this.cursor === this.root;
      if (stanzaStart) this.inMessage = name === "message";
      if (!this.inMessage) {
        super.onStartElement(name, attrs);
        return;
      }
      // the same tree both base parsers build: a stanza is the cursor, a child is appended to it
      const element = messageElement(name, attrs);
      if (!stanzaStart) (this.cursor as Element).append(element);
      this.cursor = element;
    }
  }
  return MessageSitesParser as unknown as P;
}

/**
 * ltx's Element constructor, field for field, with this function's own allocation sites; it keeps
 * the attributes object the SAX parser made for this tag (a fresh one per tag, never reused)
 * instead of copying it into another.
 */
function messageElement(name: string, attrs: Record<string, string>): Element {
  const element = Object.create(Element.prototype) as Element & { parent: Element | null };
  element.name = name;
  element.parent = null;
  element.children = [];
  element.attrs = attrs;
  return element;
}
