// One connection to the platform per compass-config node: the REST client, the shared XMPP session
// (opened when the first real-time user needs it, closed when the last one leaves) and the live
// model it keeps current. After every (re)subscription the model is reloaded, and notifications
// that arrive while the reload is in flight are held back and applied after it, in order, so no
// event is lost and none is applied to a model about to be replaced.

import { EventEmitter } from "node:events";
import type { Endpoints } from "./endpoints";
import { guarded, settle } from "./guard";
import type { DomainEvent, HistoryCallView } from "./model";
import { historyCallView, LiveModel } from "./model";
import { idFromSelf, PlatformOperations } from "./operations";
import type { CompassResult, GetResult, Notification } from "./protocol";
import { CompassReports } from "./reports";
import { RestClient } from "./rest";
import { type EventHandler, EventRouter, type RouteKeys } from "./router";
import { errorText } from "./text";
import { CompassSession, type SessionStatus } from "./xmpp";

export interface ConnectionOptions {
  endpoints: Endpoints;
  username: string;
  password: string;
  /** REST API versions to offer, most preferred first */
  versions?: number[];
  timeoutMs?: number;
  /** extra trusted CA (PEM), for private deployments and tests */
  ca?: string | Buffer;
  /** liveness: how often the server and the phone service are pinged, and how long an answer may take */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** resource prefix for the XMPP session; a random suffix keeps each connection unique */
  resourcePrefix?: string;
  log?: { debug(msg: string): void; warn(msg: string): void };
}

/** What xmpp.js hands us: an element that can print itself. */
interface Stanza {
  toString(): string;
}

const RELOAD_RETRY_MS = 5000;
const MAX_HELD_NOTIFICATIONS = 10_000;

/**
 * A notification held through a reload, as copies: a structured clone and the stanza's text, not
 * the parser's objects. Why: held for as long as the reload takes (seconds with a large company),
 * the parser's objects would look long-lived to V8, which then allocates every later stanza's
 * elements and notifications straight into the old generation, for the life of the process
 * (measured: 650 MB instead of 150 MB promoted per 100,000 notifications, `e2e.bench.js gc`).
 */
export function heldCopy(
  notification: Notification,
  stanza?: Stanza,
): { notification: Notification; stanza?: Stanza } {
  const copy = structuredClone(notification);
  if (!stanza) return { notification: copy };
  const text = stanza.toString();
  return { notification: copy, stanza: { toString: () => text } };
}

export class CompassConnection extends EventEmitter {
  readonly rest: RestClient;
  /** queue membership, status, dialling, switches and the editor's lists, over `rest` */
  readonly operations: PlatformOperations;
  /** CDRs and event logs from the reports host (files.D), with the same credentials */
  readonly reports: CompassReports;
  readonly model = new LiveModel();
  status: SessionStatus = { state: "stopped" };
  /**
   * Whether the model holds a complete picture (loaded after the latest subscription). Not the
   * session's "ready" event, which says the XMPP session is set up.
   */
  modelLoaded = false;

  private session: CompassSession | null = null;
  private readonly holders = new Set<string>();
  private readonly router = new EventRouter((event, err) =>
    this.options.log?.warn(`a ${event.event} handler failed: ${errorText(err)}`),
  );
  private held: Array<{ notification: Notification; stanza?: Stanza }> | null = null;
  /** the stanza being applied, so handlers can ask for its XML */
  private applying: Stanza | undefined;
  private reloadTimer: NodeJS.Timeout | null = null;
  private generation = 0;

  /** where a guarded callback's failure is told: the connection's own log */
  private readonly failed = (where: string, err: unknown) =>
    this.options.log?.warn(`${where} failed: ${errorText(err)}`);

  constructor(private readonly options: ConnectionOptions) {
    super();
    this.rest = new RestClient({
      baseUrl: options.endpoints.restUrl,
      username: options.username,
      password: options.password,
      versions: options.versions,
      timeoutMs: options.timeoutMs,
      ca: options.ca,
    });
    this.operations = new PlatformOperations(this.rest);
    this.reports = new CompassReports({
      baseUrl: options.endpoints.filesUrl,
      username: options.username,
      password: options.password,
      timeoutMs: options.timeoutMs,
      ca: options.ca,
      companyId: async () => idFromSelf(await this.operations.companyUrl()) ?? "",
    });
    this.model.on("event", (event: DomainEvent) => this.dispatch(event));
    this.model.on("warning", ({ error }: { error: Error }) =>
      this.options.log?.warn(`the live model skipped a step: ${error.message}`),
    );
    this.model.on("unknown", (n: Notification | null) =>
      this.options.log?.debug(`ignored a notification the live model cannot use: ${String(n?.type)}`),
    );
    this.model.on("loaded", ({ resynced }: { resynced: boolean }) =>
      this.options.log?.debug(
        resynced ? "live model reloaded; its differences were announced" : "live model loaded",
      ),
    );
  }

  /**
   * Route domain events by name ("call.started", ...; "*" for all) to a handler, optionally only
   * those about some users or queues. Returns the function that stops the routing. (Not "subscribe":
   * that is the session's XMPP pubsub subscription.)
   */
  onEvents(events: Iterable<string>, handler: EventHandler, keys?: RouteKeys): () => void {
    return this.router.add(events, handler, keys);
  }

