// The simulator's own XML reading for XMPP streams: a small, strict, streaming tokenizer.
// Written here (not shared with the client) so a parsing bug cannot hide by being mirrored.
// Strictness is the point: XMPP forbids DTDs, comments and processing instructions (RFC 6120 11.1),
// so a DOCTYPE or an unknown entity is an error, never expanded. Sizes and depth are bounded.

import { EventEmitter } from "node:events";

export const NS_CLIENT = "jabber:client";
export const NS_STREAM = "http://etherx.jabber.org/streams";
export const NS_FRAMING = "urn:ietf:params:xml:ns:xmpp-framing";
export const NS_XML = "http://www.w3.org/XML/1998/namespace";

export interface XmlElement {
  /** local name, without prefix */
  name: string;
  /** resolved namespace URI ("" when none is in scope) */
  ns: string;
  /** raw attributes as written, including xmlns declarations */
  attrs: Record<string, string>;
  children: Array<XmlElement | string>;
}

/** Why the stream must end; `condition` is an RFC 6120 stream error condition. */
export class XmlStreamError extends Error {
  constructor(
    readonly condition: "not-well-formed" | "restricted-xml" | "policy-violation" | "invalid-namespace",
    message: string,
  ) {
    super(message);
    this.name = "XmlStreamError";
  }
}

export function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== "string");
}

export function findChild(el: XmlElement, name: string, ns?: string): XmlElement | undefined {
  return childElements(el).find((c) => c.name === name && (ns === undefined || c.ns === ns));
}

export function textOf(el: XmlElement | undefined): string {
  if (!el) return "";
  return el.children.map((c) => (typeof c === "string" ? c : textOf(c))).join("");
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export function attrsToString(attrs: Record<string, string | undefined>): string {
  let out = "";
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out += ` ${k}="${escapeXml(v)}"`;
  return out;
}

const PREDEFINED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const NAME = /^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?$/;

function decodeEntities(raw: string): string {
  if (raw.indexOf("&") < 0) return raw;
  return raw.replace(/&([^;&<]{0,12});|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) throw new XmlStreamError("not-well-formed", "bare '&'");
    if (ref.startsWith("#x")) return codePoint(Number.parseInt(ref.slice(2), 16), whole);
    if (ref.startsWith("#")) return codePoint(Number.parseInt(ref.slice(1), 10), whole);
    const value = PREDEFINED[ref];
    if (value === undefined) throw new XmlStreamError("restricted-xml", `entity ${whole} is not allowed`);
    return value;
  });
}

function codePoint(n: number, whole: string): string {
  if (!Number.isInteger(n) || n < 0x9 || n > 0x10ffff || (n < 0x20 && n !== 0x9 && n !== 0xa && n !== 0xd)) {
    throw new XmlStreamError("not-well-formed", `bad character reference ${whole}`);
  }
  return String.fromCodePoint(n);
}

interface OpenElement {
  qname: string;
  el: XmlElement;
  /** prefix -> uri declared on this element */
  scope: Map<string, string>;
}

export interface XmlStreamParserOptions {
  /**
   * "stream": the first top-level element is the stream header; its children are stanzas (TCP).
   * "frames": every top-level element is a complete unit (RFC 7395 WebSocket frames).
   */
  mode: "stream" | "frames";
  /** bytes one stanza may occupy before the stream is ended with policy-violation */
  maxStanzaBytes?: number;
  maxDepth?: number;
  /** default namespace in effect before any declaration (WebSocket stanzas must declare their own) */
  defaultNs?: string;
}

/**
 * Events: "streamStart" (header element, TCP only), "element" (a complete stanza or frame),
 * "streamEnd", "error" (XmlStreamError). After an error the parser ignores further input.
 */
export class XmlStreamParser extends EventEmitter {
  private buffer = "";
  private readonly stack: OpenElement[] = [];
  private failed = false;
  private ended = false;
  private stanzaBytes = 0;
  private readonly maxStanzaBytes: number;
  private readonly maxDepth: number;

  constructor(private readonly options: XmlStreamParserOptions) {
    super();
    this.maxStanzaBytes = options.maxStanzaBytes ?? 64 * 1024;
    this.maxDepth = options.maxDepth ?? 32;
  }

  /** Ignore all further input (the stream restarted on a new parser). */
  stop(): void {
    this.ended = true;
    this.buffer = "";
  }

