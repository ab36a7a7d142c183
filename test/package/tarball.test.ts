// The published path: `npm pack` (its prepack builds a clean dist/ from src/ only), the tarball
// installed into a fresh Node-RED user folder (no clone, no link), Node-RED started on it, the
// palette checked in Chromium, an example imported through Import > Examples, the credentials typed
// once into the connection's dialog, and the simulator run FROM THE INSTALLED PACKAGE's bin (from a
// folder outside the user folder) on its default ports, playing traffic: its calls reach the flow.
//
// Needs the npm registry (or npm's cache) for the package's dependencies, and Chromium.

import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { DEFAULT_PORTS } from "../../src/simulator/cli";
import { stopChild } from "../support/editor";
import {
  assertPortsFree,
  CHROMIUM,
  deploy,
  importExample,
  launchChromium,
  loopbackPage,
  type NodeRedChild,
  openEditor,
  PACKAGE_NAME,
  ROOT,
  redNodes,
  startNodeRed,
  waitForDebug,
  waitForSubscribed,
} from "../support/examples";

// biome-ignore lint/suspicious/noExplicitAny: the editor's globals live in the page
declare const RED: any;

const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  "node-red": { nodes: Record<string, string> };
};

/** What is not the project's own: built output, installed modules, the local Node-RED, git's data. */
const NOT_SOURCE = new Set(["node_modules", "dist", ".node-red", ".git"]);