  /** A node that needs the live session says so; the first one opens it. */
  acquire(holderId: string): void {
    this.holders.add(holderId);
    if (this.session) return;
    const { endpoints } = this.options;
    const session = new CompassSession({
      service: endpoints.xmppService,
      jidDomain: endpoints.jidDomain,
      username: this.options.username,
      password: this.options.password,
      phoneService: endpoints.phoneService,
      pubsubService: endpoints.pubsubService,
      resourcePrefix: this.options.resourcePrefix ?? "node-red-compass",
      ca: this.options.ca,
      allowPlaintextOnLoopback: true,
      requestTimeoutMs: this.options.timeoutMs,
      pingIntervalMs: this.options.pingIntervalMs,
      pingTimeoutMs: this.options.pingTimeoutMs,
      log: this.options.log,
    });
    this.session = session;
    session.on(
      "status",
      guarded(
        "connection status listener",
        (status: SessionStatus) => {
          if (status.state !== "subscribed") this.modelLoaded = false;
          this.setStatus(status);
        },
        this.failed,
      ),
    );
    session.on("ready", () => settle("connection reload", this.reload(), this.failed));
    session.on(
      "notification",
      guarded(
        "connection notification listener",
        (n: Notification, stanza?: Stanza) => this.notify(n, stanza),
        this.failed,
      ),
    );
    session.on(
      "protocol-error",
      guarded("connection protocol-error listener", (err: unknown) =>
        this.options.log?.warn(`ignored a stanza the client could not read: ${errorText(err)}`),
      ),
    );
    session.start();
  }

  /** The last node that needed the session leaves: close it. */
  async release(holderId: string): Promise<void> {
    this.holders.delete(holderId);
    if (this.holders.size > 0 || !this.session) return;
    const session = this.session;
    this.session = null;
    this.modelLoaded = false;
    this.clearReloadTimer();
    this.generation++;
    session.removeAllListeners();
    await session.stop();
    this.setStatus({ state: "stopped" });
  }

  /** Reload users, queues and calls from the platform; the model emits what changed. */
  async reload(): Promise<void> {
    const session = this.session;
    if (!session) throw new Error("the live session is not running");
    const generation = ++this.generation;
    this.clearReloadTimer();
    // Whatever arrived before this reload is covered by the snapshot it asks for; what arrives
    // while it is in flight is applied after it.
    this.held = [];
    try {
      const company = session.company;
      if (!company) throw new Error("the session has no company yet");
      const [users, queues, calls] = await Promise.all([
        this.get(session, "user"),
        this.get(session, "queue"),
        this.get(session, "call"),
      ]);
      if (generation !== this.generation) return;
      this.model.load({ company, users: users.users, queues: queues.queues, calls: calls.calls });
      const held = this.held ?? [];
      this.held = null;
      for (const { notification, stanza } of held) this.apply(notification, stanza);
      this.modelLoaded = true;
    } catch (err) {
      if (generation !== this.generation) return;
      this.options.log?.warn(`reloading the live model failed: ${errorText(err)}`);
      this.reloadTimer = setTimeout(
        guarded(
          "connection reload timer",
          () => {
            this.reloadTimer = null;
            if (this.session === session) settle("connection reload", this.reload(), this.failed);
          },
          this.failed,
        ),
        RELOAD_RETRY_MS,
      );
      this.reloadTimer.unref();
    }
  }

  /** Calls including recent ended ones (`history="true"`), in the model's field names. */
  async callHistory(): Promise<HistoryCallView[]> {
    if (!this.session) throw new Error("the live session is not running");
    const result = await this.session.request({ type: "GET", filter: { type: "call", history: true } });
    return asGetResult(result).calls.map(historyCallView);
  }

  async close(): Promise<void> {
    this.holders.clear();
    await this.release("");
    this.router.clear();
    this.model.removeAllListeners();
    await this.rest.close();
    await this.reports.close();
  }

  private async get(session: CompassSession, type: "user" | "queue" | "call"): Promise<GetResult> {
    return asGetResult(await session.request({ type: "GET", filter: { type } }));
  }

  private notify(notification: Notification, stanza?: Stanza): void {
    if (this.held) {
      // bounded: a reload that never finishes must not grow memory without limit
      if (this.held.length < MAX_HELD_NOTIFICATIONS) this.held.push(heldCopy(notification, stanza));
      return;
    }
    this.apply(notification, stanza);
  }

  private apply(notification: Notification, stanza?: Stanza): void {
    this.applying = stanza;
    try {
      this.model.apply(notification);
    } finally {
      this.applying = undefined;
    }
  }

  private dispatch(event: DomainEvent): void {
    const stanza = this.applying;
    this.router.route(event, stanza ? () => stanza.toString() : undefined);
  }

  private setStatus(status: SessionStatus): void {
    this.status = status;
    // a listener that throws (a node's status() failing) must not break a close or a reconnect
    guarded("connection status emit", () => this.emit("status", status), this.failed)();
  }

  private clearReloadTimer(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = null;
  }
}

function asGetResult(result: CompassResult): GetResult {
  if (result.kind !== "getResult") throw new Error(`expected a getResult, got ${result.kind}`);
  return result;
}