  /** Nothing buffered and no element open: a WebSocket frame held exactly complete elements. */
  isIdle(): boolean {
    return this.buffer.trim() === "" && this.stack.length === 0;
  }

  write(chunk: string): void {
    if (this.failed || this.ended) return;
    this.buffer += chunk;
    try {
      this.consume();
    } catch (err) {
      this.failed = true;
      this.buffer = "";
      const error =
        err instanceof XmlStreamError ? err : new XmlStreamError("not-well-formed", (err as Error).message);
      this.emit("error", error);
    }
  }

  private stanzaDepth(): number {
    return this.options.mode === "stream" ? 1 : 0;
  }

  private inStanza(): boolean {
    return this.stack.length > this.stanzaDepth();
  }

  private countBytes(n: number): void {
    if (!this.inStanza() && this.options.mode === "stream" && this.stack.length === 0) return;
    this.stanzaBytes += n;
    if (this.stanzaBytes > this.maxStanzaBytes) {
      throw new XmlStreamError("policy-violation", `stanza larger than ${this.maxStanzaBytes} bytes`);
    }
  }

  private consume(): void {
    for (;;) {
      if (this.buffer.length === 0) return;
      const lt = this.buffer.indexOf("<");
      if (lt !== 0) {
        const textEnd = lt < 0 ? this.buffer.length : lt;
        // keep a possibly partial entity reference for the next chunk
        let take = textEnd;
        if (lt < 0) {
          const amp = this.buffer.lastIndexOf("&");
          if (amp >= 0 && this.buffer.indexOf(";", amp) < 0) take = amp;
        }
        if (take === 0) {
          this.guardPending();
          return;
        }
        const raw = this.buffer.slice(0, take);
        this.buffer = this.buffer.slice(take);
        this.text(raw);
        continue;
      }
      // markup
      if (this.buffer.startsWith("<!") || this.buffer.startsWith("<?")) {
        if (this.buffer.length < 9 && !this.buffer.includes(">")) {
          this.guardPending();
          return;
        }
        if (this.buffer.startsWith("<?xml") && this.stack.length === 0) {
          const end = this.buffer.indexOf("?>");
          if (end < 0) {
            this.guardPending();
            return;
          }
          this.buffer = this.buffer.slice(end + 2);
          continue;
        }
        if (this.buffer.startsWith("<!DOCTYPE"))
          throw new XmlStreamError("restricted-xml", "DOCTYPE is not allowed");
        if (this.buffer.startsWith("<![CDATA[") && this.inStanza()) {
          const end = this.buffer.indexOf("]]>");
          if (end < 0) {
            this.guardPending();
            return;
          }
          const data = this.buffer.slice(9, end);
          this.countBytes(end + 3);
          this.buffer = this.buffer.slice(end + 3);
          this.top()?.el.children.push(data);
          continue;
        }
        throw new XmlStreamError("restricted-xml", "comments and processing instructions are not allowed");
      }
      const end = this.findTagEnd();
      if (end < 0) {
        this.guardPending();
        return;
      }
      const tag = this.buffer.slice(1, end);
      this.buffer = this.buffer.slice(end + 1);
      if (tag.startsWith("/")) this.closeTag(tag.slice(1).trim(), end + 1);
      else this.openTag(tag, end + 1);
      if (this.ended) return;
    }
  }

  /** index of the '>' closing the tag at buffer[0], skipping quoted attribute values */
  private findTagEnd(): number {
    let quote = "";
    for (let i = 1; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (quote) {
        if (c === quote) quote = "";
        else if (c === "<") throw new XmlStreamError("not-well-formed", "'<' in attribute value");
      } else if (c === '"' || c === "'") quote = c;
      else if (c === ">") return i;
      else if (c === "<") throw new XmlStreamError("not-well-formed", "'<' inside a tag");
    }
    return -1;
  }

  /** unconsumed input waiting for more data must stay bounded too */
  private guardPending(): void {
    if (this.buffer.length > this.maxStanzaBytes) {
      throw new XmlStreamError("policy-violation", `token larger than ${this.maxStanzaBytes} bytes`);
    }
  }

  private top(): OpenElement | undefined {
    return this.stack[this.stack.length - 1];
  }

