// The client's XMPP session with the platform: set-up in the order the platform needs (docs/platform-notes.md,
// "XMPP session"), requests to the phone service, notifications from the company's pubsub node, a liveness
// ping, and reconnects with backoff that resubscribe (the subscription ends with the session).
//
// Expected failures never surface as an "error" event (an unheard "error" would take Node-RED down);
// they are reported through "status". An auth failure stops all retries until start() is called again,
// because the platform locks an IP after 20 failed logins.
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import xml, { type Element } from "@xmpp/xml";
import { type ConnectFailure, classifyFailure } from "../failure";
import { guarded, guardedTimeout } from "../guard";
import { isLoopbackHost } from "../loopback";
import {
  buildActivatePrivacyList,
  buildPresence,
  buildPrivacyList,
  buildRequest,
  buildSubscribe,
  findSubscriptionState,
  parseNotification,
  parseResult,
} from "../protocol";
import { ProtocolError } from "../protocol/errors";
import {
  COMPASS_NS,
  type Company,
  type CompassRequest,
  type CompassResult,
  type Notification,
  PUBSUB_EVENT_NS,
  type PubsubSubscription,
} from "../protocol/types";
import { cut, ERROR_TEXT_MAX, errorText } from "../text";
import { Backoff, type BackoffOptions } from "./backoff";
import {
  CompassRequestError,
  classifyLoginError,
  LoginRefusedError,
  SessionUnavailableError,
} from "./errors";
import { Link } from "./link";
import { parseService } from "./transport";

export type SessionState =
  | "connecting"
  | "connected"
  | "subscribed"
  | "reconnecting"
  | "auth-failed"
  | "error"
  | "stopped";

export interface SessionStatus {
  state: SessionState;
  /** with "reconnecting": when the next attempt starts */
  nextAttemptInMs?: number;
  /** why the previous connection ended or failed (never contains credentials) */
  error?: string;
  /** the same, typed: what the node status, the log and Catch nodes say (kept while retrying) */
  reason?: ConnectFailure;
}

export interface SessionReady {
  company: Company;
  jid: string;
}

export interface SessionLog {
  debug(msg: string): void;
  warn(msg: string): void;
}

export interface CompassSessionOptions {
  /** "xmpp://host:5222" (TCP + STARTTLS) or "wss://host/ws" (ws:// only on loopback) */
  service: string;
  /** the JID domain (endpoints.jidDomain): uc.<platform domain>, or the company's own domain */
  jidDomain: string;
  username: string;
  password: string;
  /** where requests go; default "phone." + jidDomain */
  phoneService?: string;
  /** where the company's node lives; default "pubsub." + jidDomain */
  pubsubService?: string;
  /** resources are `${resourcePrefix}-${random}`, unique per connection */
  resourcePrefix?: string;
  /** extra trusted CA (PEM), added to Node's roots */
  ca?: string | Buffer;
  /** allow an unencrypted link when the service host is loopback (simulator, tests) */
  allowPlaintextOnLoopback?: boolean;
  /** liveness: the server and the phone service are pinged this often (default 15 s) ... */
  pingIntervalMs?: number;
  /** ... and must answer within this (default 5 s): a dead link or service is noticed within 20 s */
  pingTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** bound for connecting, TLS, login and bind together */
  connectTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  /** false: one attempt only, no reconnects (the editor's connection test); default true */
  reconnect?: boolean;
  log?: SessionLog;
}

/** the vendor's client pings the phone service every 30 s (5 s timeout); we notice within 20 s */
export const DEFAULT_PING_INTERVAL_MS = 15_000;
export const DEFAULT_PING_TIMEOUT_MS = 5_000;
const STOP_BOUND_MS = 2000;
const DROP_BOUND_MS = 1000;
/** a pubsub message carries one item in practice; more than this is not read */
const MAX_ITEMS_PER_MESSAGE = 1000;

const quiet: SessionLog = { debug: () => undefined, warn: () => undefined };

export class CompassSession extends EventEmitter {
  /** the company of the latest successful set-up */
  company: Company | undefined;
  /** the full JID of the current (or latest) connection */
  jid: string | undefined;
  status: SessionStatus = { state: "stopped" };

