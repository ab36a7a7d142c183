import assert from "node:assert/strict";
import {
  buildXml,
  findChild,
  NS_CLIENT,
  NS_STREAM,
  startTag,
  textOf,
  wrapXml,
  type XmlElement,
  type XmlStreamError,
  XmlStreamParser,
} from "../../../src/simulator/xmpp/xml";

const HEADER = `<?xml version='1.0'?><stream:stream xmlns="${NS_CLIENT}" xmlns:stream="${NS_STREAM}" to="d" version="1.0">`;

function parseStream(chunks: string[], maxStanzaBytes?: number) {
  const parser = new XmlStreamParser({ mode: "stream", ...(maxStanzaBytes ? { maxStanzaBytes } : {}) });
  const out: { header?: XmlElement; stanzas: XmlElement[]; ended: boolean; error?: XmlStreamError } = {
    stanzas: [],
    ended: false,
  };
  parser.on("streamStart", (el: XmlElement) => {
    out.header = el;
  });
  parser.on("element", (el: XmlElement) => out.stanzas.push(el));
  parser.on("streamEnd", () => {
    out.ended = true;
  });
  parser.on("error", (err: XmlStreamError) => {
    out.error = err;
  });
  for (const c of chunks) parser.write(c);
  return out;
}

describe("simulator XML stream parser", () => {
  it("parses a stream fed one character at a time, with entities, CDATA and multi-byte text", () => {
    const doc =
      `${HEADER}  <message to="a@b" type='chat'><body>caf\u00e9 &amp; &lt;ok&gt; &#x1F600; &#65;</body>` +
      `<x:data xmlns:x="urn:x"><![CDATA[<raw & stuff>]]></x:data></message>\n</stream:stream>`;
    const out = parseStream([...doc]);
    assert.equal(out.error, undefined);
    assert.equal(out.header?.attrs.to, "d");
    assert.equal(out.stanzas.length, 1);
    const message = out.stanzas[0] as XmlElement;
    assert.equal(message.ns, NS_CLIENT);
    assert.equal(message.attrs.type, "chat");
    assert.equal(textOf(findChild(message, "body")), "caf\u00e9 & <ok> \u{1F600} A");
    const data = findChild(message, "data", "urn:x");
    assert.equal(textOf(data), "<raw & stuff>");
    assert.ok(out.ended);
  });

  it("resolves namespaces by scope, not by prefix", () => {
    const out = parseStream([
      `${HEADER}<iq type="get" id="1"><p:query xmlns:p="urn:a"><item xmlns="urn:b"/><p:item/></p:query></iq>`,
    ]);
    const query = out.stanzas[0]?.children[0] as XmlElement;
    assert.equal(query.name, "query");
    assert.equal(query.ns, "urn:a");
    const [item, pItem] = query.children as XmlElement[];
    assert.equal(item?.ns, "urn:b");
    assert.equal(pItem?.ns, "urn:a");
  });

  const hostile: Array<[string, string, XmlStreamError["condition"]]> = [
    ["DOCTYPE", '<!DOCTYPE x [<!ENTITY a "b">]>', "restricted-xml"],
    ["external entity", "<message><body>&xxe;</body></message>", "restricted-xml"],
    ["comment", "<!-- hi -->", "restricted-xml"],
    ["processing instruction", "<?evil?>", "restricted-xml"],
    ["mismatched tags", "<iq><query></iq>", "not-well-formed"],
    ["undeclared prefix", "<iq><x:y/></iq>", "not-well-formed"],
    ["duplicate attribute", '<iq id="1" id="2"/>', "not-well-formed"],
    ["bare ampersand", "<message><body>a & b</body></message>", "not-well-formed"],
    ["text between stanzas", "hello", "not-well-formed"],
    ["bad character reference", "<message><body>&#0;</body></message>", "not-well-formed"],
    ["deep nesting", `${"<a>".repeat(40)}`, "policy-violation"],
  ];
  for (const [label, input, condition] of hostile) {
    it(`rejects ${label} with ${condition}`, () => {
      const out = parseStream([HEADER, input]);
      assert.equal(out.error?.condition, condition, out.error?.message ?? "no error");
    });
  }

  it("bounds a stanza and a never-ending token", () => {
    assert.equal(
      parseStream([HEADER, `<message><body>${"x".repeat(2000)}</body></message>`], 1024).error?.condition,
      "policy-violation",
    );
    assert.equal(
      parseStream([HEADER, `<message to="${"x".repeat(2000)}`], 1024).error?.condition,
      "policy-violation",
    );
    assert.equal(
      parseStream([HEADER, `<message><body>${"x".repeat(900)}</body></message>`], 1024).error,
      undefined,
    );
  });

  it("requires the stream header first in stream mode", () => {
    assert.equal(parseStream(["<iq/>"]).error?.condition, "invalid-namespace");
  });

  it("emits whole top-level elements in frames mode", () => {
    const parser = new XmlStreamParser({ mode: "frames" });
    const seen: XmlElement[] = [];
    parser.on("element", (el: XmlElement) => seen.push(el));
    parser.write(`<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="d" version="1.0"/>`);
    parser.write(`<iq xmlns="jabber:client" type="get" id="1"><ping xmlns="urn:xmpp:ping"/></iq>`);
    assert.deepEqual(
      seen.map((e) => `${e.ns} ${e.name}`),
      ["urn:ietf:params:xml:ns:xmpp-framing open", "jabber:client iq"],
    );
    assert.ok(parser.isIdle());
  });
});

