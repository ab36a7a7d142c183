// The simulator's embedded XMPP endpoint: just enough RFC 6120 (TCP, STARTTLS, SASL SCRAM-SHA-1/PLAIN, bind) and
// RFC 7395 (WebSocket) for standard clients to reach the platform services in services.ts.
//
// Deliberately NOT offered: stream management (XEP-0198). @xmpp/client 0.14 miscounts acks (they stay
// at h=0) and IQ round trips slow from ~1.5 ms to ~43 ms against a server offering it; the live
// platform's behaviour is what we simulate and clients must work without it.
//
// Slow-consumer policy: each connection's unsent output is bounded (`maxPendingBytes`, default 16 MiB).
// A client that lets more pile up is disconnected with a `policy-violation` stream error rather than
// silently losing events: its presence-bound subscription ends with the session, and like any
// reconnecting client it must resubscribe and reload, so its model is never silently wrong.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import net from "node:net";
import tls from "node:tls";
import { WebSocketServer } from "ws";
import type { CompanyStateReader, SimUser } from "../state/types";
import { ScramError, ScramServerExchange } from "./scram";
import {
  bareJid,
  iqError,
  iqResult,
  type OutboundStanza,
  PlatformServices,
  type ServiceDomains,
  serializeStanza,
} from "./services";
import {
  type StreamErrorCondition,
  type StreamHandler,
  sendStreamError,
  TcpTransport,
  type Transport,
  WebSocketTransport,
} from "./transports";
import {
  buildXml,
  childElements,
  findChild,
  NS_CLIENT,
  textOf,
  type XmlElement,
  type XmlStreamError,
  type XmlTree,
} from "./xml";

const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";
const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
const NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind";
const NS_SESSION = "urn:ietf:params:xml:ns:xmpp-session";
const NS_PING = "urn:xmpp:ping";
const NS_PRIVACY = "jabber:iq:privacy";
const NS_ROSTER = "jabber:iq:roster";
const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";

export interface XmppEndpointOptions {
  host?: string;
  /** TCP client port; 0 picks a free one */
  port?: number;
  /** WebSocket (RFC 7395) port; omitted = no WebSocket listener, 0 = pick a free one */
  websocketPort?: number;
  /** enables STARTTLS on TCP and wss:// on WebSocket */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** with `tls`: refuse SASL before STARTTLS (default true, like the live platform) */
  requireTls?: boolean;
  userDomain?: string;
  phoneDomain?: string;
  pubsubDomain?: string;
  /** the live platform allows 10 connections per JID */
  maxConnectionsPerJid?: number;
  maxStanzaBytes?: number;
  /** unsent output per connection before it is dropped as a slow consumer */
  maxPendingBytes?: number;
  /** interval of the server's whitespace keepalives; 0 = none */
  keepaliveIntervalMs?: number;
  /** a connection that has not bound a resource by then is closed (connection-timeout); 0 = never */
  authTimeoutMs?: number;
  /** failed SASL attempts per connection before the stream is closed */
  maxAuthAttempts?: number;
  /** SCRAM-SHA-1 PBKDF2 iterations; low because JS clients derive keys slowly (~0.1 ms each) */
  scramIterations?: number;
  subscribedDelayMs?: number;
}

export interface ConnectionInfo {
  id: string;
  transport: "tcp" | "websocket";
  secure: boolean;
  /** full JID once bound */
  jid?: string;
  username?: string;
  available: boolean;
  remoteAddress: string;
}

export interface XmppEndpoint {
  port: number;
  websocketPort?: number;
  websocketUrl?: string;
  domains: ServiceDomains;
  services: PlatformServices;
  connections(): ConnectionInfo[];
  /** test hook: destroy every connection without a stream close (network failure) */
  dropAll(): void;
  /** test hook: stop accepting connections (existing ones stay) */
  stopListening(): Promise<void>;
  /** test hook: accept connections again on the same ports */
  startListening(): Promise<void>;
  close(): Promise<void>;
}

interface SessionHost {
  readonly options: Required<Omit<XmppEndpointOptions, "tls" | "websocketPort" | "host" | "port">> & {
    tls?: XmppEndpointOptions["tls"];
  };
  readonly state: CompanyStateReader;
  readonly services: PlatformServices;
  bind(session: Session, resource: string): "ok" | "limit";
  unbind(session: Session): void;
  remove(session: Session): void;
}

