import assert from "node:assert/strict";
import type { CallSummary } from "../../../src/compass/model/correlator";
import { LiveModel } from "../../../src/compass/model/live-model";
import type { DomainEvent } from "../../../src/compass/model/types";
import { parseNotification } from "../../../src/compass/protocol/parse";
import { parseStanzaString } from "../../../src/compass/protocol/xml-string";
import { runScenario, SCENARIO_NAMES } from "../../../src/simulator/scenarios";
import type { CompanyState } from "../../../src/simulator/state/store";
import { buildXml, notificationNode } from "../../../src/simulator/xmpp/payloads";
import { recordedCompany } from "./helpers";

// End to end without sockets: each notification a scenario makes the state announce is written as
// the simulator's XMPP payload, read back by the client's parser, and applied to the client's live
// model. The call.summary it derives must match the expectation the catalogue publishes, which is
// what the Node-RED trigger nodes' tests assert against.

function clientOf(state: CompanyState): { model: LiveModel; events: DomainEvent[] } {
  const model = new LiveModel();
  model.load(
    {
      company: { id: state.company.id, name: state.company.name },
      users: state.users().map((u) => ({
        id: u.id,
        name: u.name,
        loggedIn: u.location !== -1,
        location: String(u.location),
        identifiers: {},
        queueEntries: [],
      })),
      queues: state.queues().map((q) => ({
        id: q.id,
        name: q.name,
        userEntries: q.members.map((m) => ({
          queueId: m.queueId,
          userId: m.userId,
          priority: m.priority,
          pausedSince: 0,
        })),
        callIds: [],
      })),
      calls: [],
    },
    Date.now(),
  );
  const events: DomainEvent[] = [];
  model.on("event", (e: DomainEvent) => events.push(e));
  return { model, events };
}

describe("scenarios as a correlating client sees them (simulator XML -> client parser -> live model)", () => {
  for (const name of SCENARIO_NAMES) {
    for (const seed of [20181, 3]) {
      it(`${name} (seed ${seed}) gives the summaries the scenario promises`, async () => {
        const { state, clock } = recordedCompany();
        const { model, events } = clientOf(state);
        state.on("notification", (n) => {
          const xml = buildXml({ notification: notificationNode(state, n, "uc.compass.test") });
          model.apply(parseNotification(parseStanzaString(xml)), clock.now());
        });
        const run = await runScenario(state, name, { timeScale: 0, clock, seed });
        const summaries = events
          .filter((e) => e.event === "call.summary")
          .map((e) => e.payload as unknown as CallSummary);
        const expected = run.expected;
        assert.equal(summaries.length, expected.summaries);
        if (expected.summaryOutcome === null) return;
        // The main conversation is the one the run's first call belongs to.
        const main = summaries.find((s) => s.callIds.includes(run.callIds[0]));
        assert.ok(main, "a summary for the scenario's first call");
        assert.equal(main.outcome, expected.summaryOutcome);
        assert.equal(main.direction, expected.direction);
        assert.equal(main.offers, expected.offers);
        assert.equal(main.transfers, expected.transfers);
        assert.ok(main.endedAt > main.startedAt, "virtual time passed between start and end");
        assert.equal(model.getCalls().length, 0);
      });
    }
  }
});
