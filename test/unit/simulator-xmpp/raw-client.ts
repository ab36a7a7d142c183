// A deliberately small, raw XMPP client for testing servers byte by byte: plain sockets, strings we
// write ourselves, and ltx's parser (via @xmpp/xml) to read. It is NOT the product's client, and it does
// not share the simulator's parser, so neither can hide a bug by agreeing with itself.

import net from "node:net";
import tls from "node:tls";
import { WebSocket } from "ws";

export interface LtxElement {
  name: string;
  attrs: Record<string, string>;
  children: Array<LtxElement | string>;
  getChild(name: string, ns?: string): LtxElement | undefined;
  getChildren(name: string, ns?: string): LtxElement[];
  getChildText(name: string, ns?: string): string | null;
  getChildElements(): LtxElement[];
  getText(): string;
  is(name: string, ns?: string): boolean;
  toString(): string;
}

interface LtxStreamParser {
  on(event: "start" | "element" | "end", listener: (el: LtxElement) => void): void;
  on(event: "error", listener: (err: Error) => void): void;
  write(data: string): void;
}

// @xmpp/xml is ESM without types; Node 20.19+ can require() it.
const { Parser } = require("@xmpp/xml") as { Parser: new () => LtxStreamParser };

export const NS = {
  client: "jabber:client",
  stream: "http://etherx.jabber.org/streams",
  tls: "urn:ietf:params:xml:ns:xmpp-tls",
  sasl: "urn:ietf:params:xml:ns:xmpp-sasl",
  bind: "urn:ietf:params:xml:ns:xmpp-bind",
  streams: "urn:ietf:params:xml:ns:xmpp-streams",
  stanzas: "urn:ietf:params:xml:ns:xmpp-stanzas",
  framing: "urn:ietf:params:xml:ns:xmpp-framing",
  compass: "http://iperity.com/compass",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
  pubsub: "http://jabber.org/protocol/pubsub",
  pubsubEvent: "http://jabber.org/protocol/pubsub#event",
  privacy: "jabber:iq:privacy",
};

export function escapeText(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;").replace(/>/g, "&gt;");
}

type Predicate = (el: LtxElement) => boolean;

/** Shared queue of received elements with timeouts; the transports feed it. */
abstract class ElementQueue {
  readonly received: LtxElement[] = [];
  /** everything the server sent, as text (to check wire details such as prefixes) */
  transcript = "";
  closed = false;
  streamEnded = false;
  private waiters: Array<{ predicate: Predicate; resolve: (el: LtxElement) => void }> = [];
  private closeWaiters: Array<() => void> = [];
  private idCounter = 0;

  nextId(): string {
    return `raw${++this.idCounter}`;
  }

