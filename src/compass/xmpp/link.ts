// One XMPP connection: xmpp.js modules composed for one attempt (TCP+STARTTLS or WebSocket, SASL,
// resource binding), its IQs, its liveness ping and its teardown. A new Link is made for every
// attempt and thrown away afterwards, so nothing of a dead connection can leak into the next one.
//
// Stream management (XEP-0198) is deliberately NOT used. xmpp.js 0.14's implementation miscounts IQ
// acks (h stays 0) and slows IQ round trips ~30x against a server that offers it, and it cannot tell
// a dead link from a quiet one anyway. Resumption would not save us work either: the platform's
// subscription ends with the session (pubsub#expire=presence) and events during a gap are lost, so
// every reconnect must resubscribe and reload. The ping below detects dead links instead.
import net from "node:net";
import tls from "node:tls";
import xml, { type Element } from "@xmpp/xml";
import { guarded, guardedTimeout } from "../guard";
import { isLoopbackHost } from "../loopback";
import { cut, ERROR_TEXT_MAX, errorText } from "../text";
import { CompassRequestError, SessionUnavailableError } from "./errors";
import { IqTracker } from "./iq-tracker";
import {
  CompassTcpConnection,
  destroySocket,
  parseService,
  type ServiceAddress,
  type TrustOptions,
  upgradeToTls,
  webSocketTransport,
} from "./transport";
import {
  bypassMiddleware,
  Client,
  catchParserThrows,
  middleware as createMiddleware,
  streamFeatures as createStreamFeatures,
  markBound,
  plain,
  replaceSocket,
  SaslFactoryClass,
  sasl,
  scramSha1,
  startEntity,
  type XmppEntity,
} from "./xmppjs";

const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";
const NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind";
const NS_STREAMS = "http://etherx.jabber.org/streams";
const NS_PING = "urn:xmpp:ping";
const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

export interface LinkOptions {
  service: string;
  /** the JID domain; named `domain` as in xmpp.js's client options, which these mirror */
  domain: string;
  username: string;
  password: string;
  resource: string;
  ca?: string | Buffer;
  allowPlaintextOnLoopback: boolean;
  /** bound for each negotiation step (TLS handshake, bind) */
  stepTimeoutMs: number;
}

/** The server offered no way to encrypt and plaintext is not allowed here. */
export class TlsRequiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TlsRequiredError";
  }
}

const noop = () => undefined;

export class Link {
  readonly entity: XmppEntity;
  readonly address: ServiceAddress;
  readonly iq: IqTracker;
  online = false;
  /** the condition of a stream error the server sent, e.g. "conflict" */
  streamErrorCondition: string | undefined;
  /** called for every stanza that is not an answer to one of our IQs */
  onStanza: (stanza: Element) => void = noop;
  /** called once when the connection is gone (not after close()) */
  onLost: (reason: Error) => void = noop;

  private closing = false;
  private lostReason: Error | undefined;
  private lastError: Error | undefined;
  private rejectLost: (err: Error) => void = noop;
  private readonly lost: Promise<never>;
  private pingTimer: NodeJS.Timeout | undefined;
  private closed: Promise<void> | undefined;

  constructor(private readonly options: LinkOptions) {
    this.address = parseService(options.service);
    this.lost = new Promise<never>((_resolve, reject) => {
      this.rejectLost = reject;
    });
    this.lost.catch(noop);
    this.iq = new IqTracker((from, to) => this.answerMayComeFrom(from, to));
    this.entity = this.compose();
  }

  private get plaintextAllowed(): boolean {
    return this.options.allowPlaintextOnLoopback && isLoopbackHost(this.address.host);
  }

