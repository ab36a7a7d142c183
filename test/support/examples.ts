// What the examples and package tests share: the simulator on its FIXED default ports (the examples'
// connection points there, so that is the only way to prove they connect as shipped), a Node-RED
// child with npm start's settings in a user folder the test fills, Chromium on that editor, and the
// user's path through it: Menu > Import > Examples, Deploy, the debug sidebar, node status.

import type { ChildProcess, StdioOptions } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type Simulator, startSimulator } from "../../src/simulator";
import { DEFAULT_PORTS } from "../../src/simulator/cli";
import { CHROMIUM, CONFIG_ID, launchChromium, stopChild, waitForListening } from "./editor";
import { freePort } from "./prosody";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const PACKAGE_NAME = "@compass-flows/node-red-compass";
/** The one connection every example and the starter flow use (the editor stack's too). */
export const SHARED_CONFIG_ID = CONFIG_ID;

export { CHROMIUM, launchChromium };

/** npm start's own helpers (scripts/start.js): settings file, package link, first-run flows. */
export const start = require(path.join(ROOT, "scripts", "start.js")) as {
  writeSettings(dir: string, options?: { open: boolean }): string;
  linkPackageInto(dir: string): void;
  spawnNodeRed(userDir: string, settings: string, port: number, stdio: StdioOptions): ChildProcess;
  deployFirstRunFlows(editorUrl: string, user: { username: string; password: string }): Promise<void>;
};

// biome-ignore lint/suspicious/noExplicitAny: the editor's globals live in the page
declare const RED: any;
// biome-ignore lint/suspicious/noExplicitAny: see above
declare const $: any;

/** Fails with a message that says what to do when a fixed port is taken (e.g. by npm start). */
export async function assertPortsFree(ports: number[]): Promise<void> {
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (!free) {
      throw new Error(
        `port ${port} on 127.0.0.1 is taken: this test runs the simulator on its fixed default ports ` +
          `(${Object.values(DEFAULT_PORTS).join(", ")}) as the examples expect. Stop npm start or ` +
          "compass-simulator and run it again.",
      );
    }
  }
}

export async function startFixedSimulator(): Promise<Simulator> {
  await assertPortsFree(Object.values(DEFAULT_PORTS));
  return startSimulator({
    host: "127.0.0.1",
    restPort: DEFAULT_PORTS.rest,
    xmppPort: DEFAULT_PORTS.xmpp,
    websocketPort: DEFAULT_PORTS.websocket,
    filesPort: DEFAULT_PORTS.files,
  });
}