  private text(raw: string): void {
    const top = this.top();
    if (!top || !this.inStanza()) {
      // between stanzas only whitespace (keepalives) may appear
      if (raw.trim() !== "") throw new XmlStreamError("not-well-formed", "text outside a stanza");
      return;
    }
    this.countBytes(raw.length);
    top.el.children.push(decodeEntities(raw));
  }

  private openTag(body: string, rawLength: number): void {
    const selfClosing = body.endsWith("/");
    const inner = selfClosing ? body.slice(0, -1) : body;
    const match = /^([^\s/>]+)/.exec(inner);
    if (!match) throw new XmlStreamError("not-well-formed", "missing element name");
    const qname = match[1] as string;
    if (!NAME.test(qname)) throw new XmlStreamError("not-well-formed", `bad element name ${qname}`);
    const attrs: Record<string, string> = {};
    const rest = inner.slice(qname.length);
    const attrRe = /\s+([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')|(\s+)$|(\S)/gy;
    let m: RegExpExecArray | null = attrRe.exec(rest);
    let consumed = 0;
    while (m) {
      if (m[6] !== undefined) throw new XmlStreamError("not-well-formed", "malformed attribute");
      if (m[1] !== undefined) {
        const key = m[1];
        if (!NAME.test(key) && !/^xmlns(:[A-Za-z_][\w.-]*)?$/.test(key)) {
          throw new XmlStreamError("not-well-formed", `bad attribute name ${key}`);
        }
        if (key in attrs) throw new XmlStreamError("not-well-formed", `duplicate attribute ${key}`);
        attrs[key] = decodeEntities(m[3] ?? m[4] ?? "");
      }
      consumed = attrRe.lastIndex;
      if (consumed >= rest.length) break;
      m = attrRe.exec(rest);
    }
    if (consumed < rest.trimEnd().length) throw new XmlStreamError("not-well-formed", "malformed attributes");

    if (this.stack.length >= this.maxDepth) throw new XmlStreamError("policy-violation", "nesting too deep");
    const startsStanza = this.stack.length === this.stanzaDepth();
    if (startsStanza) this.stanzaBytes = 0;

    const scope = new Map<string, string>();
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "xmlns") scope.set("", v);
      else if (k.startsWith("xmlns:")) scope.set(k.slice(6), v);
    }
    const colon = qname.indexOf(":");
    const prefix = colon < 0 ? "" : qname.slice(0, colon);
    const name = colon < 0 ? qname : qname.slice(colon + 1);
    const ns = this.resolve(prefix, scope);
    if (ns === undefined) throw new XmlStreamError("not-well-formed", `undeclared prefix ${prefix}`);
    const el: XmlElement = { name, ns, attrs, children: [] };
    const parent = this.top();
    const open: OpenElement = { qname, el, scope };

    if (this.options.mode === "stream" && this.stack.length === 0) {
      if (name !== "stream" || ns !== NS_STREAM) {
        throw new XmlStreamError("invalid-namespace", "expected a stream header");
      }
      this.stack.push(open);
      this.emit("streamStart", el);
      if (selfClosing) throw new XmlStreamError("not-well-formed", "self-closed stream header");
      return;
    }
    this.countBytes(rawLength);
    if (parent && this.stack.length > this.stanzaDepth()) parent.el.children.push(el);
    this.stack.push(open);
    if (selfClosing) this.finishElement();
  }

  private resolve(prefix: string, own: Map<string, string>): string | undefined {
    if (prefix === "xml") return NS_XML;
    const mine = own.get(prefix);
    if (mine !== undefined) return mine;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const found = this.stack[i]?.scope.get(prefix);
      if (found !== undefined) return found;
    }
    if (prefix === "") return this.options.defaultNs ?? "";
    return undefined;
  }

  private closeTag(qname: string, rawLength: number): void {
    const top = this.top();
    if (!top || top.qname !== qname) {
      throw new XmlStreamError("not-well-formed", `unexpected closing tag </${qname}>`);
    }
    if (this.options.mode === "stream" && this.stack.length === 1) {
      this.stack.pop();
      this.ended = true;
      this.emit("streamEnd");
      return;
    }
    this.countBytes(rawLength);
    this.finishElement();
  }

  private finishElement(): void {
    const done = this.stack.pop() as OpenElement;
    if (this.stack.length === this.stanzaDepth()) {
      this.emit("element", done.el, this.stack.map((o) => o.el).reverse());
    }
  }
}