  private compose(): XmppEntity {
    const { domain, username, password, resource, stepTimeoutMs } = this.options;
    const trust: TrustOptions = { domain, ...(this.options.ca !== undefined ? { ca: this.options.ca } : {}) };
    // xmpp.js's own waits (stream header, STARTTLS answer, stream close) use this; capped so that a
    // close it starts itself after a stream error cannot keep a timer alive for long
    const entity = new Client({
      service: this.options.service,
      domain,
      timeout: Math.min(stepTimeoutMs, 5000),
    });
    // xmpp.js emits "error" for socket and stream problems; an unheard "error" would crash Node
    entity.on(
      "error",
      guarded("xmpp entity error listener", (err: Error) => this.onEntityError(err)),
    );
    // ltx throws out of the socket's data listener on some bad input (e.g. an unknown entity such as
    // "&bogus;"), which would be an uncaught exception; such a stream is unusable: drop the connection
    catchParserThrows(
      entity,
      guarded("xmpp socket data listener", (err: unknown) => {
        this.lose(new Error(`unreadable XML from the server: ${cut(errorText(err), ERROR_TEXT_MAX)}`));
        destroySocket(entity);
      }),
    );
    // Once online, a message (the pubsub events: nearly every stanza) goes straight to receive():
    // xmpp.js would otherwise run the middleware chain and parse `to` and `from` into JIDs for each
    // one, and nothing in that chain wants a message after login.
    bypassMiddleware(
      entity,
      (element) => this.online && element.name === "message",
      (element) => this.receive(element),
    );
    entity.transports.push(this.address.kind === "tcp" ? CompassTcpConnection : webSocketTransport(trust));

    const middleware = createMiddleware({ entity });
    const features = createStreamFeatures({ middleware });
    // Order matters: features are tried in registration order.
    features.use("starttls", NS_TLS, async ({ entity: e }, next) => {
      const socket = e.socket as unknown;
      if (this.address.kind !== "tcp" || e.isSecure() || !isRawTcp(socket)) return next();
      const answer = await e.sendReceive(xml("starttls", { xmlns: NS_TLS }));
      if (!answer.is("proceed", NS_TLS)) throw new TlsRequiredError("the server refused STARTTLS");
      const secured = await upgradeToTls(socket, trust, stepTimeoutMs);
      // xmpp.js stops listening to the raw socket here; keep a listener so a late error has one
      socket.on("error", noop);
      replaceSocket(e, secured);
      await e.restart();
      return undefined;
    });
    middleware.use(({ stanza, entity: e }, next) => {
      if (!stanza.is("features", NS_STREAMS) || e.isSecure() || this.plaintextAllowed) return next();
      throw new TlsRequiredError(
        this.address.kind === "tcp"
          ? `${this.address.host} offers no STARTTLS; refusing to log in without TLS`
          : `ws:// to ${this.address.host} is not encrypted; use wss://`,
      );
    });
    const saslFactory = new SaslFactoryClass();
    scramSha1(saslFactory);
    plain(saslFactory);
    sasl({ streamFeatures: features, saslFactory }, async (authenticate, mechanisms, _fast, e) => {
      // PLAIN sends the password itself: only inside TLS (or on an allowed loopback link)
      const usable = e.isSecure() ? mechanisms : mechanisms.filter((m) => m !== "PLAIN");
      const mechanism = usable[0];
      if (!mechanism)
        throw new Error(`no usable SASL mechanism (offered: ${mechanisms.join(", ") || "none"})`);
      await authenticate({ username, password }, mechanism);
    });
    features.use("bind", NS_BIND, async ({ entity: e }, next) => {
      const reply = await this.iq.request(
        xml("iq", { type: "set" }, xml("bind", { xmlns: NS_BIND }, xml("resource", {}, resource))),
        (el) => e.send(el),
        stepTimeoutMs,
      );
      const jid = reply.getChild("bind", NS_BIND)?.getChildText("jid");
      if (!jid) throw new Error("the server bound no JID");
      markBound(e, jid);
      return next();
    });

    entity.on(
      "stanza",
      guarded("xmpp stanza listener", (stanza: Element) => this.receive(stanza)),
    );
    entity.on(
      "status",
      guarded("xmpp status listener", (status: string) => {
        if (status === "disconnect" || status === "close") {
          const why = this.lastError ? `: ${cut(errorText(this.lastError), ERROR_TEXT_MAX)}` : "";
          this.lose(new Error(`connection closed${why}`, { cause: this.lastError }));
        }
      }),
    );
    entity.on(
      "connect",
      guarded("xmpp connect listener", () => {
        const socket = entity.socket as unknown as { setNoDelay?: (on: boolean) => void };
        socket?.setNoDelay?.(true);
      }),
    );
    return entity;
  }

  get jid(): string {
    return String(this.entity.jid ?? "");
  }

  /** Connect, secure, authenticate and bind; resolves with the bound JID. */
  async open(timeoutMs: number): Promise<string> {
    const timer = guardedTimeout("xmpp connect timer", timeoutMs, () =>
      this.lose(new SessionUnavailableError("timeout", `no session within ${timeoutMs} ms`)),
    );
    try {
      await this.guard(startEntity(this.entity));
    } finally {
      clearTimeout(timer);
    }
    this.online = true;
    return this.jid;
  }

