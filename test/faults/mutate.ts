// Seeded semantic mutations of the platform's notifications, as element trees (the simulator's
// fast-xml-parser shape: "@_name" attributes, "#text", child elements by name). Whatever is done to a
// tree, the XML built from it stays well-formed: only the meaning breaks (wrong types, missing and
// repeated elements, huge values, unicode, mismatched notification types).

import type { SeededRandom } from "../../src/simulator/scenarios/random";

export type Tree = Record<string, unknown>;

interface Slot {
  parent: Tree;
  key: string;
}

const WRONG_VALUES = [
  "",
  " ",
  "-1",
  "0",
  "NaN",
  "Infinity",
  "1e309",
  "99999999999999999999999",
  "abc",
  "true",
  "null",
  "undefined",
  "<call id='x'/>",
  "&amp;&lt;",
  "2026-13-45T25:61:61Z",
  "__proto__",
  "constructor",
];

const UNICODE = [
  "Ωμέγα",
  "🚀📞☎️",
  "\u202eevil\u202c",
  "中文名字",
  "e\u0301\u0301\u0301",
  "\u200d\u200b\ufeff",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  "عربى",
];

const NOTIFICATION_TYPES = [
  "notification.call.start",
  "notification.call.update",
  "notification.call.end",
  "notification.queue.call.enter",
  "notification.queueMember.update",
  "notification.user.status",
  "notification.user.destroy",
  "notification.unknown",
];

function slots(tree: Tree, out: Slot[] = [], depth = 0): Slot[] {
  if (depth > 20) return out;
  for (const [key, value] of Object.entries(tree)) {
    if (key.startsWith("@_xmlns")) continue; // namespaces stay: without them it is another document
    out.push({ parent: tree, key });
    const children = Array.isArray(value) ? value : [value];
    for (const child of children) {
      if (child && typeof child === "object") slots(child as Tree, out, depth + 1);
    }
  }
  return out;
}

function huge(random: SeededRandom): string {
  const size = 16_000 + Math.floor(random.next() * 80_000);
  return random.pick(["9", "x", "é", "🚀"]).repeat(Math.ceil(size / 2));
}

function leafValue(random: SeededRandom): string {
  const kind = random.next();
  if (kind < 0.55) return random.pick(WRONG_VALUES);
  if (kind < 0.9) return random.pick(UNICODE) + random.pick(WRONG_VALUES);
  return huge(random);
}

/** One mutation, applied in place. Returns its name (for the log of what was tried). */
function mutateOnce(tree: Tree, random: SeededRandom): string {
  const all = slots(tree);
  const slot = random.pick(all);
  const value = slot.parent[slot.key];
  // attributes and text take only text
  const leafOnly = slot.key.startsWith("@_") || slot.key === "#text";
  const op = random.int(0, 8);
  switch (op) {
    case 0: // missing element or attribute
      delete slot.parent[slot.key];
      return `remove ${slot.key}`;
    case 1: // repeated element
      if (leafOnly) {
        slot.parent[slot.key] = leafValue(random);
        return `wrong value ${slot.key}`;
      }
      slot.parent[slot.key] = Array.isArray(value) ? [...value, ...value] : [value, structuredClone(value)];
      return `repeat ${slot.key}`;
    case 2: // wrong type / value
    case 3:
      slot.parent[slot.key] = leafValue(random);
      return `wrong value ${slot.key}`;
    case 4: // an element where text was expected, or the other way round
      if (leafOnly) {
        slot.parent[slot.key] = random.pick(UNICODE);
        return `unicode ${slot.key}`;
      }
      slot.parent[slot.key] =
        value && typeof value === "object" ? leafValue(random) : { id: leafValue(random), "#text": "x" };
      return `type swap ${slot.key}`;
    case 5: // a notification type that does not match its body
      tree["@_type"] = random.pick(NOTIFICATION_TYPES);
      return "notification type";
    case 6:
      tree["@_xsi:type"] = random.pick(["callStartNotification", "userStatusNotification", "bogus", ""]);
      return "xsi:type";
    case 7: // unknown elements and attributes
      slot.parent[`unknown${random.int(0, 9)}`] = {
        "@_x": leafValue(random),
        deep: { deeper: { deepest: "1" } },
      };
      slot.parent[`@_unknownAttr${random.int(0, 9)}`] = leafValue(random);
      return "unknown additions";
    default: // huge value
      slot.parent[slot.key] = leafOnly ? huge(random) : { "#text": huge(random) };
      return `huge ${slot.key}`;
  }
}

/** A mutated deep copy of `tree`, with one to three mutations. */
export function mutate(tree: Tree, random: SeededRandom): { tree: Tree; ops: string[] } {
  const copy = structuredClone(tree);
  const ops: string[] = [];
  const count = random.int(1, 3);
  for (let i = 0; i < count; i++) ops.push(mutateOnce(copy, random));
  return { tree: copy, ops };
}
