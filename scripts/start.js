#!/usr/bin/env node
// `npm start`: the product on its embedded default. Starts the platform simulator on its fixed
// loopback ports, then Node-RED with this package installed into a project-local user folder
// (.node-red/, ignored by git), deploys the starter flow and the wallboard page the first time, and
// prints the editor's and the wallboard's URLs.
//
// The editor listens on 127.0.0.1 only: it holds stored credentials and runs function nodes, and
// has no login. `npm start -- --open` listens on every interface instead, with a warning.
//
// The browser tests require this file for the same settings and first deploy (see the exports).

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const pkg = require(path.join(root, "package.json"));
/** The examples npm start deploys the first time, one tab each. */
const FIRST_RUN_EXAMPLES = [
  { file: "starter flow.json", tab: { id: "c0a5500000000100", type: "tab", label: "Compass starter" } },
  {
    file: "compass-queue-event - wallboard page.json",
    tab: { id: "c0a5500000000109", type: "tab", label: "Wallboard" },
  },
];

/**
 * Node-RED's settings for npm start: loopback unless `open`; no tour, update or telemetry dialogs
 * over the starter flow on first open; no projects; no palette catalogue fetches.
 */
function settingsSource({ open }) {
  const settings = {
    uiHost: open ? "0.0.0.0" : "127.0.0.1",
    flowFile: "flows.json",
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false, ui: false },
    editorTheme: { projects: { enabled: false }, tours: false },
    logging: { console: { level: "info", metrics: false, audit: false } },
  };
  return (
    "// Written by npm start (scripts/start.js) on every start: change that file, not this one.\n" +
    `module.exports = ${JSON.stringify(settings, null, 2)};\n`
  );
}

/** Writes `dir`/settings.js and returns its path. */
function writeSettings(dir, options = { open: false }) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "settings.js");
  fs.writeFileSync(file, settingsSource(options));
  return file;
}

/** Install this package into the user folder as a link, so Node-RED loads it like any installed module. */
function linkPackageInto(dir) {
  const target = path.join(dir, "node_modules", ...pkg.name.split("/"));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  try {
    const existing = fs.readlinkSync(target);
    if (path.resolve(path.dirname(target), existing) === root) return;
    fs.unlinkSync(target);
  } catch {
    fs.rmSync(target, { recursive: true, force: true });
  }
  fs.symlinkSync(root, target, "dir");
  const manifest = path.join(dir, "package.json");
  if (!fs.existsSync(manifest)) {
    const body = { name: "node-red-project", private: true, dependencies: { [pkg.name]: `file:${root}` } };
    fs.writeFileSync(manifest, `${JSON.stringify(body, null, 2)}\n`);
  }
}

/**
 * The first-run flows: each example on its own tab, with the one shared connection (the examples'
 * "Compass simulator" config node) holding `user`'s credentials for the credential store.
 */
function firstRunFlows(user) {
  const flows = [];
  let config;
  for (const { file, tab } of FIRST_RUN_EXAMPLES) {
    const nodes = JSON.parse(fs.readFileSync(path.join(root, "examples", file), "utf8"));
    flows.push(tab);
    for (const n of nodes) {
      if (n.type === "compass-config") config = config || n;
      else if (n.z === undefined && !isConfigNode(n)) flows.push({ ...n, z: tab.id });
      else flows.push(n);
    }
  }
  flows.push({ ...config, credentials: { username: user.username, password: user.password } });
  return flows;
}

/** Config nodes in the examples have no position on a tab. */
function isConfigNode(n) {
  return n.x === undefined && n.y === undefined;
}

/** Deploys the first-run flows through the admin API, so the credentials go to the credential store. */
async function deployFirstRunFlows(editorUrl, user) {
  const res = await fetch(`${editorUrl}flows`, {
    method: "POST",
    headers: { "content-type": "application/json", "node-red-deployment-type": "full" },
    body: JSON.stringify(firstRunFlows(user)),
  });
  if (!res.ok) throw new Error(`deploying the starter flow failed: ${res.status} ${await res.text()}`);
}

/** Node-RED (this checkout's) in `userDir` with `settings`, on `port`. */
function spawnNodeRed(userDir, settings, port, stdio) {
  return spawn(
    process.execPath,
    [
      require.resolve("node-red/red.js"),
      "--userDir",
      userDir,
      "--settings",
      settings,
      "--port",
      String(port),
    ],
    {
      cwd: userDir,
      stdio,
      // PORT: the examples that call this editor's own http in nodes (caller pop) read it
      env: { ...process.env, PORT: String(port), NODE_RED_ENABLE_PROJECTS: "false" },
    },
  );
}

