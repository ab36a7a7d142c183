// String -> Element for fixtures, tools and tests. NOT for the hot path: xmpp.js already hands the
// client parsed elements, and parsing them again from text costs time (see test/bench).
//
// Built on @xmpp/xml's Parser (ltx's SAX parser), the same one xmpp.js uses on the live stream.
// What ltx does with references (checked in test/unit/protocol/xml-string.test.ts):
//  - the 5 predefined entities (&amp; &lt; &gt; &quot; &apos;) are decoded in text and attributes;
//  - numeric references (&#65; &#x41;) are decoded when they name a legal XML character, and throw
//    for others (&#0;), which we report as ProtocolError;
//  - any other named reference (&foo;) throws "Illegal XML entity": ltx never expands entities
//    it does not know, and it has no DTD support at all: `<!DOCTYPE` opens what ltx treats as a
//    comment, ending only at `-->` or `]]>`, so a typical internal subset (ending `]>`) makes it
//    silently swallow the rest of the input;
//  - a lone "&" with no ";" after it is kept as literal text (ltx is lenient there).
// We refuse DOCTYPE and ENTITY declarations outright, so entity bombs and external entities cannot
// even be attempted, and we bound input size and nesting depth.
import { type Element, Parser } from "@xmpp/xml";
import { cut, errorText } from "../text";
import { ProtocolError } from "./errors";

export interface StringParseOptions {
  /** Largest accepted input in characters (UTF-16 code units). Default 4 MiB. */
  maxChars?: number;
  /** Deepest accepted element nesting. Default 64. */
  maxDepth?: number;
}

const DEFAULT_MAX_CHARS = 4 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 64;
const DTD_DECLARATION = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i;

/** Parse one XML element (with its subtree) from a string; ProtocolError on anything else. */
export function parseStanzaString(xmlText: string, options: StringParseOptions = {}): Element {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (typeof xmlText !== "string") throw new ProtocolError("XML input is not a string");
  if (xmlText.length > maxChars) {
    throw new ProtocolError(`XML input of ${xmlText.length} characters exceeds the limit of ${maxChars}`);
  }
  if (DTD_DECLARATION.test(xmlText)) {
    throw new ProtocolError("XML with a DOCTYPE or entity declaration is refused");
  }
  // Whitespace around the root is legal XML, but ltx would report leading text as an error and
  // append trailing text to the root.
  const input = xmlText.trim();

  const parser = new Parser();
  let root: Element | null = null;
  let closed = false;
  let depth = 0;
  let failure: ProtocolError | null = null;
  const fail = (message: string): void => {
    failure ??= new ProtocolError(message);
  };

  // Watch the underlying SAX events too: the stream-oriented Parser silently accepts content after
  // the root closes (it would append a second root's elements to the first).
  parser.parser.on("startElement", () => {
    if (closed) fail("XML has content after the root element");
    if (++depth > maxDepth) fail(`XML nesting deeper than ${maxDepth} elements`);
  });
  parser.parser.on("endElement", () => {
    depth--;
  });
  parser.parser.on("text", (text: string) => {
    if (closed && text.trim() !== "") fail("XML has text after the root element");
  });
  parser.on("start", (el: Element) => {
    root = el;
  });
  parser.on("element", (el: Element) => {
    root?.append(el);
  });
  parser.on("end", () => {
    closed = true;
  });
  parser.on("error", (err: Error) => {
    fail(`malformed XML: ${cut(err.message, 200)}`);
  });

  try {
    parser.write(input);
    parser.end("");
  } catch (err) {
    // ltx throws from inside write() for unknown entities and illegal character references.
    throw new ProtocolError(`malformed XML: ${cut(errorText(err), 200)}`, undefined, { cause: err });
  }
  if (failure) throw failure;
  if (!root) throw new ProtocolError("XML input holds no element");
  if (!closed) throw new ProtocolError("XML input ends before its root element is closed");
  return root;
}
