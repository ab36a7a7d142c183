// Builders produce exactly the manual's Appendix A stanzas (whitespace aside) and the XEP-0060 form.
import assert from "node:assert/strict";
import {
  buildActivatePrivacyList,
  buildIq,
  buildPresence,
  buildPrivacyList,
  buildRequest,
  buildSubscribe,
  parseStanzaString,
} from "../../../src/compass/protocol";
import { fixtureText, normaliseXml } from "./fixtures";

function idOf(fixture: string): string {
  const id = parseStanzaString(fixtureText(fixture)).attrs.id;
  assert.equal(typeof id, "string");
  return id as string;
}

function assertSameXml(built: { toString(): string }, fixture: string): void {
  assert.equal(built.toString(), normaliseXml(fixtureText(fixture)));
}

const PHONE = "phone.uc.apollo.compass-stack.com";

describe("protocol: builders", () => {
  it("builds the invisible privacy list and its activation", () => {
    const list = "manual/a-set-invisible.xml";
    const active = "manual/a-activate-invisible.xml";
    assertSameXml(buildIq("set", idOf(list), buildPrivacyList()), list);
    assertSameXml(buildIq("set", idOf(active), buildActivatePrivacyList()), active);
  });

  it("builds presence, with a negative priority by default", () => {
    assertSameXml(buildPresence(1), "manual/a-presence.xml");
    assert.equal(
      buildPresence().toString(),
      '<presence xmlns="jabber:client"><priority>-1</priority></presence>',
    );
    assert.throws(() => buildPresence(128), RangeError);
    assert.throws(() => buildPresence(-1.5), RangeError);
  });

  it("builds GET_COMPANY and GET requests", () => {
    const company = "manual/a-get-company-request.xml";
    assertSameXml(buildIq("get", idOf(company), buildRequest({ type: "GET_COMPANY" }), PHONE), company);
    for (const type of ["user", "queue", "call"] as const) {
      const fixture = `manual/a-get-${type}-request.xml`;
      assertSameXml(
        buildIq("get", idOf(fixture), buildRequest({ type: "GET", filter: { type } }), PHONE),
        fixture,
      );
    }
  });

  it("writes the optional filter id, history and company attributes", () => {
    assert.equal(
      buildRequest({
        type: "GET",
        company: "15",
        filter: { type: "call", id: "c1", history: true },
      }).toString(),
      '<request xmlns="http://iperity.com/compass" type="GET" company="15"><filter type="call" id="c1" history="true"/></request>',
    );
    assert.equal(
      buildRequest({ type: "GET", filter: { type: "call", history: false } }).toString(),
      '<request xmlns="http://iperity.com/compass" type="GET"><filter type="call" history="false"/></request>',
    );
  });

  it("escapes attribute values", () => {
    assert.equal(
      buildRequest({ type: "GET", filter: { type: "user", id: `a"<&` } })
        .getChild("filter")
        ?.toString(),
      '<filter type="user" id="a&quot;&lt;&amp;"/>',
    );
  });

  it("builds the subscribe of Appendix A plus the pubsub#expire=presence options form", () => {
    const jid = "testuser@uc.apollo.compass-stack.com/LisaApi_BplUI0bnYj";
    const built = buildSubscribe("8323266", jid);
    const appendix = normaliseXml(fixtureText("manual/a-subscribe-request.xml"));
    const form =
      "<options>" +
      '<x xmlns="jabber:x:data" type="submit">' +
      '<field var="FORM_TYPE" type="hidden"><value>http://jabber.org/protocol/pubsub#subscribe_options</value></field>' +
      '<field var="pubsub#expire"><value>presence</value></field>' +
      "</x>" +
      "</options>";
    const expected = appendix.replace("</pubsub>", `${form}</pubsub>`);
    const id = idOf("manual/a-subscribe-request.xml");
    assert.equal(buildIq("set", id, built, "pubsub.uc.apollo.compass-stack.com").toString(), expected);
  });
});
