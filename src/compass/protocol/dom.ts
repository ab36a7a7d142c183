// Small, bounded readers over @xmpp/xml (ltx) elements. ltx's own helpers (getChildren, getNS,
// getText) walk without limits and allocate per call; these keep the hot path cheap and capped.
import type { Element } from "@xmpp/xml";
import { cut } from "../text";
import { ProtocolError, QUOTED_MAX } from "./errors";
import { LIMITS } from "./limits";
import { XSI_NS } from "./types";

/** Element name without its prefix. */
export function localName(el: Element): string {
  const name = el.name;
  const colon = name.indexOf(":");
  return colon < 0 ? name : name.slice(colon + 1);
}

/** Namespace bound to `prefix` (default namespace when empty), looked up through the ancestors. */
export function resolvePrefix(el: Element, prefix: string): string | undefined {
  const key = prefix ? `xmlns:${prefix}` : "xmlns";
  let node: Element | null = el;
  for (let depth = 0; node && depth < LIMITS.maxAncestors; depth++) {
    const value = node.attrs[key];
    if (typeof value === "string") return value;
    node = node.parent;
  }
  return undefined;
}

/** The element's own namespace (from its prefix or the default namespace in scope). */
export function namespaceOf(el: Element): string | undefined {
  const name = el.name;
  const colon = name.indexOf(":");
  return resolvePrefix(el, colon < 0 ? "" : name.slice(0, colon));
}

function capText(value: string): string {
  return value.length > LIMITS.maxText ? value.slice(0, LIMITS.maxText) : value;
}

/**
 * The same text in a string of its own. The parser's strings are slices of the socket chunk they
 * came in (V8 slices strings of 13+ characters), so one id kept by the model would keep the whole
 * chunk (up to 64 KiB) alive: a large company's snapshot pinned megabytes that way.
 */
function detached(value: string): string {
  return value.length < 13 ? value : ` ${value}`.slice(1);
}

// A few texts repeat in every call notification (call and callpoint states, callpoint types) and
// the model keeps them in every call it holds: one copy each instead of one per notification.
// Bounded, since the platform's data decides what comes: short texts only, and only the first
// INTERNED_MAX distinct ones.
const INTERNED_MAX = 256;
const INTERNED_LENGTH = 24;
const internedTexts = new Map<string, string>();

/** The one shared copy of a short, often repeated text (or the text itself once the pool is full). */
export function interned(value: string): string {
  if (value.length > INTERNED_LENGTH) return value;
  const known = internedTexts.get(value);
  if (known !== undefined) return known;
  if (internedTexts.size < INTERNED_MAX) internedTexts.set(value, value);
  return value;
}

/** A string attribute, cut to LIMITS.maxText; undefined when absent. */
export function attr(el: Element, name: string): string | undefined {
  const value = el.attrs[name];
  return typeof value === "string" ? detached(capText(value)) : undefined;
}

/** A required attribute: present and non-empty, else ProtocolError naming the element. */
export function requiredAttr(el: Element, name: string): string {
  const value = attr(el, name);
  if (value === undefined || value === "") {
    throw new ProtocolError(`<${localName(el)}> has no "${name}" attribute`, localName(el));
  }
  return value;
}

/**
 * The `type` attribute in the XML Schema instance namespace, whatever its prefix: Prosody rewrites
 * `xsi:type` to `ns1:type` with its own declaration, so the literal prefix means nothing.
 */
export function xsiType(el: Element): string | undefined {
  const attrs = el.attrs;
  let seen = 0;
  for (const key in attrs) {
    if (++seen > LIMITS.maxAttrs) break;
    if (key.length > 5 && key.endsWith(":type") && !key.startsWith("xmlns:")) {
      const value = attrs[key];
      if (typeof value === "string" && resolvePrefix(el, key.slice(0, -5)) === XSI_NS) {
        return detached(capText(value));
      }
    }
  }
  return undefined;
}

/** Concatenated direct text of an element, trimmed and cut to LIMITS.maxText. */
export function textOf(el: Element): string {
  const children = el.children;
  if (children.length === 1 && typeof children[0] === "string") {
    return detached(capText(children[0]).trim());
  }
  let text = "";
  const n = Math.min(children.length, LIMITS.maxChildren);
  for (let i = 0; i < n; i++) {
    const child = children[i];
    if (typeof child === "string") {
      text += child;
      if (text.length >= LIMITS.maxText) break;
    }
  }
  return detached(capText(text).trim());
}

/** Text as a finite number (strict decimal syntax); undefined for anything else. */
export function numberOf(el: Element): number | undefined {
  return parseStrictNumber(textOf(el));
}

const NUMBER_SYNTAX = /^[+-]?\d+(\.\d+)?$/;

export function parseStrictNumber(text: string | undefined): number | undefined {
  if (text === undefined || text.length === 0 || text.length > LIMITS.maxNumberText) return undefined;
  if (!NUMBER_SYNTAX.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

export function booleanOf(el: Element): boolean {
  const text = textOf(el);
  return text === "true" || text === "1";
}

/**
 * Visit the element children (not text) with their local names, at most LIMITS.maxChildren nodes.
 * Returns true when the element had more children than were examined.
 */
export function eachChild(el: Element, visit: (child: Element, name: string) => void): boolean {
  const children = el.children;
  const n = Math.min(children.length, LIMITS.maxChildren);
  for (let i = 0; i < n; i++) {
    const child = children[i];
    if (typeof child === "object" && child !== null && typeof child.name === "string") {
      visit(child, localName(child));
    }
  }
  return children.length > n;
}

/** First child element with this local name, or undefined. */
export function firstChild(el: Element, name: string): Element | undefined {
  const children = el.children;
  const n = Math.min(children.length, LIMITS.maxChildren);
  for (let i = 0; i < n; i++) {
    const child = children[i];
    if (typeof child === "object" && child !== null && typeof child.name === "string") {
      if (localName(child) === name) return child;
    }
  }
  return undefined;
}

/** First child with this local name in this namespace. */
export function firstChildNS(el: Element, name: string, ns: string): Element | undefined {
  const children = el.children;
  const n = Math.min(children.length, LIMITS.maxChildren);
  for (let i = 0; i < n; i++) {
    const child = children[i];
    if (typeof child === "object" && child !== null && typeof child.name === "string") {
      if (localName(child) === name && namespaceOf(child) === ns) return child;
    }
  }
  return undefined;
}

/** Assert the element is `name` in `ns`; ProtocolError otherwise. */
export function expectElement(el: unknown, name: string, ns: string): asserts el is Element {
  if (typeof el !== "object" || el === null || typeof (el as Element).name !== "string") {
    throw new ProtocolError(`expected <${name}>, got no element`, name);
  }
  const element = el as Element;
  if (typeof element.attrs !== "object" || element.attrs === null || !Array.isArray(element.children)) {
    throw new ProtocolError(`expected <${name}>, got a malformed element`, name);
  }
  const local = localName(element);
  if (local !== name) throw new ProtocolError(`expected <${name}>, got <${cut(local, QUOTED_MAX)}>`, name);
  const actual = namespaceOf(element);
  if (actual !== ns) {
    throw new ProtocolError(
      `<${name}> in namespace "${cut(actual ?? "", QUOTED_MAX)}", expected "${ns}"`,
      name,
    );
  }
}
