// Hostile and broken input: a ProtocolError or a safe result, never another error, a hang or a blow-up.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import xml, { type Element } from "@xmpp/xml";
import {
  COMPASS_NS,
  findNotifications,
  findSubscriptionState,
  LIMITS,
  type Notification,
  ProtocolError,
  parseCall,
  parseNotification,
  parseResult,
  parseStanzaString,
  parseUser,
} from "../../../src/compass/protocol";
import { FIXTURES, fixtureText, loadFixture } from "./fixtures";

function protocolError(fn: () => unknown, pattern?: RegExp): ProtocolError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `expected ProtocolError, got ${String(err)}`);
    if (pattern) assert.match(err.message, pattern);
    return err;
  }
  assert.fail("expected a ProtocolError, nothing was thrown");
}

function notificationIn(message: Element): Element {
  const el = message.getChild("event")?.getChild("items")?.getChild("item")?.getChild("notification");
  assert.ok(el, "fixture holds a notification");
  return el;
}

/** A pubsub message around one notification, built directly as xmpp.js would hand it over. */
function messageWith(notification: Element): Element {
  return xml(
    "message",
    { xmlns: "jabber:client" },
    xml(
      "event",
      { xmlns: "http://jabber.org/protocol/pubsub#event" },
      xml("items", { node: "1" }, xml("item", { id: "x" }, notification)),
    ),
  );
}