  protected push(el: LtxElement): void {
    const i = this.waiters.findIndex((w) => w.predicate(el));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      w?.resolve(el);
      return;
    }
    this.received.push(el);
  }

  protected markClosed(): void {
    this.closed = true;
    for (const w of this.closeWaiters.splice(0)) w();
  }

  /** The first (queued or future) element matching `predicate`. */
  next(predicate: Predicate = () => true, timeoutMs = 3000): Promise<LtxElement> {
    const i = this.received.findIndex(predicate);
    if (i >= 0) return Promise.resolve(this.received.splice(i, 1)[0] as LtxElement);
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (el: LtxElement) => {
          clearTimeout(timer);
          resolve(el);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(`timed out waiting for an element; queued: ${this.received.map(String).join(" | ")}`),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Resolves when the connection has closed. */
  whenClosed(timeoutMs = 3000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("connection did not close")), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  abstract send(xml: string): void;

  /** Send an IQ (the string must carry id="ID", which is replaced) and wait for its reply. */
  async iq(xmlWithIdPlaceholder: string, timeoutMs = 3000): Promise<LtxElement> {
    const id = this.nextId();
    this.send(xmlWithIdPlaceholder.replace('id="ID"', `id="${id}"`));
    return this.next((el) => el.name === "iq" && el.attrs.id === id, timeoutMs);
  }

  async authPlain(username: string, password: string): Promise<LtxElement> {
    const payload = Buffer.from(`\u0000${username}\u0000${password}`, "utf8").toString("base64");
    this.send(`<auth xmlns="${NS.sasl}" mechanism="PLAIN">${payload}</auth>`);
    return this.next((el) => el.name === "success" || el.name === "failure");
  }

  async bind(resource?: string): Promise<string> {
    const res = resource ? `<resource>${escapeText(resource)}</resource>` : "";
    const reply = await this.iq(`<iq type="set" id="ID"><bind xmlns="${NS.bind}">${res}</bind></iq>`);
    if (reply.attrs.type !== "result") throw new Error(`bind failed: ${reply.toString()}`);
    return reply.getChild("bind", NS.bind)?.getChildText("jid") ?? "";
  }
}

export interface TcpLoginOptions {
  port: number;
  domain: string;
  username: string;
  password: string;
  resource?: string;
  /** CA to verify the server's certificate; when given, STARTTLS is negotiated */
  ca?: string;
}

export class RawTcpClient extends ElementQueue {
  header?: LtxElement;
  private socket: net.Socket;
  private parser!: LtxStreamParser;
  private headerWaiter?: (el: LtxElement) => void;

  private constructor(socket: net.Socket) {
    super();
    this.socket = socket;
    this.attach(socket);
    this.newParser();
  }

  static connect(port: number, host = "127.0.0.1"): Promise<RawTcpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawTcpClient(socket));
      });
    });
  }

  /** Connect, (STARTTLS), SASL PLAIN, restart, bind: returns the client and its full JID. */
  static async login(o: TcpLoginOptions): Promise<{ client: RawTcpClient; jid: string }> {
    const client = await RawTcpClient.connect(o.port);
    try {
      let features = await client.openStream(o.domain);
      if (o.ca) {
        if (!features.getChild("starttls", NS.tls)) throw new Error("server offers no STARTTLS");
        await client.startTls(o.ca, o.domain);
        features = await client.openStream(o.domain);
      }
      const auth = await client.authPlain(o.username, o.password);
      if (auth.name !== "success") throw new Error(`login failed: ${auth.toString()}`);
      await client.openStream(o.domain);
      const jid = await client.bind(o.resource);
      return { client, jid };
    } catch (err) {
      client.destroy();
      throw err;
    }
  }

  private attach(socket: net.Socket): void {
    socket.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      this.transcript += text;
      this.parser.write(text);
    });
    socket.on("error", () => undefined);
    socket.on("close", () => this.markClosed());
  }

  private newParser(): void {
    const parser = new Parser();
    parser.on("start", (el) => {
      this.header = el;
      this.headerWaiter?.(el);
      this.headerWaiter = undefined;
    });
    parser.on("element", (el) => this.push(el));
    parser.on("end", () => {
      this.streamEnded = true;
    });
    parser.on("error", () => undefined);
    this.parser = parser;
  }

  send(xml: string): void {
    this.socket.write(xml);
  }

  /** Send a stream header on a fresh parser; resolves with the server's <stream:features/>. */
  async openStream(domain: string): Promise<LtxElement> {
    this.newParser();
    this.header = undefined;
    const headerSeen = new Promise<LtxElement>((resolve) => {
      this.headerWaiter = resolve;
    });
    this.send(
      `<?xml version='1.0'?><stream:stream to="${domain}" version="1.0" xmlns="${NS.client}" xmlns:stream="${NS.stream}">`,
    );
    await headerSeen;
    return this.next((el) => el.name === "stream:features");
  }

  async startTls(ca: string, servername: string): Promise<void> {
    this.send(`<starttls xmlns="${NS.tls}"/>`);
    const answer = await this.next((el) => el.name === "proceed" || el.name === "failure");
    if (answer.name !== "proceed") throw new Error("STARTTLS refused");
    const raw = this.socket;
    raw.removeAllListeners("data");
    raw.removeAllListeners("close");
    await new Promise<void>((resolve, reject) => {
      const secured = tls.connect({ socket: raw, ca, servername }, () => resolve());
      secured.once("error", reject);
      this.socket = secured;
      this.attach(secured);
    });
  }

  /** stop reading from the socket (a slow consumer) */
  pauseReading(): void {
    this.socket.pause();
  }

  endStream(): void {
    this.send("</stream:stream>");
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export class RawWebSocketClient extends ElementQueue {
  readonly frames: string[] = [];

  private constructor(private readonly ws: WebSocket) {
    super();
    ws.on("message", (data) => {
      const text = data.toString();
      this.frames.push(text);
      this.transcript += text;
      // parse each frame on its own inside a synthetic root, so the frame is emitted whole
      const parser = new Parser();
      parser.on("element", (el) => this.push(el));
      parser.on("error", () => this.push({ name: "unparsable-frame" } as LtxElement));
      parser.write(`<frame>${text}`);
    });
    ws.on("error", () => undefined);
    ws.on("close", () => this.markClosed());
  }

  static connect(url: string, protocol = "xmpp"): Promise<RawWebSocketClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocol);
      ws.once("error", reject);
      ws.once("open", () => {
        ws.off("error", reject);
        resolve(new RawWebSocketClient(ws));
      });
    });
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  send(xml: string): void {
    this.ws.send(xml);
  }

  async open(domain: string): Promise<LtxElement> {
    this.send(`<open xmlns="${NS.framing}" to="${domain}" version="1.0"/>`);
    await this.next((el) => el.name === "open");
    return this.next((el) => el.name === "stream:features");
  }

  destroy(): void {
    this.ws.terminate();
  }
}
