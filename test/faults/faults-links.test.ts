// Fault suite, part 2: links that break. A relay between the client and Prosody cuts connections
// during set-up (STARTTLS, TLS, SASL, bind) and mid-stanza, and stalls them; the phone service dies
// (stops answering, or leaves the server) while Prosody stays up. The connection must notice, come
// back, resubscribe and reload; every call it heard of is still accounted for.

import assert from "node:assert/strict";
import type { CompassConnection } from "../../src/compass/connection";
import { SeededRandom } from "../../src/simulator/scenarios/random";
import { startTraffic, type Traffic } from "../../src/simulator/scenarios/traffic";
import type { RelayConnection } from "../support/relay";
import { waitFor } from "../support/wait";
import {
  assertHeapFlat,
  CallLedger,
  connectTo,
  figure,
  heapAfterGc,
  PHONE,
  usePlatform,
  waitForResync,
} from "./harness";

/** Where a set-up ends each phase, in bytes from the start, read from a clean set-up's chunk order. */
function setUpPhases(conn: RelayConnection): Array<{ phase: string; endsAt: number }> {
  const starttlsAt = conn.sent.indexOf("<starttls");
  let up = 0;
  let total = 0;
  let index = 0;
  const chunks = conn.chunks;
  // plaintext: up to and including the server's <proceed/>
  for (; index < chunks.length; index++) {
    const size = chunks[index] as number;
    total += Math.abs(size);
    if (size > 0) up += size;
    if (size < 0 && up > starttlsAt) break;
  }
  const marks: Array<{ phase: string; endsAt: number }> = [{ phase: "stream + STARTTLS", endsAt: total }];
  // TLS 1.3: ClientHello, the server's flight, the client's Finished; then SASL (header, features,
  // auth, challenge, response, success), then the restart and bind
  const steps: Array<[string, number]> = [
    ["TLS handshake", 3],
    ["SASL", 6],
    ["bind + set-up", chunks.length],
  ];
  for (const [phase, count] of steps) {
    for (let n = 0; n < count && ++index < chunks.length; n++) total += Math.abs(chunks[index] as number);
    marks.push({ phase, endsAt: total });
  }
  return marks;
}

