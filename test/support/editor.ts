// A real Node-RED editor for browser tests: the simulator, then Node-RED as a child process in a temp
// user folder with this package linked in (as `npm start` does), and a deployed flow holding one
// compass-config wired to the simulator plus one node of every other type. Everything on 127.0.0.1.

import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { NODE_DEFAULTS } from "../../src/nodes/defaults";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../src/simulator";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  name: string;
  "node-red": { nodes: Record<string, string> };
};

/** Every node type this package registers, compass-config included. */
export const NODE_TYPES: string[] = Object.keys(PACKAGE["node-red"].nodes);
export const CONFIG_ID = "c0a5500000000001";
export const TAB_ID = "c0a5500000000000";

export interface EditorStack {
  /** the editor's address, e.g. http://127.0.0.1:40123/ */
  url: string;
  simulator: Simulator;
  /** node id per node type (compass-config's is CONFIG_ID) */
  nodeIds: Record<string, string>;
  /** the Node-RED child's pid */
  pid: number;
  /** Node-RED's user folder (flows.json, flows_cred.json) */
  userDir: string;
  /** what Node-RED printed so far (for failure messages) */
  output(): string;
  /** stops Node-RED (by pid), the simulator, and removes the user folder; safe to call twice */
  stop(): Promise<void>;
}

export interface EditorStackOptions {
  /** e.g. a TLS certificate for the simulator's XMPP side */
  simulator?: SimulatorOptions;
  /** extra environment for Node-RED, e.g. NODE_EXTRA_CA_CERTS to trust a test CA */
  env?: Record<string, string>;
  /** turn Node-RED's adminAuth on with one user who has every permission */
  admin?: { username: string; password: string };
  /** Node-RED's console log level (default info) */
  logLevel?: "info" | "debug" | "trace";
}

/** The settings the editor runs with: loopback only, no projects, tours, telemetry or catalogue fetches. */
function settingsFile(userDir: string, options: EditorStackOptions = {}): string {
  const settings = {
    uiHost: "127.0.0.1",
    uiPort: 0,
    userDir,
    flowFile: "flows.json",
    // no encryption key: nothing to prompt for or warn about in a throwaway folder
    credentialSecret: false,
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false, ui: false },
    editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] } },
    logging: { console: { level: options.logLevel ?? "info", metrics: false, audit: false } },
    ...(options.admin
      ? {
          adminAuth: {
            type: "credentials",
            users: [
              {
                username: options.admin.username,
                password: (require("bcryptjs") as { hashSync(p: string, rounds: number): string }).hashSync(
                  options.admin.password,
                  8,
                ),
                permissions: "*",
              },
            ],
          },
        }
      : {}),
  };
  return `module.exports = ${JSON.stringify(settings, null, 2)};\n`;
}

function linkPackage(userDir: string): void {
  const target = path.join(userDir, "node_modules", ...PACKAGE.name.split("/"));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.symlinkSync(ROOT, target, "dir");
  const manifest = { name: "editor-test", private: true, dependencies: { [PACKAGE.name]: `file:${ROOT}` } };
  fs.writeFileSync(path.join(userDir, "package.json"), JSON.stringify(manifest));
}

/** Resolves with the editor URL once Node-RED says it listens (it picks the port: uiPort 0). */
export function waitForListening(
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`Node-RED did not start:\n${output()}`)), timeoutMs);
    const onData = () => {
      const m = /Server now running at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output());
      if (m) finish(null, m[1]);
    };
    const onExit = (code: number | null) => finish(new Error(`Node-RED exited (${code}):\n${output()}`));
    function finish(err: Error | null, url?: string) {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve(url!);
    }
    child.stdout?.on("data", onData);
    child.on("exit", onExit);
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
    return Promise.resolve();
  return new Promise((resolve) => {
    const pid = child.pid!;
    const force = setTimeout(() => {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, 5000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      clearTimeout(force);
      resolve();
    }
  });
}

/**
 * Each node as the editor saves it: every default present (src/nodes/defaults.ts, the values the
 * editor declares; a property missing from a flow file shows as an empty select or "undefined" in
 * the editor, which is not what a user ever has), with ids from the simulator's seed (user 1001
 * alice, queue 2001 Support, switch 3001 Day/Night).
 */
const SEED_IDS: Record<string, Record<string, unknown>> = {
  "compass-queue-agent": { user: "1001", queue: "2001" },
  "compass-user-status": { user: "1001" },
  "compass-dial": { user: "1001" },
  "compass-dpswitch": { switch: "3001" },
  "compass-call-control": { user: "1001" },
};

function savedProperties(type: string): Record<string, unknown> | undefined {
  const defaults = (NODE_DEFAULTS as Record<string, Record<string, unknown>>)[type];
  return defaults && { ...structuredClone(defaults), ...SEED_IDS[type] };
}

