// The platform's two XMPP services, independent of how stanzas travel (embedded endpoint or
// XEP-0114 components behind a real server):
//   phone  (phone.<userDomain>):  GET_COMPANY and GET requests answered from the state.
//   pubsub (pubsub.<userDomain>): one node per company; every state change is published to it.

import { randomBytes } from "node:crypto";
import type { CompanyStateReader, SimNotification } from "../state/types";
import {
  callNode,
  callpointNode,
  NS_COMPASS,
  NS_XSI,
  notificationNode,
  queueNode,
  userNode,
} from "./payloads";
import {
  attributes,
  buildXml,
  childElements,
  findChild,
  textOf,
  wrapXml,
  type XmlElement,
  type XmlTree,
} from "./xml";

export const NS_PUBSUB = "http://jabber.org/protocol/pubsub";
export const NS_PUBSUB_EVENT = "http://jabber.org/protocol/pubsub#event";
export const NS_PUBSUB_ERRORS = "http://jabber.org/protocol/pubsub#errors";
export const NS_SHIM = "http://jabber.org/protocol/shim";
export const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
export const NS_DATA = "jabber:x:data";
export const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
export const NS_PING = "urn:xmpp:ping";

export interface ServiceDomains {
  userDomain: string;
  phoneDomain: string;
  pubsubDomain: string;
}

/** One stanza to send; the transport adds the namespace its framing needs and routes by `to`. */
export interface OutboundStanza {
  name: "iq" | "message" | "presence";
  attrs: Record<string, string | undefined>;
  /** children already serialized (with buildXml), so one payload can go to many subscribers */
  inner: string;
}

export function serializeStanza(s: OutboundStanza, xmlns?: string): string {
  return wrapXml(s.name, { xmlns, ...s.attrs }, s.inner);
}

export interface Subscription {
  jid: string;
  node: string;
  subid: string;
  /** pubsub#expire=presence: dropped when the subscriber's session ends */
  expiresWithPresence: boolean;
  /** "pending" until the subscribed message has been sent */
  state: "pending" | "subscribed";
}

export interface PlatformServicesOptions {
  /** delay between the `pending` IQ result and the `subscribed` message (the live platform's order) */
  subscribedDelayMs?: number;
}

export type StanzaSink = (stanza: OutboundStanza) => void;

export function bareJid(jid: string): string {
  const slash = jid.indexOf("/");
  return slash < 0 ? jid : jid.slice(0, slash);
}

export function stanzaErrorInner(
  type: "cancel" | "modify" | "wait" | "auth",
  condition: string,
  text?: string,
  extra: XmlTree = {},
): string {
  return buildXml({
    error: {
      "@_type": type,
      [condition]: { "@_xmlns": NS_STANZAS },
      ...(text ? { text: { "@_xmlns": NS_STANZAS, "#text": text } } : {}),
      ...extra,
    },
  });
}

/** An IQ error reply to `iq`, sent from `from`. */
export function iqError(
  iq: XmlElement,
  from: string,
  to: string,
  type: "cancel" | "modify" | "wait" | "auth",
  condition: string,
  text?: string,
  /** an application-specific condition beside the defined one (XEP-0060's pubsub#errors) */
  extra?: XmlTree,
): OutboundStanza {
  return {
    name: "iq",
    attrs: { type: "error", id: iq.attrs.id ?? "", from, to },
    inner: stanzaErrorInner(type, condition, text, extra),
  };
}

export function iqResult(iq: XmlElement, from: string, to: string, inner = ""): OutboundStanza {
  return { name: "iq", attrs: { type: "result", id: iq.attrs.id ?? "", from, to }, inner };
}

let itemCounter = 0;
function nextItemId(): string {
  itemCounter = (itemCounter + 1) % 0x1000000;
  return `${randomBytes(3).toString("hex")}${itemCounter.toString(16).padStart(6, "0")}`.toUpperCase();
}

