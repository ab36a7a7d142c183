// The editor side of every node, checked as files: what Node-RED's editor and the flow library's
// scorecard read literally (registerType, defaults, icon), that every text the editor and the
// runtime look up exists in every language, that the Dutch help covers the English one, and that
// every example flow imports cleanly. A browser test would add what only a running editor shows
// (see the report); these checks need no browser.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vm from "node:vm";
import {
  codeSpans,
  defReads,
  helpSection,
  i18nKeys,
  leafKeys,
  lookup,
  objectLiteralKeys,
  packageRoot,
  placeholders,
  readJson,
  sharedRows,
} from "./source-scan";

const ROOT = packageRoot();
const NODES = path.join(ROOT, "nodes");
const LANGUAGES = ["en-US", "nl"] as const;
const CORE_TYPES = [
  "inject",
  "debug",
  "comment",
  "switch",
  "change",
  "function",
  "template",
  "catch",
  "status",
  "delay",
  "csv",
  "file",
  "http in",
  "http request",
  "http response",
  "websocket out",
  "websocket-listener",
];
/** FlowFuse Dashboard 2.0's types, used by its own example only. */
const DASHBOARD_TYPES = ["ui-base", "ui-theme", "ui-page", "ui-group", "ui-template"];
/** Properties every flow node may carry besides its defaults. */
const FLOW_KEYS = ["id", "type", "z", "x", "y", "wires", "g"];
/**
 * The node's version: declared by every node, edited by no dialog, read by src/nodes/migrate.ts and
 * the editor's import (resources/compass-migrations.js); a flow without it is version 0.
 */
const VERSION = "version";

const read = (...parts: string[]) => fs.readFileSync(path.join(ROOT, ...parts), "utf8");
const catalogue = (lang: string, file: string) => readJson(path.join(NODES, "locales", lang, `${file}.json`));

const htmlTypes = fs
  .readdirSync(NODES)
  .filter((f) => f.endsWith(".html"))
  .map((f) => f.slice(0, -".html".length))
  .sort();

interface FlowNode {
  id?: unknown;
  type?: unknown;
  wires?: unknown;
  config?: unknown;
  [key: string]: unknown;
}

const exampleFiles = fs
  .readdirSync(path.join(ROOT, "examples"))
  .filter((f) => f.endsWith(".json"))
  .sort();
const examples = new Map<string, FlowNode[]>();
for (const file of exampleFiles) {
  try {
    examples.set(file, readJson<FlowNode[]>(path.join(ROOT, "examples", file)));
  } catch {
    // reported by the "parses" test below
  }
}

/** The literal defaults of a node's html: its keys, and which of them hold a list. */
function defaultsOf(html: string): { keys: string[]; lists: string[] } {
  const keys = objectLiteralKeys(html, "defaults") ?? [];
  const lists = keys.filter((k) => new RegExp(`\\b${k}\\s*:\\s*\\{\\s*value\\s*:\\s*\\[`).test(html));
  return { keys, lists };
}

