// The two framings of an XMPP stream the embedded endpoint speaks: RFC 6120 over TCP (with STARTTLS)
// and RFC 7395 over WebSocket. The session logic (server.ts) does not know which one it runs on.

import type net from "node:net";
import { StringDecoder } from "node:string_decoder";
import tls from "node:tls";
import type { WebSocket } from "ws";
import {
  attributes,
  buildXml,
  NS_CLIENT,
  NS_FRAMING,
  NS_STREAM,
  startTag,
  type XmlElement,
  XmlStreamError,
  XmlStreamParser,
  type XmlTree,
} from "./xml";

const NS_STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams";

/** What a transport reports to the session running on it. */
export interface StreamHandler {
  onStreamOpen(header: XmlElement): void;
  onElement(el: XmlElement): void;
  onStreamClose(): void;
  onParseError(err: XmlStreamError): void;
  fail(condition: StreamErrorCondition, text?: string): void;
  /** the connection is gone */
  ended(): void;
  /** set by the transport: start a fresh parser (stream restart after SASL) */
  restart: () => void;
}

export type StreamErrorCondition =
  | "conflict"
  | "not-well-formed"
  | "restricted-xml"
  | "policy-violation"
  | "invalid-namespace"
  | "not-authorized"
  | "host-unknown"
  | "unsupported-stanza-type"
  | "connection-timeout"
  | "system-shutdown";

/** What differs between TCP and WebSocket framing. */
export interface Transport {
  readonly kind: "tcp" | "websocket";
  readonly remoteAddress: string;
  /** namespace written on top-level stanzas (RFC 7395 needs it explicit) */
  readonly stanzaXmlns: string | undefined;
  isSecure(): boolean;
  canStartTls(): boolean;
  write(xml: string): void;
  pendingBytes(): number;
  openStream(attrs: Record<string, string>): void;
  /** `features`: the children of <stream:features> */
  features(features: XmlTree): void;
  /** our closing of the stream, then the connection */
  closeStream(): void;
  startTls(onReady: () => void): void;
  destroy(): void;
}

function streamErrorXml(
  condition: StreamErrorCondition,
  text: string | undefined,
  declareStream: boolean,
): string {
  return buildXml({
    "stream:error": {
      ...(declareStream ? { "@_xmlns:stream": NS_STREAM } : {}),
      [condition]: { "@_xmlns": NS_STREAM_ERRORS },
      ...(text ? { text: { "@_xmlns": NS_STREAM_ERRORS, "#text": text } } : {}),
    },
  });
}

/** Sends a stream error (opening the stream first if its header is not out yet), then closes. */
export function sendStreamError(
  transport: Transport,
  condition: StreamErrorCondition,
  text: string | undefined,
  headerSent: boolean,
  header: Record<string, string>,
): void {
  if (!headerSent) transport.openStream(header);
  // RFC 7395 frames every element on its own, so there the stream prefix is declared on it.
  transport.write(streamErrorXml(condition, text, transport.kind === "websocket"));
  transport.closeStream();
}