async function waitForEditor(url) {
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(`${url}settings`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Node-RED did not start at ${url}`);
}

async function main() {
  const open = process.argv.includes("--open");
  // COMPASS_NODE_RED_DIR: another user folder (the tests use a temporary one)
  const userDir = path.resolve(process.env.COMPASS_NODE_RED_DIR || path.join(root, ".node-red"));
  const editorPort = Number(process.env.PORT || 1880);
  const { startSimulator } = require("../dist/src/simulator");
  const { DEFAULT_PORTS } = require("../dist/src/simulator/cli");
  const callsPerMinute = Number(process.env.COMPASS_SIM_TRAFFIC ?? 6);
  let simulator;
  try {
    simulator = await startSimulator({
      host: "127.0.0.1",
      restPort: Number(process.env.COMPASS_SIM_REST_PORT || DEFAULT_PORTS.rest),
      xmppPort: Number(process.env.COMPASS_SIM_XMPP_PORT || DEFAULT_PORTS.xmpp),
      websocketPort: Number(process.env.COMPASS_SIM_WS_PORT || DEFAULT_PORTS.websocket),
      filesPort: Number(process.env.COMPASS_SIM_FILES_PORT || DEFAULT_PORTS.files),
      // COMPASS_SIM_TRAFFIC: demo calls a minute; 0 for none
      traffic: callsPerMinute > 0 ? { callsPerMinute } : undefined,
    });
  } catch (err) {
    if (err && err.code === "EADDRINUSE") {
      throw new Error(
        `Port ${err.port} is already in use: is npm start or compass-simulator running already? ` +
          "Stop it, or set COMPASS_SIM_REST_PORT / COMPASS_SIM_XMPP_PORT / COMPASS_SIM_WS_PORT / COMPASS_SIM_FILES_PORT.",
      );
    }
    throw err;
  }
  const admin = simulator.credentials.find((c) => c.username === "alice") || simulator.credentials[0];

  linkPackageInto(userDir);
  const settings = writeSettings(userDir, { open });
  const firstRun = !fs.existsSync(path.join(userDir, "flows.json"));
  const red = spawnNodeRed(userDir, settings, editorPort, ["ignore", "pipe", "inherit"]);

  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    red.kill("SIGINT");
    await simulator.close();
    process.exit(code);
  };
  process.on("SIGINT", () => stop(0));
  process.on("SIGTERM", () => stop(0));
  red.on("exit", (code) => stop(code ?? 0));

  // Node-RED's output goes on to the terminal; a deploy before it has loaded its (empty) credentials
  // file would have the credentials it brings overwritten by that load, hence "Started flows"
  const started = new Promise((resolve) => {
    let seen = "";
    red.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      if (seen !== null) {
        seen += chunk.toString();
        if (/Started flows/.test(seen)) {
          seen = null;
          resolve();
        }
      }
    });
  });
  const editor = `http://127.0.0.1:${editorPort}/`;
  await waitForEditor(editor);
  await started;
  if (firstRun) await deployFirstRunFlows(editor, admin);

  console.log("");
  console.log(
    `Compass simulator  REST ${simulator.rest.url}   XMPP ${simulator.xmpp ? simulator.xmpp.service : "-"}   reports ${simulator.files.url}`,
  );
  console.log(
    `                   users: ${simulator.credentials.map((c) => `${c.username}/${c.password}`).join("  ")}`,
  );
  console.log(`Node-RED editor    ${editor}   (user folder ${path.relative(root, userDir)}/)`);
  console.log(`Queue wallboard    ${editor}wallboard`);
  if (open) {
    console.log("");
    console.log(
      "WARNING: --open: the editor listens on every network interface, without a login. Anyone who can " +
        "reach this machine can read the stored credentials and run code here. Use it on a trusted network only.",
    );
  }
  console.log("Press Ctrl-C to stop both.");
}

module.exports = {
  writeSettings,
  linkPackageInto,
  spawnNodeRed,
  firstRunFlows,
  deployFirstRunFlows,
  FIRST_RUN_EXAMPLES,
};

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