let connectionCounter = 0;

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

function passwordMatches(user: SimUser | undefined, password: string): boolean {
  // compare digests so the time taken does not depend on where the strings differ
  const ok = timingSafeEqual(digest(user?.password ?? "\u0000no-user"), digest(password));
  return ok && user !== undefined;
}

/** One client connection and its RFC 6120 state machine. */
class Session implements StreamHandler {
  readonly id = `c${++connectionCounter}`;
  user?: SimUser;
  jid?: string;
  available = false;
  private headerSent = false;
  private authAttempts = 0;
  private scram?: ScramServerExchange;
  private closed = false;
  /** end-of-session bookkeeping done (it must run once: a later run could hit a successor's JID) */
  private finished = false;
  private privacyLists = new Map<string, string>();
  private keepalive?: NodeJS.Timeout;
  private authTimer?: NodeJS.Timeout;

  constructor(
    private readonly host: SessionHost,
    readonly transport: Transport,
  ) {
    const every = host.options.keepaliveIntervalMs;
    if (every > 0) {
      this.keepalive = setInterval(() => {
        if (this.headerSent && !this.closed && this.transport.kind === "tcp") this.transport.write(" ");
      }, every);
      this.keepalive.unref();
    }
    const timeout = host.options.authTimeoutMs;
    if (timeout > 0) {
      // an idle or half-open login must not hold a connection slot forever
      this.authTimer = setTimeout(() => {
        if (!this.jid) this.fail("connection-timeout", "no login within the time limit");
      }, timeout);
      this.authTimer.unref();
    }
  }

  info(): ConnectionInfo {
    return {
      id: this.id,
      transport: this.transport.kind,
      secure: this.transport.isSecure(),
      ...(this.jid ? { jid: this.jid } : {}),
      ...(this.user ? { username: this.user.username } : {}),
      available: this.available,
      remoteAddress: this.transport.remoteAddress,
    };
  }

  /** the JID domain of this stream: the user domain, or the company's own domain (manual, Authentication) */
  private streamDomain?: string;

  get domain(): string {
    return this.streamDomain ?? this.host.options.userDomain;
  }

  private headerAttrs(): Record<string, string> {
    return { id: randomBytes(8).toString("hex"), from: this.domain, version: "1.0", "xml:lang": "en" };
  }

  onStreamOpen(header: XmlElement): void {
    if (this.closed) return;
    const to = header.attrs.to;
    const served = [this.host.options.userDomain, this.host.state.company.domain];
    if (to !== undefined && !served.includes(to)) {
      this.fail("host-unknown", `this server serves ${this.host.options.userDomain}`);
      return;
    }
    if (to !== undefined && !this.user) this.streamDomain = to;
    this.transport.openStream(this.headerAttrs());
    this.headerSent = true;
    this.transport.features(this.featureList());
  }

  private tlsPending(): boolean {
    return this.transport.canStartTls() && !this.transport.isSecure();
  }

  private featureList(): XmlTree {
    if (!this.user) {
      const mechanisms = { mechanisms: { "@_xmlns": NS_SASL, mechanism: ["SCRAM-SHA-1", "PLAIN"] } };
      if (this.tlsPending()) {
        const required = this.host.options.requireTls;
        return {
          starttls: { "@_xmlns": NS_TLS, ...(required ? { required: "" } : {}) },
          ...(required ? {} : mechanisms),
        };
      }
      return mechanisms;
    }
    return { bind: { "@_xmlns": NS_BIND }, session: { "@_xmlns": NS_SESSION, optional: "" } };
  }

  onElement(el: XmlElement): void {
    if (this.closed) return;
    if (!this.headerSent) {
      this.fail("not-well-formed", "stanza before stream header");
      return;
    }
    if (!this.user) {
      this.beforeAuth(el);
      return;
    }
    if (el.ns !== NS_CLIENT && el.ns !== "") {
      this.fail("invalid-namespace", `unexpected namespace ${el.ns}`);
      return;
    }
    if (!this.jid) {
      if (el.name === "iq" && el.attrs.type === "set" && findChild(el, "bind", NS_BIND)) this.bind(el);
      else if (el.name === "iq")
        this.send(iqError(el, this.domain, "", "cancel", "not-authorized", "bind a resource first"));
      else this.fail("not-authorized", "bind a resource first");
      return;
    }
    switch (el.name) {
      case "iq":
        this.routeIq(el);
        return;
      case "presence":
        this.routePresence(el);
        return;
      case "message":
        this.routeMessage(el);
        return;
      default:
        this.fail("unsupported-stanza-type", `<${el.name}/> is not a stanza`);
    }
  }

