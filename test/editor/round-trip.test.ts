// Every field of every node survives the editor, found generically: for each node type the test
// discovers the editable fields from the open dialog (ids node-input-* / node-config-input-*,
// typed inputs with their type field, checkbox lists marked data-compass-list), sets each to a
// value it did not have, clicks Done and Deploy, then finds every value in the deployed flow (or,
// for credentials, in Node-RED's credential store and nowhere in the flow), reloads the editor
// and finds every value again in the reopened dialog. Every declared property must be reached by
// some control, so a new field is covered without editing this test, and one without a control fails.
// Also: a flow saved before the renames (users, queues, noRedirect), opened and deployed from the
// editor, keeps its filters under the new names.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Page } from "playwright-core";
import {
  CONFIG_ID,
  closeDialog,
  editorLoaded,
  NODE_TYPES,
  openDialog,
  TAB_ID,
  useEditor,
} from "../support/editor";

// biome-ignore lint/suspicious/noExplicitAny: the editor's globals (RED, $) live in the page
declare const RED: any;
// biome-ignore lint/suspicious/noExplicitAny: see above
declare const $: any;

/** Set through the dialog: the property, how it was reached, and the value it must keep. */
interface SetField {
  property: string;
  control: "text" | "password" | "select" | "checkbox" | "typed" | "typed-type" | "list";
  expected: unknown;
}

interface Discovery {
  set: SetField[];
  /** references to other nodes (the connection), kept as they were */
  kept: Array<{ property: string; expected: unknown }>;
  /** declared properties no control of the dialog reaches */
  uncovered: string[];
  /** controls named for a property the editor does not declare (so never saves) */
  undeclared: string[];
}

/** Properties no dialog edits: the migration's version. */
const NOT_EDITED = ["version"];

/**
 * Runs in the page with the dialog of a `type` node open: finds a control for every declared
 * property and sets it to a value it does not have now. Values keep to loopback and to the shape
 * the field had (a number stays a number, a URL a URL), so nothing leaves the machine.
 */
