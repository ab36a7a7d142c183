// parseStanzaString, and what ltx (the parser xmpp.js uses on the live stream) does with references.
import assert from "node:assert/strict";
import { Parser } from "@xmpp/xml";
import { ProtocolError, parseStanzaString } from "../../../src/compass/protocol";
import { fixtureText } from "./fixtures";

/** Feed text to @xmpp/xml's Parser directly, without our DOCTYPE refusal, and record what it does. */
function rawLtx(text: string): { starts: string[]; texts: string[]; thrown?: string; emitted?: string } {
  const parser = new Parser();
  const record: { starts: string[]; texts: string[]; thrown?: string; emitted?: string } = {
    starts: [],
    texts: [],
  };
  parser.parser.on("startElement", (name: string) => record.starts.push(name));
  parser.parser.on("text", (t: string) => record.texts.push(t));
  parser.on("error", (err: Error) => {
    record.emitted ??= err.message;
  });
  try {
    parser.write(text);
  } catch (err) {
    record.thrown = err instanceof Error ? err.message : String(err);
  }
  return record;
}

describe("protocol: XML strings", () => {
  it("parses one element with its subtree, ignoring comments and surrounding whitespace", () => {
    const el = parseStanzaString("\n <!-- note -->\n<a x='1'><b>t</b><c/></a>\n\n");
    assert.equal(el.toString(), '<a x="1"><b>t</b><c/></a>');
    assert.equal(el.getChild("b")?.parent, el);
  });

  it("decodes the five predefined entities in text and attributes", () => {
    const el = parseStanzaString(`<a v="&lt;&gt;&amp;&quot;&apos;">&lt;&gt;&amp;&quot;&apos;</a>`);
    assert.equal(el.attrs.v, `<>&"'`);
    assert.equal(el.getText(), `<>&"'`);
  });

  it("decodes legal numeric character references and refuses illegal ones", () => {
    assert.equal(parseStanzaString("<a>&#65;&#x42;&#x1F600;</a>").getText(), "AB😀");
    assert.throws(() => parseStanzaString("<a>&#0;</a>"), ProtocolError);
    assert.throws(() => parseStanzaString("<a>&#xD800;</a>"), ProtocolError);
  });

  it("keeps a lone ampersand without a semicolon as text (ltx is lenient there)", () => {
    assert.equal(parseStanzaString("<a>fish & chips</a>").getText(), "fish & chips");
  });

  it("keeps CDATA content as raw text", () => {
    assert.equal(parseStanzaString("<a><![CDATA[<b>&lol;</b>]]></a>").getText(), "<b>&lol;</b>");
  });

  it("refuses unknown named entities", () => {
    assert.throws(() => parseStanzaString("<a>&lol;</a>"), /Illegal XML entity/);
    assert.throws(() => parseStanzaString('<a v="&nbsp;"/>'), ProtocolError);
  });

  it("refuses DOCTYPE and ENTITY declarations in any case, even hidden in the middle", () => {
    for (const text of [
      "<!DOCTYPE a><a/>",
      "<!doctype a><a/>",
      "<a><!ENTITY x 'y'></a>",
      '<a/><!DOCTYPE a SYSTEM "file:///etc/passwd">',
    ]) {
      assert.throws(() => parseStanzaString(text), /DOCTYPE or entity/, text);
    }
  });

  it("ltx itself never expands entities, even without our refusal", () => {
    // ltx has no DTD support: `<!DOCTYPE` starts a "comment" that only ends at `-->` or `]]>`, so
    // a DOCTYPE with an internal subset ending in `]>` swallows the whole rest of the input.
    for (const fixture of ["hostile/billion-laughs.xml", "hostile/external-entity.xml"]) {
      const raw = rawLtx(fixtureText(fixture));
      assert.deepEqual(raw, { starts: [], texts: [] }, fixture);
    }
    // Where the DOCTYPE does end, a declared entity is still unknown to ltx: an error, never expansion.
    const declared = rawLtx('<!DOCTYPE a [<!ENTITY a "b">]]><a>&a;</a>');
    assert.deepEqual(declared, { starts: ["a"], texts: [], thrown: "Illegal XML entity &a;" });
  });

  it("wraps parser errors in ProtocolError without echoing huge input", () => {
    const err = (() => {
      try {
        parseStanzaString(`<a>${"x".repeat(100_000)}</b>`);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof ProtocolError);
    assert.ok(err.message.length < 400, err.message);
  });
});
