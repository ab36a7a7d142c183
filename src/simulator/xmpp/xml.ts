// The simulator's XML for XMPP streams: reading with saxes (a strict, namespace-aware streaming
// parser that never reads a DTD), writing with fast-xml-parser's builder. Neither is the client's
// ltx/@xmpp/xml, so a parsing bug cannot hide by being mirrored.
// Strictness is the point: XMPP forbids DTDs, comments and processing instructions (RFC 6120 11.1),
// so a DOCTYPE or an unknown entity is an error, never expanded. saxes bounds nothing, so the size of
// a stanza, its depth and its number of children are capped here.

import { EventEmitter } from "node:events";
import { XMLBuilder } from "fast-xml-parser";
import { SaxesParser, type SaxesTagNS } from "saxes";

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

// ------------------------------------------------------------------ writing

/**
 * An element as fast-xml-parser's builder takes it: `{ name: { "@_attr": "v", child: {...},
 * "#text": "..." } }`; repeated children are arrays, an empty string is an empty element.
 */
export type XmlTree = Record<string, unknown>;

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  suppressEmptyNode: true,
  // without this the builder writes an attribute whose value is "true" as a bare name
  suppressBooleanAttributes: false,
  format: false,
});

/** The simulator's one XML writer: text and attribute values are escaped by the builder. */
export function buildXml(tree: XmlTree): string {
  return builder.build(tree) as string;
}

/** `{ a: "1" }` -> `{ "@_a": "1" }`, leaving out undefined values. */
export function attributes(attrs: Record<string, string | undefined>): XmlTree {
  const out: XmlTree = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out[`@_${k}`] = v;
  return out;
}

/** `<name attrs>` left open: a stream header, or the start of an element whose children are already written. */
export function startTag(name: string, attrs: Record<string, string | undefined>): string {
  const empty = buildXml({ [name]: attributes(attrs) });
  return `${empty.slice(0, -2)}>`;
}

/**
 * An element around children that are already serialized (one payload built once and sent to many
 * subscribers); self-closed when there are none.
 */
export function wrapXml(name: string, attrs: Record<string, string | undefined>, inner: string): string {
  return inner ? `${startTag(name, attrs)}${inner}</${name}>` : buildXml({ [name]: attributes(attrs) });
}

// ------------------------------------------------------------------ reading

export interface XmlStreamParserOptions {
  /**
   * "stream": the first top-level element is the stream header; its children are stanzas (TCP).
   * "frames": every top-level element is a complete unit (RFC 7395 WebSocket frames).
   */
  mode: "stream" | "frames";
  /** characters one stanza (or the input waiting between stanzas) may occupy: policy-violation past it */
  maxStanzaBytes?: number;
  maxDepth?: number;
  /** children (elements and text runs) of one element */
  maxChildren?: number;
}

/** The longest entity reference XML can need, `&#x10FFFF;` without its '&' and ';'. */
const MAX_ENTITY_NAME = 8;

/** saxes reports these only as error messages; everything else it rejects is not-well-formed. */
function conditionOf(saxesMessage: string): XmlStreamError["condition"] {
  return /doctype|undefined entity/i.test(saxesMessage) ? "restricted-xml" : "not-well-formed";
}

/**
 * saxes holds an entity reference until its ';' (a bare '&' swallows everything after it) and gives
 * no way to ask; this reads the reference it holds. Missing in another saxes version, it returns ""
 * and a bare '&' ends at the size cap instead (the hostile-input tests notice).
 */
function pendingEntity(parser: SaxesParser): string {
  const entity = (parser as unknown as { entity?: unknown }).entity;
  return typeof entity === "string" ? entity : "";
}

type SaxesStreamOptions = { xmlns: true; fragment: boolean };

/**
 * saxes keeps each handler in a property that `on()` adds by a computed name; past six of them V8
 * turns the parser into a slow dictionary object (parsing 3-4x slower, test/bench/simulator-xml).
 * Declaring those properties up front, by name, keeps it fast. The names are saxes' own, not in its
 * types: were they to change, parsing would stay correct, only slower.
 */
class StreamSaxes extends SaxesParser<SaxesStreamOptions> {
  constructor(options: SaxesStreamOptions) {
    super(options);
    const handlers = this as unknown as Record<string, undefined>;
    handlers.openTagHandler = undefined;
    handlers.closeTagHandler = undefined;
    handlers.textHandler = undefined;
    handlers.cdataHandler = undefined;
    handlers.errorHandler = undefined;
    handlers.doctypeHandler = undefined;
    handlers.commentHandler = undefined;
    handlers.piHandler = undefined;
  }
}

/**
 * Events: "streamStart" (header element, TCP only), "element" (a complete stanza or frame),
 * "streamEnd", "error" (XmlStreamError). After an error the parser ignores further input.
 */
export class XmlStreamParser extends EventEmitter {
  private readonly sax: StreamSaxes;
  private readonly stack: XmlElement[] = [];
  private readonly stanzaDepth: number;
  private readonly maxStanzaBytes: number;
  private readonly maxDepth: number;
  private readonly maxChildren: number;
  private failed = false;
  private ended = false;
  /** characters fed so far (saxes' `position` counts the same units) */
  private fed = 0;
  /** position where the input between stanzas began (after the header, the last stanza or whitespace) */
  private idleSince = 0;
  /** the input since `idleSince`, while no stanza is open: only whitespace may come before its '<' */
  private between = "";
  /** position of the open stanza's '<' */
  private stanzaStart = 0;

