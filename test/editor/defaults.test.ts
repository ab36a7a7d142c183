// The editor's defaults are the runtime's: for every node type, what a new node starts with in the
// real editor (RED.nodes.getType(type).defaults, from the literal registerType in nodes/*.html) is
// the value src/nodes/defaults.ts gives a property a flow leaves out. Fails on any value that
// differs, any runtime default the editor lacks, and any editor default the runtime has no value for
// (name and config take none); the version a new node gets is the runtime's current one.

import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { NODE_DEFAULTS } from "../../src/nodes/defaults";
import { CURRENT_VERSION } from "../../src/nodes/migrate";
import { NODE_TYPES, useEditor } from "../support/editor";

// biome-ignore lint/suspicious/noExplicitAny: the editor's globals (RED, $) live in the page
declare const RED: any;

/** Editor defaults with no runtime value: a node's own label, and its connection (chosen by the user). */
const NO_RUNTIME_DEFAULT = ["name", "config"];
const VERSION = "version";

describe("editor defaults equal the runtime's (Node-RED + Chromium)", function () {
  this.timeout(60000);

  const session = useEditor("editor defaults test");

  it("has a runtime table for exactly the node types the package registers", () => {
    assert.deepEqual(Object.keys(NODE_DEFAULTS).sort(), [...NODE_TYPES].sort());
  });

  it("gives every property of every node type the runtime's value as its editor default", async () => {
    const editorDefaults: Record<string, Record<string, unknown>> = await session.editor.page.evaluate(
      (types: string[]) =>
        Object.fromEntries(
          types.map((type) => {
            const defaults = RED.nodes.getType(type).defaults;
            return [type, Object.fromEntries(Object.keys(defaults).map((k) => [k, defaults[k].value]))];
          }),
        ),
      NODE_TYPES,
    );
    let compared = 0;
    const differences: string[] = [];
    for (const type of NODE_TYPES) {
      const inEditor = editorDefaults[type]!;
      const runtime: Record<string, unknown> = NODE_DEFAULTS[type as keyof typeof NODE_DEFAULTS];
      for (const [property, value] of Object.entries(runtime)) {
        compared++;
        if (!(property in inEditor)) differences.push(`${type}.${property}: the editor has no default`);
        else if (!isDeepStrictEqual(inEditor[property], value))
          differences.push(
            `${type}.${property}: editor ${JSON.stringify(inEditor[property])}, runtime ${JSON.stringify(value)}`,
          );
      }
      for (const property of Object.keys(inEditor)) {
        if (NO_RUNTIME_DEFAULT.includes(property) || property === VERSION || property in runtime) continue;
        differences.push(`${type}.${property}: the runtime has no default (src/nodes/defaults.ts)`);
      }
      if (inEditor[VERSION] !== CURRENT_VERSION)
        differences.push(`${type}.version: editor ${inEditor[VERSION]}, runtime ${CURRENT_VERSION}`);
    }
    assert.deepEqual(differences, [], "editor and runtime defaults differ");
    assert.ok(compared >= 60, `compared ${compared} defaults`);
    console.log(`    compared ${compared} defaults of ${NODE_TYPES.length} node types`);
  });
});