describe("faults: cut, stalled and half-dead links", function () {
  this.timeout(120_000);
  const connections: CompassConnection[] = [];
  let traffic: Traffic | undefined;

  const fixture = usePlatform(async () => {
    await traffic?.stop();
    for (const c of connections) await c.close();
  });

  function open(options: Parameters<typeof connectTo>[1] = {}) {
    const c = connectTo(fixture.platform, options);
    connections.push(c);
    const counts = { subscribed: 0, left: 0 };
    c.on("status", (s: { state: string }) => {
      if (s.state === "subscribed") counts.subscribed++;
      else if (c.status.state !== "subscribed") counts.left++;
    });
    return { c, counts };
  }

  it("comes back after cuts during STARTTLS, TLS, SASL and bind, and mid-stanza", async () => {
    const p = fixture.platform;
    const random = new SeededRandom(1717);
    const { c, counts } = open();
    const ledger = new CallLedger(c);
    await waitFor(() => c.modelLoaded, 15_000, "the first subscription");
    const heapBefore = heapAfterGc();
    const clean = p.relay.connections[0] as RelayConnection;
    const phases = setUpPhases(clean);
    const setUpBytes = (phases.at(-1) as { endsAt: number }).endsAt;
    traffic = startTraffic(p.state, { callsPerMinute: 120, timeScale: 0.2, maxConcurrent: 4, seed: 77 });

    const cutsByPhase = new Map<string, number>();
    // set-up cuts, two at seeded points inside each phase: the current link is dropped and the next
    // attempt is cut after that many bytes
    const cuts = phases.flatMap(({ phase, endsAt }, i) => {
      const from = i === 0 ? 1 : (phases[i - 1] as { endsAt: number }).endsAt + 1;
      return [0, 1].map(() => ({
        phase,
        bytes: from + Math.floor(random.next() * Math.max(1, endsAt - from)),
      }));
    });
    for (const { phase, bytes } of cuts) {
      cutsByPhase.set(phase, (cutsByPhase.get(phase) ?? 0) + 1);
      const attempts = p.relay.connections.length;
      const before = counts.subscribed;
      p.relay.cutNextAfter(bytes);
      p.relay.dropAll();
      await waitFor(() => p.relay.connections.length > attempts, 10_000, "a new attempt");
      await waitForResync(
        c,
        () => counts.subscribed,
        before,
        30_000,
        `resync after a cut at ${bytes} (${phase})`,
      );
      assert.ok(p.relay.connections.length >= attempts + 2, "the cut attempt was followed by another");
    }
    // mid-stanza cuts on a subscribed link carrying notifications
    for (let i = 0; i < 4; i++) {
      const before = counts.subscribed;
      p.relay.cutOpenAfter(1 + Math.floor(random.next() * 3000));
      p.state.setUserStatus(p.state.users()[i % 3]?.id ?? "", { displayStatus: `cut test ${i}` });
      await waitForResync(c, () => counts.subscribed, before, 30_000, `resync after mid-stanza cut ${i + 1}`);
    }
    cutsByPhase.set("mid-stanza", 4);

    await traffic.stop();
    traffic = undefined;
    await waitFor(() => c.model.getCalls().length === 0, 15_000, "every call ended in the model");
    await new Promise((r) => setTimeout(r, 300));
    const accounted = ledger.assertAccounted(c.model.getCalls().length);
    ledger.assertNoLegOutsideSummaries();
    ledger.close();
    assertHeapFlat(heapBefore, "cuts");
    fixture.watch.assertClean();
    figure(
      "cuts by phase (approximate, from a clean set-up's chunk order)",
      JSON.stringify([...cutsByPhase]),
    );
    figure("set-up bytes", setUpBytes);
    figure("cut calls accounted for", accounted);
  });

  it("notices a stalled link and a phone service that stops answering (default liveness), then recovers", async () => {
    const p = fixture.platform;
    // one connection through the relay (stalled), one straight to Prosody (its phone service dies)
    const stalled = open();
    const direct = open({ direct: true });
    await waitFor(() => stalled.c.modelLoaded && direct.c.modelLoaded, 15_000, "both subscribed");
    const left = { stalled: stalled.counts.left, direct: direct.counts.left };
    const before = { stalled: stalled.counts.subscribed, direct: direct.counts.subscribed };

    const t0 = Date.now();
    const times: { stall?: number; dead?: number } = {};
    p.relay.stall(true);
    p.components.services.setAnswering(PHONE, false);
    try {
      await waitFor(
        () => {
          if (times.stall === undefined && stalled.counts.left > left.stalled) times.stall = Date.now() - t0;
          if (times.dead === undefined && direct.counts.left > left.direct) times.dead = Date.now() - t0;
          return times.stall !== undefined && times.dead !== undefined;
        },
        30_000,
        "both noticed",
      );
    } finally {
      p.relay.stall(false);
      p.components.services.setAnswering(PHONE, true);
    }
    assert.match(stalled.c.status.error ?? "", /ping/);
    assert.match(direct.c.status.error ?? "", /ping/);
    await waitForResync(
      stalled.c,
      () => stalled.counts.subscribed,
      before.stalled,
      30_000,
      "stalled: resync",
    );
    await waitForResync(
      direct.c,
      () => direct.counts.subscribed,
      before.direct,
      30_000,
      "dead phone: resync",
    );
    // 15 s interval + 5 s answer time
    assert.ok((times.stall as number) <= 21_000, `stall noticed in ${times.stall} ms`);
    assert.ok((times.dead as number) <= 21_000, `dead phone service noticed in ${times.dead} ms`);
    fixture.watch.assertClean();
    figure("stalled link noticed ms (default 15 s / 5 s)", times.stall as number);
    figure("phone service not answering noticed ms (default 15 s / 5 s)", times.dead as number);
  });

  it("notices a phone service that leaves the server (Prosody answers for it), with a 2 s liveness interval", async () => {
    const p = fixture.platform;
    const { c, counts } = open({ direct: true, pingIntervalMs: 2000, pingTimeoutMs: 1000 });
    await waitFor(() => c.modelLoaded, 15_000, "subscribed");
    const left = counts.left;
    const before = counts.subscribed;
    const t0 = Date.now();
    await p.components.detachPhone();
    let noticed = 0;
    try {
      await waitFor(() => counts.left > left, 10_000, "the detached phone service noticed");
      noticed = Date.now() - t0;
    } finally {
      await p.components.attachPhone();
    }
    assert.match(c.status.error ?? "", /unreachable|remote-server/);
    await waitForResync(
      c,
      () => counts.subscribed,
      before,
      30_000,
      "resync after the phone service came back",
    );
    fixture.watch.assertClean();
    figure("phone service gone from the server noticed ms (2 s / 1 s)", noticed);
  });
});
