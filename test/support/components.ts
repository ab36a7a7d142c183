// The platform services as XEP-0114 external components of a real XMPP server (Prosody in tests):
// one component connection for the phone domain, one for the pubsub domain. Test support, not part of
// the package: the simulator users run (its CLI) serves XMPP itself, so @xmpp/component is only a
// devDependency.
//
// Stanzas arrive as ltx elements from @xmpp/component; we convert them to the simulator's own element
// shape and write replies as strings we serialized ourselves (never the client library's XML code).
//
// Session ends are not visible to a component, so presence-bound subscriptions are ended when:
//   - a presence `unavailable` from the subscriber reaches the component;
//   - the server bounces a stanza to the subscriber (message type="error");
//   - a liveness probe (XEP-0199 ping, every `probeIntervalMs`) comes back as an error: the server
//     answers `service-unavailable` for a full JID that is gone. (Prosody silently discards headline
//     messages to a missing resource, so bounces alone would leave stale subscriptions.) Clients are
//     expected to answer pings, as @xmpp/client does.
//
// Queue policy: each subscriber has a bounded queue (`maxQueuedPerSubscriber`, default 5000 stanzas)
// used while the connection to the server has too many unacknowledged writes. A subscriber whose
// queue overflows loses its subscription and is told so (`subscription="none"`), so its client knows
// it must resubscribe and reload instead of silently missing events.

import type { CompanyStateReader } from "../../src/simulator/state/types";
import { type OutboundStanza, PlatformServices, serializeStanza } from "../../src/simulator/xmpp/services";
import { buildXml, NS_CLIENT, NS_XML, type XmlElement } from "../../src/simulator/xmpp/xml";

export interface ComponentOptions {
  host: string;
  port: number;
  secret: string;
  userDomain: string;
  phoneDomain?: string;
  pubsubDomain?: string;
  /** liveness probe interval; 0 disables */
  probeIntervalMs?: number;
  maxQueuedPerSubscriber?: number;
  /** writes in flight on one component connection before output is queued per subscriber */
  maxInFlightWrites?: number;
  subscribedDelayMs?: number;
}

export interface AttachedComponents {
  services: PlatformServices;
  /** fault tests: take the phone component off the server (it answers "unavailable" for it) ... */
  detachPhone(): Promise<void>;
  /** ... and put it back */
  attachPhone(): Promise<void>;
  /** fault tests: send any stanza from the pubsub service (e.g. a mutated notification) */
  sendFromPubsub(stanza: OutboundStanza): void;
  close(): Promise<void>;
}

interface LtxLike {
  name: string;
  attrs: Record<string, string>;
  children: Array<LtxLike | string>;
}

interface XmppComponent {
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  write(data: string): Promise<void>;
  on(event: "stanza", listener: (el: LtxLike) => void): void;
  on(event: "error", listener: (err: Error) => void): void;
  on(event: "online", listener: () => void): void;
  removeAllListeners(event: string): void;
  reconnect: { start(): void; stop(): void };
  status: string;
}

const { component } = require("@xmpp/component") as {
  component(options: { service: string; domain: string; password: string }): XmppComponent;
};

const NS_PING = "urn:xmpp:ping";

/** ltx element (prefixes kept in names, xmlns in attrs) -> simulator element with resolved namespaces. */
export function fromLtx(el: LtxLike, scope: Map<string, string> = new Map([["", NS_CLIENT]])): XmlElement {
  const own = new Map(scope);
  for (const [k, v] of Object.entries(el.attrs)) {
    if (k === "xmlns") own.set("", v);
    else if (k.startsWith("xmlns:")) own.set(k.slice(6), v);
  }
  // stanzas on a component stream are in jabber:component:accept; treat them like client stanzas
  if (own.get("") === "jabber:component:accept") own.set("", NS_CLIENT);
  const colon = el.name.indexOf(":");
  const prefix = colon < 0 ? "" : el.name.slice(0, colon);
  const name = colon < 0 ? el.name : el.name.slice(colon + 1);
  const ns = prefix === "xml" ? NS_XML : (own.get(prefix) ?? "");
  return {
    name,
    ns,
    attrs: { ...el.attrs },
    children: el.children.map((c) => (typeof c === "string" ? c : fromLtx(c, own))),
  };
}

class ComponentLink {
  readonly xmpp: XmppComponent;
  private inFlight = 0;
  private readonly queues = new Map<string, string[]>();
  private closed = false;

  constructor(
    readonly domain: string,
    service: string,
    secret: string,
    private readonly maxInFlight: number,
    private readonly maxQueued: number,
    private readonly onOverflow: (jid: string) => void,
  ) {
    this.xmpp = component({ service, domain, password: secret });
    // @xmpp/component's middleware answers every IQ itself (service-unavailable unless a handler
    // returns an ltx element); the simulator answers with its own XML, so it takes stanzas directly.
    this.xmpp.removeAllListeners("element");
    this.xmpp.on("error", () => undefined);
  }

