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
import type { Browser, BrowserContext, Page } from "playwright-core";
import { CONFIG_ID, type EditorStack, NODE_TYPES, startEditorStack } from "../support/editor";

const CHROMIUM = "/usr/bin/chromium";
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

interface OpenPage {
  page: Page;
  /** page errors and console errors seen since the page opened */
  errors: string[];
}

describe("editor in a real browser (Node-RED + Chromium)", function () {
  this.timeout(60000);
  let stack: EditorStack | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
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
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    editor = await openEditor("en-US");
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await stack?.stop();
    if (shotDir && !keepShots) fs.rmSync(shotDir, { recursive: true, force: true });
  });

  /** A fresh context (own profile state) in `locale`, the editor loaded with our nodes in the workspace. */
  async function openEditor(locale: string): Promise<OpenPage> {
    const context = await browser!.newContext({ locale, viewport: { width: 1400, height: 900 } });
    contexts.push(context);
    // nothing leaves loopback (the palette manager would fetch the public catalogue)
    await context.route("**/*", (route) =>
      new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort(),
    );
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}\n${err.stack ?? ""}`));
    page.on("console", (msg) => {
      if (msg.type() === "error") errors.push(`console: ${msg.text()} @ ${msg.location().url}`);
    });
    await page.goto(stack!.url);
    const ids = Object.values(stack!.nodeIds);
    await page.waitForFunction(
      // `typeof` first: until the editor's scripts run, RED is not declared at all (`RED?.` would throw).
      (wanted: string[]) =>
        // biome-ignore lint/complexity/useOptionalChain: see above
        typeof RED !== "undefined" && RED.nodes?.node && wanted.every((id) => RED.nodes.node(id)),
      ids,
      { timeout: 20000 },
    );
    return { page, errors };
  }

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

  async function openDialog(page: Page, type: string): Promise<void> {
    const id = stack!.nodeIds[type];
    await page.evaluate(
      ({ id, type }) => {
        if (type === "compass-config") RED.editor.editConfig("", type, id);
        else RED.editor.edit(RED.nodes.node(id));
      },
      { id, type },
    );
    await page.locator(".red-ui-tray .form-row").first().waitFor({ state: "visible" });
    // oneditprepare has run once the Node-RED input of the config select exists
    await page.waitForTimeout(150);
  }

  async function closeDialog(page: Page, button: "cancel" | "ok", type: string): Promise<void> {
    const prefix = type === "compass-config" ? "node-config-dialog" : "node-dialog";
    await page.locator(`#${prefix}-${button}`).click();
    await page.locator(".red-ui-tray").waitFor({ state: "detached" });
  }

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

  it("keeps the call event's ticked events through Done and reopening", async () => {
    const { page } = editor;
    const type = "compass-call-event";
    const untick = ["call.held", "call.resumed", "call.updated"];
    await openDialog(page, type);
    const boxes = page.locator("#compass-call-events input[type=checkbox]");
    const all = await boxes.evaluateAll((els) => els.map((e) => (e as unknown as Field).value));
    assert.equal(all.length, 9);
    assert.equal(
      await page.locator("#compass-call-events input:checked").count(),
      9,
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

  it("fills the queue picker from the deployed connection, and says so when the connection is not deployed", async () => {
    const { page } = editor;
    const type = "compass-queue-event";
    await openDialog(page, type);
    assert.equal(await page.locator("#node-input-config").inputValue(), CONFIG_ID);
    // attachPicker puts the list and then its note straight after the field's row
    const row = page.locator(".red-ui-tray .form-row:has(#node-input-queues)");
    const button = row.locator("button:has(i.fa-list)");
    const list = page.locator(".red-ui-tray .form-row:has(#node-input-queues) + select[multiple]");
    const note = page.locator(
      ".red-ui-tray .form-row:has(#node-input-queues) + select[multiple] + .form-tips",
    );

    await button.click();
    await list.waitFor({ state: "visible" });
    const options = await list
      .locator("option")
      .evaluateAll((els) =>
        els.map((e) => ({ value: (e as unknown as Field).value, text: e.textContent ?? "" })),
      );
    const names = options.map((o) => o.text);
    assert.ok(
      names.some((n) => n.startsWith("Support")),
      `no Support in ${JSON.stringify(names)}`,
    );
    assert.ok(
      names.some((n) => n.startsWith("Sales")),
      `no Sales in ${JSON.stringify(names)}`,
    );
    const support = options.find((o) => o.text.startsWith("Support"))!;
    assert.ok(support.value, "the Support option has an id");
    await list.selectOption(support.value);
    assert.equal(await page.locator("#node-input-queues").inputValue(), support.value);

    // a connection the runtime does not know: the admin endpoint answers 503, the note says why
    const answered = page.waitForResponse((r) => /\/compass\/[^/]+\/queues$/.test(r.url()));
    await page.evaluate(() => {
      $("#node-input-config").append($("<option>").val("c0a55000000000ff").text("not deployed"));
      $("#node-input-config").val("c0a55000000000ff");
    });
    await button.click();
    assert.equal((await answered).status(), 503);
    await note.waitFor({ state: "visible" });
    assert.match(await note.innerText(), /not deployed/i);
    assert.equal(await list.isVisible(), false, "the list hides when the platform cannot fill it");
    await closeDialog(page, "cancel", type);
    // Chromium logs every non-2xx fetch; this 503 is the one the test asked for
    const expected = (e: string) =>
      e.includes("Failed to load resource") && e.includes("/c0a55000000000ff/queues");
    assert.equal(editor.errors.filter(expected).length, 1);
    for (let i = editor.errors.length - 1; i >= 0; i--)
      if (expected(editor.errors[i]!)) editor.errors.splice(i, 1);
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