export interface NodeRedChild {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Node-RED (this checkout's node-red) in `userDir` with npm start's settings file, on 127.0.0.1. */
export async function startNodeRed(userDir: string): Promise<NodeRedChild> {
  const settings = start.writeSettings(userDir);
  // picked here rather than by Node-RED: the caller-pop example reads it as $env("PORT")
  const port = await freePort();
  const child = start.spawnNodeRed(userDir, settings, port, ["ignore", "pipe", "pipe"]);
  let log = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => {
    log += s;
  });
  child.stderr!.setEncoding("utf8").on("data", (s: string) => {
    log += s;
  });
  try {
    const url = await waitForListening(child, () => log, 60000);
    // a deploy before Node-RED has loaded its credentials file would lose the credentials it brings
    await waitForOutput(() => log, /Started flows/, 30000);
    return { url, port, child, output: () => log, stop: () => stopChild(child) };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

async function waitForOutput(output: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(output())) {
    if (Date.now() > deadline) throw new Error(`Node-RED never printed ${pattern}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A page in a context that reaches nothing but loopback. */
export async function loopbackPage(browser: Browser, width = 1400, height = 900): Promise<Page> {
  const context: BrowserContext = await browser.newContext({ viewport: { width, height } });
  await context.route("**/*", (route) =>
    new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort(),
  );
  return context.newPage();
}

/** Opens the editor and waits until its workspace is loaded. */
export async function openEditor(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(
    () =>
      typeof RED !== "undefined" &&
      Boolean(RED.nodes?.getType?.("compass-config")) &&
      Boolean(RED.workspaces?.active?.()),
    undefined,
    { timeout: 30000 },
  );
  // the debug sidebar, where examples show what they do
  await page.evaluate(() => RED.sidebar.show("debug"));
}

/** The example titles the editor's Import > Examples offers for our package. */
export async function listExamples(page: Page): Promise<string[]> {
  await openImportExamples(page);
  const labels = await page
    .locator(".red-ui-clipboard-dialog-tab-library:visible .red-ui-treeList-label")
    .evaluateAll((els) => els.map((e) => (e.textContent ?? "").trim()));
  await page.locator(".ui-dialog:visible button", { hasText: /^Cancel$/ }).click();
  return labels.filter((l) => l !== PACKAGE_NAME && l !== "");
}

/** Menu > Import > Examples > our package, expanded. */
async function openImportExamples(page: Page): Promise<void> {
  await page.locator("#red-ui-header-button-sidemenu").click();
  await page.locator("#menu-item-import").click();
  const tabs = page.locator("#red-ui-clipboard-dialog-import-tabs");
  await tabs.locator("li", { hasText: "Examples" }).click();
  const library = page.locator(".red-ui-clipboard-dialog-tab-library:visible");
  const ours = library.locator(".red-ui-treeList-label", { hasText: PACKAGE_NAME });
  await ours.waitFor({ state: "visible", timeout: 10000 });
  // expanding it loads the list of examples
  if ((await library.locator(".red-ui-treeList-label", { hasText: "starter flow" }).count()) === 0) {
    await ours.click();
  }
  await library
    .locator(".red-ui-treeList-label", { hasText: "starter flow" })
    .waitFor({ state: "visible", timeout: 10000 });
}

export interface ImportedExample {
  /** the new tab's id */
  tab: string;
  /** the imported nodes on that tab, by name (unnamed nodes by type) */
  nodes: Record<string, { id: string; type: string }>;
  /** whether the editor asked about nodes that already exist (the shared connection) */
  conflict: boolean;
}

/**
 * Menu > Import > Examples > `title`, "Import to: new flow", Import; when the editor says some
 * nodes already exist (the shared connection), "Import copy", which keeps the existing one.
 */
export async function importExample(page: Page, title: string): Promise<ImportedExample> {
  const tabsBefore: string[] = await page.evaluate(() => {
    const ids: string[] = [];
    RED.nodes.eachWorkspace((w: { id: string }) => ids.push(w.id));
    return ids;
  });
  await openImportExamples(page);
  const library = page.locator(".red-ui-clipboard-dialog-tab-library:visible");
  await library
    .locator(".red-ui-treeList-label")
    .filter({ hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) })
    .click();
  await page.locator("#red-ui-clipboard-dialog-import-opt-new").click();
  await page.locator("#red-ui-clipboard-dialog-ok").click();
  const copy = page.locator(".red-ui-notification button", { hasText: "Import copy" });
  const newTab = page.waitForFunction(
    (before: string[]) => {
      let found = "";
      RED.nodes.eachWorkspace((w: { id: string }) => {
        if (!before.includes(w.id)) found = w.id;
      });
      return found || false;
    },
    tabsBefore,
    { timeout: 10000 },
  );
  let conflict = false;
  const first = await Promise.race([
    copy.waitFor({ state: "visible", timeout: 10000 }).then(() => "conflict" as const),
    newTab.then(() => "imported" as const),
  ]);
  if (first === "conflict") {
    conflict = true;
    await copy.click();
  }
  const tab = (await (await newTab).jsonValue()) as string;
  // imported nodes follow the mouse until a click drops them
  await page.waitForTimeout(200);
  await page.mouse.click(700, 500);
  const nodes = await page.evaluate((z: string) => {
    const out: Record<string, { id: string; type: string }> = {};
    for (const n of RED.nodes.filterNodes({ z })) out[n.name || n.type] = { id: n.id, type: n.type };
    return out;
  }, tab);
  return { tab, nodes, conflict };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The Deploy button, and the editor saying it deployed. */
export async function deploy(page: Page): Promise<void> {
  await page.locator("#red-ui-header-button-deploy").click();
  await page.waitForFunction(() => !RED.nodes.dirty(), undefined, { timeout: 15000 });
}

/** Clicks an inject node's button on the canvas. */
export async function clickInject(page: Page, id: string): Promise<void> {
  await page.evaluate((nodeId: string) => RED.view.reveal(nodeId), id);
  await page.locator(`[id="${id}"] .red-ui-flow-node-button`).click();
}

/** The texts of the debug sidebar's messages from node `id` (oldest first). */
export async function debugTexts(page: Page, id: string): Promise<string[]> {
  return page.evaluate((nodeId: string) => {
    const out: string[] = [];
    $(
      `.red-ui-debug-content .red-ui-debug-msg-node-${nodeId.replace(/\./g, "_")} .red-ui-debug-msg-payload`,
    ).each(function (this: unknown) {
      out.push($(this).text());
    });
    return out;
  }, id);
}

/** Waits until a debug message from node `id` matches `pattern`; returns its text. */
export async function waitForDebug(
  page: Page,
  id: string,
  pattern: RegExp,
  timeoutMs = 20000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = (await debugTexts(page, id)).find((t) => pattern.test(t));
    if (hit) return hit;
    if (Date.now() > deadline) {
      const all = await page.evaluate(() =>
        $(".red-ui-debug-content .red-ui-debug-msg")
          .toArray()
          .slice(-5)
          // biome-ignore lint/suspicious/noExplicitAny: a DOM element in the page
          .map((e: any) => e.textContent.replace(/\s+/g, " ")),
      );
      throw new Error(
        `no debug message matching ${pattern} from ${id}; the sidebar's last: ${JSON.stringify(all)}`,
      );
    }
    await page.waitForTimeout(200);
  }
}

/** Nodes on tab `z` whose status is red, as "name: text". */
export async function redNodes(page: Page, z: string): Promise<string[]> {
  return page.evaluate((tab: string) => {
    const out: string[] = [];
    for (const n of RED.nodes.filterNodes({ z: tab })) {
      if (n.status && n.status.fill === "red") out.push(`${n.name || n.type}: ${n.status.text}`);
    }
    return out;
  }, z);
}

/** The compass-config nodes the editor holds, as {id, name}. */
export async function connections(page: Page): Promise<{ id: string; name: string }[]> {
  return page.evaluate(() => {
    const out: { id: string; name: string }[] = [];
    RED.nodes.eachConfig((n: { id: string; type: string; name: string }) => {
      if (n.type === "compass-config") out.push({ id: n.id, name: n.name });
    });
    return out;
  });
}

export function readExample(file: string): Record<string, unknown>[] {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "examples", file), "utf8"));
}

/**
 * Waits until every Compass trigger node on tab `z` shows a green status (subscribed), so events
 * played next reach it. Only the colour is read: the texts are not this test's to fix.
 */
export async function waitForSubscribed(page: Page, z: string, timeoutMs = 15000): Promise<void> {
  await page.waitForFunction(
    (tab: string) =>
      RED.nodes
        .filterNodes({ z: tab })
        .filter((n: { type: string }) => /^compass-(call|queue|user)-event$/.test(n.type))
        .every((n: { status?: { fill?: string } }) => n.status?.fill === "green"),
    z,
    { timeout: timeoutMs },
  );
}