describe("editor: nodes/*.html", () => {
  it("finds the node files", () => {
    for (const type of ["compass-config", "compass-api", "compass-call-event", "compass-queue-event"]) {
      assert.ok(htmlTypes.includes(type), `nodes/${type}.html is missing`);
    }
    assert.ok(htmlTypes.includes("compass-user-event") && htmlTypes.includes("compass-state"));
  });

  for (const type of htmlTypes) {
    describe(type, () => {
      const html = read("nodes", `${type}.html`);
      const isConfig = /\bcategory\s*:\s*"config"/.test(html);
      const { keys: defaults, lists } = defaultsOf(html);
      const credentials = objectLiteralKeys(html, "credentials") ?? [];

      it("registers exactly one type, named like its file, with literal settings", () => {
        const calls = html.match(/RED\.nodes\.registerType\(/g) ?? [];
        assert.equal(calls.length, 1, "registerType calls");
        assert.ok(html.includes(`RED.nodes.registerType("${type}",`), `registerType("${type}", ...)`);
        assert.ok(defaults.length > 0, "an inline defaults object");
        assert.match(html, /\bcategory\s*:\s*"(Compass|config)"/);
        if (!isConfig) {
          assert.match(html, /\bcolor\s*:\s*"#8FB8DE"/);
          assert.match(html, /\binputs\s*:\s*[01],/);
          assert.match(html, /\boutputs\s*:\s*[0-9],/);
        }
        assert.ok(html.includes(`data-template-name="${type}"`), "an edit dialog template");
      });

      it("has its icon in nodes/icons/, where Node-RED looks for it", () => {
        if (isConfig) return;
        const icon = /\bicon\s*:\s*"([^"]+)"/.exec(html)?.[1];
        assert.equal(icon, `${type}.svg`);
        assert.ok(fs.existsSync(path.join(ROOT, "nodes", "icons", icon)), `nodes/icons/${icon}`);
      });

      it("uses only texts that exist in every language", () => {
        const keys = [...i18nKeys(html), ...sharedRows(html, type).keys];
        assert.ok(keys.length > 0, "the dialog is translated");
        for (const key of keys) {
          assert.ok(key.startsWith(`${type}.`), `${key} belongs to ${type}'s catalogue`);
          for (const lang of LANGUAGES) {
            assert.ok(lookup(catalogue(lang, type), key), `${lang}/${type}.json has ${key}`);
          }
        }
      });

      it("binds every form field to a declared property, and gives every plain property a field", () => {
        const prefix = isConfig ? "node-config-input-" : "node-input-";
        const fields = [
          ...[...html.matchAll(new RegExp(`id="${prefix}(\\w+)"`, "g"))].map((m) => m[1]!),
          ...sharedRows(html, type).fields,
        ];
        for (const field of fields) {
          assert.ok(
            defaults.includes(field) || credentials.includes(field),
            `#${prefix}${field} is not a property`,
          );
        }
        assert.ok(defaults.includes(VERSION), "a version default");
        for (const key of [...defaults, ...credentials]) {
          if (lists.includes(key)) continue; // list values are edited by oneditprepare/oneditsave
          if (key === VERSION) continue;
          assert.ok(fields.includes(key), `${key} has no #${prefix}${key}`);
        }
      });

      it("declares exactly the properties its runtime reads", () => {
        const source = read("src", "nodes", `${type}.ts`);
        const reads = defReads(source);
        for (const key of defaults) {
          if (key === "name" || key === "config" || key === VERSION) continue;
          assert.ok(reads.includes(key), `src/nodes/${type}.ts never reads def.${key}`);
        }
        for (const key of reads) {
          assert.ok(
            defaults.includes(key),
            `src/nodes/${type}.ts reads def.${key}, which the editor never saves`,
          );
        }
      });

      it("has help in English and Dutch, carrying the same code", () => {
        const english = helpSection(html, type);
        assert.ok(english && english.trim().length > 200, "English help");
        const dutchFile = path.join(NODES, "locales", "nl", `${type}.html`);
        assert.ok(fs.existsSync(dutchFile), `nodes/locales/nl/${type}.html`);
        const dutch = helpSection(fs.readFileSync(dutchFile, "utf8"), type);
        assert.ok(dutch && dutch.trim().length > 200, "Dutch help");
        assert.deepEqual(codeSpans(dutch), codeSpans(english), "the <code> texts of both helps");
      });
    });
  }
});

/**
 * The property names the installed Node-RED's editor reserves for itself (`internalProperties` in its
 * red.js): registerType drops any such default with only a console warning, so a field of that name
 * is silently never saved.
 */
function reservedProperties(): string[] {
  const redJs = path.join(
    path.dirname(require.resolve("@node-red/editor-client/package.json")),
    "public",
    "red",
    "red.js",
  );
  const source = fs.readFileSync(redJs, "utf8");
  const list = /\binternalProperties\s*=\s*(\[[^\]]*\])/.exec(source);
  assert.ok(list, `no internalProperties list in ${redJs}: where does this Node-RED keep it?`);
  const names: unknown = vm.runInNewContext(list[1]!, {}, { timeout: 1000 });
  assert.ok(Array.isArray(names) && names.every((n) => typeof n === "string"), "a list of names");
  return names as string[];
}

