// Runs our nodes in real Node-RED flows (node-red-node-test-helper) and collects what they send.

import * as path from "node:path";
import { waitFor } from "./wait";

// biome-ignore lint/suspicious/noExplicitAny: the helper ships no types
type Any = any;

const helper: Any = require("node-red-node-test-helper");
helper.init(require.resolve("node-red"));

const NODES_DIR = path.resolve(__dirname, "..", "..", "..", "nodes");

/** The Node-RED module function of one of our node files, e.g. nodeModule("compass-api"). */
export function nodeModule(type: string): Any {
  return require(path.join(NODES_DIR, `${type}.js`));
}

export interface FlowNode {
  id: string;
  type: string;
  [key: string]: unknown;
}

export interface LoadedFlow {
  node<T = Any>(id: string): T;
  /** messages that arrive at a helper node, in order */
  received(helperId: string): Any[];
  /** waits until the helper node has received `count` messages (or fails after timeoutMs) */
  waitFor(helperId: string, count?: number, timeoutMs?: number): Promise<Any[]>;
  /** status objects the node has shown, in order */
  statuses(id: string): Any[];
}

export async function startServer(): Promise<void> {
  await new Promise<void>((resolve) => helper.startServer(resolve));
}

export async function stopServer(): Promise<void> {
  await new Promise<void>((resolve) => helper.stopServer(resolve));
}

export async function unload(): Promise<void> {
  await helper.unload();
}

/** Loads `flow` with `credentials` (by node id); every `helper` node's input is recorded. */
export async function loadFlow(
  types: string[],
  flow: FlowNode[],
  credentials: Record<string, Record<string, string>> = {},
): Promise<LoadedFlow> {
  await helper.load(
    types.map((t) => nodeModule(t)),
    flow,
    credentials,
  );
  const inbox = new Map<string, Any[]>();
  const waiters = new Map<string, Array<() => void>>();
  const statuses = new Map<string, Any[]>();
  for (const n of flow) {
    const live = helper.getNode(n.id);
    if (!live) continue;
    if (n.type === "helper") {
      inbox.set(n.id, []);
      live.on("input", (msg: Any) => {
        inbox.get(n.id)!.push(msg);
        for (const wake of waiters.get(n.id) ?? []) wake();
      });
    }
    statuses.set(n.id, []);
    const originalStatus = live.status.bind(live);
    live.status = (s: Any) => {
      statuses.get(n.id)!.push(s);
      return originalStatus(s);
    };
  }
  return {
    node: (id) => helper.getNode(id),
    received: (id) => inbox.get(id) ?? [],
    statuses: (id) => statuses.get(id) ?? [],
    waitFor(id, count = 1, timeoutMs = 5000) {
      const box = inbox.get(id);
      if (!box) return Promise.reject(new Error(`${id} is not a helper node`));
      return new Promise((resolve, reject) => {
        const check = () => {
          if (box.length >= count) {
            clearTimeout(timer);
            resolve(box.slice());
            return true;
          }
          return false;
        };
        const timer = setTimeout(
          () => reject(new Error(`${id} received ${box.length} of ${count} messages in ${timeoutMs} ms`)),
          timeoutMs,
        );
        if (check()) return;
        const list = waiters.get(id) ?? [];
        list.push(() => void check());
        waiters.set(id, list);
      });
    },
  };
}

/** A catch node wired to a helper, so tests see exactly what a user's Catch node would. */
export function catchAll(z: string, helperId: string): FlowNode[] {
  return [
    { id: `${helperId}-catch`, type: "catch", z, scope: null, uncaught: false, wires: [[helperId]] },
    { id: helperId, type: "helper", z },
  ];
}

export { helper };

/** Where a simulator answers: what a compass-config needs to reach it. */
export interface SimulatorAddresses {
  domain: string;
  rest: { url: string };
  /** absent when the simulator runs without XMPP */
  xmpp?: { service: string };
}

/** The stored credentials of the config node "cfg" as `user` (the simulator's seed passwords are compass-<user>). */
export function credentialsOf(user = "alice"): Record<string, Record<string, string>> {
  return { cfg: { username: user, password: `compass-${user}` } };
}

/** The compass-config node "cfg" pointed at `sim` (its XMPP service when it runs one); `extra` adds fields. */
export function simulatorConfig(sim: SimulatorAddresses, extra: Record<string, unknown> = {}): FlowNode {
  return {
    id: "cfg",
    type: "compass-config",
    domain: sim.domain,
    restUrl: sim.rest.url,
    xmppService: sim.xmpp?.service,
    ...extra,
  };
}

/** Resolves once the connection of the config node "cfg" has loaded the live model. */
export async function modelLoaded(flow: LoadedFlow): Promise<void> {
  await waitFor(
    () => flow.node<{ connection?: { modelLoaded: boolean } }>("cfg").connection?.modelLoaded === true,
    8000,
    "the live model",
  );
}

/**
 * One action node (id "action", of `type` with `props`) on a compass-config pointed at `sim` as
 * `user`, asking for API v3 or v2: its output goes to the helper "out", a Catch node into "caught".
 */
export function actionFlow(
  sim: SimulatorAddresses,
  type: string,
  props: Record<string, unknown>,
  user = "alice",
): Promise<LoadedFlow> {
  const tab = "action-tab";
  const nodes: FlowNode[] = [
    { id: tab, type: "tab" },
    simulatorConfig(sim, { apiVersions: "3,2" }),
    { id: "action", type, z: tab, config: "cfg", wires: [["out"]], ...props },
    { id: "out", type: "helper", z: tab },
    ...catchAll(tab, "caught"),
  ];
  return loadFlow(["compass-config", type], nodes, credentialsOf(user));
}

/**
 * Loads trigger nodes (each given as `{ id, type, ...props }`) on one tab with a compass-config
 * pointed at `sim` as alice; each node's output goes to a helper `<id>-out`. Resolves once the
 * live model is loaded, so a scenario played next is heard in full.
 */
export async function loadTriggers(sim: SimulatorAddresses, triggers: FlowNode[]): Promise<LoadedFlow> {
  const tab = "triggers-tab";
  const nodes: FlowNode[] = [{ id: tab, type: "tab" }, simulatorConfig(sim)];
  for (const t of triggers) {
    nodes.push(
      { z: tab, config: "cfg", wires: [[`${t.id}-out`]], ...t },
      { id: `${t.id}-out`, type: "helper", z: tab },
    );
  }
  const types = ["compass-config", ...new Set(triggers.map((t) => t.type))];
  const flow = await loadFlow(types, nodes, credentialsOf("alice"));
  await modelLoaded(flow);
  return flow;
}

/** A compass-api node reading the own company (config "cfg"), its output helper "out", and a Catch into "caught". */
export function companyReader(z: string): FlowNode[] {
  return [
    {
      id: "api",
      type: "compass-api",
      z,
      config: "cfg",
      method: "GET",
      path: "/company",
      pathType: "str",
      noRedirect: true,
      wires: [["out"]],
    },
    { id: "out", type: "helper", z },
    ...catchAll(z, "caught"),
  ];
}
