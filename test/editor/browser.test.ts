// The editor side of every node in a real browser: Node-RED 4 serving this package (test/support/editor.ts),
// Debian's Chromium driven by playwright-core. Checks what only a running editor shows: the palette,
// every edit dialog rendering translated, the event checkboxes surviving Done, the queue picker filling
// from a deployed connection (and saying so when the connection is not deployed), and the help sidebar
// in English and Dutch. Screenshots of every dialog go to a temp folder, kept only when
// COMPASS_EDITOR_SCREENSHOTS names a folder to keep them in.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { CALL_EVENTS, QUEUE_EVENTS, USER_EVENTS } from "../../src/compass/events";
import {
  CHROMIUM,
  CONFIG_ID,
  closeDialog,
  type EditorStack,
  launchChromium,
  NODE_TYPES,
  type OpenPage,
  openDialog as openDialogOf,
  openEditor as openEditorIn,
  startEditorStack,
} from "../support/editor";

const OUR_TEXT = /compass/i;
/** An i18n key shown raw: the catalogue lookup failed. */
const RAW_KEY = /compass-[a-z-]+\.(label|placeholder|tip|direction|versions|action|mode|query|method)\./;

// biome-ignore lint/suspicious/noExplicitAny: the editor's globals (RED, $) live in the page
declare const RED: any;
// biome-ignore lint/suspicious/noExplicitAny: see above
declare const $: any;
declare const navigator: { language: string };
/** What the page's elements offer us (the test compiles without the DOM library). */
type Field = { value: string; innerText: string };