  private readonly service: string;
  private readonly jidDomain: string;
  private readonly phoneService: string;
  private readonly pubsubService: string;
  private readonly resourcePrefix: string;
  private readonly pingIntervalMs: number;
  private readonly pingTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly backoff: Backoff;
  private readonly log: SessionLog;
  private readonly credentials: { username: string; password: string };

  private running = false;
  private link: Link | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lastWasConflict = false;
  /** the reason of the latest failure since the last good set-up, shown again while reconnecting */
  private lastFailure: ConnectFailure | undefined;
  /** resolves the pending subscribe when the `subscribed` message arrives */
  private onSubscribed: ((sub: PubsubSubscription) => void) | undefined;
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly options: CompassSessionOptions) {
    super();
    const address = parseService(options.service);
    if (!options.jidDomain || !options.username) throw new TypeError("jidDomain and username are required");
    if (address.kind === "websocket" && !address.tlsFromStart) {
      if (!isLoopbackHost(address.host) || !options.allowPlaintextOnLoopback) {
        throw new TypeError(
          `${options.service}: unencrypted WebSocket is only allowed on loopback; use wss://`,
        );
      }
    }
    this.service = options.service;
    this.jidDomain = options.jidDomain;
    this.phoneService = options.phoneService ?? `phone.${options.jidDomain}`;
    this.pubsubService = options.pubsubService ?? `pubsub.${options.jidDomain}`;
    this.resourcePrefix = options.resourcePrefix?.trim() || "compass";
    this.pingIntervalMs = positive(options.pingIntervalMs, DEFAULT_PING_INTERVAL_MS, "pingIntervalMs");
    this.pingTimeoutMs = positive(options.pingTimeoutMs, DEFAULT_PING_TIMEOUT_MS, "pingTimeoutMs");
    this.requestTimeoutMs = positive(options.requestTimeoutMs, 15_000, "requestTimeoutMs");
    this.connectTimeoutMs = positive(options.connectTimeoutMs, 20_000, "connectTimeoutMs");
    this.backoff = new Backoff(options.backoff);
    this.log = options.log ?? quiet;
    this.credentials = { username: options.username, password: options.password };
  }

  /** Connect (idempotent). After an auth failure this is the only way to try again. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.backoff.reset();
    this.lastWasConflict = false;
    this.lastFailure = undefined;
    this.connect();
  }

  /** Leave: unavailable presence, stream close, every timer cleared. Resolves when the socket is closed. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.onSubscribed = undefined;
    const link = this.link;
    this.link = undefined;
    if (link) this.track(link.close(true, STOP_BOUND_MS));
    // said now, not after the wait: a start() during the wait must not be followed by "stopped"
    if (this.status.state !== "stopped") this.setStatus({ state: "stopped" });
    await Promise.all([...this.closing]);
  }

  /** A request to the phone service. Rejects with CompassRequestError (IQ error), SessionUnavailableError or ProtocolError. */
  async request(req: CompassRequest): Promise<CompassResult> {
    const link = this.link;
    if (!link?.online)
      throw new SessionUnavailableError("not-connected", "the XMPP session is not connected");
    const reply = await link.request(
      xml("iq", { type: "get", to: this.phoneService }, buildRequest(req)),
      this.requestTimeoutMs,
    );
    return parseResult(reply);
  }

  // ---------------------------------------------------------------- connection life

  private connect(): void {
    this.reconnectTimer = undefined;
    if (!this.running) return;
    const link = new Link({
      service: this.service,
      domain: this.jidDomain,
      ...this.credentials,
      resource: `${this.resourcePrefix}-${randomBytes(6).toString("hex")}`,
      ...(this.options.ca !== undefined ? { ca: this.options.ca } : {}),
      allowPlaintextOnLoopback: this.options.allowPlaintextOnLoopback === true,
      stepTimeoutMs: this.requestTimeoutMs,
    });
    this.link = link;
    link.onLost = (reason) => this.fail(link, reason);
    link.onStanza = (stanza) => this.receive(link, stanza);
    this.setStatus({ state: "connecting", ...(this.lastFailure ? { reason: this.lastFailure } : {}) });
    this.setUp(link).catch(guarded("session set-up failure", (err: unknown) => this.fail(link, err)));
  }

  /** The platform's set-up order: login + bind, invisible, presence, company, subscribe. */
  private async setUp(link: Link): Promise<void> {
    let jid: string;
    try {
      jid = await link.open(this.connectTimeoutMs);
    } catch (err) {
      throw classifyLoginError(err);
    }
    if (this.link !== link) return;
    this.jid = jid;
    this.setStatus({ state: "connected" });
    link.startPing([this.phoneService], this.pingIntervalMs, this.pingTimeoutMs, (reason) =>
      this.fail(link, reason),
    );
    await this.makeInvisible(link);
    // without available presence the platform delivers no pubsub events; negative: no chat routed here
    await link.guard(link.send(buildPresence(-1)));
    const result = await link.guard(
      link.request(
        xml("iq", { type: "get", to: this.phoneService }, buildRequest({ type: "GET_COMPANY" })),
        this.requestTimeoutMs,
      ),
    );
    const company = parseResult(result);
    if (company.kind !== "getCompanyResult") throw new Error(`GET_COMPANY answered with ${company.kind}`);
    await this.subscribe(link, company.company);
    if (this.link !== link) return;
    this.company = company.company;
    this.backoff.reset();
    this.lastWasConflict = false;
    this.lastFailure = undefined;
    this.setStatus({ state: "subscribed" });
    this.log.debug(`subscribed to company ${company.company.id} as ${jid}`);
    this.safeEmit("ready", { company: company.company, jid } satisfies SessionReady);
  }

  /** XEP-0016 list `invisible`, then activate it; servers without privacy lists answer an error: carry on. */
  private async makeInvisible(link: Link): Promise<void> {
    for (const payload of [buildPrivacyList(), buildActivatePrivacyList()]) {
      try {
        await link.guard(link.request(xml("iq", { type: "set" }, payload), this.requestTimeoutMs));
      } catch (err) {
        if (!(err instanceof CompassRequestError)) throw err;
        this.log.debug(`privacy lists not available (${err.condition}); continuing visible to contacts`);
        return;
      }
    }
  }

  /** Subscribe with pubsub#expire=presence; a `pending` answer is followed by a `subscribed` message. */
  private async subscribe(link: Link, company: Company): Promise<void> {
    let confirm: () => void = () => undefined;
    const confirmed = new Promise<void>((resolve) => {
      confirm = resolve;
    });
    // set before sending: the message can be parsed in the same chunk as the IQ answer
    this.onSubscribed = (sub) => {
      if (sub.node === undefined || sub.node === company.id) confirm();
    };
    try {
      const reply = await link.guard(
        link.request(
          xml("iq", { type: "set", to: this.pubsubService }, buildSubscribe(company.id, link.jid)),
          this.requestTimeoutMs,
        ),
      );
      // XEP-0060 6.1.2: servers may answer an empty result, meaning subscribed
      const state = findSubscriptionState(reply)?.state ?? "subscribed";
      if (state === "pending") {
        await link.guard(withTimeout(confirmed, this.requestTimeoutMs, "no subscription confirmation"));
      } else if (state !== "subscribed") {
        throw new Error(`the pubsub service answered subscription="${state}"`);
      }
    } finally {
      this.onSubscribed = undefined;
    }
  }

  /** The platform ended our subscription (e.g. we were too slow): subscribe again and say ready again. */
  private async resubscribe(link: Link): Promise<void> {
    const company = this.company;
    if (!company) return;
    this.setStatus({ state: "connected", error: "the platform ended the subscription" });
    await this.subscribe(link, company);
    if (this.link !== link) return;
    this.setStatus({ state: "subscribed" });
    this.safeEmit("ready", { company, jid: link.jid } satisfies SessionReady);
  }

  /** The link failed or was lost: retry with backoff, or stop for good on an auth failure. */
  private fail(link: Link, err: unknown): void {
    if (this.link !== link) return;
    this.link = undefined;
    this.onSubscribed = undefined;
    this.track(link.close(false, DROP_BOUND_MS));
    const error = cut(errorText(err), ERROR_TEXT_MAX);
    // STARTTLS verifies the certificate against the XMPP domain, wss:// against the URL's host
    const certificateHost = link.address.kind === "tcp" ? this.jidDomain : link.address.host;
    const reason = classifyFailure(err, { host: link.address.host, certificateHost });
    const retrying = this.running && reason.retryable && this.options.reconnect !== false;
    // the reason goes to whoever listens to "status" (compass-config warns once per change of it)
    this.lastFailure = reason;
    this.log.debug(
      `XMPP connection failed (${reason.kind}, ${retrying ? "retrying" : "not retrying"}): ${error}`,
    );
    if (err instanceof LoginRefusedError) {
      this.running = false;
      this.setStatus({ state: "auth-failed", error, reason });
      return;
    }
    if (!this.running) return;
    if (!retrying) {
      // retrying cannot help (certificate, no TLS) or is not wanted (one attempt): stop here
      this.running = false;
      this.setStatus({ state: "error", error, reason });
      return;
    }
    // a conflict means another connection took our resource: come back at once with a new one,
    // but back off if that keeps happening
    const conflict = link.streamErrorCondition === "conflict";
    const delay = conflict && !this.lastWasConflict ? 0 : this.backoff.next();
    this.lastWasConflict = conflict;
    this.log.debug(`next XMPP attempt in ${delay} ms`);
    this.setStatus({ state: "reconnecting", nextAttemptInMs: delay, error, reason });
    this.reconnectTimer = guardedTimeout("session reconnect timer", delay, () => this.connect());
  }

  private track(closing: Promise<void>): void {
    this.closing.add(closing);
    closing.finally(() => this.closing.delete(closing)).catch(() => undefined);
  }

  // ---------------------------------------------------------------- incoming stanzas

  private receive(link: Link, stanza: Element): void {
    if (this.link !== link || stanza.name !== "message") return;
    // only the pubsub service speaks for the company node; anything else (chat, spoofed events) is ignored
    if (stanza.attrs.from !== this.pubsubService) return;
    const event = stanza.getChild("event", PUBSUB_EVENT_NS);
    if (!event) return;
    let subscription: PubsubSubscription | undefined;
    try {
      subscription = findSubscriptionState(stanza);
    } catch (err) {
      this.protocolError(err);
    }
    if (subscription) this.subscriptionChanged(link, subscription);
    let seen = 0;
    for (const items of event.getChildren("items")) {
      for (const item of items.getChildren("item")) {
        for (const payload of item.getChildren("notification", COMPASS_NS)) {
          if (++seen > MAX_ITEMS_PER_MESSAGE) return;
          this.deliver(payload);
        }
      }
    }
  }

  private deliver(payload: Element): void {
    let notification: Notification;
    try {
      notification = parseNotification(payload);
    } catch (err) {
      this.protocolError(err);
      return;
    }
    this.safeEmit("notification", notification, payload);
  }

  private subscriptionChanged(link: Link, sub: PubsubSubscription): void {
    const ours = sub.jid === undefined || sub.jid === link.jid || sub.jid === link.jid.split("/")[0];
    if (!ours) return;
    if (sub.state === "subscribed") {
      this.onSubscribed?.(sub);
      return;
    }
    if (sub.state === "none" && this.status.state === "subscribed" && sub.node === this.company?.id) {
      this.resubscribe(link).catch(
        guarded("session resubscribe failure", (err: unknown) => this.fail(link, err)),
      );
    }
  }

  private protocolError(err: unknown): void {
    const error =
      err instanceof ProtocolError
        ? err
        : new ProtocolError(`unreadable stanza: ${cut(errorText(err), ERROR_TEXT_MAX)}`, undefined);
    this.log.debug(`ignored unreadable stanza: ${error.message}`);
    this.safeEmit("protocol-error", error);
  }

  private setStatus(status: SessionStatus): void {
    this.status = status;
    this.safeEmit("status", status);
  }

  /** A listener that throws must not break the session's own state machine. */
  private safeEmit(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (err) {
      this.log.warn(`a "${event}" listener failed: ${cut(errorText(err), ERROR_TEXT_MAX)}`);
    }
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number of ms`);
  return value;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new SessionUnavailableError("timeout", `${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