  send(stanza: OutboundStanza): void {
    if (this.closed || this.xmpp.status !== "online") return;
    const to = stanza.attrs.to ?? "";
    const xml = serializeStanza(stanza);
    const queue = this.queues.get(to);
    if (!queue && this.inFlight < this.maxInFlight) {
      this.write(xml);
      return;
    }
    if (queue) queue.push(xml);
    else this.queues.set(to, [xml]);
    if ((this.queues.get(to)?.length ?? 0) > this.maxQueued) {
      this.queues.delete(to);
      this.onOverflow(to);
    }
  }

  private write(xml: string): void {
    this.inFlight++;
    this.xmpp
      .write(xml)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight--;
        this.pump();
      });
  }

  /** round robin over the waiting subscribers while there is room */
  private pump(): void {
    while (!this.closed && this.inFlight < this.maxInFlight && this.queues.size > 0) {
      for (const [jid, queue] of this.queues) {
        const next = queue.shift();
        if (next !== undefined) this.write(next);
        if (queue.length === 0) this.queues.delete(jid);
        if (this.inFlight >= this.maxInFlight) break;
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queues.clear();
    this.xmpp.reconnect.stop();
    await this.xmpp.stop().catch(() => undefined);
  }

  /** reconnect after close(), reconnecting by itself again on server restarts */
  async reopen(): Promise<void> {
    this.closed = false;
    this.xmpp.reconnect.start();
    await this.xmpp.start();
  }
}

export async function attachComponents(
  state: CompanyStateReader,
  options: ComponentOptions,
): Promise<AttachedComponents> {
  const domains = {
    userDomain: options.userDomain,
    phoneDomain: options.phoneDomain ?? `phone.${options.userDomain}`,
    pubsubDomain: options.pubsubDomain ?? `pubsub.${options.userDomain}`,
  };
  const service = `xmpp://${options.host}:${options.port}`;
  const maxInFlight = options.maxInFlightWrites ?? 256;
  const maxQueued = options.maxQueuedPerSubscriber ?? 5000;

  let services: PlatformServices | undefined;
  const overflow = (jid: string) => services?.revoke(jid, "subscriber too slow: queue limit reached");
  const phone = new ComponentLink(
    domains.phoneDomain,
    service,
    options.secret,
    maxInFlight,
    maxQueued,
    overflow,
  );
  const pubsub = new ComponentLink(
    domains.pubsubDomain,
    service,
    options.secret,
    maxInFlight,
    maxQueued,
    overflow,
  );
  const links = [phone, pubsub];
  services = new PlatformServices(
    state,
    domains,
    (stanza) => (stanza.attrs.from === domains.phoneDomain ? phone : pubsub).send(stanza),
    { subscribedDelayMs: options.subscribedDelayMs ?? 10 },
  );
  const live = services;

  let probeCounter = 0;
  const probes = new Map<string, string>();
  for (const link of links) {
    link.xmpp.on("stanza", (raw) => {
      const el = fromLtx(raw);
      const from = el.attrs.from;
      if (!from) return;
      if (el.name === "iq") {
        const probed = probes.get(el.attrs.id ?? "");
        if (probed !== undefined && (el.attrs.type === "result" || el.attrs.type === "error")) {
          probes.delete(el.attrs.id ?? "");
          if (el.attrs.type === "error") live.subscriberGone(probed);
          return;
        }
        const reply = live.handleIq(el, from);
        if (reply) link.send(reply);
      } else if (el.name === "presence") live.handlePresence(el, from);
      else if (el.name === "message") live.handleMessage(el, from);
    });
  }

  const probeEvery = options.probeIntervalMs ?? 30_000;
  const probeTimer =
    probeEvery > 0
      ? setInterval(() => {
          // a probe unanswered for a whole interval is forgotten (a stalled client is not "gone")
          probes.clear();
          for (const sub of live.subscriptionList()) {
            const id = `probe-${++probeCounter}`;
            probes.set(id, sub.jid);
            pubsub.send({
              name: "iq",
              attrs: { type: "get", id, from: domains.pubsubDomain, to: sub.jid },
              inner: buildXml({ ping: { "@_xmlns": NS_PING } }),
            });
          }
        }, probeEvery)
      : undefined;
  probeTimer?.unref();

  const close = async () => {
    if (probeTimer) clearInterval(probeTimer);
    live.close();
    await Promise.all(links.map((l) => l.close()));
  };

  try {
    await Promise.all(links.map((l) => l.xmpp.start()));
  } catch (err) {
    await close();
    throw new Error(`components could not attach to ${service}: ${(err as Error).message}`);
  }
  return {
    services: live,
    close,
    detachPhone: () => phone.close(),
    attachPhone: () => phone.reopen(),
    sendFromPubsub: (stanza) => pubsub.send(stanza),
  };
}