function discoverAndSet(args: { type: string; notEdited: string[]; secret: string }): Discovery {
  const def = RED.nodes.getType(args.type);
  const prefix = def.category === "config" ? "node-config-input-" : "node-input-";
  const tray = $(".red-ui-tray").last();
  const credentials = Object.keys(def.credentials ?? {});
  const properties = [...Object.keys(def.defaults), ...credentials];
  const result: Discovery = { set: [], kept: [], uncovered: [], undeclared: [] };
  tray.find(`[id^="${prefix}"]`).each((_i: number, el: { id: string }) => {
    const property = el.id.slice(prefix.length);
    if (/^\w+$/.test(property) && !properties.includes(property)) result.undeclared.push(property);
  });

  // typed inputs, and the hidden fields holding their types
  const typeFieldOwner: Record<string, string> = {};
  tray.find(`[id^="${prefix}"]`).each((_i: number, el: { id: string }) => {
    const widget = $(el).data("noderedTypedInput");
    if (widget?.options?.typeField) typeFieldOwner[$(widget.options.typeField).attr("id")] = el.id;
  });

  const fresh = (property: string, now: string): string => {
    if (now.trim() !== "" && Number.isFinite(Number(now))) return String(Number(now) + 3);
    const url = /^([a-z][a-z0-9+.-]*:\/\/)/i.exec(now);
    if (url) return `${url[1]}127.0.0.1:9/rt-${property}`; // the discard port: refused at once
    return `rt-${property}`;
  };

  for (const property of properties) {
    if (args.notEdited.includes(property)) continue;
    const id = prefix + property;
    const $el = tray.find(`#${id}`);
    const list = tray.find(`[data-compass-list="${property}"]`);
    if ($el.length === 0 && list.length > 0) {
      // a list of checkboxes: untick the first ticked one
      const boxes = list.find("input[type=checkbox]");
      boxes.filter(":checked").first().prop("checked", false).trigger("change");
      const ticked = boxes
        .filter(":checked")
        .map((_i: number, b: { value: string }) => b.value)
        .get();
      result.set.push({ property, control: "list", expected: ticked });
      continue;
    }
    if ($el.length === 0) {
      result.uncovered.push(property);
      continue;
    }
    if (typeFieldOwner[id]) continue; // set with its typed input below
    const widget = $el.data("noderedTypedInput");
    if (widget) {
      const typeProperty = widget.options.typeField
        ? $(widget.options.typeField).attr("id").slice(prefix.length)
        : null;
      const current = $el.typedInput("type");
      const offered: Array<{ value: string; hasValue?: boolean }> = widget.typeList;
      const choice = ["msg", "str", "flow", "global", "env"].find(
        (t) => t !== current && offered.some((o) => o.value === t && o.hasValue !== false),
      );
      if (!choice) {
        result.uncovered.push(property);
        continue;
      }
      const value = `rt_${property}`;
      $el.typedInput("type", choice);
      $el.typedInput("value", value);
      result.set.push({ property, control: "typed", expected: value });
      if (typeProperty) result.set.push({ property: typeProperty, control: "typed-type", expected: choice });
      continue;
    }
    if (def.defaults[property]?.type) {
      result.kept.push({ property, expected: $el.val() }); // a config node reference
      continue;
    }
    const tag = String($el.prop("tagName")).toLowerCase();
    const inputType = String($el.attr("type") ?? "text").toLowerCase();
    if (tag === "select") {
      const now = $el.val();
      const other = $el
        .find("option")
        .map((_i: number, o: { value: string }) => o.value)
        .get()
        .find((v: string) => v !== now);
      if (other === undefined) {
        result.uncovered.push(property);
        continue;
      }
      $el.val(other).trigger("change");
      result.set.push({ property, control: "select", expected: other });
    } else if (inputType === "checkbox") {
      const checked = !$el.prop("checked");
      $el.prop("checked", checked).trigger("change");
      result.set.push({ property, control: "checkbox", expected: checked });
    } else if (inputType === "password") {
      $el.val(args.secret).trigger("change");
      result.set.push({ property, control: "password", expected: args.secret });
    } else {
      const value = fresh(property, String($el.val() ?? ""));
      $el.val(value).trigger("change");
      result.set.push({ property, control: "text", expected: value });
    }
  }
  return result;
}

/** Runs in the page with a dialog open: what each control shows for the given properties now. */
function readFields(args: { type: string; fields: SetField[] }): Record<string, unknown> {
  const def = RED.nodes.getType(args.type);
  const prefix = def.category === "config" ? "node-config-input-" : "node-input-";
  const tray = $(".red-ui-tray").last();
  const shown: Record<string, unknown> = {};
  for (const f of args.fields) {
    if (f.control === "list") {
      shown[f.property] = tray
        .find(`[data-compass-list="${f.property}"] input[type=checkbox]:checked`)
        .map((_i: number, b: { value: string }) => b.value)
        .get();
      continue;
    }
    if (f.control === "typed-type") continue; // read with its typed input
    const $el = tray.find(`#${prefix}${f.property}`);
    if (f.control === "typed") {
      shown[f.property] = $el.typedInput("value");
      const typeField = $el.data("noderedTypedInput").options.typeField;
      if (typeField) shown[$(typeField).attr("id").slice(prefix.length)] = $el.typedInput("type");
    } else if (f.control === "checkbox") shown[f.property] = $el.prop("checked");
    else shown[f.property] = $el.val();
  }
  return shown;
}

/** A flow property as the dialog would show it: numbers saved as numbers compare as their text. */
function asShown(value: unknown): unknown {
  return typeof value === "number" ? String(value) : value;
}