/** One node per type on one tab; the config node carries alice's credentials for the credential store. */
function buildFlow(sim: Simulator): { flow: Record<string, unknown>[]; nodeIds: Record<string, string> } {
  const alice = sim.credentials.find((c) => c.username === "alice");
  if (!alice) throw new Error("the simulator's seed has no user alice");
  const nodeIds: Record<string, string> = { "compass-config": CONFIG_ID };
  const flow: Record<string, unknown>[] = [
    { id: TAB_ID, type: "tab", label: "Compass editor test" },
    {
      id: CONFIG_ID,
      type: "compass-config",
      name: "Simulator",
      version: 1,
      domain: sim.domain,
      restUrl: sim.rest.url,
      filesUrl: sim.files.url,
      xmppService: sim.xmpp?.service ?? "",
      jidDomain: "",
      apiVersions: "3,2",
      timeout: 15,
      liveness: 15,
      credentials: { username: alice.username, password: alice.password },
    },
  ];
  NODE_TYPES.filter((t) => t !== "compass-config").forEach((type, i) => {
    const id = `c0a55000000001${String(i).padStart(2, "0")}`;
    nodeIds[type] = id;
    const saved = savedProperties(type);
    if (!saved) throw new Error(`no defaults for node type ${type} in src/nodes/defaults.ts`);
    // every node type here has one output
    flow.push({
      id,
      type,
      z: TAB_ID,
      name: "",
      config: CONFIG_ID,
      version: 1,
      ...saved,
      x: 200,
      y: 60 + i * 60,
      wires: [[]],
    });
  });
  return { flow, nodeIds };
}

/** An access token for the editor's adminAuth user (Node-RED's password grant, as the editor's login does). */
export async function adminToken(
  url: string,
  admin: { username: string; password: string },
): Promise<string> {
  const res = await fetch(`${url}auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_id: "node-red-editor", grant_type: "password", scope: "*", ...admin }),
  });
  if (!res.ok) throw new Error(`no admin token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function startEditorStack(options: EditorStackOptions = {}): Promise<EditorStack> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "compass-editor-"));
  let simulator: Simulator | undefined;
  let child: ChildProcess | undefined;
  let log = "";
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child) await stopChild(child);
    if (simulator) await simulator.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  };
  try {
    simulator = await startSimulator({ ...options.simulator, host: "127.0.0.1" });
    linkPackage(userDir);
    const settings = path.join(userDir, "settings.js");
    fs.writeFileSync(settings, settingsFile(userDir, options));
    child = spawn(
      process.execPath,
      [require.resolve("node-red/red.js"), "--userDir", userDir, "--settings", settings],
      {
        cwd: userDir,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...options.env, NODE_RED_ENABLE_PROJECTS: "false" },
      },
    );
    child.stdout!.setEncoding("utf8").on("data", (s: string) => {
      log += s;
    });
    child.stderr!.setEncoding("utf8").on("data", (s: string) => {
      log += s;
    });
    const url = await waitForListening(child, () => log, 30000);
    const { flow, nodeIds } = buildFlow(simulator);
    const auth: Record<string, string> = options.admin
      ? { authorization: `Bearer ${await adminToken(url, options.admin)}` }
      : {};
    const res = await fetch(`${url}flows`, {
      method: "POST",
      headers: { "content-type": "application/json", "Node-RED-Deployment-Type": "full", ...auth },
      body: JSON.stringify(flow),
    });
    if (!res.ok) throw new Error(`deploying the test flow failed: ${res.status} ${await res.text()}`);
    return { url, simulator, nodeIds, pid: child.pid!, userDir, output: () => log, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Debian's Chromium, which playwright-core drives; tests skip without it. */
export const CHROMIUM = "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
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
}

export interface OpenPage {
  page: Page;
  /** page errors and console errors seen since the page opened */
  errors: string[];
}

// biome-ignore lint/suspicious/noExplicitAny: the editor's globals (RED, $) live in the page
declare const RED: any;

/** Resolves once the editor in `page` has loaded the flow with every node in `ids`. */
export async function editorLoaded(page: Page, ids: string[]): Promise<void> {
  await page.waitForFunction(
    // `typeof` first: until the editor's scripts run, RED is not declared at all (`RED?.` would throw).
    (wanted: string[]) =>
      // biome-ignore lint/complexity/useOptionalChain: see above
      typeof RED !== "undefined" && RED.nodes?.node && wanted.every((id) => RED.nodes.node(id)),
    ids,
    { timeout: 20000 },
  );
}

/** A fresh context (own profile state) in `locale`, the editor loaded with the stack's nodes. */
export async function openEditor(browser: Browser, stack: EditorStack, locale: string): Promise<OpenPage> {
  const context = await browser.newContext({ locale, viewport: { width: 1400, height: 900 } });
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
  await page.goto(stack.url);
  await editorLoaded(page, Object.values(stack.nodeIds));
  return { page, errors };
}

/** Opens the edit dialog of node `id` (of `type`) and waits for its form. */
export async function openDialog(page: Page, type: string, id: string): Promise<void> {
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

export async function closeDialog(page: Page, button: "cancel" | "ok", type: string): Promise<void> {
  const prefix = type === "compass-config" ? "node-config-dialog" : "node-dialog";
  await page.locator(`#${prefix}-${button}`).click();
  await page.locator(".red-ui-tray").waitFor({ state: "detached" });
}

/**
 * Mocha hooks for a suite that drives the editor in en-US: a Node-RED stack, Chromium and the
 * opened editor before the suite (skipped, saying so, without Chromium), all stopped after it.
 * The fields are set once `before` has run.
 */
export function useEditor(suite: string): { stack: EditorStack; browser: Browser; editor: OpenPage } {
  const session = {} as { stack: EditorStack; browser: Browser; editor: OpenPage };
  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`    SKIP: chromium is not installed; ${suite} skipped`);
      this.skip();
    }
    session.stack = await startEditorStack();
    session.browser = await launchChromium();
    session.editor = await openEditor(session.browser, session.stack, "en-US");
  });
  after(async () => {
    await session.browser?.close().catch(() => undefined);
    await session.stack?.stop();
  });
  return session;
}
