// Fault suite, part 1: Prosody killed (SIGTERM and SIGKILL) and started again ten times while the
// simulator's scenario traffic drives calls through the components, with calls in progress at every
// kill and one ending during every outage. After it: every call the connection heard of ended
// exactly once and is in exactly one summary, none is left active, nothing escaped, heap flat.

import assert from "node:assert/strict";
import type { CompassConnection } from "../../src/compass/connection";
import { SeededRandom } from "../../src/simulator/scenarios/random";
import { startTraffic, type Traffic } from "../../src/simulator/scenarios/traffic";
import { waitFor } from "../support/wait";
import {
  assertHeapFlat,
  CallLedger,
  connectTo,
  figure,
  heapAfterGc,
  median,
  usePlatform,
  waitForResync,
} from "./harness";

const RESTARTS = 10;

describe("faults: Prosody restarts under call traffic", function () {
  this.timeout(120_000);
  let connection: CompassConnection | undefined;
  let traffic: Traffic | undefined;

  const fixture = usePlatform(async () => {
    await traffic?.stop();
    await connection?.close();
  });

  it(`survives ${RESTARTS} kills (SIGTERM and SIGKILL), resubscribes after each and accounts for every call`, async () => {
    const p = fixture.platform;
    const random = new SeededRandom(9009);
    connection = connectTo(p, { direct: true });
    const c = connection;
    let subscribed = 0;
    c.on("status", (s: { state: string }) => {
      if (s.state === "subscribed") subscribed++;
    });
    const ledger = new CallLedger(c);
    await waitFor(() => c.modelLoaded, 15_000, "the first subscription");
    const heapBefore = heapAfterGc();
    // steady traffic: scenarios at 5x speed, a new one every ~0.5 s, up to 6 at once
    traffic = startTraffic(p.state, { callsPerMinute: 120, timeScale: 0.2, maxConcurrent: 6, seed: 4242 });

    const resubscribeMs: number[] = [];
    let inProgressAtKills = 0;
    let endedInOutages = 0;
    for (let i = 0; i < RESTARTS; i++) {
      // a call of our own, answered and known to the client, that ends while the server is down
      const own = p.state.startCall(
        p.state.externalCallpoint(`+3161234${String(i).padStart(4, "0")}`, "Outage caller"),
        p.state.dialplanCallpoint("201"),
      );
      p.state.routeCall(own.id, "DESTINATION", p.state.userCallpoint("1001"));
      p.state.setCallState(own.id, "ANSWERED");
      await waitFor(() => c.model.getCall(own.id)?.state === "answered", 10_000, `call ${own.id} known`);
      await new Promise((r) => setTimeout(r, 200 + random.next() * 600));
      inProgressAtKills += c.model.getCalls().length;
      const before = subscribed;
      const signal = i % 2 === 0 ? "SIGKILL" : "SIGTERM";
      await p.prosody.restart({
        signal,
        downMs: 300 + Math.floor(random.next() * 700),
        onDown: () => {
          p.state.endCall(own.id, "DESTINATION_HANGUP");
          endedInOutages++;
        },
      });
      const back = Date.now();
      await waitForResync(c, () => subscribed, before, 30_000, `resync after restart ${i + 1} (${signal})`);
      resubscribeMs.push(Date.now() - back);
      assert.equal(c.model.getCall(own.id), null, `the call that ended in outage ${i + 1} is gone`);
    }

    await traffic.stop();
    traffic = undefined;
    await waitFor(() => c.model.getCalls().length === 0, 15_000, "every call ended in the model");
    // the summaries of the last calls follow their ends
    await new Promise((r) => setTimeout(r, 300));
    const accounted = ledger.assertAccounted(c.model.getCalls().length);
    assert.ok(accounted > RESTARTS, `calls heard of: ${accounted}`);
    ledger.assertNoLegOutsideSummaries();
    ledger.close();
    assertHeapFlat(heapBefore, "restarts");
    fixture.watch.assertClean();

    figure("restarts survived", RESTARTS);
    figure("resubscribe ms median", median(resubscribeMs));
    figure("resubscribe ms worst", Math.max(...resubscribeMs));
    figure("resubscribe ms all", resubscribeMs.join(","));
    figure("calls in progress at kills (sum)", inProgressAtKills);
    figure("calls ended during outages", endedInOutages);
    figure("restart calls accounted for (ended = summaries, none twice)", accounted);
  });
});
