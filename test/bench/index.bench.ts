// The model's indices under the churn a call centre makes: every call starts at the dial plan's
// extension, is routed to one of a few agents and ends, so the same keys ("dialplan:020",
// "user:u7") leave and rejoin the index with every call. Measured with 20 and with 10,000 other
// active calls in the index; the cost per call should not depend on that number.
// Beside it, the same churn on a bare Map that deletes emptied keys: V8 keeps a deleted entry in
// its bucket's chain until the table is rebuilt, so there the cost grows with the map (the reason
// ModelState keeps emptied keys, see src/compass/model/state.ts).
// Plain script, bounded:  node dist/test/bench/index.bench.js [calls=20000]

import { partyKey } from "../../src/compass/model/normalise";
import type { CallRecord } from "../../src/compass/model/records";
import { ModelState } from "../../src/compass/model/state";
import type { Callpoint } from "../../src/compass/protocol/types";
import { callRecord, cp } from "../unit/model/builders";

const CALLS = Math.min(Number(process.argv[2] ?? 20_000) || 20_000, 200_000);
const ROUNDS = 5;
const AGENTS = 40;

const external = (number: string): Callpoint => cp.external(number);
const user = (userId: string): Callpoint => cp.user(userId);
const dialplan: Callpoint = cp.dialplan("020");

function record(id: string, source: Callpoint, destination: Callpoint): CallRecord {
  return callRecord({ id, source, destination, state: "CONNECTING", properties: {} });
}

/** A state holding `others` active calls, each between its own caller and its own user. */
function stateWith(others: number): ModelState {
  const state = new ModelState();
  for (let i = 0; i < others; i++)
    state.addCall(record(`a${i}`, external(`+3120${900_000 + i}`), user(`u${AGENTS + i}`)));
  return state;
}

/** ns per call: start at the dial plan, routed to an agent, ended (the records are built beforehand). */
function modelChurn(state: ModelState): number {
  const agents = Array.from({ length: AGENTS }, (_, i) => user(`u${i}`));
  const calls = Array.from({ length: CALLS }, (_, i) => record(`b${i}`, external(`+3120${i}`), dialplan));
  const routed = calls.map((_, i) => partyKey(agents[i % AGENTS]));
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
    const r = calls[i] as CallRecord;
    state.addCall(r);
    state.unindexCall(r);
    r.destinationKey = routed[i] as string; // routed to an agent
    state.indexCall(r);
    state.countUserCall(`u${i % AGENTS}`, 1);
    state.countUserCall(`u${i % AGENTS}`, -1);
    state.deleteCall(r);
  }
  return Number(process.hrtime.bigint() - start) / CALLS;
}

/** The same keys on a bare Map that deletes a key when it empties. */
function bareMapChurn(others: number): number {
  const map = new Map<string, number>();
  for (let i = 0; i < others; i++) {
    map.set(`external:+3120${900_000 + i}`, i);
    map.set(`user:u${AGENTS + i}`, i);
  }
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
    const caller = `external:+3120${i}`;
    const agent = `user:u${i % AGENTS}`;
    map.set(caller, i);
    map.set("dialplan:020", i);
    map.delete("dialplan:020");
    map.set(agent, i);
    map.delete(caller);
    map.delete(agent);
  }
  return Number(process.hrtime.bigint() - start) / CALLS;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const results = {
  modelSmall: [] as number[],
  modelLarge: [] as number[],
  bareSmall: [] as number[],
  bareLarge: [] as number[],
};
for (let round = 0; round < ROUNDS; round++) {
  results.modelSmall.push(modelChurn(stateWith(20)));
  results.modelLarge.push(modelChurn(stateWith(10_000)));
  results.bareSmall.push(bareMapChurn(20));
  results.bareLarge.push(bareMapChurn(10_000));
}
const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)])) as Record<
  keyof typeof results,
  number
>;
console.log(`${CALLS} calls per case, ${ROUNDS} interleaved rounds, medians (ns per call)`);
console.log(`ModelState, 20 other calls        ${m.modelSmall.toFixed(0).padStart(8)}`);
console.log(`ModelState, 10,000 other calls    ${m.modelLarge.toFixed(0).padStart(8)}`);
console.log(`bare Map deleting, 20             ${m.bareSmall.toFixed(0).padStart(8)}`);
console.log(`bare Map deleting, 10,000         ${m.bareLarge.toFixed(0).padStart(8)}`);
console.log(
  `small/large: ModelState ${(m.modelSmall / m.modelLarge).toFixed(2)} (1.0 = independent of size)  bare Map ${(m.bareSmall / m.bareLarge).toFixed(3)}`,
);