  /** Race `promise` against the loss of this link. */
  guard<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.lost]);
  }

  /** An IQ and its answer (result element); IQ errors reject with CompassRequestError. */
  request(iq: Element, timeoutMs: number): Promise<Element> {
    return this.iq.request(iq, (el) => this.entity.send(el), timeoutMs);
  }

  send(stanza: Element): Promise<void> {
    if (this.closing || this.lostReason)
      return Promise.reject(new SessionUnavailableError("connection-lost", "not connected"));
    return this.entity.send(stanza);
  }

  /**
   * Liveness, as the platform's own client does it: every `intervalMs` a XEP-0199 ping to the server
   * and to each service in `services` (the phone service), all at once. No answer within
   * `timeoutMs`, or a service the server says it cannot reach, calls `onDead` (once).
   */
  startPing(
    services: string[],
    intervalMs: number,
    timeoutMs: number,
    onDead: (reason: Error) => void,
  ): void {
    const round = async () => {
      this.pingTimer = undefined;
      const targets = [this.options.domain, ...services];
      const verdicts = await Promise.all(targets.map((to) => this.pingOnce(to, timeoutMs)));
      if (this.closing || this.lostReason) return;
      const dead = verdicts.find((v) => v !== undefined);
      if (dead) onDead(dead);
      else schedule();
    };
    const schedule = () => {
      this.pingTimer = guardedTimeout("xmpp ping timer", intervalMs, round);
    };
    if (!this.pingTimer && !this.closing) schedule();
  }

  /** undefined when `to` answered (an error from `to` itself also proves it is there). */
  private async pingOnce(to: string, timeoutMs: number): Promise<Error | undefined> {
    const ping = xml("iq", { type: "get", to }, xml("ping", { xmlns: NS_PING }));
    try {
      await this.request(ping, timeoutMs);
      return undefined;
    } catch (err) {
      if (err instanceof SessionUnavailableError) {
        return err.reason === "timeout" ? new Error(`no answer to ping within ${timeoutMs} ms (${to})`) : err;
      }
      if (err instanceof CompassRequestError && isUnreachable(err)) {
        return new Error(`${to} is unreachable (the server answered ${err.condition})`);
      }
      return undefined;
    }
  }

  /**
   * End the connection. Graceful: unavailable presence and the stream close handshake, bounded by
   * `boundMs`; otherwise the socket is dropped at once. Resolves when the socket is closed (bounded).
   */
  close(graceful: boolean, boundMs: number): Promise<void> {
    this.closed ??= this.doClose(graceful, boundMs);
    return this.closed;
  }

  private async doClose(graceful: boolean, boundMs: number): Promise<void> {
    this.closing = true;
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
    this.iq.close(
      graceful
        ? new SessionUnavailableError("stopped", "the session was stopped")
        : new SessionUnavailableError("connection-lost", "the connection was lost"),
    );
    const entity = this.entity;
    const socketClosed = waitForDisconnect(entity, boundMs);
    if (graceful && this.online && !this.lostReason && entity.socket) {
      const deadline = Date.now() + boundMs;
      // xmpp.js waits for the server's stream close with its own timers; keep them inside our bound
      entity.timeout = Math.max(1, Math.floor(boundMs / 3));
      await bounded(entity.send(xml("presence", { type: "unavailable" })), boundMs / 2);
      await bounded(entity.stop(), Math.max(0, deadline - Date.now()));
    }
    destroySocket(entity);
    await socketClosed;
    entity.removeAllListeners();
    entity.on("error", noop);
  }

  private lose(reason: Error): void {
    if (this.lostReason || this.closing) return;
    this.lostReason = reason;
    this.online = false;
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
    this.iq.close(new SessionUnavailableError("connection-lost", `connection lost: ${reason.message}`));
    this.rejectLost(reason);
    this.onLost(reason);
  }

  private onEntityError(err: Error): void {
    this.lastError = err;
    const e = err as { name?: string; condition?: string };
    if (e.name === "StreamError" && typeof e.condition === "string") {
      this.streamErrorCondition = e.condition;
      this.lose(err);
    }
  }

  private receive(stanza: Element): void {
    if (this.closing) return;
    if (stanza.name === "iq") {
      if (this.iq.handle(stanza)) return;
      const type = stanza.attrs.type;
      if (type === "get" || type === "set") {
        this.answerIq(stanza);
        return;
      }
      return; // a late or unknown answer: nothing waits for it
    }
    this.onStanza(stanza);
  }

  /** Every IQ get/set needs an answer (RFC 6120 8.2.3); we serve ping and refuse the rest. */
  private answerIq(iq: Element): void {
    const attrs: Record<string, string> = { type: "result", id: String(iq.attrs.id ?? "") };
    if (iq.attrs.from) attrs.to = String(iq.attrs.from);
    const isPing = iq.attrs.type === "get" && iq.getChild("ping", NS_PING) !== undefined;
    const reply = isPing
      ? xml("iq", attrs)
      : xml(
          "iq",
          { ...attrs, type: "error" },
          xml("error", { type: "cancel" }, xml("service-unavailable", { xmlns: NS_STANZAS })),
        );
    this.entity.send(reply).catch(noop);
  }

  private answerMayComeFrom(from: string | undefined, to: string | undefined): boolean {
    const own = this.jid;
    const bare = own.split("/")[0];
    if (to !== undefined && from === to) return true;
    if (to === undefined || to === this.options.domain || to === bare || to === own) {
      return from === undefined || from === this.options.domain || from === bare || from === own;
    }
    return false;
  }
}

/**
 * The server (not the service) answering for a service it cannot reach: Prosody says
 * remote-server-timeout (type wait) for a component that is not connected. service-unavailable is
 * not one of these: XEP-0199 lets a live entity answer it when it does not support ping.
 */
function isUnreachable(err: CompassRequestError): boolean {
  return (
    err.condition === "remote-server-timeout" ||
    err.condition === "remote-server-not-found" ||
    err.errorType === "wait"
  );
}

function isRawTcp(socket: unknown): socket is net.Socket {
  return socket instanceof net.Socket && !(socket instanceof tls.TLSSocket);
}

async function bounded(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(noop),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** Resolves once xmpp.js reports the socket closed, or after `ms`. */
function waitForDisconnect(entity: XmppEntity, ms: number): Promise<void> {
  if (!entity.socket) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      entity.off("disconnect", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    entity.on("disconnect", done);
  });
}
