// One case of the end-to-end bench, in its own process (started by e2e.bench.ts with an IPC
// channel): a bare @xmpp/client counting stanzas ("bare"), or Node-RED embedded here with one of
// three flows that all end in the same counting function node:
//   do-nothing  function node with @xmpp/client (functionExternalModules) -> counter
//   package     compass-config -> compass call event -> counter
//   generic     function node with @xmpp/client -> core xml node -> function extracting fields -> counter
// The parent asks for times at given counts, for arrival times, and for the heap after GC.

import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { CALL_EVENTS } from "../../../src/compass/events";
import { DOMAIN, JID_DOMAIN, PASSWORD, USERNAME } from "./company";

export type Case = "bare" | "do-nothing" | "package" | "generic";
export type ToChild =
  | { type: "when"; count: number; id: number }
  | { type: "record"; from: number; count: number; id: number }
  | { type: "heap"; id: number }
  | { type: "profile"; id: number; file?: string }
  | { type: "stop" };
export type FromChild =
  | { type: "reached"; id: number; at: number }
  | { type: "arrivals"; id: number; times: number[] }
  | { type: "heap"; id: number; heapUsed: number }
  | { type: "profiling"; id: number }
  | { type: "failed"; error: string };

const REPO = path.resolve(__dirname, "..", "..", "..", "..");
const which = process.argv[2] as Case;
const port = Number(process.argv[3]);
const service = `xmpp://127.0.0.1:${port}`;

const send = (m: FromChild) => process.send?.(m);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

// ---- the counter every case ends in
let count = 0;
let waits: Array<{ count: number; id: number }> = [];
/** arrival times of hits number from+1 .. from+count */
let recording: { from: number; left: number; id: number; times: number[] } | null = null;
const bench = {
  service,
  domain: JID_DOMAIN,
  username: USERNAME,
  password: PASSWORD,
  hit(): void {
    count++;
    if (recording && count > recording.from) {
      recording.times.push(nowMs());
      if (--recording.left === 0) {
        send({ type: "arrivals", id: recording.id, times: recording.times });
        recording = null;
      }
    }
    if (waits.length > 0 && waits[0]!.count <= count) {
      const at = nowMs();
      for (const w of waits.filter((w) => w.count <= count)) send({ type: "reached", id: w.id, at });
      waits = waits.filter((w) => w.count > count);
    }
  },
};

process.on("message", (m: ToChild) => {
  if (m.type === "when") {
    if (count >= m.count) send({ type: "reached", id: m.id, at: nowMs() });
    else waits = [...waits, { count: m.count, id: m.id }].sort((a, b) => a.count - b.count);
  } else if (m.type === "record") recording = { from: m.from, left: m.count, id: m.id, times: [] };
  else if (m.type === "heap") {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    send({ type: "heap", id: m.id, heapUsed: process.memoryUsage().heapUsed });
  } else if (m.type === "profile") void profile(m.id, m.file);
  else if (m.type === "stop") void stop();
});

// ---- a CPU profile of a window the parent chooses (after the warm-up, so start-up and the
// snapshot load stay out of it): {profile} starts it, {profile, file} stops it and writes the file
let session: import("node:inspector").Session | null = null;
async function profile(id: number, file?: string): Promise<void> {
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session!.post(method, (err, result) => (err ? reject(err) : resolve(result))),
    );
  if (!file) {
    const { Session } = require("node:inspector") as typeof import("node:inspector");
    session = new Session();
    session.connect();
    await post("Profiler.enable");
    await post("Profiler.start");
  } else {
    const { profile } = (await post("Profiler.stop")) as { profile: unknown };
    fs.writeFileSync(file, JSON.stringify(profile));
    session?.disconnect();
    session = null;
  }
  send({ type: "profiling", id });
}

let stop: () => Promise<void> = async () => process.exit(0);

// ---- the flows
const CLIENT_START = (payload: string) => `
const b = global.get("bench");
const c = xmpp.client({ service: b.service, domain: b.domain, username: b.username, password: b.password, resource: "flow" });
c.on("error", (err) => node.warn(String(err)));
c.on("online", () => c.send(xmpp.xml("presence")));
c.on("stanza", (stanza) => { if (stanza.name === "message") node.send({ payload: ${payload} }, false); });
c.start().catch((err) => node.error(String(err)));
context.set("client", c);`;
const CLIENT_STOP = `const c = context.get("client"); if (c) c.stop().catch(() => {});`;
const COUNTER = `global.get("bench").hit(); return null;`;
const EXTRACT = `
const n = msg.payload.message.event[0].items[0].item[0].notification[0];
const call = n.call ? n.call[0] : null;
const source = call ? call.source[0] : null;
msg.payload = {
  callId: call ? call.$.id : n.callId[0],
  state: call ? call.state[0] : "DISCONNECTED",
  caller: source && source.number ? source.number[0] : null,
};
return msg;`;

