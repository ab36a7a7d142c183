// Every example as a user meets it: Node-RED with npm start's settings and first deploy (the starter
// flow and the wallboard page, holding the one shared connection with alice's credentials), the
// simulator on its fixed default ports, and Chromium importing each example through the editor's
// Menu > Import > Examples, deploying it, and seeing its key output: a debug sidebar line, an
// http response, a websocket-fed page, a file line. No node may be left red. Importing them all
// leaves one connection.
//
// The simulator plays each example's scenario in this process (runScenario on its state), so the
// test knows what should arrive. COMPASS_SCREENSHOTS=1 rewrites docs/images/*.png from this run.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import type { Simulator } from "../../src/simulator";
import { planScenario, runScenario } from "../../src/simulator/scenarios";
import { dialplanForUser } from "../../src/simulator/scenarios/parts";
import {
  CHROMIUM,
  clickInject,
  connections,
  debugTexts,
  deploy,
  type ImportedExample,
  importExample,
  launchChromium,
  listExamples,
  loopbackPage,
  type NodeRedChild,
  openEditor,
  ROOT,
  redNodes,
  SHARED_CONFIG_ID,
  start,
  startFixedSimulator,
  startNodeRed,
  waitForDebug,
  waitForSubscribed,
} from "../support/examples";
import { waitFor } from "../support/wait";

// biome-ignore lint/suspicious/noExplicitAny: the editor's globals live in the page
declare const RED: any;
// biome-ignore lint/suspicious/noExplicitAny: the wallboard page's document
declare const document: any;
/** The wallboard page script's board and its render (top-level bindings in that page). */
declare let tiles: { name: string }[];
declare function render(): void;

const SCREENSHOTS = process.env.COMPASS_SCREENSHOTS ? path.join(ROOT, "docs", "images") : "";
/** Scenarios run 50x faster than real time. */
const FAST = 0.02;

