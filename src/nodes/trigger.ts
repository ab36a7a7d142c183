// The shared shape of every trigger node: join the config node's live session, take the
// chosen domain events only (so an event nobody asked for costs one map lookup), filter, and send
// { topic, payload, compass } messages. Leaving (redeploy, delete) stops the routing and releases the
// session, so nothing leaks across deploys.

import type { DomainEvent } from "../compass/model";
import type { RouteKeys } from "../compass/router";
import { connectionOf } from "./connection-of";
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from "./red";
import { withTime } from "./status";

/** A busy node updates its status at most this often; the latest state wins. */
export const STATUS_INTERVAL_MS = 250;

export interface TriggerOptions {
  /** the domain events this node emits, already narrowed to what the user selected */
  events: string[];
  /** only events about these users / queues reach `accept` (indexed by the connection) */
  keys?: RouteKeys;
  /** the remaining per-event filter, if any; false drops the event */
  accept?: (event: DomainEvent) => boolean;
  /** attach the platform's XML in msg.compass.xml */
  includeXml: boolean;
  /** optional last step, e.g. rate limiting: calls `send` zero or more times, now or later */
  deliver?: (
    event: DomainEvent,
    send: (event: DomainEvent, xml?: () => string) => void,
    xml?: () => string,
  ) => void;
  /** cleanup for `deliver`'s timers */
  close?: () => void;
}

export function runTrigger(RED: NodeAPI, node: Node, def: NodeDef, options: TriggerOptions): void {
  const reached = connectionOf(RED, node, def);
  if (!reached.config) return;
  const { config, connection } = reached;

  const status = new TriggerStatus(RED, node);
  const send = (event: DomainEvent, xml?: () => string) => {
    const msg: NodeMessage = {
      topic: event.event,
      payload: event.payload,
      compass: {
        event: event.event,
        notification: event.notification ?? null,
        timestamp: event.timestamp,
        companyId: event.companyId,
        ...(options.includeXml && xml ? { xml: xml() } : {}),
      },
    };
    node.send(msg);
    status.eventSent(event);
  };
  const stopRouting = connection.onEvents(
    options.events,
    (event, xml) => {
      if (options.accept && !options.accept(event)) return;
      if (options.deliver) options.deliver(event, send, xml);
      else send(event, xml);
    },
    options.keys,
  );
  config.acquire(node, (session, healthy) => status.session(session, healthy));

  node.on("close", (_removed: boolean, done: () => void) => {
    status.close();
    stopRouting();
    options.close?.();
    config.release(node, done);
  });
}

/**
 * What a trigger node shows: the session's state while it is not healthy, otherwise its last event
 * and when ("call.summary missed · 14:02"); "subscribed" until the first event. Event updates go
 * out at most once per STATUS_INTERVAL_MS (the first at once, then the latest), so a busy node
 * costs a timer, not a status message per event.
 */
class TriggerStatus {
  private sessionStatus: NodeStatus | undefined;
  private healthy = false;
  private lastEvent: DomainEvent | undefined;
  private lastEventAt = 0;
  private shownAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
  ) {}

  /** Session changes are rare and each one matters (trouble, healing): shown at once. */
  session(status: NodeStatus, healthy: boolean): void {
    this.sessionStatus = status;
    this.healthy = healthy;
    if (!this.closed) this.show();
  }

  /** Per event: two assignments and a timer check; the text is made only when shown. */
  eventSent(event: DomainEvent): void {
    this.lastEvent = event;
    this.lastEventAt = Date.now();
    this.update();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private update(): void {
    if (this.closed || this.timer) return; // a pending update shows the latest state when it fires
    const wait = this.shownAt + STATUS_INTERVAL_MS - Date.now();
    if (wait <= 0) {
      this.show();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) this.show();
    }, wait);
  }

  private show(): void {
    this.shownAt = Date.now();
    const event = this.lastEvent;
    if (this.healthy && event) {
      // "call.summary missed": the event, and a summary's outcome
      const outcome =
        typeof event.payload.outcome === "string" ? ` ${event.payload.outcome.toLowerCase()}` : "";
      const text = withTime(this.RED, `${event.event}${outcome}`, this.lastEventAt);
      this.node.status({ fill: "green", shape: "dot", text });
    } else if (this.sessionStatus) {
      this.node.status(this.sessionStatus);
    }
  }
}

/** "a, b ,c" or ["a","b"] -> a set of trimmed, non-empty ids; empty means "any". */
export function idSet(value: unknown): Set<string> {
  const parts = Array.isArray(value) ? value : typeof value === "string" ? value.split(/[,\s]+/) : [];
  return new Set(parts.map((p) => String(p).trim()).filter(Boolean));
}

/** Event kinds chosen in the editor; none chosen means all of `all`. */
export function chosenEvents(value: unknown, all: readonly string[]): string[] {
  const chosen = idSet(value);
  const known = all.filter((e) => chosen.has(e));
  return known.length > 0 ? known : [...all];
}

/**
 * Number patterns: `*` any digits, `?` one character; spaces, dashes and dots are ignored and a
 * leading "+" or "00" is the same international prefix, so "+31 85*" matches "0031851234567".
 */
export function numberMatcher(
  value: unknown,
): ((candidates: Array<string | null | undefined>) => boolean) | null {
  const patterns = typeof value === "string" ? value.split(",").map(normaliseNumber).filter(Boolean) : [];
  if (patterns.length === 0) return null;
  const regexes = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*/g, ".*")
          .replace(/\?/g, ".")}$`,
      ),
  );
  return (candidates) =>
    candidates.some((c) => {
      if (!c) return false;
      const n = normaliseNumber(c);
      return regexes.some((r) => r.test(n));
    });
}

function normaliseNumber(text: string): string {
  return text
    .trim()
    .replace(/[\s().-]/g, "")
    .replace(/^00/, "+");
}