  private beforeAuth(el: XmlElement): void {
    if (el.name === "starttls" && el.ns === NS_TLS) {
      if (!this.tlsPending()) {
        this.transport.write(buildXml({ failure: { "@_xmlns": NS_TLS } }));
        this.transport.closeStream();
        return;
      }
      this.transport.write(buildXml({ proceed: { "@_xmlns": NS_TLS } }));
      this.headerSent = false;
      this.transport.startTls(() => undefined);
      return;
    }
    if (el.name === "auth" && el.ns === NS_SASL) {
      this.authenticate(el);
      return;
    }
    if (el.name === "response" && el.ns === NS_SASL) {
      this.scramResponse(el);
      return;
    }
    if (el.name === "abort" && el.ns === NS_SASL) {
      this.scram = undefined;
      this.transport.write(buildXml({ failure: { "@_xmlns": NS_SASL, aborted: "" } }));
      return;
    }
    this.fail("not-authorized", "authenticate first");
  }

  private saslFailure(condition: string, text?: string): void {
    this.transport.write(
      buildXml({
        failure: {
          "@_xmlns": NS_SASL,
          [condition]: "",
          ...(text ? { text: { "@_xml:lang": "en", "#text": text } } : {}),
        },
      }),
    );
  }

  private authenticate(auth: XmlElement): void {
    if (this.tlsPending() && this.host.options.requireTls) {
      this.saslFailure("encryption-required", "use STARTTLS first");
      this.transport.closeStream();
      return;
    }
    if (auth.attrs.mechanism === "SCRAM-SHA-1") {
      this.scramStart(auth);
      return;
    }
    if (auth.attrs.mechanism !== "PLAIN") {
      this.saslFailure("invalid-mechanism", "SCRAM-SHA-1 and PLAIN are offered");
      return;
    }
    const decoded = Buffer.from(textOf(auth).trim(), "base64").toString("utf8");
    const parts = decoded.split("\u0000");
    if (parts.length !== 3) {
      this.saslFailure("malformed-request");
      return;
    }
    const [authzid, authcid, password] = parts as [string, string, string];
    const candidate = this.host.state.userByUsername(authcid);
    const authzOk = authzid === "" || authzid === `${authcid}@${this.domain}` || authzid === authcid;
    if (!authzOk || !passwordMatches(candidate, password)) {
      this.authFailed();
      return;
    }
    this.authenticated(candidate as SimUser, "");
  }

  private authFailed(condition = "not-authorized"): void {
    this.authAttempts++;
    this.saslFailure(condition, condition === "not-authorized" ? "wrong username or password" : undefined);
    if (this.authAttempts >= this.host.options.maxAuthAttempts)
      this.fail("not-authorized", "too many failed logins");
  }

  private scramStart(auth: XmlElement): void {
    const exchange = new ScramServerExchange(this.host.options.scramIterations);
    try {
      const serverFirst = exchange.start(Buffer.from(textOf(auth).trim(), "base64").toString("utf8"));
      this.scram = exchange;
      this.transport.write(
        buildXml({ challenge: { "@_xmlns": NS_SASL, "#text": Buffer.from(serverFirst).toString("base64") } }),
      );
    } catch (err) {
      this.authFailed(err instanceof ScramError ? err.condition : "malformed-request");
    }
  }

  private scramResponse(response: XmlElement): void {
    const exchange = this.scram;
    this.scram = undefined;
    if (!exchange) {
      this.fail("not-authorized", "no SASL exchange in progress");
      return;
    }
    const user = this.host.state.userByUsername(exchange.username);
    try {
      const serverFinal = exchange.finish(
        Buffer.from(textOf(response).trim(), "base64").toString("utf8"),
        user?.password,
      );
      this.authenticated(user as SimUser, Buffer.from(serverFinal).toString("base64"));
    } catch (err) {
      this.authFailed(err instanceof ScramError ? err.condition : "malformed-request");
    }
  }

