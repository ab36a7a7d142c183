// The runtime's defaults (src/nodes/defaults.ts): a property a saved flow leaves out takes the
// value a new node starts with in the editor (test/editor/defaults.test.ts checks the two agree).
// withDefaults on its own, then a real flow of nodes saved with nothing but their connection.

import { strict as assert } from "node:assert";
import { NODE_DEFAULTS, withDefaults } from "../../src/nodes/defaults";
import type { NodeDef } from "../../src/nodes/red";
import { type Simulator, startSimulator } from "../../src/simulator";
import { catchAll, loadFlow, startServer, stopServer, unload } from "../support/node-red";

const TAB = "tab1";

describe("node defaults (src/nodes/defaults.ts)", () => {
  it("fills only what the definition leaves out, keeping false, empty and zero values", () => {
    const saved: NodeDef = {
      id: "n1",
      type: "compass-api",
      followRedirects: false,
      path: "",
      body: 0 as never,
    };
    const def = withDefaults("compass-api", saved);
    assert.equal(def.followRedirects, false);
    assert.equal(def.path, "");
    assert.equal(def.body, 0);
    assert.equal(def.method, NODE_DEFAULTS["compass-api"].method);
    assert.equal(def.pathType, "str");
    assert.ok(!("method" in saved), "the saved definition itself is untouched");
  });

  it("gives an old compass-user-status without a status to set msg.payload's, as it always read", () => {
    const def = withDefaults("compass-user-status", {
      id: "n1",
      type: "compass-user-status",
      action: "set",
    } as NodeDef);
    assert.equal(def.receiveCalls, "msg");
    assert.equal(NODE_DEFAULTS["compass-user-status"].receiveCalls, "ALL", "a new node's value");
  });

  it("keeps Node-RED's non-enumerable properties and gives each node its own list", () => {
    const saved = Object.defineProperty({ id: "n1", type: "compass-user-event" }, "_flow", {
      value: "the flow",
      enumerable: false,
    }) as NodeDef;
    const a = withDefaults("compass-user-event", saved);
    const b = withDefaults("compass-user-event", saved);
    assert.equal((a as { _flow?: string })._flow, "the flow");
    assert.deepEqual(a.events, []);
    (a.events as string[]).push("user.status");
    assert.deepEqual(b.events, [], "the table's list is not shared");
    assert.deepEqual(NODE_DEFAULTS["compass-user-event"].events, []);
  });

  describe("in a real flow (simulator)", () => {
    let sim: Simulator;

    before(async () => {
      await startServer();
      sim = await startSimulator({ xmppPort: false });
    });
    after(async () => {
      await sim.close();
      await stopServer();
    });
    afterEach(unload);

    it("a compass-api node saved with only its connection asks GET /company, as a new one would", async () => {
      const f = await loadFlow(
        ["compass-config", "compass-api"],
        [
          { id: TAB, type: "tab" },
          { id: "cfg", type: "compass-config", domain: sim.domain, restUrl: sim.rest.url },
          { id: "api", type: "compass-api", z: TAB, config: "cfg", wires: [["out"]] },
          { id: "out", type: "helper", z: TAB },
          ...catchAll(TAB, "caught"),
        ],
        { cfg: { username: "alice", password: "compass-alice" } },
      );
      f.node("api").receive({ payload: "go" });
      const [msg] = await f.waitFor("out");
      assert.equal(msg.statusCode, 200);
      assert.equal(msg.payload.name, sim.state.company.name);
      assert.deepEqual(f.received("caught"), []);
    });
  });
});