describe("examples, imported through the editor with the simulator on its default ports", function () {
  this.timeout(60000);
  let sim: Simulator | undefined;
  let red: NodeRedChild | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let userDir = "";
  const imported = new Map<string, ImportedExample>();

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log("    SKIP: chromium is not installed; example tests skipped");
      this.skip();
    }
    if (SCREENSHOTS) fs.mkdirSync(SCREENSHOTS, { recursive: true });
    sim = await startFixedSimulator();
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), "compass-examples-"));
    start.linkPackageInto(userDir);
    red = await startNodeRed(userDir);
    await start.deployFirstRunFlows(red.url, { username: "alice", password: "compass-alice" });
    browser = await launchChromium();
    page = await loopbackPage(browser);
    await openEditor(page, red.url);
    // the live model is loaded once the starter's connection answers the editor's queue list
    await waitFor(() => sim!.xmpp!.endpoint !== undefined, 1000);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await red?.stop();
    await sim?.close();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed" && red) {
      const problems = red
        .output()
        .split("\n")
        .filter((l) => /\[(error|warn)\] \[/.test(l));
      console.log(problems.slice(-20).join("\n"));
    }
  });

  async function tabNode(z: string, name: string): Promise<string> {
    const found = await page.evaluate(
      ({ z, name }) => RED.nodes.filterNodes({ z }).find((n: { name: string }) => n.name === name)?.id,
      { z, name },
    );
    assert.ok(found, `no node "${name}" on tab ${z}`);
    return found;
  }

  /** Imports through the menu and deploys; fails when the import added a second connection. */
  async function importAndDeploy(title: string): Promise<ImportedExample> {
    const example = await importExample(page, title);
    imported.set(title, example);
    assert.deepEqual(await connections(page), [{ id: SHARED_CONFIG_ID, name: "Compass simulator" }]);
    await deploy(page);
    // the import kept the connection's credentials (typed once)
    const credentials = await fetch(`${red!.url}credentials/compass-config/${SHARED_CONFIG_ID}`);
    assert.deepEqual(
      await credentials.json(),
      { username: "alice", has_password: true, ca: "" },
      "credentials kept",
    );
    await waitForSubscribed(page, example.tab);
    // the connection reloads its model after a new subscription; events from before that are dropped
    await page.waitForTimeout(500);
    return example;
  }

  async function noRedNodes(z: string): Promise<void> {
    // give status updates from the deploy a moment to arrive
    await page.waitForTimeout(300);
    assert.deepEqual(await redNodes(page, z), []);
  }

  it("npm start's first deploy holds the starter flow and the wallboard with the one shared connection", async () => {
    assert.deepEqual(await connections(page), [{ id: SHARED_CONFIG_ID, name: "Compass simulator" }]);
    const credentials = await fetch(`${red!.url}credentials/compass-config/${SHARED_CONFIG_ID}`);
    assert.deepEqual(await credentials.json(), { username: "alice", has_password: true, ca: "" });
    const labels = await page.evaluate(() => {
      const out: string[] = [];
      RED.nodes.eachWorkspace((w: { label: string }) => out.push(w.label));
      return out;
    });
    assert.deepEqual(labels, ["Compass starter", "Wallboard"]);
    // the wallboard npm start prints the address of
    const wallboard = await fetch(`${red!.url}wallboard`);
    assert.equal(wallboard.status, 200);
    assert.match(await wallboard.text(), /<title>Queue wallboard<\/title>[\s\S]*"name":"Support"/);
  });

  it("Import > Examples lists every example file of the package", async () => {
    const files = fs
      .readdirSync(path.join(ROOT, "examples"))
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5))
      .sort();
    const listed = await listExamples(page);
    for (const file of files) assert.ok(listed.includes(file), `Import > Examples lists "${file}"`);
  });

  it("starter flow: one debug line per finished call says who called whom and the outcome", async () => {
    const { tab } = await importAndDeploy("starter flow");
    await runScenario(sim!.state, "inbound-answered", { timeScale: FAST });
    const line = await waitForDebug(page, await tabNode(tab, "calls"), /-> .*: answered by \S+/);
    assert.doesNotMatch(line, /\{|undefined/);
    await noRedNodes(tab);
  });

  it("compass-api - read your company: the inject button shows the company", async () => {
    const { tab } = await importAndDeploy("compass-api - read your company");
    await clickInject(page, await tabNode(tab, "go"));
    await waitForDebug(page, await tabNode(tab, "company"), /Simulated Company BV/);
    await noRedNodes(tab);
  });

  it("compass-call-event - missed call alert: a missed call gives one alert line", async () => {
    const { tab } = await importAndDeploy("compass-call-event - missed call alert");
    await runScenario(sim!.state, "inbound-missed", { timeScale: FAST });
    await waitForDebug(
      page,
      await tabNode(tab, "missed calls"),
      /^"?Missed call from .*\+316\d{8}.* after \d+ s/,
    );
    await noRedNodes(tab);
  });

  it("compass-call-event - caller pop: a ringing call gives the caller's name from the example's CRM", async () => {
    const { tab } = await importAndDeploy("compass-call-event - caller pop");
    const state = sim!.state;
    const alice = state.users().find((u) => u.username === "alice")!;
    // a number the example's CRM knows; the platform itself has no name for it
    const call = state.startCall(state.externalCallpoint("+31612345678", ""), dialplanForUser(state, alice));
    state.routeCall(call.id, "DESTINATION", state.userCallpoint(alice.id));
    state.setCallState(call.id, "RINGING");
    try {
      const line = await waitForDebug(page, await tabNode(tab, "caller pop"), /Jan de Boer/);
      assert.match(line, /Jan de Boer \(Bakkerij De Boer, customer since 2019\) is calling Alice de Vries/);
    } finally {
      state.endCall(call.id, "SOURCE_HANGUP");
    }
    await noRedNodes(tab);
  });

  it("compass-call-event - call log: a finished call appends one CSV line to compass-calls.csv", async () => {
    const { tab } = await importAndDeploy("compass-call-event - call log");
    const file = path.join(userDir, "compass-calls.csv");
    await runScenario(sim!.state, "inbound-answered", { timeScale: FAST });
    await waitFor(
      () => fs.existsSync(file) && fs.readFileSync(file, "utf8").includes("\n"),
      15000,
      "a CSV line",
    );
    const [line] = fs.readFileSync(file, "utf8").trim().split("\n");
    const cells = line!.split(",");
    assert.equal(cells.length, 11, line);
    assert.match(cells[0]!, /^\d{4}-\d\d-\d\dT/);
    assert.equal(cells[1], "inbound");
    assert.match(cells[2]!, /^\+316\d{8}$/);
    assert.equal(cells[7], "answered");
    await noRedNodes(tab);
  });

  it("compass-call-event - call-back list: a missed caller is listed at GET /callbacks", async () => {
    const { tab } = await importAndDeploy("compass-call-event - call-back list");
    await runScenario(sim!.state, "inbound-missed", { timeScale: FAST, seed: 7 });
    let list: { number: string; attempts: number }[] = [];
    const deadline = Date.now() + 15000;
    while (list.length === 0 && Date.now() < deadline) {
      list = (await (await fetch(`${red!.url}callbacks`)).json()) as typeof list;
      if (list.length === 0) await page.waitForTimeout(200);
    }
    assert.equal(list.length, 1, JSON.stringify(list));
    assert.match(list[0]!.number, /^\+316\d{8}$/);
    assert.equal(list[0]!.attempts, 1);
    await noRedNodes(tab);
  });

  it("compass-dial - click to dial: Alice calls Carol and the new call's id shows", async () => {
    const { tab } = await importAndDeploy("compass-dial - click to dial");
    await clickInject(page, await tabNode(tab, "call Carol"));
    await waitForDebug(page, await tabNode(tab, "new call"), /^"?call \S+ to 1003/);
    for (const c of sim!.state.activeCalls()) sim!.state.endCall(c.id, "SOURCE_HANGUP");
    await noRedNodes(tab);
  });

  it("compass-dpswitch - night switch on holidays: show gives the Day/Night setting", async () => {
    const { tab } = await importAndDeploy("compass-dpswitch - night switch on holidays");
    await clickInject(page, await tabNode(tab, "show"));
    await waitForDebug(page, await tabNode(tab, "switch"), /Day\/Night/);
    await noRedNodes(tab);
  });

  it("compass-queue-agent - agents on a schedule: log in works first time, then log out", async () => {
    const { tab } = await importAndDeploy("compass-queue-agent - agents on a schedule");
    const done = await tabNode(tab, "done");
    await clickInject(page, await tabNode(tab, "08:30 weekdays: log in"));
    await waitForDebug(page, done, /login: user 1005, queue 2001/);
    await clickInject(page, await tabNode(tab, "17:30 weekdays: log out"));
    await waitForDebug(page, done, /logout: user 1005, queue 2001/);
    await noRedNodes(tab);
  });

  it("compass-state - who is logged in: the names of logged-in users show after the deploy", async () => {
    const { tab } = await importAndDeploy("compass-state - who is logged in");
    await waitForDebug(page, await tabNode(tab, "logged in"), /Alice de Vries/);
    await noRedNodes(tab);
  });

  it("compass-user-event - presence board: a status change gives one line per user", async () => {
    const { tab } = await importAndDeploy("compass-user-event - presence board");
    const presence = await tabNode(tab, "presence");
    await waitForDebug(page, presence, /Alice de Vries: (available|offline|do not disturb)/);
    await runScenario(sim!.state, "user-status-changes", { timeScale: FAST });
    await waitForDebug(page, presence, /: do not disturb/);
    await noRedNodes(tab);
  });

  it("compass-user-status - do not disturb: Bob's status shows at start, and the toggle sets it", async () => {
    const { tab } = await importAndDeploy("compass-user-status - do not disturb");
    const status = await tabNode(tab, "status");
    await waitForDebug(page, status, /ALL/);
    await clickInject(page, await tabNode(tab, "do not disturb"));
    await waitForDebug(page, status, /NONE/);
    await clickInject(page, await tabNode(tab, "take calls again"));
    await waitFor(
      () => sim!.state.users().find((u) => u.id === "1002")?.receiveCalls === "ALL",
      10000,
      "ALL",
    );
    await noRedNodes(tab);
  });

  it("compass-call-control - queue pickup and listen in: a Sales caller shows, and Alice's pickup answers", async () => {
    const { tab } = await importAndDeploy("compass-call-control - queue pickup and listen in");
    // the example watches Sales: a seed whose caller the scenario puts in Sales
    const params = { reoffers: 1 };
    const seed = [...Array(50).keys()].find((n) =>
      planScenario(sim!.state, "queue-abandoned", { seed: n, params }).steps.some((st) =>
        /Sales/.test(st.label),
      ),
    );
    assert.ok(seed !== undefined, "no seed puts the caller in Sales");
    const run = runScenario(sim!.state, "queue-abandoned", { timeScale: 0.3, seed, params });
    try {
      await waitForDebug(page, await tabNode(tab, "waiting / left"), /queue\.caller\.joined/);
      await clickInject(page, await tabNode(tab, "Alice picks up"));
      // the pickup answers, or the platform refuses it and the catch node says why: both are the example's output
      const picked = await tabNode(tab, "picked up");
      const why = await tabNode(tab, "why");
      await waitFor2(
        async () => (await debugTexts(page, picked)).length + (await debugTexts(page, why)).length > 0,
        "the pickup's answer or the reason it was refused",
      );
    } finally {
      run.cancel();
      await run.catch(() => undefined);
    }
    await noRedNodes(tab);
  });

  it("compass-cdr - call records: today's agent logins come from the reports host", async () => {
    const { tab } = await importAndDeploy("compass-cdr - call records");
    await clickInject(page, await tabNode(tab, "today's agent logins"));
    const logins = await tabNode(tab, "logins, pauses");
    const why = await tabNode(tab, "why");
    await waitFor2(
      async () => (await debugTexts(page, logins)).length > 0 || (await debugTexts(page, why)).length > 0,
      "the user events report",
    );
    assert.deepEqual(await debugTexts(page, why), [], "the report was refused");
    await noRedNodes(tab);
  });

  /** The numbers a wallboard shows for `queue`, read from its data-field cells. */
  async function tile(board: Page, queue: string): Promise<Record<string, string>> {
    return board.evaluate((name: string) => {
      const out: Record<string, string> = {};
      const el = document.querySelector(`[data-queue="${name}"]`);
      if (!el) return out;
      for (const cell of el.querySelectorAll("[data-field]"))
        out[cell.dataset.field] = cell.textContent.trim();
      return out;
    }, queue);
  }

  /** Plays a caller into Support who waits and then hangs up, and watches the board follow it. */
  async function watchBoardFollowAQueueCall(board: Page, shot: string): Promise<void> {
    await board.locator('[data-queue="Support"]').waitFor({ timeout: 15000 });
    const before = await tile(board, "Support");
    assert.equal(before.waiting, "0");
    assert.equal(before.longestWait, "0:00");
    assert.match(before.loggedIn!, /^\d+$/);
    // slow enough for the caller to wait several seconds, so the page's count is seen going up
    const run = runScenario(sim!.state, "queue-abandoned", { timeScale: 0.3, params: { reoffers: 1 } });
    const seconds = (mss: string | undefined) => {
      const [m, sec] = (mss ?? "0:00").split(":").map(Number);
      return m! * 60 + sec!;
    };
    let during: Record<string, string> = {};
    await waitFor2(async () => {
      during = await tile(board, "Support");
      return during.waiting === "1" && seconds(during.longestWait) >= 1;
    }, "a caller waiting, with a wait that counts up");
    const first = seconds(during.longestWait);
    await waitFor2(
      async () => {
        const now = await tile(board, "Support");
        assert.equal(now.waiting, "1", "the caller left before the wait was seen counting up");
        return seconds(now.longestWait) > first;
      },
      "the longest wait counting up live",
      5000,
    );
    if (SCREENSHOTS) await board.screenshot({ path: path.join(SCREENSHOTS, shot) });
    await run;
    await waitFor2(async () => {
      const after = await tile(board, "Support");
      return after.waiting === "0" && Number(after.abandoned) >= Number(before.abandoned) + 1;
    }, "the caller counted as abandoned");
  }

  async function waitFor2(check: () => Promise<boolean>, what: string, timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
      await page.waitForTimeout(200);
    }
  }

  it("compass-queue-event - wallboard page: the page at /wallboard follows a queue call live", async () => {
    // npm start deployed this example already; a user importing it again would first remove that tab
    await page.evaluate(() => RED.workspaces.delete(RED.nodes.workspace("c0a5500000000109")));
    const { tab } = await importAndDeploy("compass-queue-event - wallboard page");
    const board = await loopbackPage(browser!, 1920, 1080);
    try {
      await board.goto(`${red!.url}wallboard`);
      await watchBoardFollowAQueueCall(board, "wallboard.png");
      // six queues fit a 1920x1080 screen without scrolling: the page's own render, given six tiles
      const fits = await board.evaluate(() => {
        // the page script's own globals (top-level let and function)
        const one = tiles[0]!;
        tiles = ["A", "B", "C", "D", "E", "F"].map((n) => ({ ...one, name: `Queue ${n}` }));
        render();
        const sections = [...document.querySelectorAll("section.queue")];
        const height = document.documentElement.clientHeight;
        return {
          count: sections.length,
          inside: sections.every(
            (el: { getBoundingClientRect(): { bottom: number } }) =>
              el.getBoundingClientRect().bottom <= height,
          ),
          scrolls: document.documentElement.scrollHeight > height,
        };
      });
      assert.deepEqual(fits, { count: 6, inside: true, scrolls: false });
      // while the page is open (the websocket node shows red "disconnected" with no page open)
      await noRedNodes(tab);
    } finally {
      await board.context().close();
    }
  });

  it("dashboard 2.0 - queue wallboard: the dashboard page follows a queue call live", async function () {
    const dashboard = await page.evaluate(() => Boolean(RED.nodes.getType("ui-template")));
    if (!dashboard) {
      console.log("    SKIP: @flowfuse/node-red-dashboard is not installed");
      this.skip();
    }
    const { tab } = await importAndDeploy("dashboard 2.0 - queue wallboard");
    const board = await loopbackPage(browser!, 1920, 1080);
    try {
      await board.goto(`${red!.url}dashboard/wallboard`);
      await watchBoardFollowAQueueCall(board, "wallboard-dashboard.png");
      await noRedNodes(tab);
    } finally {
      await board.context().close();
    }
  });

  it("after importing every example there is still one connection, and the editor screenshot", async () => {
    assert.ok(imported.size >= 10, `only ${imported.size} examples imported`);
    assert.ok(
      [...imported.values()].filter((e) => e.conflict).length === imported.size,
      "every import met the existing connection and kept it",
    );
    assert.deepEqual(await connections(page), [{ id: SHARED_CONFIG_ID, name: "Compass simulator" }]);
    if (SCREENSHOTS) {
      // the starter flow npm start deploys, with the debug lines the examples above left
      await page.evaluate(() => RED.workspaces.show("c0a5500000000100"));
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(SCREENSHOTS, "editor.png") });
    }
  });
});