  private authenticated(user: SimUser, additionalData: string): void {
    this.user = user;
    this.transport.write(buildXml({ success: { "@_xmlns": NS_SASL, "#text": additionalData } }));
    // RFC 6120 6.4.6: the stream restarts; the client sends a fresh header
    this.headerSent = false;
    this.restart();
  }

  restart: () => void = () => undefined;

  private bind(iq: XmlElement): void {
    const requested = textOf(findChild(findChild(iq, "bind", NS_BIND) as XmlElement, "resource")).trim();
    const resource =
      requested && requested.length <= 256 && !/[\s/]/.test(requested)
        ? requested
        : `sim-${randomBytes(6).toString("hex")}`;
    const outcome = this.host.bind(this, resource);
    if (outcome === "limit") {
      const limit = this.host.options.maxConnectionsPerJid;
      this.send(iqError(iq, "", "", "wait", "resource-constraint", `at most ${limit} connections per JID`));
      this.fail("policy-violation", `at most ${limit} connections per JID`);
      return;
    }
    this.send(iqResult(iq, "", "", buildXml({ bind: { "@_xmlns": NS_BIND, jid: this.jid ?? "" } })));
  }

  private routeIq(iq: XmlElement): void {
    const jid = this.jid as string;
    const to = iq.attrs.to;
    const services = this.host.services;
    if (to !== undefined && services.serves(to)) {
      const reply = services.handleIq({ ...iq, attrs: { ...iq.attrs, from: jid } }, jid);
      if (reply) this.send(reply);
      return;
    }
    if (to === undefined || to === this.domain || to === bareJid(jid) || to === jid) {
      const reply = this.serverIq(iq);
      if (reply) this.send(reply);
      return;
    }
    if (iq.attrs.type === "get" || iq.attrs.type === "set") {
      this.send(iqError(iq, to, jid, "cancel", "service-unavailable"));
    }
  }

  /** IQs for the server itself (or the user's own account). */
  private serverIq(iq: XmlElement): OutboundStanza | undefined {
    const jid = this.jid as string;
    const from = iq.attrs.to ?? this.domain;
    const type = iq.attrs.type;
    if (type !== "get" && type !== "set") return undefined;
    const payload = childElements(iq)[0];
    if (!payload) return iqError(iq, from, jid, "modify", "bad-request");
    if (payload.ns === NS_PING && payload.name === "ping") return iqResult(iq, from, jid);
    if (payload.ns === NS_SESSION && payload.name === "session") return iqResult(iq, from, jid);
    if (payload.ns === NS_PRIVACY && payload.name === "query") return this.privacy(iq, payload);
    if (payload.ns === NS_ROSTER && payload.name === "query" && type === "get") {
      return iqResult(iq, from, jid, buildXml({ query: { "@_xmlns": NS_ROSTER } }));
    }
    if (payload.ns === NS_DISCO_INFO && payload.name === "query" && type === "get") {
      const features = [NS_DISCO_INFO, NS_PING, NS_PRIVACY];
      return iqResult(
        iq,
        from,
        jid,
        buildXml({
          query: {
            "@_xmlns": NS_DISCO_INFO,
            identity: { "@_category": "server", "@_type": "im", "@_name": "Compass simulator" },
            feature: features.map((f) => ({ "@_var": f })),
          },
        }),
      );
    }
    return iqError(iq, from, jid, "cancel", "service-unavailable");
  }

  /** XEP-0016: lists are stored and activation acknowledged; nothing needs enforcing here. */
  private privacy(iq: XmlElement, query: XmlElement): OutboundStanza {
    const jid = this.jid as string;
    const from = this.domain;
    if (iq.attrs.type === "get") {
      const lists = [...this.privacyLists.keys()].map((n) => ({ "@_name": n }));
      return iqResult(iq, from, jid, buildXml({ query: { "@_xmlns": NS_PRIVACY, list: lists } }));
    }
    const [child, ...more] = childElements(query);
    if (!child || more.length > 0) return iqError(iq, from, jid, "modify", "bad-request");
    const name = child.attrs.name;
    if (child.name === "list" && name) {
      if (childElements(child).length === 0) this.privacyLists.delete(name);
      else this.privacyLists.set(name, JSON.stringify(childElements(child).map((i) => i.attrs)));
      return iqResult(iq, from, jid);
    }
    if (child.name === "active" || child.name === "default") {
      if (name && !this.privacyLists.has(name)) return iqError(iq, from, jid, "cancel", "item-not-found");
      return iqResult(iq, from, jid);
    }
    return iqError(iq, from, jid, "modify", "bad-request");
  }

