// Transports and TLS for the session: which service URLs are allowed, the STARTTLS upgrade with our
// own trust settings, and XMPP over WebSocket through the `ws` package (Node 20 has no global
// WebSocket; we inject it into a subclass instead of setting globalThis.WebSocket for everyone).
import { EventEmitter } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { WebSocket } from "ws";
import { guarded, guardedTimeout } from "../guard";
import { SessionUnavailableError } from "./errors";
import {
  attachWebSocket,
  ConnectionTCP,
  ConnectionWebSocket,
  WebSocketSocket,
  withMessageSites,
  type XmppEntity,
  type XmppSocket,
} from "./xmppjs";

export type TransportKind = "tcp" | "websocket";

export interface ServiceAddress {
  kind: TransportKind;
  host: string;
  /** true for wss:// (TLS from the first byte); xmpp:// is secured by STARTTLS later */
  tlsFromStart: boolean;
}

/** Parse and check a service URL: xmpp://host[:port], ws://host/path, wss://host/path. */
export function parseService(service: string): ServiceAddress {
  let url: URL;
  try {
    url = new URL(service);
  } catch {
    throw new TypeError(`service "${service}" is not a URL like xmpp://host:5222 or wss://host/ws`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw new TypeError(`service "${service}" names no host`);
  switch (url.protocol) {
    case "xmpp:":
      return { kind: "tcp", host, tlsFromStart: false };
    case "ws:":
      return { kind: "websocket", host, tlsFromStart: false };
    case "wss:":
      return { kind: "websocket", host, tlsFromStart: true };
    default:
      throw new TypeError(`service "${service}": use xmpp://, ws:// or wss://`);
  }
}

export interface TrustOptions {
  /** the XMPP domain the certificate must name (RFC 6120 13.7.2) */
  domain: string;
  /** extra trusted CA, added to Node's built-in roots */
  ca?: string | Buffer;
}

function trustedRoots(ca: string | Buffer | undefined): string[] | undefined {
  return ca === undefined ? undefined : [...tls.rootCertificates, ca.toString()];
}

/** The TLS socket after STARTTLS, in the shape xmpp.js connections expect. */
export class SecureSocket extends EventEmitter implements XmppSocket {
  readonly secure = true;

  constructor(readonly socket: tls.TLSSocket) {
    super();
    socket.on(
      "data",
      guarded("TLS socket data listener", (data: Buffer) => this.emit("data", data)),
    );
    // xmpp.js stops listening once it detaches this socket; an error after that (a reset arriving
    // late) must not be an unheard "error", which would be an uncaught exception
    socket.on(
      "error",
      guarded("TLS socket error listener", (err: Error) => {
        if (this.listenerCount("error") > 0) this.emit("error", err);
      }),
    );
    socket.on(
      "close",
      guarded("TLS socket close listener", (hadError: boolean) => this.emit("close", hadError)),
    );
  }

  write(data: string, callback?: (err?: Error) => void): void {
    this.socket.write(data, (err?: Error | null) => callback?.(err ?? undefined));
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Wrap a connected TCP socket in TLS, verifying the certificate against the XMPP domain. */
export function upgradeToTls(raw: net.Socket, trust: TrustOptions, timeoutMs: number): Promise<SecureSocket> {
  return new Promise((resolve, reject) => {
    const secured = tls.connect({
      socket: raw,
      // SNI takes host names only
      ...(net.isIP(trust.domain) ? {} : { servername: trust.domain }),
      ...(trust.ca !== undefined ? { ca: trustedRoots(trust.ca) } : {}),
      rejectUnauthorized: true,
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(trust.domain, cert),
    });
    const timer = guardedTimeout("TLS handshake timer", timeoutMs, () =>
      fail(new SessionUnavailableError("timeout", `TLS handshake took longer than ${timeoutMs} ms`)),
    );
    const done = () => {
      clearTimeout(timer);
      secured.off("error", fail);
      secured.off("secureConnect", ok);
    };
    function ok() {
      done();
      resolve(new SecureSocket(secured));
    }
    function fail(err: Error) {
      done();
      secured.on("error", () => undefined); // a second error from the dying socket has a listener
      secured.destroy();
      // the cause keeps the code and the peer certificate, so the failure can name what it holds
      reject(new Error(`TLS with ${trust.domain} failed: ${err.message}`, { cause: err }));
    }
    secured.once("secureConnect", ok);
    secured.once("error", fail);
  });
}

/** An xmpp.js WebSocket transport whose sockets are `ws` WebSockets with our trust settings. */
export function webSocketTransport(trust: TrustOptions): unknown {
  const wsOptions = {
    ...(trust.ca !== undefined ? { ca: trustedRoots(trust.ca) } : {}),
    // no 1 GiB default: a stanza is small; a huge frame is an attack or a bug
    maxPayload: 16 * 1024 * 1024,
  };
  class CompassWebSocketSocket extends WebSocketSocket {
    connect(url: string): void {
      const self = this as unknown as { url: string; secure: boolean };
      self.url = url;
      self.secure = url.startsWith("wss:");
      attachWebSocket(this, new WebSocket(url, ["xmpp"], wsOptions));
    }
  }
  const Base = ConnectionWebSocket as unknown as new () => object;
  class CompassWebSocketConnection extends Base {}
  const prototype = CompassWebSocketConnection.prototype as { Socket: unknown; Parser: ParserClass };
  prototype.Socket = CompassWebSocketSocket;
  prototype.Parser = withMessageSites(prototype.Parser);
  return CompassWebSocketConnection;
}

type ParserClass = Parameters<typeof withMessageSites>[0];

/** xmpp.js's TCP transport (STARTTLS is ours, see upgradeToTls) with our stream parser. */
export class CompassTcpConnection extends (ConnectionTCP as unknown as new () => object) {}
const tcpPrototype = CompassTcpConnection.prototype as { Parser: ParserClass };
tcpPrototype.Parser = withMessageSites(tcpPrototype.Parser);

/** Drop the connection now, without the stream close handshake (dead link, abandoned attempt). */
export function destroySocket(entity: XmppEntity): void {
  const socket = entity.socket as unknown as {
    destroy?: () => void;
    socket?: { terminate?: () => void; destroy?: () => void };
  } | null;
  if (!socket) return;
  if (typeof socket.destroy === "function") socket.destroy();
  else if (socket.socket?.terminate) socket.socket.terminate();
  else socket.socket?.destroy?.();
}