describe("editor in a real browser (Node-RED + Chromium)", function () {
  this.timeout(60000);
  let stack: EditorStack | undefined;
  let browser: Browser | undefined;
  let shotDir = "";
  let keepShots = false;
  let editor: OpenPage;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log("    SKIP: chromium is not installed; editor browser tests skipped");
      this.skip();
    }
    const wanted = process.env.COMPASS_EDITOR_SCREENSHOTS;
    keepShots = Boolean(wanted);
    shotDir = wanted ?? fs.mkdtempSync(path.join(os.tmpdir(), "compass-editor-shots-"));
    fs.mkdirSync(shotDir, { recursive: true });
    stack = await startEditorStack();
    browser = await launchChromium();
    editor = await openEditor("en-US");
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await stack?.stop();
    if (shotDir && !keepShots) fs.rmSync(shotDir, { recursive: true, force: true });
  });

  // each in its own browser context, closed with the browser
  const openEditor = (locale: string) => openEditorIn(browser!, stack!, locale);

  // a failed test must not leave its dialog open for the next one
  afterEach(async () => {
    if (!editor) return;
    for (let i = 0; i < 5 && (await editor.page.locator(".red-ui-tray").count()) > 0; i++) {
      await editor.page.evaluate(() => RED.tray.close());
      await editor.page.waitForTimeout(300);
    }
  });

  function ourErrors(p: OpenPage): string[] {
    return p.errors.filter((e) => OUR_TEXT.test(e));
  }

  const openDialog = (page: Page, type: string) => openDialogOf(page, type, stack!.nodeIds[type]!);

  it("loads with no errors from our files and shows the Compass palette category with every node type the package lists", async () => {
    const { page } = editor;
    const shown = await page
      .locator('.red-ui-palette-node[data-palette-type^="compass-"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-palette-type")));
    const expected = NODE_TYPES.filter((t) => t !== "compass-config").sort();
    assert.deepEqual([...shown].sort(), expected);
    const categories = await page
      .locator(".red-ui-palette-category .red-ui-palette-header")
      .evaluateAll((els) => els.map((e) => (e as unknown as Field).innerText.trim()));
    assert.ok(
      categories.some((c) => c.toLowerCase() === "compass"),
      `no Compass palette category in ${JSON.stringify(categories)}`,
    );
    // every one of our nodes sits in that category
    const inCompass = await page
      .locator(".red-ui-palette-category")
      .filter({ has: page.locator(".red-ui-palette-header", { hasText: /^\s*compass\s*$/i }) })
      .locator(".red-ui-palette-node[data-palette-type]")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-palette-type")));
    assert.deepEqual([...inCompass].sort(), expected);
    // each shows its own icon (Node-RED serves them from nodes/icons/), not the default one
    const icons = await page
      .locator('.red-ui-palette-node[data-palette-type^="compass-"] .red-ui-palette-icon')
      .evaluateAll((els) => {
        // runs in the page; the test's TypeScript has no DOM library
        const style = globalThis as unknown as { getComputedStyle(el: unknown): { backgroundImage: string } };
        return els.map((e) => style.getComputedStyle(e).backgroundImage);
      });
    assert.equal(icons.length, expected.length);
    for (const [i, type] of [...shown].entries()) {
      assert.match(
        icons[i] ?? "",
        new RegExp(`icons/@compass-flows/node-red-compass/${type}\\.svg`),
        `${type} icon`,
      );
    }
    const served = await page.request.get(
      `${stack!.url}icons/@compass-flows/node-red-compass/compass-call-event.svg`,
    );
    assert.equal(served.status(), 200);
    assert.deepEqual(ourErrors(editor), []);
  });

  it("opens every node's edit dialog with translated form rows, and cancels it", async () => {
    const { page } = editor;
    const shots: string[] = [];
    for (const type of NODE_TYPES) {
      await openDialog(page, type);
      const tray = page.locator(".red-ui-tray").last();
      const rows = await tray.locator(".form-row").count();
      assert.ok(rows >= 2, `${type}: only ${rows} form rows`);
      const text = await tray.innerText();
      assert.doesNotMatch(text, RAW_KEY, `${type}: an untranslated label in the dialog`);
      const placeholders = await tray
        .locator("[placeholder]")
        .evaluateAll((els) => els.map((e) => e.getAttribute("placeholder") ?? ""));
      for (const p of placeholders) assert.doesNotMatch(p, RAW_KEY, `${type}: an untranslated placeholder`);
      // every label our template asks to translate came out as text
      const empty = await tray
        .locator("label span[data-i18n], label[data-i18n]")
        .evaluateAll((els) =>
          els
            .filter((e) => (e as unknown as Field).innerText.trim() === "")
            .map((e) => e.getAttribute("data-i18n")),
        );
      assert.deepEqual(empty, [], `${type}: labels with no text`);
      // a select showing nothing: the saved value is not one of its options
      const blankSelects = await tray
        .locator('select[id^="node-"]:not([multiple])')
        .evaluateAll((els) =>
          els.filter((e) => (e as unknown as Field).value === "").map((e) => e.getAttribute("id")),
        );
      assert.deepEqual(blankSelects, [], `${type}: selects with no option chosen`);
      // Node-RED marks fields it finds invalid; the deployed flow is valid
      const invalid = await tray
        .locator(".input-error")
        .evaluateAll((els) => els.map((e) => e.getAttribute("id") ?? e.className));
      assert.deepEqual(invalid, [], `${type}: fields marked invalid`);
      const file = path.join(shotDir, `${type}.png`);
      await page.screenshot({ path: file });
      shots.push(file);
      await closeDialog(page, "cancel", type);
      assert.deepEqual(ourErrors(editor), [], `${type}: page errors`);
    }
    console.log(
      `    screenshots${keepShots ? "" : " (removed after the run)"}:\n      ${shots.join("\n      ")}`,
    );
  });

  it("shows the rows that depend on a select exactly for the values that need them", async () => {
    const { page } = editor;
    // per node type, the select, and for each of its values the dependent rows shown (by the field in
    // them, or a tip by its text key); every other dependent row is hidden
    const login = ["priority", "callForward"];
    const expected: Record<string, { select: string; shown: Record<string, string[]> }> = {
      "compass-call-control": {
        select: "action",
        shown: { pickup: ["queue"], "listen-in": ["listenTo"], msg: ["queue", "listenTo"] },
      },
      "compass-dpswitch": { select: "action", shown: { get: [], set: ["setting"], msg: ["setting"] } },
      "compass-queue-agent": {
        select: "action",
        shown: {
          login,
          logout: [],
          pause: ["tip.pause"],
          unpause: ["tip.pause"],
          msg: [...login, "tip.pause"],
        },
      },
      "compass-state": {
        select: "query",
        shown: Object.fromEntries(
          ["company", "users", "queues", "calls", "user", "queue", "call", "reload", "history", "msg"].map(
            (q) => [q, ["user", "queue", "call", "msg"].includes(q) ? ["objectId"] : []],
          ),
        ),
      },
      "compass-user-status": {
        select: "action",
        shown: { get: [], set: ["receiveCalls"], "end-wrapup": [], msg: ["receiveCalls"] },
      },
    };
    for (const [type, { select, shown }] of Object.entries(expected)) {
      await openDialog(page, type);
      const seen: Record<string, string[]> = await page.evaluate(
        ({ select, values, dependent }) => {
          const tray = $(".red-ui-tray").last();
          const rowOf = (name: string) =>
            name.startsWith("tip.")
              ? tray.find(`.form-tips[data-i18n$="${name}"]`)
              : tray.find(`#node-input-${name}`).closest(".form-row");
          const $select = tray.find(`#node-input-${select}`);
          const before = $select.val();
          const result: Record<string, string[]> = {};
          for (const value of values) {
            $select.val(value).trigger("change");
            result[value] = dependent.filter((name: string) => rowOf(name).is(":visible"));
          }
          $select.val(before).trigger("change");
          return result;
        },
        { select, values: Object.keys(shown), dependent: [...new Set(Object.values(shown).flat())] },
      );
      assert.deepEqual(seen, shown, `${type}: rows shown per ${select}`);
      const options = await page
        .locator(`#node-input-${select} option`)
        .evaluateAll((els) => els.map((e) => (e as unknown as Field).value));
      assert.deepEqual(options.sort(), Object.keys(shown).sort(), `${type}: every ${select} value checked`);
      await closeDialog(page, "cancel", type);
    }
    assert.deepEqual(ourErrors(editor), []);
  });

  it("keeps the call event's ticked events through Done and reopening", async () => {
    const { page } = editor;
    const type = "compass-call-event";
    const untick = ["call.held", "call.resumed", "call.updated"];
    await openDialog(page, type);
    const boxes = page.locator("#compass-call-events input[type=checkbox]");
    const all = await boxes.evaluateAll((els) => els.map((e) => (e as unknown as Field).value));
    assert.equal(all.length, CALL_EVENTS.length);
    assert.equal(
      await page.locator("#compass-call-events input:checked").count(),
      CALL_EVENTS.length,
      "a new node has all ticked",
    );
    for (const name of untick) await page.locator(`#compass-ev-${name.replace(/\./g, "-")}`).uncheck();
    await closeDialog(page, "ok", type);

    const kept = all.filter((n) => !untick.includes(n));
    const saved = await page.evaluate((id) => RED.nodes.node(id).events, stack!.nodeIds[type]);
    assert.deepEqual(saved, kept);

    await openDialog(page, type);
    const ticked = await page
      .locator("#compass-call-events input:checked")
      .evaluateAll((els) => els.map((e) => (e as unknown as Field).value));
    assert.deepEqual(ticked, kept);
    await closeDialog(page, "cancel", type);
    assert.deepEqual(ourErrors(editor), []);
  });

  it("offers each trigger node exactly the events its runtime emits, in the runtime's order", async () => {
    const { page } = editor;
    const lists: Array<[string, string, readonly string[]]> = [
      ["compass-call-event", "#compass-call-events", CALL_EVENTS],
      ["compass-queue-event", "#compass-queue-events", QUEUE_EVENTS],
      ["compass-user-event", "#compass-user-events", USER_EVENTS],
    ];
    for (const [type, container, runtime] of lists) {
      await openDialog(page, type);
      const offered = await page
        .locator(`${container} input[type=checkbox]`)
        .evaluateAll((els) => els.map((e) => (e as unknown as Field).value));
      assert.deepEqual(offered, [...runtime], `${type}: the dialog's events are the runtime's`);
      await closeDialog(page, "cancel", type);
    }
    assert.deepEqual(ourErrors(editor), []);
  });

  /** The picker attachPicker puts beside `#<field>`: its button, then its panel and note below the row. */
  function pickerOf(page: Page, field: string) {
    const row = page.locator(`.red-ui-tray .form-row:has(#${field})`);
    const panel = page.locator(`.red-ui-tray .form-row:has(#${field}) + .compass-picker`);
    return {
      button: row.locator("button.compass-picker-button"),
      panel,
      filter: panel.locator(".compass-picker-filter"),
      list: panel.locator(".compass-picker-list"),
      note: page.locator(`.red-ui-tray .form-row:has(#${field}) + .compass-picker + .compass-picker-note`),
    };
  }

  async function visibleOptions(list: ReturnType<typeof pickerOf>["list"]) {
    return list
      .locator("option:not([style*='display: none'])")
      .evaluateAll((els) =>
        els.map((e) => ({ value: (e as unknown as Field).value, text: e.textContent ?? "" })),
      );
  }

  it("fills the queue picker from the deployed connection, filters it, and says so when the connection is not deployed", async () => {
    const { page } = editor;
    const type = "compass-queue-event";
    await openDialog(page, type);
    assert.equal(await page.locator("#node-input-config").inputValue(), CONFIG_ID);
    const picker = pickerOf(page, "node-input-queueIds");

    await picker.button.click();
    await picker.panel.waitFor({ state: "visible" });
    assert.equal(await picker.list.evaluate((e) => (e as unknown as { multiple: boolean }).multiple), true);
    const names = (await visibleOptions(picker.list)).map((o) => o.text);
    assert.ok(
      names.some((n) => n.startsWith("Support")),
      `no Support in ${JSON.stringify(names)}`,
    );
    assert.ok(
      names.some((n) => n.startsWith("Sales")),
      `no Sales in ${JSON.stringify(names)}`,
    );
    // the filter box narrows the list by name (or id)
    await picker.filter.fill("supp");
    const narrowed = await visibleOptions(picker.list);
    assert.equal(narrowed.length, 1, JSON.stringify(narrowed));
    const support = narrowed[0]!;
    assert.match(support.text, /^Support.* · \d+$/, "name and id");
    // an id typed by hand that the platform does not list is kept beside the picked one
    await page.locator("#node-input-queueIds").fill("9999");
    await picker.list.selectOption(support.value);
    assert.equal(await page.locator("#node-input-queueIds").inputValue(), `9999, ${support.value}`);

    // a connection the runtime does not know: the admin endpoint answers 503, the note says why
    const answered = page.waitForResponse((r) => /\/compass\/[^/]+\/queues$/.test(r.url()));
    await picker.button.click(); // closes the open list
    await page.evaluate(() => {
      $("#node-input-config").append($("<option>").val("c0a55000000000ff").text("not deployed"));
      $("#node-input-config").val("c0a55000000000ff");
    });
    await picker.button.click();
    assert.equal((await answered).status(), 503);
    await picker.note.waitFor({ state: "visible" });
    assert.match(await picker.note.innerText(), /not deployed.*type the id/is);
    assert.equal(await picker.panel.isVisible(), false, "the list hides when the platform cannot fill it");
    // the id can still be typed
    await page.locator("#node-input-queueIds").fill("2002");
    assert.equal(await page.locator("#node-input-queueIds").inputValue(), "2002");
    await closeDialog(page, "cancel", type);
    // Chromium logs every non-2xx fetch; this 503 is the one the test asked for
    const expected = (e: string) =>
      e.includes("Failed to load resource") && e.includes("/c0a55000000000ff/queues");
    assert.equal(editor.errors.filter(expected).length, 1);
    for (let i = editor.errors.length - 1; i >= 0; i--)
      if (expected(editor.errors[i]!)) editor.errors.splice(i, 1);
    assert.deepEqual(ourErrors(editor), []);
  });

  // every action-node field that names a user, queue or switch, and the list it offers
  const ACTION_PICKERS: Array<{ type: string; field: string; seed: RegExp; when?: Record<string, string> }> =
    [
      { type: "compass-queue-agent", field: "node-input-user", seed: /^Alice/ },
      { type: "compass-queue-agent", field: "node-input-queue", seed: /^Support/ },
      { type: "compass-user-status", field: "node-input-user", seed: /^Alice/ },
      { type: "compass-dial", field: "node-input-user", seed: /^Alice/ },
      {
        type: "compass-dial",
        field: "node-input-destination",
        seed: /^Alice/,
        when: { "node-input-mode": "user" },
      },
      { type: "compass-dpswitch", field: "node-input-switch", seed: /^Day\/Night/ },
      { type: "compass-call-control", field: "node-input-user", seed: /^Alice/ },
      { type: "compass-call-control", field: "node-input-queue", seed: /^Support/ },
      {
        type: "compass-call-control",
        field: "node-input-listenTo",
        seed: /^Alice/,
        when: { "node-input-action": "listen-in" },
      },
      {
        type: "compass-state",
        field: "node-input-objectId",
        seed: /^Alice/,
        when: { "node-input-query": "user" },
      },
      {
        type: "compass-state",
        field: "node-input-objectId",
        seed: /^Support/,
        when: { "node-input-query": "queue" },
      },
    ];

  it("offers a single-choice picker beside each action node's user, queue and switch, while the field is a fixed id", async () => {
    const { page } = editor;
    for (const { type, field, seed, when } of ACTION_PICKERS) {
      const what = `${type} ${field}${when ? ` (${JSON.stringify(when)})` : ""}`;
      await openDialog(page, type);
      const picker = pickerOf(page, field);
      for (const [id, value] of Object.entries(when ?? {}))
        await page.evaluate(({ id, value }) => $(`#${id}`).val(value).trigger("change"), { id, value });
      await page.evaluate((id) => $(`#${id}`).typedInput("type", "str"), field);
      assert.equal(await picker.button.isVisible(), true, `${what}: a picker button`);
      await picker.button.click();
      await picker.panel.waitFor({ state: "visible" });
      assert.equal(
        await picker.list.evaluate((e) => (e as unknown as { multiple: boolean }).multiple),
        false,
        what,
      );
      const options = await visibleOptions(picker.list);
      const chosen = options.find((o) => seed.test(o.text));
      assert.ok(chosen, `${what}: ${seed} in ${JSON.stringify(options)}`);
      assert.match(chosen.text, / · \d+$/, `${what}: shows the id`);
      await picker.list.selectOption(chosen.value);
      assert.equal(await page.evaluate((id) => $(`#${id}`).typedInput("value"), field), chosen.value, what);
      // from the message, the field names no id: no list
      await page.evaluate((id) => $(`#${id}`).typedInput("type", "msg"), field);
      assert.equal(await picker.button.isVisible(), false, `${what}: no picker for msg`);
      assert.equal(await picker.panel.isVisible(), false, `${what}: the list closes`);
      await closeDialog(page, "cancel", type);
    }
    // dialling a number offers no list; neither does a call id
    await openDialog(page, "compass-dial");
    await page.evaluate(() => {
      $("#node-input-mode").val("number").trigger("change");
      $("#node-input-destination").typedInput("type", "str");
    });
    assert.equal(await pickerOf(page, "node-input-destination").button.isVisible(), false, "dial a number");
    await closeDialog(page, "cancel", "compass-dial");
    assert.deepEqual(ourErrors(editor), []);
  });

  it("names things one way: palette labels in one scheme, the connection as 'Compass · user@domain', never its raw type", async () => {
    const { page } = editor;
    const palette = await page
      .locator('.red-ui-palette-node[data-palette-type^="compass-"]')
      .evaluateAll((els) =>
        Object.fromEntries(
          els.map((e) => [
            e.getAttribute("data-palette-type"),
            // the palette wraps a label over lines
            (e.querySelector(".red-ui-palette-label") as unknown as Field).innerText
              .replace(/\s+/g, " ")
              .trim(),
          ]),
        ),
      );
    assert.deepEqual(palette, {
      "compass-api": "api",
      "compass-call-event": "call event",
      "compass-queue-event": "queue event",
      "compass-user-event": "user event",
      "compass-state": "state",
      "compass-queue-agent": "queue agent",
      "compass-user-status": "user status",
      "compass-dial": "dial",
      "compass-dpswitch": "dial plan switch",
      "compass-call-control": "call control",
      "compass-cdr": "cdr",
    });

    // the username comes from the credential store (never the password), as the dialog loads it
    await page.waitForFunction((id) => RED.nodes.node(id).credentials?.username, CONFIG_ID);
    const labels = await page.evaluate((id) => {
      const n = RED.nodes.node(id);
      const named = RED.utils.getNodeLabel(n);
      const name = n.name;
      n.name = "";
      try {
        return { named, unnamed: RED.utils.getNodeLabel(n), password: n.credentials.password ?? null };
      } finally {
        n.name = name;
      }
    }, CONFIG_ID);
    assert.deepEqual(labels, {
      named: "Simulator",
      unnamed: `Compass · alice@${stack!.simulator.domain}`,
      password: null,
    });

    await openDialog(page, "compass-config");
    const title = await page.locator(".red-ui-tray-titlebar").last().innerText();
    assert.match(title, /Compass connection/);
    assert.doesNotMatch(title, /compass-config/);
    await closeDialog(page, "cancel", "compass-config");
    await page.evaluate(() => RED.sidebar.help.show("compass-config"));
    const helpTitle = page.locator(".red-ui-sidebar-info .red-ui-help h1").first();
    await helpTitle.waitFor({ state: "visible" });
    assert.equal((await helpTitle.innerText()).trim(), "Compass connection");
    assert.deepEqual(ourErrors(editor), []);
  });

  it("shows a selected node's help in the sidebar, in English and in Dutch", async () => {
    const helpOf = async (p: Page, id: string) => {
      await p.evaluate((nodeId) => {
        RED.view.select(nodeId);
        RED.actions.invoke("core:show-node-help");
      }, id);
      const help = p.locator(".red-ui-sidebar-info .red-ui-help .red-ui-help").first();
      await help.waitFor({ state: "visible" });
      await p.screenshot({
        path: path.join(shotDir, `help-${await p.evaluate(() => navigator.language)}.png`),
      });
      return help.innerText();
    };
    const apiId = stack!.nodeIds["compass-api"];
    const english = await helpOf(editor.page, apiId);
    assert.match(english, /Sends any request to the Compass REST API/);
    assert.deepEqual(ourErrors(editor), []);

    const dutch = await openEditor("nl");
    assert.equal(await dutch.page.evaluate(() => navigator.language), "nl");
    const nl = await helpOf(dutch.page, apiId);
    assert.match(nl, /Stuurt een willekeurig verzoek naar de REST-API van Compass/);
    assert.doesNotMatch(nl, /Sends any request/);
    assert.deepEqual(ourErrors(dutch), []);
  });
});