export class PlatformServices {
  readonly domains: ServiceDomains;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly subscribedDelayMs: number;
  private readonly listener = (n: SimNotification) => this.publish(n);
  private closed = false;
  /** services that have "died" for fault tests: they take stanzas and answer nothing */
  private readonly silent = new Set<string>();

  constructor(
    private readonly state: CompanyStateReader,
    domains: ServiceDomains,
    private readonly sink: StanzaSink,
    options: PlatformServicesOptions = {},
  ) {
    this.domains = domains;
    this.subscribedDelayMs = options.subscribedDelayMs ?? 10;
    state.on("notification", this.listener);
  }

  /** Is `domain` one of ours? */
  serves(domain: string): boolean {
    return domain === this.domains.phoneDomain || domain === this.domains.pubsubDomain;
  }

  subscriptionList(): Subscription[] {
    return [...this.subscriptions.values()].map((s) => ({ ...s }));
  }

  /** Fault tests: a silenced service answers nothing (a hung platform service behind a live server). */
  setAnswering(domain: string, answering: boolean): void {
    if (answering) this.silent.delete(domain);
    else this.silent.add(domain);
  }

  /** Answer an IQ addressed to one of the services; `from` is the sender's full JID. */
  handleIq(iq: XmlElement, from: string): OutboundStanza | undefined {
    const to = iq.attrs.to ?? "";
    const type = iq.attrs.type;
    if (this.silent.has(to)) return undefined;
    // results and errors addressed to a service are never answered (RFC 6120 8.2.3)
    if (type === "result" || type === "error") return undefined;
    if (type !== "get" && type !== "set")
      return iqError(iq, to, from, "modify", "bad-request", "bad IQ type");
    const payload = childElements(iq)[0];
    if (!payload) return iqError(iq, to, from, "modify", "bad-request", "empty IQ");
    // the platform's own client pings the phone service for liveness (XEP-0199)
    if (payload.name === "ping" && payload.ns === NS_PING && type === "get") return iqResult(iq, to, from);
    if (payload.name === "query" && payload.ns === NS_DISCO_INFO && type === "get") {
      return iqResult(iq, to, from, this.discoInfo(to));
    }
    if (to === this.domains.phoneDomain) {
      if (payload.name === "request" && payload.ns === NS_COMPASS)
        return this.phoneRequest(iq, payload, from);
    } else if (to === this.domains.pubsubDomain) {
      if (payload.name === "pubsub" && payload.ns === NS_PUBSUB && type === "set") {
        return this.pubsubSet(iq, payload, from);
      }
    }
    return iqError(iq, to, from, "cancel", "feature-not-implemented");
  }

  /**
   * A presence addressed to a service, or the end of a session. An unavailable presence ends the
   * sender's presence-bound subscriptions.
   */
  handlePresence(presence: XmlElement, from: string): void {
    if (presence.attrs.type === "unavailable") this.sessionEnded(from);
  }

  /**
   * A message to a service. An error message is a bounce: the server could not deliver to that JID
   * (its session is gone), so its subscriptions end, whatever their expiry option.
   */
  handleMessage(message: XmlElement, from: string): void {
    if (message.attrs.type === "error") this.subscriberGone(from);
  }

  /** `jid` is known to be unreachable: end all its subscriptions, whatever their expiry option. */
  subscriberGone(jid: string): void {
    this.dropSubscriptionsOf(jid, false);
  }

  /** The session of `fullJid` ended: drop its presence-bound subscriptions. */
  sessionEnded(fullJid: string): void {
    this.dropSubscriptionsOf(fullJid, true);
  }

