// What a connection keeps of a notification that arrives while a reload is in flight: an equal
// copy that shares no object with the parser's, and the stanza's XML (for msg.compass.xml), so
// that holding it does not keep the parser's objects alive (see heldCopy in connection.ts).

import { strict as assert } from "node:assert";
import type { Element } from "@xmpp/xml";
import { heldCopy } from "../../../src/compass/connection";
import { findNotifications } from "../../../src/compass/protocol";
import { loadFixture } from "../protocol/fixtures";

/** Every object reachable from `value`. */
function objectsOf(value: unknown, found = new Set<object>()): Set<object> {
  if (typeof value === "object" && value !== null && !found.has(value)) {
    found.add(value);
    for (const child of Object.values(value)) objectsOf(child, found);
  }
  return found;
}

describe("a notification held through a reload", () => {
  it("is an equal copy with none of the parser's objects, and its stanza prints the same XML", () => {
    const message = loadFixture("manual/a-call-start-message.xml");
    const [notification] = findNotifications(message);
    assert.ok(notification);
    const payload = message.getChild("event")?.getChild("items")?.getChild("item")?.getChild("notification");
    assert.ok(payload);

    const held = heldCopy(notification, payload as Element);
    assert.deepEqual(held.notification, notification);
    const parsed = objectsOf(notification);
    for (const copied of objectsOf(held.notification)) assert.ok(!parsed.has(copied), "shares an object");
    assert.equal(String(held.stanza), payload.toString());
    assert.equal(heldCopy(notification).stanza, undefined);
  });
});