describe("simulator XML writer", () => {
  it("escapes text and attribute values and writes 'true' as a value, read back by the parser", () => {
    const written = wrapXml(
      "message",
      { to: 'a&b"<c>', flag: "true", absent: undefined },
      buildXml({ body: "1 < 2 & 'x'" }),
    );
    assert.doesNotMatch(written, /absent/);
    const out = parseStream([HEADER, written]);
    assert.equal(out.error, undefined);
    const message = out.stanzas[0] as XmlElement;
    assert.deepEqual(message.attrs, { to: 'a&b"<c>', flag: "true" });
    assert.equal(textOf(findChild(message, "body")), "1 < 2 & 'x'");
  });

  it("leaves a stream header open and self-closes an element without children", () => {
    assert.equal(
      startTag("stream:stream", { xmlns: NS_CLIENT, id: "1" }),
      `<stream:stream xmlns="${NS_CLIENT}" id="1">`,
    );
    assert.equal(wrapXml("iq", { type: "result" }, ""), `<iq type="result"/>`);
  });
});

describe("simulator XML stream parser caps", () => {
  it("bounds the children of one element", () => {
    const parser = new XmlStreamParser({ mode: "stream", maxChildren: 10 });
    const errors: XmlStreamError[] = [];
    parser.on("error", (err: XmlStreamError) => errors.push(err));
    parser.write(HEADER);
    parser.write(`<iq>${"<x/>".repeat(10)}</iq>`);
    assert.equal(errors.length, 0);
    parser.write(`<iq>${"<x/>".repeat(11)}</iq>`);
    assert.deepEqual(
      errors.map((e) => e.condition),
      ["policy-violation"],
    );
  });
});

describe("simulator XML stream parser: what saxes holds between writes", () => {
  const cases: Array<[string, string[], XmlStreamError["condition"]]> = [
    ["a DOCTYPE before the stream header", ['<!DOCTYPE x [<!ENTITY a "b">]>', HEADER], "restricted-xml"],
    ["a comment split over writes", [HEADER, "<!-- a", " b -->"], "restricted-xml"],
    ["text after a stanza in the same write", [HEADER, "<iq/>junk"], "not-well-formed"],
    ["an entity reference that never ends", [HEADER, "<message><body>&am", "p and more"], "not-well-formed"],
    [
      "a start tag that never ends",
      [HEADER, `<message to="${"x".repeat(600)}`, "x".repeat(600)],
      "policy-violation",
    ],
  ];
  for (const [label, chunks, condition] of cases) {
    it(`rejects ${label} with ${condition}`, () => {
      const out = parseStream(chunks, 1024);
      assert.equal(out.error?.condition, condition, out.error?.message ?? "no error");
    });
  }

  it("measures a stanza from its own '<', not from the keepalives before it", () => {
    const out = parseStream(
      [HEADER, " ".repeat(600), `<message><body>${"x".repeat(700)}</body></message>`],
      1024,
    );
    assert.equal(out.error, undefined);
    assert.equal(out.stanzas.length, 1);
  });
});