describe("editor round trip: every field of every node through dialog, deploy and reload", function () {
  this.timeout(120000);
  const secret = `rt-secret-${process.pid}-${Date.now()}`;
  const found = new Map<string, Discovery>();

  const session = useEditor("editor round-trip tests");

  const ourErrors = () => session.editor.errors.filter((e) => /compass/i.test(e));

  async function deploy(page: Page): Promise<void> {
    await page.locator("#red-ui-header-button-deploy").click();
    // Node-RED asks before deploying nodes it marks invalid; no field we set should be
    await page.waitForFunction(() => !RED.nodes.dirty(), null, { timeout: 15000 });
  }

  async function deployedFlow(): Promise<Array<Record<string, unknown>>> {
    const res = await fetch(`${session.stack.url}flows`, { headers: { "Node-RED-API-Version": "v1" } });
    assert.equal(res.status, 200);
    return (await res.json()) as Array<Record<string, unknown>>;
  }

  it("sets every field of every node type in its dialog, and Done keeps them in the editor", async () => {
    const { page } = session.editor;
    for (const type of NODE_TYPES) {
      const id = session.stack.nodeIds[type]!;
      await openDialog(page, type, id);
      const discovery = await page.evaluate(discoverAndSet, { type, notEdited: NOT_EDITED, secret });
      assert.deepEqual(discovery.uncovered, [], `${type}: properties no control of the dialog reaches`);
      // e.g. a property Node-RED reserves: registerType drops it, its field is never saved
      assert.deepEqual(discovery.undeclared, [], `${type}: fields of properties the editor does not keep`);
      assert.ok(discovery.set.length >= 3, `${type}: ${discovery.set.length} fields found`);
      await closeDialog(page, "ok", type);
      const inEditor = await page.evaluate(
        ({ id, names }) => {
          const n = RED.nodes.node(id);
          return Object.fromEntries(names.map((k: string) => [k, n[k] ?? n.credentials?.[k]]));
        },
        { id, names: discovery.set.map((f) => f.property) },
      );
      for (const f of discovery.set) {
        assert.deepEqual(asShown(inEditor[f.property]), f.expected, `${type}.${f.property} after Done`);
      }
      found.set(type, discovery);
    }
    assert.deepEqual(ourErrors(), [], "no page errors from our files");
  });

  it("deploys every value: in the flow, credentials only in the credential store", async () => {
    assert.equal(found.size, NODE_TYPES.length, "the first test set every node type");
    await deploy(session.editor.page);
    const flow = await deployedFlow();
    const text = JSON.stringify(flow);
    assert.ok(!text.includes(secret), "the password is not in the flow");
    for (const [type, discovery] of found) {
      const node = flow.find((n) => n.id === session.stack.nodeIds[type]);
      assert.ok(node, `${type} deployed`);
      for (const f of discovery.set) {
        // compass-config's username and trusted CA are credentials shown as text
        if (
          f.control === "password" ||
          (type === "compass-config" && ["username", "ca"].includes(f.property))
        ) {
          assert.ok(!(f.property in node), `${type}.${f.property} is not in the flow`);
          continue;
        }
        assert.deepEqual(asShown(node[f.property]), f.expected, `${type}.${f.property} in the deployed flow`);
      }
      for (const k of discovery.kept)
        assert.equal(node[k.property], k.expected, `${type}.${k.property} kept`);
    }
    // the credential store: the admin API says a password is set; the store holds it (no
    // credentialSecret in this throwaway folder, so the file is plain JSON)
    const config = found.get("compass-config")!;
    const res = await fetch(`${session.stack.url}credentials/compass-config/${CONFIG_ID}`);
    const creds = (await res.json()) as Record<string, unknown>;
    assert.equal(creds.has_password, true);
    assert.ok(!JSON.stringify(creds).includes(secret), "the admin API never returns the password");
    const username = config.set.find((f) => f.property === "username");
    assert.ok(username, "the username field was set");
    assert.equal(creds.username, username.expected);
    const stored = JSON.parse(fs.readFileSync(path.join(session.stack.userDir, "flows_cred.json"), "utf8"));
    const ca = config.set.find((f) => f.property === "ca");
    assert.ok(ca, "the trusted CA field was set");
    assert.equal(creds.ca, ca.expected);
    assert.deepEqual(stored[CONFIG_ID], { username: username.expected, password: secret, ca: ca.expected });
  });

  it("shows every value again after a reload of the editor", async () => {
    const { page } = session.editor;
    await page.reload();
    await editorLoaded(page, Object.values(session.stack.nodeIds));
    const counts: string[] = [];
    for (const [type, discovery] of found) {
      await openDialog(page, type, session.stack.nodeIds[type]!);
      const shown = await page.evaluate(readFields, { type, fields: discovery.set });
      for (const f of discovery.set) {
        // a stored password comes back as Node-RED's placeholder, never as itself
        const expected = f.control === "password" ? "__PWRD__" : f.expected;
        assert.deepEqual(shown[f.property], expected, `${type}.${f.property} after reload`);
      }
      await closeDialog(page, "cancel", type);
      counts.push(`${type} ${discovery.set.length}`);
    }
    const total = [...found.values()].reduce((sum, d) => sum + d.set.length, 0);
    console.log(`    round-tripped fields per node type (${total} in all): ${counts.join(", ")}`);
    assert.deepEqual(ourErrors(), [], "no page errors from our files");
  });

  it("migrates a flow saved before the renames as it loads, so a deploy from the editor keeps its filters", async () => {
    const legacy = [
      { type: "compass-call-event", users: "1004", queues: "2001", events: [], direction: "any" },
      { type: "compass-user-event", users: "1001, 1005", events: [] },
      { type: "compass-queue-event", queues: "2002", events: [], statsInterval: 2 },
      { type: "compass-api", noRedirect: false, method: "GET", path: "/user", pathType: "str" },
    ].map((n, i) => ({
      id: `c0a55000000002${String(i).padStart(2, "0")}`,
      z: TAB_ID,
      config: CONFIG_ID,
      name: `legacy ${n.type}`,
      x: 500,
      y: 60 + i * 60,
      wires: [[]],
      ...n,
    }));
    const current = await deployedFlow();
    const res = await fetch(`${session.stack.url}flows`, {
      method: "POST",
      headers: { "content-type": "application/json", "Node-RED-Deployment-Type": "full" },
      body: JSON.stringify([...current, ...legacy]),
    });
    assert.equal(res.status, 204);
    const { page } = session.editor;
    // Node-RED 5 runs a module's <script src> files in the order they arrive: the migrations table
    // arriving after compass-editor.js once left old flows unmigrated, now and then. It arrives last here.
    const MIGRATIONS = "**/compass-migrations.js";
    await page.route(MIGRATIONS, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await route.continue();
    });
    await page.reload();
    await editorLoaded(page, [...Object.values(session.stack.nodeIds), ...legacy.map((n) => n.id)]);
    await page.unroute(MIGRATIONS);

    const want: Record<string, Record<string, unknown>> = {
      "compass-call-event": { userIds: "1004", queueIds: "2001" },
      "compass-user-event": { userIds: "1001, 1005" },
      "compass-queue-event": { queueIds: "2002" },
      "compass-api": { followRedirects: false },
    };
    const ofType = (type: string) => legacy.find((n) => n.type === type)!.id;
    // the dialog shows the old filter under its new name
    await openDialog(page, "compass-call-event", ofType("compass-call-event"));
    assert.equal(await page.locator("#node-input-userIds").inputValue(), "1004");
    assert.equal(await page.locator("#node-input-queueIds").inputValue(), "2001");
    await closeDialog(page, "cancel", "compass-call-event");

    // a change elsewhere, deployed from the editor, saves the migrated nodes too
    await page.evaluate((id) => {
      const n = RED.nodes.node(id);
      n.name = "renamed in the editor";
      n.changed = true;
      RED.nodes.dirty(true);
    }, session.stack.nodeIds["compass-dial"]);
    await deploy(page);
    const flow = await deployedFlow();
    for (const [type, props] of Object.entries(want)) {
      const node = flow.find((n) => n.id === ofType(type))!;
      for (const [k, v] of Object.entries(props)) assert.deepEqual(node[k], v, `${type}.${k}`);
      assert.equal(node.version, 1, `${type} version`);
      for (const old of ["users", "queues", "noRedirect"]) assert.ok(!(old in node), `${type} has no ${old}`);
    }
    assert.deepEqual(ourErrors(), [], "no page errors from our files");
  });
});