/** How long a closing connection may take before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

export class TcpTransport implements Transport {
  readonly kind = "tcp" as const;
  readonly stanzaXmlns = undefined;
  readonly remoteAddress: string;
  private socket: net.Socket;
  private decoder = new StringDecoder("utf8");
  private parser!: XmlStreamParser;
  private secure = false;
  session!: StreamHandler;
  private readonly onData = (chunk: Buffer) => this.parser.write(this.decoder.write(chunk));

  constructor(
    socket: net.Socket,
    private readonly secureContext: tls.SecureContext | undefined,
    private readonly maxStanzaBytes: number,
  ) {
    this.socket = socket;
    this.remoteAddress = socket.remoteAddress ?? "";
    socket.on("error", () => undefined);
    socket.on("close", () => this.session.ended());
    socket.setNoDelay(true);
  }

  start(session: StreamHandler): void {
    this.session = session;
    session.restart = () => this.newParser();
    this.newParser();
    this.socket.on("data", this.onData);
  }

  private newParser(): void {
    this.parser?.stop();
    const parser = new XmlStreamParser({ mode: "stream", maxStanzaBytes: this.maxStanzaBytes });
    parser.on("streamStart", (el: XmlElement) => this.session.onStreamOpen(el));
    parser.on("element", (el: XmlElement) => this.session.onElement(el));
    parser.on("streamEnd", () => this.session.onStreamClose());
    parser.on("error", (err: XmlStreamError) => this.session.onParseError(err));
    this.parser = parser;
  }

  isSecure(): boolean {
    return this.secure;
  }

  canStartTls(): boolean {
    return this.secureContext !== undefined;
  }

  write(xml: string): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(xml);
  }

  pendingBytes(): number {
    return this.socket.writableLength;
  }

  openStream(attrs: Record<string, string>): void {
    this.write(
      `<?xml version='1.0'?>${startTag("stream:stream", { xmlns: NS_CLIENT, "xmlns:stream": NS_STREAM, ...attrs })}`,
    );
  }

  features(features: XmlTree): void {
    this.write(buildXml({ "stream:features": features }));
  }

  closeStream(): void {
    this.write("</stream:stream>");
    this.endSocket();
  }

  private endSocket(): void {
    this.parser?.stop();
    const socket = this.socket;
    socket.end();
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  startTls(onReady: () => void): void {
    const raw = this.socket;
    raw.off("data", this.onData);
    this.parser.stop();
    const secured = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: this.secureContext as tls.SecureContext,
    });
    secured.on("error", () => secured.destroy());
    secured.on("secure", () => {
      this.secure = true;
      onReady();
    });
    this.socket = secured;
    this.decoder = new StringDecoder("utf8");
    this.newParser();
    secured.on("data", this.onData);
  }

  destroy(): void {
    this.parser?.stop();
    this.socket.destroy();
  }
}

export class WebSocketTransport implements Transport {
  readonly kind = "websocket" as const;
  readonly stanzaXmlns = NS_CLIENT;
  session!: StreamHandler;

  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
    private readonly secure: boolean,
    private readonly maxStanzaBytes: number,
  ) {}

  start(session: StreamHandler): void {
    this.session = session;
    this.ws.on("error", () => undefined);
    this.ws.on("close", () => session.ended());
    this.ws.on("message", (data, isBinary) => {
      if (isBinary) {
        session.fail("not-well-formed", "binary frames are not XMPP");
        return;
      }
      this.frame(data.toString());
    });
  }

  /** RFC 7395 3.3.3: every frame is one complete element: <open/>, <close/> or a stanza. */
  private frame(text: string): void {
    const parser = new XmlStreamParser({ mode: "frames", maxStanzaBytes: this.maxStanzaBytes });
    const elements: XmlElement[] = [];
    let error: XmlStreamError | undefined;
    parser.on("element", (el: XmlElement) => elements.push(el));
    parser.on("error", (err: XmlStreamError) => {
      error = err;
    });
    parser.write(text);
    if (!error && (!parser.isIdle() || elements.length !== 1)) {
      error = new XmlStreamError("not-well-formed", "a frame must hold exactly one complete element");
    }
    if (error) {
      this.session.onParseError(error);
      return;
    }
    const el = elements[0] as XmlElement;
    if (el.ns === NS_FRAMING && el.name === "open") this.session.onStreamOpen(el);
    else if (el.ns === NS_FRAMING && el.name === "close") this.session.onStreamClose();
    else this.session.onElement(el);
  }

  isSecure(): boolean {
    return this.secure;
  }

  canStartTls(): boolean {
    return false;
  }

  write(xml: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(xml);
  }

  pendingBytes(): number {
    return this.ws.bufferedAmount;
  }

  openStream(attrs: Record<string, string>): void {
    this.write(buildXml({ open: attributes({ xmlns: NS_FRAMING, ...attrs }) }));
  }

  features(features: XmlTree): void {
    this.write(buildXml({ "stream:features": { "@_xmlns:stream": NS_STREAM, ...features } }));
  }

  closeStream(): void {
    this.write(buildXml({ close: { "@_xmlns": NS_FRAMING } }));
    this.ws.close(1000);
    const ws = this.ws;
    setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  startTls(): void {
    throw new Error("STARTTLS is not defined for WebSocket");
  }

  destroy(): void {
    this.ws.terminate();
  }
}