describe("protocol: hostile input", () => {
  describe("XML text", () => {
    for (const name of [
      "malformed-mismatched.xml",
      "malformed-unclosed.xml",
      "malformed-two-roots.xml",
      "malformed-text-only.xml",
      "unknown-entity.xml",
      "bad-char-ref.xml",
    ]) {
      it(`refuses ${name}`, () => {
        protocolError(() => loadFixture(`hostile/${name}`));
      });
    }

    it("refuses the billion-laughs DOCTYPE before parsing anything", () => {
      protocolError(() => loadFixture("hostile/billion-laughs.xml"), /DOCTYPE or entity/);
    });

    it("refuses an external entity (SYSTEM file:///etc/passwd)", () => {
      protocolError(() => loadFixture("hostile/external-entity.xml"), /DOCTYPE or entity/);
    });

    it("refuses input over the size bound without parsing it", () => {
      const big = `<a>${"x".repeat(5 * 1024 * 1024)}</a>`;
      protocolError(() => parseStanzaString(big), /exceeds the limit/);
      protocolError(() => parseStanzaString("<a>12345</a>", { maxChars: 5 }), /exceeds the limit/);
    });

    it("refuses nesting deeper than the bound", () => {
      const deep = "<a>".repeat(10_000) + "</a>".repeat(10_000);
      protocolError(() => parseStanzaString(deep), /nesting deeper/);
      assert.equal(parseStanzaString("<a><b><c/></b></a>", { maxDepth: 3 }).name, "a");
      protocolError(() => parseStanzaString("<a><b><c/></b></a>", { maxDepth: 2 }), /nesting deeper/);
    });

    it("refuses a non-string", () => {
      protocolError(() => parseStanzaString(42 as unknown as string));
    });
  });

  describe("notifications", () => {
    it("passes an unknown type through", () => {
      assert.deepEqual(findNotifications(loadFixture("hostile/unknown-type.xml")), [
        { type: "notification.teleport.start", timestamp: 1700000000, unknown: true },
      ]);
    });

    it("ignores unknown elements and attributes", () => {
      assert.deepEqual(findNotifications(loadFixture("hostile/unknown-children.xml")), [
        {
          type: "notification.call.end",
          timestamp: 1700000000,
          callId: "CALL-9",
          endReason: "DESTINATION_BUSY",
        },
      ]);
    });

    it("names the element when a required id is missing", () => {
      const err = protocolError(
        () => findNotifications(loadFixture("hostile/missing-call-id.xml")),
        /<call>.*"id"/,
      );
      assert.equal(err.element, "call");
      const userErr = protocolError(
        () => findNotifications(loadFixture("hostile/missing-user-id.xml")),
        /user\.destroy has no <userId>/,
      );
      assert.equal(userErr.element, "userId");
      protocolError(() => findNotifications(loadFixture("hostile/missing-type.xml")), /"type"/);
    });

    it("with onError, reports a bad item and still returns the good ones", () => {
      const good = notificationIn(loadFixture("handmade/user-destroy.xml"));
      const bad = notificationIn(loadFixture("hostile/missing-call-id.xml"));
      const message = loadFixture("handmade/user-destroy.xml");
      message
        .getChild("event")
        ?.getChild("items")
        ?.append(xml("item", { id: "bad" }, bad));
      message
        .getChild("event")
        ?.getChild("items")
        ?.append(xml("item", { id: "good2" }, good));
      const errors: ProtocolError[] = [];
      const found = findNotifications(message, (err) => errors.push(err));
      assert.deepEqual(
        found.map((n) => n.type),
        ["notification.user.destroy", "notification.user.destroy"],
      );
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof ProtocolError);
    });

    it("skips a notification in another namespace and refuses it when asked directly", () => {
      const message = loadFixture("hostile/wrong-namespace.xml");
      assert.deepEqual(findNotifications(message), []);
      protocolError(() => parseNotification(notificationIn(message)), /namespace/);
    });

    it("ignores an event in another namespace and refuses a result in another namespace", () => {
      const message = loadFixture("handmade/user-destroy.xml");
      const event = message.getChild("event");
      assert.ok(event);
      event.attrs.xmlns = "urn:example:not-pubsub";
      assert.deepEqual(findNotifications(message), []);
      assert.equal(findSubscriptionState(message), undefined);
      const iq = loadFixture("manual/a-get-company-result.xml");
      const result = iq.getChild("result");
      assert.ok(result);
      result.attrs.xmlns = "urn:example:not-compass";
      protocolError(() => parseResult(iq), /no Compass <result>/);
      protocolError(() => parseResult(result), /namespace/);
    });

    it("does not take a foreign prefix called xsi for XML Schema instance", () => {
      const [n] = findNotifications(loadFixture("hostile/wrong-xsi-namespace.xml"));
      assert.ok(n && n.type === "notification.call.start" && "call" in n);
      assert.equal(n.xsiType, undefined);
      assert.equal(n.call.source.type, "Unknown");
      assert.equal(n.call.destination.type, "Unknown");
    });

    it("reads numbers strictly: garbage becomes the documented default", () => {
      assert.deepEqual(findNotifications(loadFixture("hostile/garbage-numbers.xml")), [
        {
          type: "notification.queueMember.update",
          timestamp: 0,
          member: { queueId: "641", userId: "16", priority: 0, pausedSince: 0 },
          changes: [],
        },
      ]);
    });

    it("keeps property names that shadow Object.prototype harmless", () => {
      const [n] = findNotifications(loadFixture("hostile/proto-keys.xml"));
      assert.ok(n && n.type === "notification.call.start" && "call" in n);
      assert.deepEqual(n.call.source.properties, { constructor: "c" });
      assert.equal(Object.getPrototypeOf(n.call.source.properties), Object.prototype);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.deepEqual(n.call.properties, { toString: "x" });
    });

    it("refuses things that are not elements with a ProtocolError", () => {
      for (const input of [null, undefined, 42, "<notification/>", {}, { name: "notification" }]) {
        protocolError(() => parseNotification(input as unknown as Element));
        protocolError(() => findNotifications(input as unknown as Element));
        protocolError(() => parseResult(input as unknown as Element));
        protocolError(() => findSubscriptionState(input as unknown as Element));
      }
      protocolError(
        () => parseNotification(xml("message", { xmlns: COMPASS_NS })),
        /expected <notification>/,
      );
    });
  });

  describe("size bounds on elements handed over by xmpp.js", () => {
    it("cuts megabytes of text to LIMITS.maxText per field, quickly", () => {
      const huge = "A".repeat(8 * 1024 * 1024);
      const notification = xml(
        "notification",
        { xmlns: COMPASS_NS, type: "notification.user.status", timestamp: "1" },
        xml("userId", {}, huge),
        xml("displayStatus", {}, ...Array.from({ length: 1000 }, () => "B".repeat(10_000))),
      );
      const started = process.hrtime.bigint();
      const [n] = findNotifications(messageWith(notification));
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.ok(n && n.type === "notification.user.status" && "userId" in n);
      assert.equal(n.userId.length, LIMITS.maxText);
      assert.equal(n.displayStatus?.length, LIMITS.maxText);
      assert.ok(ms < 500, `took ${ms} ms`);
    });

    it("cuts huge attribute values too", () => {
      const user = parseUser(xml("user", { id: "9".repeat(1_000_000) }));
      assert.equal(user.id.length, LIMITS.maxText);
    });

    it("processes at most LIMITS.maxChildren children of a 100k-child result and says so", () => {
      const result = xml("result", { xmlns: COMPASS_NS });
      for (let i = 0; i < 100_000; i++)
        result.children.push(xml("user", { id: String(i) }, xml("name", {}, "u")));
      const started = process.hrtime.bigint();
      const parsed = parseResult(result);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.equal(parsed.kind, "getResult");
      if (parsed.kind !== "getResult") return;
      assert.equal(parsed.users.length, LIMITS.maxChildren);
      assert.equal(parsed.truncated, true);
      assert.ok(ms < 2000, `took ${ms} ms`);
    });

    it("reads the 100k-children stanza from text too (with a raised size bound)", () => {
      const ids = Array.from({ length: 100_000 }, (_, i) => `<id>c${i}</id>`).join("");
      const text = `<queue id="1" xmlns="${COMPASS_NS}"><name>q</name><callIds>${ids}</callIds></queue>`;
      protocolError(() => parseStanzaString(text, { maxChars: 1024 }));
      const queue = parseStanzaString(text, { maxChars: 4 * 1024 * 1024 });
      const result = parseResult(
        xml("result", { xmlns: COMPASS_NS, "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance" }, queue),
      );
      assert.equal(result.kind === "getResult" && result.queues[0]?.callIds.length, LIMITS.maxChildren);
    });

    it("skips an unreadable object in a result and keeps the rest", () => {
      const result = parseResult(
        xml(
          "result",
          { xmlns: COMPASS_NS },
          xml("user", { id: "1" }),
          xml("user", {}),
          xml("call", { id: "c" }),
          xml("queue", { id: "q" }),
        ),
      );
      assert.equal(result.kind, "getResult");
      if (result.kind !== "getResult") return;
      assert.deepEqual(
        result.users.map((u) => u.id),
        ["1"],
      );
      assert.deepEqual(
        result.queues.map((q) => q.id),
        ["q"],
      );
      assert.equal(result.invalid?.length, 2);
      assert.match(result.invalid?.[1] ?? "", /no <source>/);
    });

    it("a call without a source or destination is a ProtocolError naming it", () => {
      const err = protocolError(() => parseCall(xml("call", { id: "c" }, xml("source", { id: "1" }))));
      assert.equal(err.element, "destination");
    });
  });

  describe("mutated manual stanzas (bounded fuzz)", () => {
    it("every mutation reads or fails with ProtocolError only", () => {
      let seed = 12345;
      const random = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const sources = readdirSync(resolve(FIXTURES, "manual")).map((f) => fixtureText(`manual/${f}`));
      const noise = ["<", ">", "&", "&amp;", '"', "/", "<x>", "</call>", "\u0000", "&#x1F600;", "xmlns:ns1"];
      let readOk = 0;
      for (let i = 0; i < 2000; i++) {
        const source = sources[random(sources.length)]!;
        const at = random(source.length);
        const cut = random(4) === 0;
        const text = cut
          ? source.slice(0, at)
          : source.slice(0, at) + noise[random(noise.length)] + source.slice(at);
        try {
          const el = parseStanzaString(text);
          const notifications: Notification[] = findNotifications(el);
          findSubscriptionState(el);
          const result = el.getChild("result");
          if (result) parseResult(result);
          readOk += 1 + notifications.length;
        } catch (err) {
          assert.ok(err instanceof ProtocolError, `mutation ${i}: ${String(err)}`);
        }
      }
      assert.ok(readOk > 0, "some mutations still read");
    });
  });
});