  /**
   * End a subscription and tell the subscriber (XEP-0060 8.8.2 style `subscription="none"` event);
   * used when a subscriber cannot keep up (see the transports' queue policies).
   */
  revoke(fullJid: string, reason: string): void {
    const sub = this.subscriptions.get(fullJid);
    if (!sub) return;
    this.subscriptions.delete(fullJid);
    this.sink({
      name: "message",
      attrs: { from: this.domains.pubsubDomain, to: fullJid, id: nextItemId() },
      inner: buildXml({
        event: {
          "@_xmlns": NS_PUBSUB_EVENT,
          subscription: attributes({ jid: fullJid, node: sub.node, subscription: "none" }),
        },
        body: reason,
      }),
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.state.off("notification", this.listener);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.subscriptions.clear();
  }

  // ------------------------------------------------------------------ phone service

  private phoneRequest(iq: XmlElement, request: XmlElement, from: string): OutboundStanza {
    const me = this.domains.phoneDomain;
    const requestType = request.attrs.type;
    if (iq.attrs.type !== "get" && requestType !== "ACTION") {
      return iqError(iq, me, from, "modify", "bad-request", "requests are IQ get");
    }
    if (requestType === "GET_COMPANY") {
      const inner = buildXml({
        result: {
          "@_xmlns": NS_COMPASS,
          "@_xmlns:xsi": NS_XSI,
          "@_xsi:type": "getCompanyResult",
          id: this.state.company.id,
          name: this.state.company.name,
        },
      });
      return iqResult(iq, me, from, inner);
    }
    if (requestType === "GET") {
      const filter = findChild(request, "filter");
      if (!filter?.attrs.type)
        return iqError(iq, me, from, "modify", "bad-request", "GET needs a filter type");
      const items = this.select(filter.attrs.type, filter.attrs.id, filter.attrs.history === "true");
      if (!items) {
        return iqError(iq, me, from, "modify", "bad-request", `unknown filter type ${filter.attrs.type}`);
      }
      return iqResult(
        iq,
        me,
        from,
        buildXml({
          result: { "@_xmlns": NS_COMPASS, "@_xmlns:xsi": NS_XSI, "@_xsi:type": "getResult", ...items },
        }),
      );
    }
    if (requestType === "ACTION") {
      return iqError(iq, me, from, "cancel", "feature-not-implemented", "ACTION requests are not simulated");
    }
    return iqError(iq, me, from, "modify", "bad-request", `unknown request type ${requestType ?? "(none)"}`);
  }

  private select(
    type: string,
    id: string | undefined,
    history: boolean,
  ): Record<string, unknown> | undefined {
    const s = this.state;
    const pick = <T extends { id: string }>(list: T[]) =>
      id === undefined ? list : list.filter((x) => x.id === id);
    switch (type) {
      case "user":
        return { user: pick(s.users()).map((u) => userNode(s, u, this.domains.userDomain)) };
      case "queue":
        return { queue: pick(s.queues()).map(queueNode) };
      case "call": {
        const calls = history ? [...s.recentCalls(), ...s.activeCalls()] : s.activeCalls();
        return { call: pick(calls).map(callNode) };
      }
      case "company": {
        const c = s.company;
        return id === undefined || id === c.id ? { company: { "@_id": c.id, name: c.name } } : {};
      }
      case "callpoint": {
        const points = s.activeCalls().flatMap((c) => [c.source, c.destination]);
        return { callpoint: pick(points).map(callpointNode) };
      }
      default:
        return undefined;
    }
  }

  private discoInfo(domain: string): string {
    const identity =
      domain === this.domains.pubsubDomain
        ? { category: "pubsub", type: "service", name: "Compass notifications" }
        : { category: "component", type: "generic", name: "Compass requests" };
    const features =
      domain === this.domains.pubsubDomain
        ? [NS_DISCO_INFO, NS_PUBSUB, NS_PING]
        : [NS_DISCO_INFO, NS_COMPASS, NS_PING];
    return buildXml({
      query: {
        "@_xmlns": NS_DISCO_INFO,
        identity: attributes(identity),
        feature: features.map((f) => ({ "@_var": f })),
      },
    });
  }

  // ------------------------------------------------------------------ pubsub service

  private pubsubSet(iq: XmlElement, pubsub: XmlElement, from: string): OutboundStanza {
    const me = this.domains.pubsubDomain;
    const subscribe = findChild(pubsub, "subscribe", NS_PUBSUB);
    const unsubscribe = findChild(pubsub, "unsubscribe", NS_PUBSUB);
    const action = subscribe ?? unsubscribe;
    if (!action) return iqError(iq, me, from, "cancel", "feature-not-implemented");
    const node = action.attrs.node;
    const jid = action.attrs.jid;
    if (!node)
      return iqError(iq, me, from, "modify", "bad-request", undefined, {
        "nodeid-required": { "@_xmlns": NS_PUBSUB_ERRORS },
      });
    if (!jid || bareJid(jid) !== bareJid(from)) {
      return iqError(iq, me, from, "modify", "bad-request", undefined, {
        "invalid-jid": { "@_xmlns": NS_PUBSUB_ERRORS },
      });
    }
    if (node !== this.state.company.id) return iqError(iq, me, from, "cancel", "item-not-found");

    if (unsubscribe) {
      if (!this.subscriptions.delete(jid)) {
        return iqError(iq, me, from, "cancel", "unexpected-request", undefined, {
          "not-subscribed": { "@_xmlns": NS_PUBSUB_ERRORS },
        });
      }
      return iqResult(iq, me, from);
    }

    const sub: Subscription = {
      jid,
      node,
      subid: nextItemId(),
      expiresWithPresence: readExpireOption(pubsub) === "presence",
      state: "pending",
    };
    this.subscriptions.set(jid, sub);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.subscriptions.get(jid) !== sub) return;
      sub.state = "subscribed";
      this.sink({
        name: "message",
        attrs: { from: me, to: jid },
        inner: buildXml({
          event: {
            "@_xmlns": NS_PUBSUB_EVENT,
            subscription: attributes({ jid, node, subscription: "subscribed" }),
          },
        }),
      });
    }, this.subscribedDelayMs);
    this.timers.add(timer);
    return iqResult(
      iq,
      me,
      from,
      buildXml({
        pubsub: { "@_xmlns": NS_PUBSUB, subscription: attributes({ jid, node, subscription: "pending" }) },
      }),
    );
  }

  private dropSubscriptionsOf(jid: string, onlyPresenceBound: boolean): void {
    const full = jid.includes("/");
    for (const [key, sub] of this.subscriptions) {
      const matches = full ? key === jid : bareJid(key) === jid;
      if (matches && (!onlyPresenceBound || sub.expiresWithPresence)) this.subscriptions.delete(key);
    }
  }

  private publish(n: SimNotification): void {
    if (this.closed || this.subscriptions.size === 0) return;
    const node = this.state.company.id;
    // Built once, wrapped per subscriber: the payload does not depend on the recipient.
    const inner = buildXml({
      event: {
        "@_xmlns": NS_PUBSUB_EVENT,
        items: {
          "@_node": node,
          item: {
            "@_id": nextItemId(),
            notification: notificationNode(this.state, n, this.domains.userDomain),
          },
        },
      },
      headers: { "@_xmlns": NS_SHIM, header: { "@_name": "Collection", "#text": node } },
    });
    for (const sub of [...this.subscriptions.values()]) {
      if (sub.state !== "subscribed" || sub.node !== node) continue;
      this.sink({
        name: "message",
        attrs: { from: this.domains.pubsubDomain, to: sub.jid, type: "headline", id: nextItemId() },
        inner,
      });
    }
  }
}

/** pubsub#expire from a XEP-0060 subscribe-options data form, if any. */
function readExpireOption(pubsub: XmlElement): string | undefined {
  const options = findChild(pubsub, "options", NS_PUBSUB);
  const form = options && findChild(options, "x", NS_DATA);
  if (!form) return undefined;
  for (const field of childElements(form)) {
    if (field.name === "field" && field.attrs.var === "pubsub#expire") {
      return textOf(findChild(field, "value")).trim();
    }
  }
  return undefined;
}