  private routePresence(presence: XmlElement): void {
    const jid = this.jid as string;
    const to = presence.attrs.to;
    const services = this.host.services;
    if (to === undefined) {
      const type = presence.attrs.type;
      if (type === undefined) this.available = true;
      else if (type === "unavailable") {
        this.available = false;
        services.sessionEnded(jid);
      }
      return;
    }
    if (services.serves(to)) services.handlePresence(presence, jid);
  }

  private routeMessage(message: XmlElement): void {
    const to = message.attrs.to;
    if (to !== undefined && this.host.services.serves(to))
      this.host.services.handleMessage(message, this.jid as string);
  }

  send(stanza: OutboundStanza): void {
    if (this.closed) return;
    const to = stanza.attrs.to;
    const attrs = { ...stanza.attrs, to: to || this.jid, from: stanza.attrs.from || undefined };
    this.transport.write(serializeStanza({ ...stanza, attrs }, this.transport.stanzaXmlns));
  }

  /** Delivery from the services, with the slow-consumer policy (see the file comment). */
  deliver(stanza: OutboundStanza): void {
    if (this.closed) return;
    // The live platform delivers pubsub events only after available presence (manual, Authentication).
    if (stanza.attrs.type === "headline" && !this.available) return;
    if (this.transport.pendingBytes() > this.host.options.maxPendingBytes) {
      this.fail("policy-violation", "client too slow: output queue limit reached");
      return;
    }
    this.send(stanza);
  }

  onStreamClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.closeStream();
    this.ended();
  }

  onParseError(err: XmlStreamError): void {
    this.fail(err.condition, err.message);
  }

  /** A stream error, then close. */
  fail(condition: StreamErrorCondition, text?: string): void {
    if (this.closed) return;
    this.closed = true;
    sendStreamError(this.transport, condition, text, this.headerSent, this.headerAttrs());
    this.ended();
  }

  /** The connection is gone (closed by either side or dropped). */
  ended(): void {
    this.closed = true;
    if (this.finished) return;
    this.finished = true;
    if (this.keepalive) clearInterval(this.keepalive);
    if (this.authTimer) clearTimeout(this.authTimer);
    if (this.jid) {
      this.host.services.sessionEnded(this.jid);
      this.host.unbind(this);
    }
    this.host.remove(this);
  }

  destroy(): void {
    this.closed = true;
    this.transport.destroy();
    this.ended();
  }
}

