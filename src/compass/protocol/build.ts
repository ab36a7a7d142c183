// What the client sends, as @xmpp/xml elements. Payload builders return the IQ child (what
// @xmpp/iq's iqCaller.get/set take); buildIq wraps a payload the way Appendix A shows it.
import xml, { type Element } from "@xmpp/xml";
import { COMPASS_NS, type CompassRequest, PUBSUB_NS } from "./types";

export const CLIENT_NS = "jabber:client";
export const PRIVACY_NS = "jabber:iq:privacy";
export const DATA_FORM_NS = "jabber:x:data";
export const SUBSCRIBE_OPTIONS_FORM = "http://jabber.org/protocol/pubsub#subscribe_options";
/** The privacy list that makes the API session invisible (manual, Appendix A). */
export const INVISIBLE_LIST = "invisible";

/** `<request xmlns="http://iperity.com/compass" type=...>`, with a `<filter>` for GET. */
export function buildRequest(req: CompassRequest): Element {
  if (req.type === "GET_COMPANY") return xml("request", { xmlns: COMPASS_NS, type: "GET_COMPANY" });
  const { filter } = req;
  const filterAttrs: Record<string, string> = { type: filter.type };
  if (filter.id !== undefined) filterAttrs.id = filter.id;
  if (filter.history !== undefined) filterAttrs.history = filter.history ? "true" : "false";
  const attrs: Record<string, string> = { xmlns: COMPASS_NS, type: "GET" };
  if (req.company !== undefined) attrs.company = req.company;
  return xml("request", attrs, xml("filter", filterAttrs));
}

/** XEP-0016 list `invisible` denying outgoing presence, so chat contacts never see the API session. */
export function buildPrivacyList(name = INVISIBLE_LIST): Element {
  return xml(
    "query",
    { xmlns: PRIVACY_NS },
    xml("list", { name }, xml("item", { action: "deny", order: "1" }, xml("presence-out"))),
  );
}

/** Make the privacy list active for this session. */
export function buildActivatePrivacyList(name = INVISIBLE_LIST): Element {
  return xml("query", { xmlns: PRIVACY_NS }, xml("active", { name }));
}

/**
 * XEP-0060 subscribe with subscribe options: `pubsub#expire` = `presence` makes the server drop the
 * subscription when this session goes away, so reconnects never pile up stale subscriptions.
 */
export function buildSubscribe(node: string, jid: string): Element {
  return xml(
    "pubsub",
    { xmlns: PUBSUB_NS },
    xml("subscribe", { node, jid }),
    xml(
      "options",
      {},
      xml(
        "x",
        { xmlns: DATA_FORM_NS, type: "submit" },
        xml("field", { var: "FORM_TYPE", type: "hidden" }, xml("value", {}, SUBSCRIBE_OPTIONS_FORM)),
        xml("field", { var: "pubsub#expire" }, xml("value", {}, "presence")),
      ),
    ),
  );
}

/**
 * Available presence. The manual asks API clients for a negative priority (so chat messages are
 * never routed to them); the default is -1. XMPP allows -128..127.
 */
export function buildPresence(priority = -1): Element {
  if (!Number.isInteger(priority) || priority < -128 || priority > 127) {
    throw new RangeError(`presence priority must be an integer in -128..127, got ${priority}`);
  }
  return xml("presence", { xmlns: CLIENT_NS }, xml("priority", {}, String(priority)));
}

/** `<iq xmlns="jabber:client" to? type id>` around a payload (for tools and tests; xmpp.js adds its own). */
export function buildIq(type: "get" | "set", id: string, payload: Element, to?: string): Element {
  const attrs: Record<string, string> = { xmlns: CLIENT_NS };
  if (to !== undefined) attrs.to = to;
  attrs.type = type;
  attrs.id = id;
  return xml("iq", attrs, payload);
}
