// The per-node migration: a flow saved by an older release is brought to the current version step by
// step, the same table serving the runtime (src/nodes/migrate.ts) and the editor. The steps must
// agree with the editor files: every new name is a declared property, no old name still is.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { CURRENT_VERSION, migrated } from "../../src/nodes/migrate";
import type { NodeDef } from "../../src/nodes/red";
import { objectLiteralKeys, packageRoot } from "../editor/source-scan";

const ROOT = packageRoot();
// biome-ignore lint/suspicious/noExplicitAny: the shared table is plain JavaScript
const shared: any = require(path.join(ROOT, "resources", "compass-migrations.js"));

const node = (type: string, props: Record<string, unknown>): NodeDef => ({ id: "n1", type, ...props });

describe("node migration (resources/compass-migrations.js)", () => {
  it("takes a node without a version (0) to the current one, renaming the old filters", () => {
    const old = node("compass-call-event", { users: "1001, 1002", queues: "2001", numbers: "+31*" });
    const now = migrated("compass-call-event", old);
    assert.equal(now.version, CURRENT_VERSION);
    assert.equal(now.userIds, "1001, 1002");
    assert.equal(now.queueIds, "2001");
    assert.equal(now.numbers, "+31*");
    assert.ok(!("users" in now) && !("queues" in now));
    assert.equal(old.users, "1001, 1002", "the saved definition itself is untouched");
  });

  it("keeps the value of compass-api's redirect option under its new name, true or false", () => {
    for (const value of [true, false]) {
      const now = migrated("compass-api", node("compass-api", { noRedirect: value }));
      assert.equal(now.followRedirects, value);
      assert.ok(!("noRedirect" in now));
    }
  });

  it("leaves a current node as it is, and lets a new name win over an old one beside it", () => {
    const current = node("compass-user-event", { version: CURRENT_VERSION, userIds: "1001", users: "x" });
    assert.deepEqual(migrated("compass-user-event", current), current);
    const both = migrated(
      "compass-queue-event",
      node("compass-queue-event", { queueIds: "2002", queues: "2001" }),
    );
    assert.equal(both.queueIds, "2002");
    assert.ok(!("queues" in both));
  });

  it("gives a node type without renames just the version", () => {
    const now = migrated("compass-dial", node("compass-dial", { user: "1001", mode: "user" }));
    assert.deepEqual(now, {
      id: "n1",
      type: "compass-dial",
      user: "1001",
      mode: "user",
      version: CURRENT_VERSION,
    });
  });

  it("keeps Node-RED's hidden properties of the definition (createNode reads _flow)", () => {
    const def = node("compass-user-event", { users: "1001" });
    const flow = {};
    Object.defineProperty(def, "_flow", { value: flow, enumerable: false });
    assert.equal(migrated("compass-user-event", def)._flow, flow);
  });

  it("runs the steps in order from the node's version: a later step sees what an earlier one renamed", () => {
    const steps = [{ t: { a: "b" } }, { t: { b: "c" }, other: { x: "y" } }];
    const fromZero: Record<string, unknown> = { a: 1, x: 2 };
    shared.migrateWith(steps, "t", fromZero);
    assert.deepEqual(fromZero, { c: 1, x: 2, version: 2 });
    const fromOne: Record<string, unknown> = { version: 1, a: 1, b: 3 };
    shared.migrateWith(steps, "t", fromOne);
    assert.deepEqual(fromOne, { version: 2, a: 1, c: 3 }, "step 0 is not run again on a version 1 node");
  });

  it("renames only to properties the editor declares, and from ones it no longer declares", () => {
    let renames = 0;
    for (const step of shared.STEPS as Array<Record<string, Record<string, string>>>) {
      for (const [type, names] of Object.entries(step)) {
        const html = fs.readFileSync(path.join(ROOT, "nodes", `${type}.html`), "utf8");
        const declared = objectLiteralKeys(html, "defaults") ?? [];
        assert.ok(declared.includes("version"), `${type} saves its version`);
        for (const [oldName, newName] of Object.entries(names)) {
          assert.ok(declared.includes(newName), `${type} declares ${newName}`);
          assert.ok(!declared.includes(oldName), `${type} no longer declares ${oldName}`);
          renames++;
        }
      }
    }
    assert.ok(renames >= 4, `${renames} renames`);
  });
});
