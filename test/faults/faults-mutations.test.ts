// Fault suite, part 3: 2,000 seeded semantic mutations of the platform's own notifications (captured
// from every scenario), sent by the pubsub component through Prosody to the client. The link stays
// up, nothing escapes, a reload afterwards brings the model back to the platform's truth, and a real
// call after the storm is told exactly once.

import assert from "node:assert/strict";
import type { CompassConnection } from "../../src/compass/connection";
import { SeededRandom } from "../../src/simulator/scenarios/random";
import { runScenario } from "../../src/simulator/scenarios/runner";
import { SCENARIO_NAMES } from "../../src/simulator/scenarios/types";
import type { SimNotification } from "../../src/simulator/state/types";
import { notificationNode } from "../../src/simulator/xmpp/payloads";
import { NS_PUBSUB_EVENT } from "../../src/simulator/xmpp/services";
import { buildXml } from "../../src/simulator/xmpp/xml";
import { waitFor } from "../support/wait";
import {
  assertHeapFlat,
  CallLedger,
  connectTo,
  DOMAIN,
  figure,
  heapAfterGc,
  PUBSUB,
  usePlatform,
} from "./harness";
import { mutate, type Tree } from "./mutate";

const MUTATIONS = 2000;

describe("faults: mutated notifications through the real path", function () {
  this.timeout(120_000);
  let connection: CompassConnection | undefined;

  const fixture = usePlatform(async () => {
    await connection?.close();
  });

  it(`reads ${MUTATIONS} mutated notifications without losing the link or the model`, async () => {
    const p = fixture.platform;
    let unreadable = 0;
    let otherWarnings = 0;
    connection = connectTo(p, {
      direct: true,
      log: {
        debug: () => undefined,
        warn: (m) => {
          if (m.includes("could not read")) unreadable++;
          else otherWarnings++;
        },
      },
    });
    const c = connection;
    await waitFor(() => c.modelLoaded, 15_000, "subscribed");
    const jid = p.components.services.subscriptionList()[0]?.jid as string;
    assert.ok(jid, "the client's subscription");

    // the platform's real notifications, from every scenario played at once (instant mode)
    const pool: Tree[] = [];
    const capture = (n: SimNotification) => pool.push(notificationNode(p.state, n, DOMAIN) as Tree);
    p.state.on("notification", capture);
    for (const [i, name] of SCENARIO_NAMES.entries()) {
      try {
        await runScenario(p.state, name, { timeScale: 0, seed: 500 + i });
      } catch {
        // a scenario the company cannot play now adds nothing to the pool
      }
    }
    p.state.off("notification", capture);
    assert.ok(pool.length > 50, `notifications captured: ${pool.length}`);
    await waitFor(() => c.model.getCalls().length === 0, 10_000, "the scenarios' calls ended");

    const ledger = new CallLedger(c);
    const heapBefore = heapAfterGc();
    const random = new SeededRandom(20_000);
    const opsSeen = new Map<string, number>();
    let bytes = 0;
    for (let i = 0; i < MUTATIONS; i++) {
      const { tree, ops } = mutate(random.pick(pool), random);
      for (const op of ops) {
        const kind = op.split(" ")[0] as string;
        opsSeen.set(kind, (opsSeen.get(kind) ?? 0) + 1);
      }
      const inner = buildXml({
        event: {
          "@_xmlns": NS_PUBSUB_EVENT,
          items: { "@_node": p.state.company.id, item: { "@_id": `m${i}`, notification: tree } },
        },
      });
      bytes += inner.length;
      p.components.sendFromPubsub({
        name: "message",
        attrs: { from: PUBSUB, to: jid, type: "headline", id: `mutation-${i}` },
        inner,
      });
      // let the component drain now and then, so the storm is paced like a busy platform
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    // a sentinel on the same path after the storm: a new user no mutation could have touched (the
    // mutations may well have "destroyed" real users); once it is in the model, all before it was read
    const alice = p.state.userByUsername("alice");
    assert.ok(alice);
    const sentinel = { ...alice, id: "sentinel-user", username: "sentinel" };
    p.components.sendFromPubsub({
      name: "message",
      attrs: { from: PUBSUB, to: jid, type: "headline", id: "sentinel" },
      inner: buildXml({
        event: {
          "@_xmlns": NS_PUBSUB_EVENT,
          items: {
            "@_node": p.state.company.id,
            item: {
              "@_id": "sentinel",
              notification: notificationNode(
                p.state,
                {
                  type: "notification.user.create",
                  timestamp: Date.now(),
                  userId: sentinel.id,
                  user: sentinel,
                },
                DOMAIN,
              ),
            },
          },
        },
      }),
    });
    await waitFor(
      () => c.model.getUser(sentinel.id) !== null,
      60_000,
      "the sentinel after the mutations",
    ).catch(async (err) => {
      // what the log of a failing run needs: the link's state and why Prosody dropped anything
      console.log(
        `    link: ${JSON.stringify(c.status)}; prosody log tail:\n${(await p.prosody.log()).slice(-2000)}`,
      );
      throw err;
    });
    assert.equal(c.status.state, "subscribed", "the link stayed up");

    // the platform's truth wins: a reload ends whatever the mutations made up
    await c.reload();
    assert.deepEqual(
      c.model.getCalls().map((call) => call.id),
      p.state.activeCalls().map((call) => call.id),
    );
    // and a real call afterwards is heard once, start to summary
    const call = p.state.startCall(
      p.state.externalCallpoint("+31201234567", "After"),
      p.state.dialplanCallpoint("201"),
    );
    p.state.routeCall(call.id, "DESTINATION", p.state.userCallpoint("1001"));
    p.state.setCallState(call.id, "ANSWERED");
    p.state.endCall(call.id, "DESTINATION_HANGUP");
    await waitFor(() => ledger.summarised.get(call.id) === 1, 10_000, "the real call's summary");
    assert.equal(ledger.ended.get(call.id), 1);
    assert.equal(c.model.getCalls().length, 0, "no call left active");
    for (const [id, n] of ledger.ended) assert.equal(n, 1, `call ${id} ended ${n} times`);
    ledger.close();
    assertHeapFlat(heapBefore, "mutations");
    fixture.watch.assertClean();
    figure("mutations sent", MUTATIONS);
    figure("mutation kinds", JSON.stringify([...opsSeen]));
    figure("mutated bytes sent", bytes);
    figure("notifications captured as the mutation pool", pool.length);
    figure("mutations refused as unreadable (warned, dropped)", unreadable);
    figure("other warnings during the storm", otherWarnings);
  });
});