/** A' as a Node-RED node module: what a package that did nothing but pass stanzas on would cost. */
const DO_NOTHING_NODE = `
const { client, xml } = require(${JSON.stringify(path.join(REPO, "node_modules", "@xmpp", "client"))});
module.exports = function (RED) {
  function BenchXmpp(config) {
    RED.nodes.createNode(this, config);
    const b = RED.settings.functionGlobalContext.bench;
    const c = client({ service: b.service, domain: b.domain, username: b.username, password: b.password, resource: "node" });
    c.on("error", (err) => this.warn(String(err)));
    c.on("online", () => c.send(xml("presence")));
    c.on("stanza", (stanza) => { if (stanza.name === "message") this.send({ payload: stanza }); });
    c.start().catch((err) => this.error(String(err)));
    this.on("close", (done) => { c.stop().then(() => done(), () => done()); });
  }
  RED.nodes.registerType("bench-xmpp", BenchXmpp);
};
`;

function clientNode(id: string, payload: string, next: string): object {
  const libs = [{ var: "xmpp", module: "@xmpp/client" }];
  return {
    id,
    type: "function",
    z: "t",
    func: "return null;",
    initialize: CLIENT_START(payload),
    finalize: CLIENT_STOP,
    libs,
    outputs: 1,
    wires: [[next]],
  };
}

function flowFor(c: Exclude<Case, "bare">): object[] {
  const counter = { id: "count", type: "function", z: "t", func: COUNTER, outputs: 1, wires: [[]] };
  const tab = { id: "t", type: "tab", label: "bench" };
  switch (c) {
    case "do-nothing":
      return [tab, { id: "xmpp", type: "bench-xmpp", z: "t", wires: [["count"]] }, counter];
    case "generic":
      return [
        tab,
        clientNode("xmpp", "stanza.toString()", "parse"),
        { id: "parse", type: "xml", z: "t", property: "payload", attr: "", chr: "", wires: [["extract"]] },
        { id: "extract", type: "function", z: "t", func: EXTRACT, outputs: 1, wires: [["count"]] },
        counter,
      ];
    case "package":
      return [
        tab,
        {
          id: "cfg",
          type: "compass-config",
          domain: DOMAIN,
          restUrl: "http://127.0.0.1:9",
          xmppService: service,
        },
        {
          id: "events",
          type: "compass-call-event",
          z: "t",
          config: "cfg",
          events: CALL_EVENTS.filter((e) => e !== "call.summary"),
          wires: [["count"]],
        },
        counter,
      ];
  }
}

async function startNodeRed(c: Exclude<Case, "bare">): Promise<void> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "compass-bench-"));
  const modules = path.join(userDir, "node_modules");
  fs.mkdirSync(path.join(modules, "@xmpp"), { recursive: true });
  fs.mkdirSync(path.join(modules, "@compass-flows"), { recursive: true });
  fs.symlinkSync(path.join(REPO, "node_modules", "@xmpp", "client"), path.join(modules, "@xmpp", "client"));
  fs.symlinkSync(REPO, path.join(modules, "@compass-flows", "node-red-compass"));
  // A': the smallest node a package could be, a bare @xmpp/client sending each stanza on
  const doNothing = path.join(modules, "bench-xmpp");
  fs.mkdirSync(doNothing);
  fs.writeFileSync(
    path.join(doNothing, "package.json"),
    JSON.stringify({
      name: "bench-xmpp",
      version: "1.0.0",
      "node-red": { nodes: { "bench-xmpp": "node.js" } },
    }),
  );
  fs.writeFileSync(path.join(doNothing, "node.js"), DO_NOTHING_NODE);
  fs.writeFileSync(
    path.join(userDir, "package.json"),
    JSON.stringify({
      name: "bench",
      dependencies: { "@xmpp/client": "*", "@compass-flows/node-red-compass": "*", "bench-xmpp": "*" },
    }),
  );
  fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flowFor(c)));
  fs.writeFileSync(
    path.join(userDir, "flows_cred.json"),
    JSON.stringify({ cfg: { username: USERNAME, password: PASSWORD } }),
  );
  const RED = require("node-red");
  RED.init(http.createServer(), {
    userDir,
    flowFile: "flows.json",
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    functionExternalModules: true,
    externalModules: { modules: { allowInstall: false } },
    functionGlobalContext: { bench },
    logging: { console: { level: "error", metrics: false, audit: false } },
  });
  await RED.start();
  stop = async () => {
    await RED.stop();
    fs.rmSync(userDir, { recursive: true, force: true });
    process.exit(0);
  };
}

async function startBare(): Promise<void> {
  const { client, xml } = require("@xmpp/client");
  const c = client({ service, domain: JID_DOMAIN, username: USERNAME, password: PASSWORD, resource: "bare" });
  c.on("error", () => undefined);
  c.on("online", () => c.send(xml("presence")));
  c.on("stanza", (stanza: { name: string }) => {
    if (stanza.name === "message") bench.hit();
  });
  await c.start();
  stop = async () => {
    await c.stop().catch(() => undefined);
    process.exit(0);
  };
}

(which === "bare" ? startBare() : startNodeRed(which)).catch((err: unknown) => {
  send({ type: "failed", error: String(err) });
  process.exit(1);
});
