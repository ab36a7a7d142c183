#!/usr/bin/env node
// `npm start`: the product on its embedded default. Starts the platform simulator on loopback,
// then Node-RED with this package installed into a project-local user folder (.node-red/, ignored
// by git), deploys a starter flow wired to the simulator the first time, and prints the editor URL.

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { startSimulator } = require("../dist/src/simulator");

const root = path.resolve(__dirname, "..");
const userDir = path.join(root, ".node-red");
const pkg = require(path.join(root, "package.json"));
const editorPort = Number(process.env.PORT || 1880);

async function main() {
  const simulator = await startSimulator({
    host: "127.0.0.1",
    restPort: Number(process.env.COMPASS_SIM_REST_PORT || 8780),
    xmppPort: Number(process.env.COMPASS_SIM_XMPP_PORT || 8722),
    websocketPort: Number(process.env.COMPASS_SIM_WS_PORT || 8781),
    filesPort: Number(process.env.COMPASS_SIM_FILES_PORT || 8782),
    traffic: { callsPerMinute: Number(process.env.COMPASS_SIM_TRAFFIC || 6) },
  });
  const admin = simulator.credentials.find((c) => c.username === "alice") || simulator.credentials[0];

  linkPackageInto(userDir);
  const firstRun = !fs.existsSync(path.join(userDir, "flows.json"));
  const red = spawn(
    process.execPath,
    [require.resolve("node-red/red.js"), "--userDir", userDir, "--port", String(editorPort)],
    { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, NODE_RED_ENABLE_PROJECTS: "false" } },
  );

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

  const editor = `http://127.0.0.1:${editorPort}/`;
  await waitForEditor(editor);
  if (firstRun) await deployStarterFlow(editor, simulator, admin);

  console.log("");
  console.log(
    `Compass simulator  REST ${simulator.rest.url}   XMPP ${simulator.xmpp ? simulator.xmpp.service : "-"}`,
  );
  console.log(
    `                   users: ${simulator.credentials.map((c) => `${c.username}/${c.password}`).join("  ")}`,
  );
  console.log(`Node-RED editor    ${editor}   (user folder ${path.relative(root, userDir)}/)`);
  console.log("Press Ctrl-C to stop both.");
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

/** Deploy the starter flow through the admin API, so the credentials go to the credential store. */
async function deployStarterFlow(editor, simulator, user) {
  const flow = JSON.parse(fs.readFileSync(path.join(root, "examples", "starter flow.json"), "utf8"));
  const tab = { id: "compass.starter.tab", type: "tab", label: "Compass starter" };
  const nodes = flow.map((n) => (n.type === "compass-config" || n.type === "tab" ? n : { ...n, z: tab.id }));
  for (const n of nodes) {
    if (n.type === "compass-config") {
      n.restUrl = simulator.rest.url;
      n.filesUrl = simulator.files.url;
      if (simulator.xmpp) n.xmppService = simulator.xmpp.service;
      n.credentials = { username: user.username, password: user.password };
    }
  }
  const res = await fetch(`${editor}flows`, {
    method: "POST",
    headers: { "content-type": "application/json", "node-red-deployment-type": "full" },
    body: JSON.stringify([tab, ...nodes]),
  });
  if (!res.ok) throw new Error(`deploying the starter flow failed: ${res.status} ${await res.text()}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