describe("the packed tarball, installed into a fresh Node-RED user folder", function () {
  this.timeout(240000);
  let work = "";
  let tarball = "";
  let userDir = "";
  let red: NodeRedChild | undefined;
  let simulator: ChildProcess | undefined;
  let simulatorOutput = "";
  let browser: Browser | undefined;
  let page: Page;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log("    SKIP: chromium is not installed; package test skipped");
      this.skip();
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), "compass-package-"));
    // pack a copy, so prepack's clean build does not remove the dist/ these tests run from
    const copy = path.join(work, "clone");
    fs.cpSync(ROOT, copy, {
      recursive: true,
      filter: (source) => !NOT_SOURCE.has(path.relative(ROOT, source).split(path.sep)[0]!),
    });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"), "dir");
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
        cwd: copy,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    ) as { filename: string; files: { path: string }[]; entryCount: number; size: number }[];
    tarball = path.join(work, packed[0]!.filename);
    const files = packed[0]!.files.map((f) => f.path);
    console.log(`    tarball: ${packed[0]!.entryCount} files, ${packed[0]!.size} bytes`);
    fs.writeFileSync(path.join(work, "files.json"), JSON.stringify(files));

    userDir = path.join(work, "node-red");
    fs.mkdirSync(userDir);
    fs.writeFileSync(
      path.join(userDir, "package.json"),
      JSON.stringify({ name: "fresh-node-red", private: true }),
    );
    execFileSync(
      "npm",
      ["install", "--no-audit", "--no-fund", "--prefer-offline", "--omit=dev", "--ignore-scripts", tarball],
      { cwd: userDir, stdio: "ignore" },
    );
    red = await startNodeRed(userDir);
    browser = await launchChromium();
    page = await loopbackPage(browser);
    await openEditor(page, red.url);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (simulator) await stopChild(simulator);
    await red?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("holds what users need and nothing else: no source maps, no tests, a clean dist/ from src/", () => {
    const files = JSON.parse(fs.readFileSync(path.join(work, "files.json"), "utf8")) as string[];
    assert.deepEqual(
      files.filter((f) => f.endsWith(".map")),
      [],
    );
    assert.deepEqual(
      files.filter((f) => f.startsWith("dist/") && !f.startsWith("dist/src/")),
      [],
    );
    for (const entry of Object.values(PACKAGE["node-red"].nodes)) {
      assert.ok(files.includes(entry), entry);
      assert.ok(files.includes(entry.replace(/\.js$/, ".html")), entry.replace(/\.js$/, ".html"));
    }
    assert.ok(files.includes("bin/compass-simulator.js"));
    assert.ok(files.includes("dist/src/simulator/cli.js"));
    assert.ok(files.some((f) => f.startsWith("examples/")));
    // what the node files require is in the tarball
    const installed = path.join(userDir, "node_modules", ...PACKAGE_NAME.split("/"));
    for (const entry of Object.values(PACKAGE["node-red"].nodes)) {
      const source = fs.readFileSync(path.join(installed, entry), "utf8");
      for (const [, target] of source.matchAll(/require\("(\.[^"]+)"\)/g)) {
        const resolved = path.relative(
          installed,
          path.resolve(path.dirname(path.join(installed, entry)), target!),
        );
        assert.ok(
          files.includes(resolved) || files.includes(`${resolved}.js`),
          `${entry} requires ${target}, not in the tarball`,
        );
      }
    }
    assert.ok(!fs.lstatSync(installed).isSymbolicLink(), "installed from the tarball, not linked");
  });

  it("the palette lists every node of the package", async () => {
    const shown = await page
      .locator('.red-ui-palette-node[data-palette-type^="compass-"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-palette-type")));
    const expected = Object.keys(PACKAGE["node-red"].nodes).filter((t) => t !== "compass-config");
    assert.deepEqual([...shown].sort(), expected.sort());
  });

  it("an imported example gets calls from the installed package's own simulator once credentials are typed in", async () => {
    await assertPortsFree(Object.values(DEFAULT_PORTS));
    const bin = path.join(userDir, "node_modules", ...PACKAGE_NAME.split("/"), "bin", "compass-simulator.js");
    // run from outside the user folder, as `npx -p @compass-flows/node-red-compass compass-simulator` would
    simulator = spawn(process.execPath, [bin, "--traffic", "300"], {
      cwd: os.tmpdir(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    simulator.stdout!.setEncoding("utf8").on("data", (s: string) => {
      simulatorOutput += s;
    });
    simulator.stderr!.setEncoding("utf8").on("data", (s: string) => {
      simulatorOutput += s;
    });
    const deadline = Date.now() + 15000;
    while (!/Press Ctrl\+C/.test(simulatorOutput)) {
      assert.ok(Date.now() < deadline, `the simulator did not start:\n${simulatorOutput}`);
      assert.equal(simulator.exitCode, null, `the simulator exited:\n${simulatorOutput}`);
      await page.waitForTimeout(100);
    }
    assert.match(simulatorOutput, new RegExp(`REST API:\\s+http://127\\.0\\.0\\.1:${DEFAULT_PORTS.rest}`));
    assert.match(simulatorOutput, new RegExp(`XMPP:\\s+xmpp://127\\.0\\.0\\.1:${DEFAULT_PORTS.xmpp}`));

    const example = await importExample(page, "compass-call-event - caller pop");
    assert.equal(example.conflict, false, "a fresh editor has no connection yet");
    // the palette user types the credentials once, in the connection's own dialog
    const configId = await page.evaluate(() => {
      let id = "";
      RED.nodes.eachConfig((n: { id: string; type: string }) => {
        if (n.type === "compass-config") id = n.id;
      });
      return id;
    });
    await page.evaluate((id: string) => RED.editor.editConfig("", "compass-config", id), configId);
    await page.locator("#node-config-input-username").fill("alice");
    await page.locator("#node-config-input-password").fill("compass-alice");
    await page.locator("#node-config-dialog-ok").click();
    await page.locator(".red-ui-tray").waitFor({ state: "detached" });
    await deploy(page);
    await waitForSubscribed(page, example.tab, 20000);
    const pop = example.nodes["caller pop"]!.id;
    // the demo traffic's inbound calls ring; the example's CRM does not know their numbers
    const line = await waitForDebug(page, pop, /Unknown caller \+316\d{8} is calling /, 60000);
    assert.doesNotMatch(line, /undefined/);
    assert.deepEqual(await redNodes(page, example.tab), []);
  });
});