function listen(server: net.Server | HttpServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

export async function startXmppEndpoint(
  state: CompanyStateReader,
  options: XmppEndpointOptions = {},
): Promise<XmppEndpoint> {
  const host = options.host ?? "127.0.0.1";
  const userDomain = options.userDomain ?? "uc.compass.test";
  const domains: ServiceDomains = {
    userDomain,
    phoneDomain: options.phoneDomain ?? `phone.${userDomain}`,
    pubsubDomain: options.pubsubDomain ?? `pubsub.${userDomain}`,
  };
  const settings: SessionHost["options"] = {
    userDomain,
    phoneDomain: domains.phoneDomain,
    pubsubDomain: domains.pubsubDomain,
    requireTls: options.requireTls ?? true,
    maxConnectionsPerJid: options.maxConnectionsPerJid ?? 10,
    maxStanzaBytes: options.maxStanzaBytes ?? 64 * 1024,
    maxPendingBytes: options.maxPendingBytes ?? 16 * 1024 * 1024,
    keepaliveIntervalMs: options.keepaliveIntervalMs ?? 60_000,
    maxAuthAttempts: options.maxAuthAttempts ?? 3,
    authTimeoutMs: options.authTimeoutMs ?? 30_000,
    scramIterations: options.scramIterations ?? 1024,
    subscribedDelayMs: options.subscribedDelayMs ?? 10,
    ...(options.tls ? { tls: options.tls } : {}),
  };
  const secureContext = options.tls
    ? tls.createSecureContext({ key: options.tls.key, cert: options.tls.cert })
    : undefined;

  const sessions = new Set<Session>();
  const byJid = new Map<string, Session>();

  const services = new PlatformServices(
    state,
    domains,
    (stanza) => {
      const to = stanza.attrs.to;
      if (to) byJid.get(to)?.deliver(stanza);
    },
    { subscribedDelayMs: settings.subscribedDelayMs },
  );

  const sessionHost: SessionHost = {
    options: settings,
    state,
    services,
    bind(session, resource) {
      const user = session.user as SimUser;
      const full = `${user.username}@${session.domain}/${resource}`;
      const older = byJid.get(full);
      if (older && older !== session) {
        // RFC 6120 7.7.2.2 / the manual: the newer connection wins, the older gets `conflict`
        older.fail("conflict", "Replaced by new connection");
      }
      const bare = `${user.username}@${session.domain}`;
      let count = 0;
      for (const s of byJid.values()) if (s.jid && bareJid(s.jid) === bare) count++;
      if (count >= settings.maxConnectionsPerJid) return "limit";
      session.jid = full;
      byJid.set(full, session);
      return "ok";
    },
    unbind(session) {
      if (session.jid && byJid.get(session.jid) === session) byJid.delete(session.jid);
    },
    remove(session) {
      sessions.delete(session);
    },
  };

  const tcpServer = net.createServer((socket) => {
    const transport = new TcpTransport(socket, secureContext, settings.maxStanzaBytes);
    const session = new Session(sessionHost, transport);
    sessions.add(session);
    transport.start(session);
  });
  tcpServer.on("error", () => undefined);
  const port = await listen(tcpServer, host, options.port ?? 0);

  let httpServer: HttpServer | undefined;
  let wss: WebSocketServer | undefined;
  let websocketPort: number | undefined;
  if (options.websocketPort !== undefined) {
    httpServer = options.tls
      ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert })
      : createHttpServer((_req, res) => {
          res.writeHead(426, { "content-type": "text/plain" }).end("XMPP over WebSocket only");
        });
    wss = new WebSocketServer({
      server: httpServer,
      maxPayload: settings.maxStanzaBytes,
      handleProtocols: (protocols) => (protocols.has("xmpp") ? "xmpp" : false),
    });
    wss.on("connection", (ws, req) => {
      if (ws.protocol !== "xmpp") {
        // RFC 7395 3.2: without the xmpp subprotocol there is no XMPP session
        ws.close(1002, "subprotocol xmpp required");
        return;
      }
      const transport = new WebSocketTransport(
        ws,
        req.socket.remoteAddress ?? "",
        !!options.tls,
        settings.maxStanzaBytes,
      );
      const session = new Session(sessionHost, transport);
      sessions.add(session);
      transport.start(session);
    });
    wss.on("error", () => undefined);
    httpServer.on("error", () => undefined);
    websocketPort = await listen(httpServer, host, options.websocketPort);
  }

  let listening = true;
  const stopListening = async () => {
    if (!listening) return;
    listening = false;
    // close() stops accepting at once; its callback waits for open connections, which we keep
    tcpServer.close();
    httpServer?.close();
  };
  const startListening = async () => {
    if (listening) return;
    await listen(tcpServer, host, port);
    if (httpServer && websocketPort !== undefined) await listen(httpServer, host, websocketPort);
    listening = true;
  };

  return {
    port,
    domains,
    services,
    ...(websocketPort !== undefined
      ? { websocketPort, websocketUrl: `${options.tls ? "wss" : "ws"}://${host}:${websocketPort}/ws` }
      : {}),
    connections: () => [...sessions].map((s) => s.info()),
    dropAll: () => {
      for (const s of [...sessions]) s.destroy();
    },
    stopListening,
    startListening,
    close: async () => {
      await stopListening();
      for (const s of [...sessions]) s.fail("system-shutdown", "simulator stopping");
      for (const s of [...sessions]) s.destroy();
      services.close();
      wss?.close();
    },
  };
}
