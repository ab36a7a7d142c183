// The end-to-end bench's feed: a loopback TCP server speaking just enough XMPP for a bare
// @xmpp/client and for the package's session (SCRAM-SHA-1 without TLS, bind, privacy lists refused,
// GET_COMPANY / GET user|queue|call from a fixed company, a pubsub subscription), then pushing
// pre-built notification stanzas as fast as the socket takes them, or at a fixed rate.

import { once } from "node:events";
import net from "node:net";
import { ScramServerExchange } from "../../../src/simulator/xmpp/scram";
import {
  COMPANY_ID,
  type CompanySize,
  callsResult,
  companyResult,
  JID_DOMAIN,
  PASSWORD,
  queuesResult,
  usersResult,
} from "./company";

// biome-ignore lint/suspicious/noExplicitAny: ltx elements, typed loosely here
type Element = any;
const { Parser } = require("@xmpp/xml") as {
  Parser: new () => NodeJS.EventEmitter & { write(s: string): void };
};

const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
const NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind";
const NS_COMPASS = "http://iperity.com/compass";
const NS_PUBSUB = "http://jabber.org/protocol/pubsub";

/** One logged-in client; `ready` once it can receive notifications (see FeedServer.ready). */
class FeedClient {
  jid = "";
  authenticated = false;
  available = false;
  snapshotAnswers = 0;
  private scram: ScramServerExchange | undefined;
  private parser = this.newParser();

  constructor(
    readonly socket: net.Socket,
    private readonly size: CompanySize,
    private readonly onProgress: () => void,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (data) => this.parser.write(data.toString("utf8")));
    socket.on("error", () => undefined);
  }

  private newParser() {
    const parser = new Parser();
    parser.on("start", () => this.header());
    parser.on("element", (el: Element) => this.element(el));
    parser.on("end", () => this.socket.end("</stream:stream>"));
    parser.on("error", () => this.socket.destroy());
    return parser;
  }

  private header(): void {
    const features = this.authenticated
      ? `<bind xmlns="${NS_BIND}"/>`
      : `<mechanisms xmlns="${NS_SASL}"><mechanism>SCRAM-SHA-1</mechanism></mechanisms>`;
    this.socket.write(
      `<?xml version='1.0'?><stream:stream xmlns="jabber:client" xmlns:stream="http://etherx.jabber.org/streams" id="s${Date.now()}" from="${JID_DOMAIN}" version="1.0" xml:lang="en"><stream:features>${features}</stream:features>`,
    );
  }

  private element(el: Element): void {
    const text = (e: Element) => Buffer.from(e.getText(), "base64").toString("utf8");
    const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
    if (el.name === "auth") {
      this.scram = new ScramServerExchange(64);
      this.socket.write(`<challenge xmlns="${NS_SASL}">${b64(this.scram.start(text(el)))}</challenge>`);
    } else if (el.name === "response" && this.scram) {
      const final = this.scram.finish(text(el), PASSWORD);
      this.authenticated = true;
      this.parser = this.newParser(); // the client restarts the stream after success
      this.socket.write(`<success xmlns="${NS_SASL}">${b64(final)}</success>`);
    } else if (el.name === "presence") {
      this.available = true;
      this.onProgress();
    } else if (el.name === "iq") this.iq(el);
  }

  private iq(el: Element): void {
    const id = el.attrs.id;
    const bind = el.getChild("bind", NS_BIND);
    if (bind) {
      this.jid = `${this.scramUser()}@${JID_DOMAIN}/${bind.getChildText("resource") || "r"}`;
      this.socket.write(
        `<iq type="result" id="${id}"><bind xmlns="${NS_BIND}"><jid>${this.jid}</jid></bind></iq>`,
      );
      return;
    }
    const from = el.attrs.to ? ` from="${el.attrs.to}"` : "";
    const request = el.getChild("request", NS_COMPASS);
    if (request) {
      const kind = request.attrs.type === "GET_COMPANY" ? "company" : request.getChild("filter")?.attrs.type;
      const reply =
        kind === "company"
          ? companyResult(id, this.jid)
          : kind === "user"
            ? usersResult(this.size, id, this.jid)
            : kind === "queue"
              ? queuesResult(this.size, id, this.jid)
              : callsResult(this.size, id, this.jid);
      this.socket.write(reply);
      if (kind !== "company") {
        this.snapshotAnswers++;
        this.onProgress();
      }
      return;
    }
    if (el.getChild("pubsub", NS_PUBSUB)) {
      this.socket.write(
        `<iq type="result" id="${id}"${from} to="${this.jid}"><pubsub xmlns="${NS_PUBSUB}"><subscription node="${COMPANY_ID}" jid="${this.jid}" subscription="subscribed"/></pubsub></iq>`,
      );
      return;
    }
    if (el.getChild("query", "jabber:iq:privacy")) {
      this.socket.write(
        `<iq type="error" id="${id}"${from} to="${this.jid}"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`,
      );
      return;
    }
    if (el.attrs.type === "get" || el.attrs.type === "set")
      this.socket.write(`<iq type="result" id="${id}"${from} to="${this.jid}"/>`);
  }

  private scramUser(): string {
    return this.scram?.username || "bench";
  }
}

export interface FeedServer {
  port: number;
  /** The next client to log in, once it is ready for notifications. */
  ready(kind: "bare" | "package"): Promise<FeedClient>;
  close(): Promise<void>;
}

export async function startFeed(size: CompanySize): Promise<FeedServer> {
  const clients = new Set<FeedClient>();
  let check: () => void = () => undefined;
  const server = net.createServer((socket) => {
    const client = new FeedClient(socket, size, () => check());
    clients.add(client);
    socket.on("close", () => clients.delete(client));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as net.AddressInfo).port,
    ready(kind) {
      // bare clients are ready once available; the package once its snapshot has been answered
      const isReady = (c: FeedClient) => c.available && (kind === "bare" || c.snapshotAnswers >= 3);
      return new Promise((resolve) => {
        check = () => {
          for (const c of clients)
            if (isReady(c)) {
              check = () => undefined;
              resolve(c);
            }
        };
        check();
      });
    },
    async close() {
      for (const c of clients) c.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes `count` stanzas from the ring (starting at `from`) in chunks, waiting when the socket is full. */
export async function pushAll(
  socket: net.Socket,
  ring: string[],
  from: number,
  count: number,
): Promise<void> {
  const CHUNK = 64;
  for (let sent = 0; sent < count; ) {
    let chunk = "";
    for (let k = 0; k < CHUNK && sent < count; k++, sent++) chunk += ring[(from + sent) % ring.length];
    if (!socket.write(chunk)) await once(socket, "drain");
    if (socket.destroyed) throw new Error("the client went away");
  }
}

/**
 * Writes `count` stanzas at `perSecond`, one write per stanza; returns each write's time
 * (process.hrtime in ms: CLOCK_MONOTONIC, comparable with the child's clock on Linux).
 */
export async function pushPaced(
  socket: net.Socket,
  ring: string[],
  from: number,
  count: number,
  perSecond: number,
): Promise<Float64Array> {
  const sentAt = new Float64Array(count);
  const start = Number(process.hrtime.bigint()) / 1e6;
  let sent = 0;
  while (sent < count) {
    const now = Number(process.hrtime.bigint()) / 1e6;
    const due = Math.min(count, Math.floor(((now - start) * perSecond) / 1000) + 1);
    for (; sent < due; sent++) {
      sentAt[sent] = Number(process.hrtime.bigint()) / 1e6;
      socket.write(ring[(from + sent) % ring.length] as string);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return sentAt;
}