describe("editor: property names Node-RED reserves", () => {
  const reserved = reservedProperties();

  it("reads the list from the installed Node-RED", () => {
    // a few names the editor has reserved for long; the rest come from the file
    for (const name of ["id", "type", "wires", "users", "x", "_def"])
      assert.ok(reserved.includes(name), name);
  });

  for (const type of htmlTypes) {
    it(`${type}: no defaults or credentials key is reserved`, () => {
      const html = read("nodes", `${type}.html`);
      const keys = [
        ...(objectLiteralKeys(html, "defaults") ?? []),
        ...(objectLiteralKeys(html, "credentials") ?? []),
      ];
      assert.ok(keys.length > 0);
      assert.deepEqual(
        keys.filter((k) => reserved.includes(k)),
        [],
        "reserved by Node-RED's editor (renamed properties need a step in resources/compass-migrations.js)",
      );
    });
  }
});

describe("editor: message catalogues", () => {
  const files = fs
    .readdirSync(path.join(NODES, "locales", "en-US"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length));

  it("has a catalogue per node file", () => {
    assert.deepEqual([...files].sort(), htmlTypes);
  });

  for (const file of files) {
    it(`${file}: Dutch has every English text, with the same placeholders`, () => {
      const english = catalogue("en-US", file);
      const dutch = catalogue("nl", file);
      assert.deepEqual(leafKeys(dutch).sort(), leafKeys(english).sort());
      for (const key of leafKeys(english)) {
        assert.deepEqual(placeholders(lookup(dutch, key)!), placeholders(lookup(english, key)!), key);
      }
    });
  }

  it("has every text the runtime looks up, with the substitutions it passes", () => {
    let checked = 0;
    for (const file of files) {
      const sourceFile = path.join(ROOT, "src", "nodes", `${file}.ts`);
      if (!fs.existsSync(sourceFile)) continue;
      const source = fs.readFileSync(sourceFile, "utf8");
      for (const m of source.matchAll(/\bt\("([\w.-]+)"(?:\s*,\s*\{([^}]*)\})?/g)) {
        const key = m[1]!;
        const passed = (m[2] ?? "")
          .split(",")
          .map((part) => /^\s*(\w+)/.exec(part)?.[1])
          .filter(Boolean);
        for (const lang of LANGUAGES) {
          const text = lookup(catalogue(lang, file), key);
          assert.ok(text, `${lang}/${file}.json has ${key}`);
          for (const name of placeholders(text)) assert.ok(passed.includes(name), `${key} uses __${name}__`);
        }
        checked++;
      }
    }
    assert.ok(checked >= 7, `looked up ${checked} texts`);
  });

  it("has every shared text the nodes and the editor helpers use", () => {
    const shared: string[] = [];
    for (const f of fs.readdirSync(path.join(ROOT, "src", "nodes")).filter((f) => f.endsWith(".ts"))) {
      const source = read("src", "nodes", f);
      for (const m of source.matchAll(/sharedText\(\s*RED\s*,\s*"([\w.-]+)"/g)) shared.push(`common.${m[1]}`);
    }
    const helpers = read("resources", "compass-editor.js");
    for (const m of helpers.matchAll(/RED\._\("[^":]*\/compass-config:([\w.-]+)"/g)) shared.push(m[1]!);
    assert.ok(shared.length > 0);
    for (const key of new Set(shared)) {
      for (const lang of LANGUAGES) {
        assert.ok(lookup(catalogue(lang, "compass-config"), key), `${lang}/compass-config.json has ${key}`);
      }
    }
  });
});

describe("editor: examples/", () => {
  const ourTypes = htmlTypes;
  const defaultsByType = new Map(ourTypes.map((t) => [t, defaultsOf(read("nodes", `${t}.html`)).keys]));

  it("has examples", () => {
    assert.ok(exampleFiles.length >= 6, exampleFiles.join(", "));
  });

  for (const file of exampleFiles) {
    describe(file, () => {
      it("parses to a list of nodes with unique 16-hex-digit ids", () => {
        const flow = examples.get(file);
        assert.ok(Array.isArray(flow), "a JSON array");
        const ids = flow.map((n) => n.id);
        for (const id of ids) assert.match(String(id), /^[0-9a-f]{16}$/);
        assert.equal(new Set(ids).size, ids.length, "ids are unique");
      });

      it("uses only known node types, wired to nodes of the same file", () => {
        const flow = examples.get(file) ?? [];
        const ids = new Set(flow.map((n) => n.id));
        for (const node of flow) {
          const type = String(node.type);
          const known =
            ourTypes.includes(type) ||
            CORE_TYPES.includes(type) ||
            (file.startsWith("dashboard 2.0") && DASHBOARD_TYPES.includes(type));
          assert.ok(known, `unknown type ${type}`);
          // config nodes (no position on a tab) have no wires
          if (type === "compass-config" || node.x === undefined) continue;
          assert.ok(Array.isArray(node.wires), `${node.id} has wires`);
          for (const target of (node.wires as unknown[][]).flat()) {
            assert.ok(ids.has(target), `${node.id} is wired to ${target}, not in this file`);
          }
        }
      });

      it("sets every property of our nodes and nothing else, and never carries credentials", () => {
        const flow = examples.get(file) ?? [];
        const configs = new Set(flow.filter((n) => n.type === "compass-config").map((n) => n.id));
        for (const node of flow) {
          assert.equal(node.credentials, undefined, `${node.id} carries credentials`);
          const defaults = defaultsByType.get(String(node.type));
          if (!defaults) continue;
          for (const key of Object.keys(node)) {
            assert.ok(defaults.includes(key) || FLOW_KEYS.includes(key), `${node.type} ${node.id}: ${key}`);
          }
          for (const key of defaults) {
            if (key === VERSION) continue; // absent = 0: the import migrates it
            assert.ok(key in node, `${node.type} ${node.id} leaves out ${key}`);
          }
          if (node.type !== "compass-config")
            assert.ok(configs.has(node.config), `${node.id}'s config is here`);
        }
      });
    });
  }

  it("uses every node type, and no id twice across files", () => {
    const all = [...examples.values()].flat();
    const used = new Set(all.map((n) => n.type));
    for (const type of ourTypes) assert.ok(used.has(type), `no example uses ${type}`);
    // every example uses the one shared connection, "Compass simulator": importing any number of them
    // leaves one connection
    const connections = new Set(all.filter((n) => n.type === "compass-config").map((n) => n.id));
    assert.equal(connections.size, 1, [...connections].join(", "));
    assert.equal(all.find((n) => n.type === "compass-config")?.name, "Compass simulator");
    // the shared connection may appear in several files, the same in each
    const shared = new Map<string, string>();
    for (const n of all.filter((n) => n.type === "compass-config")) {
      const text = JSON.stringify(n);
      const id = String(n.id);
      assert.equal(shared.get(id) ?? text, text, `connection ${id} differs between examples`);
      shared.set(id, text);
    }
    const ids = all.filter((n) => n.type !== "compass-config").map((n) => n.id);
    ids.push(...shared.keys());
    assert.equal(new Set(ids).size, ids.length);
  });

  it("has the starter flow npm start deploys: each compass node wired to a debug, with a comment", () => {
    const flow = examples.get("starter flow.json");
    assert.ok(flow, "examples/starter flow.json");
    assert.equal(flow.filter((n) => n.type === "compass-config").length, 1, "one connection");
    const byId = new Map(flow.map((n) => [n.id, n]));
    for (const type of ["compass-call-event", "compass-queue-event", "compass-state", "compass-api"]) {
      const node = flow.find((n) => n.type === type);
      assert.ok(node, `a ${type} node`);
      // straight to a debug node, or through one change node that makes a one-line text
      const next = (n: FlowNode) => (n.wires as unknown[][]).flat().map((id) => byId.get(String(id))!);
      const targets = next(node).flatMap((n) => (n.type === "change" ? next(n) : [n]));
      assert.ok(
        targets.some((n) => n.type === "debug"),
        `${type} is wired to a debug node`,
      );
    }
    const stats = flow.find((n) => n.type === "compass-queue-event")!;
    assert.deepEqual(stats.events, ["queue.stats"]);
    for (const type of ["compass-state", "compass-api"]) {
      const node = flow.find((n) => n.type === type)!;
      assert.ok(
        flow.some((n) => n.type === "inject" && (n.wires as unknown[][]).flat().includes(node.id)),
        `an inject node drives ${type}`,
      );
    }
    assert.ok(flow.filter((n) => n.type === "comment").length >= 4, "a comment per part");
  });
});

describe("editor: source scanners", () => {
  it("reads the top-level keys of an inline object, past strings and nested code", () => {
    const source = `x({ defaults: { a: { value: "}," }, b: { validate: function (v) { return {c: 1}; } }, "q": 1 }, d: 2 })`;
    assert.deepEqual(objectLiteralKeys(source, "defaults"), ["a", "b"]);
    assert.equal(objectLiteralKeys("{ other: {} }", "defaults"), null);
    assert.throws(() => objectLiteralKeys("defaults: { a: 1", "defaults"), /unterminated/);
  });

  it("strips attribute prefixes from data-i18n keys and splits several", () => {
    const html = `<i data-i18n="[placeholder]t.a;[title]t.b"></i><span data-i18n="t.c"></span>`;
    assert.deepEqual(i18nKeys(html), ["t.a", "t.b", "t.c"]);
  });

  it("reads the fields and texts of the shared-row placeholders", () => {
    const html = `<div data-compass-row="config"></div>
      <div data-compass-row="typed" data-property="user" data-icon="user" data-placeholder data-pick="users"></div>
      <div data-compass-row="select" data-property="mode" data-icon="x" data-options="a msg"></div>
      <div data-compass-row="ids" data-property="queueIds" data-label="queues" data-icon="users"></div>`;
    assert.deepEqual(sharedRows(html, "t"), {
      fields: ["config", "user", "userType", "mode", "queueIds"],
      keys: [
        "t.label.config",
        "t.label.user",
        "t.placeholder.user",
        "t.label.mode",
        "t.mode.a",
        "t.mode.msg",
        "t.label.queues",
        "t.placeholder.any",
      ],
    });
    assert.throws(() => sharedRows(`<div data-compass-row="other"></div>`, "t"), /no shared row other/);
  });

  it("finds catalogue texts, their placeholders and help sections", () => {
    const cat = { t: { errors: { x: "no __id__ for __query__ (__id__)" } } };
    assert.equal(lookup(cat, "t.errors.x"), "no __id__ for __query__ (__id__)");
    assert.equal(lookup(cat, "t.errors"), undefined);
    assert.deepEqual(leafKeys(cat), ["t.errors.x"]);
    assert.deepEqual(placeholders(lookup(cat, "t.errors.x")!), ["id", "query"]);
    const html = `<script type="text/html" data-help-name="n"><p><code>b</code> <code>a</code> <code>b</code></p></script>`;
    assert.deepEqual(codeSpans(helpSection(html, "n")!), ["a", "b"]);
    assert.equal(helpSection(html, "other"), null);
    assert.deepEqual(defReads("const a = def.one; f(def.two, def.one); undef.three"), ["one", "two"]);
    assert.deepEqual(
      defReads(
        'const T = { a: { from: "typed", property: "user" }, b: { from: "choice", property: "action", msg: "x" } };',
      ),
      ["action", "user", "userType"],
    );
  });
});
