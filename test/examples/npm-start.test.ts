// `npm start` itself (scripts/start.js, run as `node scripts/start.js` after the build): the
// simulator on its fixed default ports, Node-RED on 127.0.0.1 only with no tour or update dialogs,
// the starter flow and the wallboard deployed with alice's credentials, both URLs printed; and
// `--open` listening on every interface with a warning. A temporary user folder
// (COMPASS_NODE_RED_DIR) keeps the project's .node-red/ untouched.

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_PORTS } from "../../src/simulator/cli";
import { stopChild } from "../support/editor";
import { assertPortsFree, ROOT, SHARED_CONFIG_ID } from "../support/examples";
import { freePort } from "../support/prosody";

interface Started {
  child: ChildProcess;
  output(): string;
  port: number;
  userDir: string;
}

async function npmStart(args: string[]): Promise<Started> {
  await assertPortsFree(Object.values(DEFAULT_PORTS));
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "compass-start-"));
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, "scripts", "start.js"), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PORT: String(port), COMPASS_NODE_RED_DIR: userDir, COMPASS_SIM_TRAFFIC: "0" },
  });
  let log = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => {
    log += s;
  });
  child.stderr!.setEncoding("utf8").on("data", (s: string) => {
    log += s;
  });
  const deadline = Date.now() + 60000;
  while (!/Press Ctrl-C/.test(log)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stopChild(child);
      fs.rmSync(userDir, { recursive: true, force: true });
      throw new Error(`npm start did not come up:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => log, port, userDir };
}

describe("npm start (scripts/start.js)", function () {
  this.timeout(90000);
  let started: Started | undefined;

  afterEach(async () => {
    if (!started) return;
    const { child, userDir } = started;
    started = undefined;
    await stopChild(child);
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it("serves the editor on 127.0.0.1 only, without tour or update dialogs, and prints both URLs", async () => {
    started = await npmStart([]);
    const { port, userDir } = started;
    const out = started.output();
    assert.match(out, new RegExp(`Node-RED editor\\s+http://127\\.0\\.0\\.1:${port}/`));
    assert.match(out, new RegExp(`Queue wallboard\\s+http://127\\.0\\.0\\.1:${port}/wallboard`));
    assert.match(out, /REST http:\/\/127\.0\.0\.1:8780\s+XMPP xmpp:\/\/127\.0\.0\.1:8722/);
    assert.doesNotMatch(out, /WARNING/);
    const settings = require(path.join(userDir, "settings.js"));
    assert.equal(settings.uiHost, "127.0.0.1");
    assert.equal(settings.editorTheme.tours, false);
    assert.deepEqual(settings.telemetry, { enabled: false, updateNotification: false });
    // the editor's own settings, as the browser reads them
    const editor = (await (await fetch(`http://127.0.0.1:${port}/settings`)).json()) as {
      editorTheme?: { tours?: boolean };
    };
    assert.equal(editor.editorTheme?.tours, false);
    const credentials = await fetch(
      `http://127.0.0.1:${port}/credentials/compass-config/${SHARED_CONFIG_ID}`,
    );
    assert.deepEqual(await credentials.json(), { username: "alice", has_password: true, ca: "" });
    // the wallboard answers 503 with a "reload in a few seconds" while the connection loads, then the page
    let wallboard = await fetch(`http://127.0.0.1:${port}/wallboard`);
    for (let i = 0; i < 100 && wallboard.status === 503; i++) {
      assert.match(await wallboard.text(), /reload in a few seconds/);
      await new Promise((r) => setTimeout(r, 200));
      wallboard = await fetch(`http://127.0.0.1:${port}/wallboard`);
    }
    assert.equal(wallboard.status, 200);
    assert.match(await wallboard.text(), /<title>Queue wallboard<\/title>/);
  });

  it("--open listens on every interface and warns that the editor has no login", async () => {
    started = await npmStart(["--open"]);
    assert.match(
      started.output(),
      /WARNING: --open: the editor listens on every network interface, without a login/,
    );
    const settings = require(path.join(started.userDir, "settings.js"));
    assert.equal(settings.uiHost, "0.0.0.0");
  });
});