  constructor(options: XmlStreamParserOptions) {
    super();
    this.stanzaDepth = options.mode === "stream" ? 1 : 0;
    this.maxStanzaBytes = options.maxStanzaBytes ?? 64 * 1024;
    this.maxDepth = options.maxDepth ?? 32;
    this.maxChildren = options.maxChildren ?? 1024;
    this.sax = new StreamSaxes({ xmlns: true, fragment: options.mode === "frames" });
    const sax = this.sax;
    sax.on("error", (err) => {
      throw new XmlStreamError(conditionOf(err.message), err.message);
    });
    sax.on("doctype", () => {
      throw new XmlStreamError("restricted-xml", "DOCTYPE is not allowed");
    });
    sax.on("comment", () => {
      throw new XmlStreamError("restricted-xml", "comments are not allowed");
    });
    sax.on("processinginstruction", () => {
      throw new XmlStreamError("restricted-xml", "processing instructions are not allowed");
    });
    sax.on("opentag", (tag) => this.open(tag));
    sax.on("closetag", () => this.close());
    sax.on("text", (text) => this.text(text));
    sax.on("cdata", (text) => this.text(text));
  }

  /** Ignore all further input (the stream restarted on a new parser). */
  stop(): void {
    this.ended = true;
  }

  /** Nothing held and no element open: a WebSocket frame held exactly complete elements. */
  isIdle(): boolean {
    return this.stack.length === 0 && this.between.trim() === "" && pendingEntity(this.sax) === "";
  }

  write(chunk: string): void {
    if (this.failed || this.ended) return;
    const chunkStart = this.fed;
    this.fed += chunk.length;
    try {
      this.sax.write(chunk);
      if (!this.ended) this.checkHeld(chunk, chunkStart);
    } catch (err) {
      this.failed = true;
      this.between = "";
      const error =
        err instanceof XmlStreamError ? err : new XmlStreamError("not-well-formed", (err as Error).message);
      this.emit("error", error);
    }
  }

  private inStanza(): boolean {
    return this.stack.length > this.stanzaDepth;
  }

  /** What saxes holds without telling (text until its '<', a tag until its '>') stays strict and bounded. */
  private checkHeld(chunk: string, chunkStart: number): void {
    const entity = pendingEntity(this.sax);
    if (entity.length > MAX_ENTITY_NAME || /[^#\w]/.test(entity)) {
      throw new XmlStreamError("not-well-formed", "bare '&' or an overlong entity reference");
    }
    if (this.inStanza()) {
      this.between = "";
      this.checkStanzaSize();
      return;
    }
    this.between =
      this.idleSince >= chunkStart ? chunk.slice(this.idleSince - chunkStart) : this.between + chunk;
    const lt = this.between.indexOf("<");
    // between stanzas only whitespace (keepalives) may appear
    if ((lt < 0 ? this.between : this.between.slice(0, lt)).trim() !== "") {
      throw new XmlStreamError("not-well-formed", "text outside a stanza");
    }
    if (this.between.length > this.maxStanzaBytes) {
      throw new XmlStreamError("policy-violation", `token larger than ${this.maxStanzaBytes} bytes`);
    }
  }

  private checkStanzaSize(): void {
    if (this.sax.position - this.stanzaStart > this.maxStanzaBytes) {
      throw new XmlStreamError("policy-violation", `stanza larger than ${this.maxStanzaBytes} bytes`);
    }
  }

  private open(tag: SaxesTagNS): void {
    const attrs: Record<string, string> = {};
    for (const name in tag.attributes) attrs[name] = (tag.attributes[name] as { value: string }).value;
    const el: XmlElement = { name: tag.local, ns: tag.uri, attrs, children: [] };
    if (this.stanzaDepth === 1 && this.stack.length === 0) {
      if (el.name !== "stream" || el.ns !== NS_STREAM) {
        throw new XmlStreamError("invalid-namespace", "expected a stream header");
      }
      this.stack.push(el);
      this.idleSince = this.sax.position;
      this.emit("streamStart", el);
      if (tag.isSelfClosing) throw new XmlStreamError("not-well-formed", "self-closed stream header");
      return;
    }
    if (this.stack.length >= this.maxDepth) throw new XmlStreamError("policy-violation", "nesting too deep");
    if (this.stack.length === this.stanzaDepth) this.stanzaStart = this.idleSince;
    this.checkStanzaSize();
    const parent = this.stack[this.stack.length - 1];
    if (parent && this.stack.length > this.stanzaDepth) this.addChild(parent, el);
    this.stack.push(el);
    // saxes sends closetag for a self-closed element itself
  }

  private close(): void {
    if (this.stanzaDepth === 1 && this.stack.length === 1) {
      this.stack.pop();
      this.ended = true;
      this.emit("streamEnd");
      return;
    }
    this.checkStanzaSize();
    const done = this.stack.pop() as XmlElement;
    if (this.stack.length === this.stanzaDepth) {
      this.idleSince = this.sax.position;
      this.between = "";
      this.emit("element", done);
    }
  }

  private text(text: string): void {
    const top = this.stack[this.stack.length - 1];
    if (!top || this.stack.length <= this.stanzaDepth) {
      if (text.trim() !== "") throw new XmlStreamError("not-well-formed", "text outside a stanza");
      // saxes reports it at the '<' that ends it: the next stanza is measured from there
      this.idleSince = this.sax.position - 1;
      return;
    }
    this.checkStanzaSize();
    this.addChild(top, text);
  }

  private addChild(parent: XmlElement, child: XmlElement | string): void {
    if (parent.children.length >= this.maxChildren) {
      throw new XmlStreamError("policy-violation", `more than ${this.maxChildren} children in one element`);
    }
    parent.children.push(child);
  }
}
