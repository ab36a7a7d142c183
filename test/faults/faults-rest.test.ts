// Fault suite, part 5: the REST API answering 500, resetting connections and stalling, under the
// action nodes in real flows. Every failed request reaches a Catch node exactly once with a clear
// reason and sends nothing on; the next request after the fault works; the runtime lives on.

import { strict as assert } from "node:assert";
import { type Simulator, startSimulator } from "../../src/simulator";
import {
  companyReader,
  type FlowNode,
  type LoadedFlow,
  loadFlow,
  startServer,
  stopServer,
  unload,
} from "../support/node-red";
import { type Relay, startRelay } from "../support/relay";
import { delay } from "../support/wait";
import { CrashWatch, figure } from "./harness";

const TAB = "rest-faults";

describe("faults: REST 500, resets and stalls under the action nodes", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let relay: Relay;
  const watch = new CrashWatch();

  before(async () => {
    watch.start();
    await startServer();
    sim = await startSimulator({ xmppPort: false });
    relay = await startRelay(sim.rest.port);
  });
  after(async () => {
    await unload();
    await relay.close();
    await sim.close();
    await stopServer();
    watch.stop();
  });

  async function flow(): Promise<LoadedFlow> {
    const nodes: FlowNode[] = [
      { id: TAB, type: "tab" },
      {
        id: "cfg",
        type: "compass-config",
        domain: sim.domain,
        restUrl: `http://127.0.0.1:${relay.port}`,
        apiVersions: "3,2",
        timeout: 2, // seconds: a stalled request fails fast (and a slow machine is not a stall)
      },
      {
        id: "status",
        type: "compass-user-status",
        z: TAB,
        config: "cfg",
        action: "set",
        user: "1001",
        userType: "str",
        receiveCalls: "msg",
        wires: [["out"]],
      },
      ...companyReader(TAB),
    ];
    return loadFlow(["compass-config", "compass-user-status", "compass-api"], nodes, {
      cfg: { username: "alice", password: "compass-alice" },
    });
  }

  it("reports each failure once to Catch, sends nothing on, and works again afterwards", async () => {
    const f = await flow();
    const faults: Array<{ name: string; on(): void; off(): void; expect: RegExp }> = [
      {
        name: "500",
        on: () => sim.rest.failNext(500, { message: "internal trouble" }, 2),
        off: () => undefined,
        expect: /500/,
      },
      {
        name: "reset",
        on: () => relay.resetNew(true),
        off: () => relay.resetNew(false),
        expect: /reset|socket|ECONN|closed/i,
      },
      {
        name: "stall",
        on: () => relay.stall(true),
        off: () => relay.stall(false),
        expect: /time|2000 ms|abort/i,
      },
    ];
    let sent = 0;
    let caughtCount = 0;
    const timings: string[] = [];
    for (const fault of faults) {
      relay.dropAll(); // no kept-alive connection from before the fault ...
      await delay(100); // ... and the client has seen it close before it sends again
      fault.on();
      const started = Date.now();
      f.node("status").receive({ payload: "only_direct" });
      f.node("api").receive({ topic: "company" });
      sent += 2;
      const caught = await f.waitFor("caught", caughtCount + 2, 10_000);
      timings.push(`${fault.name}: ${Date.now() - started} ms`);
      for (const msg of caught.slice(caughtCount)) {
        assert.match(String(msg.error?.message), fault.expect, `${fault.name}: ${msg.error?.message}`);
        assert.ok(!JSON.stringify(msg).includes("compass-alice"), "no password in the caught message");
      }
      caughtCount += 2;
      assert.equal(
        f.received("out").length,
        sent - caughtCount,
        `${fault.name}: nothing sent on for a failure`,
      );
      fault.off();
      relay.dropAll();
      await delay(100);
      // afterwards: both work again
      const outBefore = f.received("out").length;
      f.node("status").receive({ payload: "all" });
      f.node("api").receive({});
      sent += 2;
      await f.waitFor("out", outBefore + 2, 10_000).catch((err: Error) => {
        const late = f.received("caught").slice(caughtCount);
        throw new Error(
          `${fault.name}, after: ${err.message}; caught: ${late.map((m) => m.error?.message).join(" | ")}`,
        );
      });
      await delay(50);
      assert.equal(
        f.received("caught").length,
        caughtCount,
        `${fault.name}: no late or second Catch message`,
      );
    }
    assert.equal(sim.state.user("1001")?.receiveCalls, "ALL");
    watch.assertClean();
    figure("REST faults (time to the Catch node)", timings.join("; "));
  });
});
