import assert from "node:assert/strict";
import { newQueueRecord } from "../../../src/compass/model/records";
import { ModelState } from "../../../src/compass/model/state";
import type { Call } from "../../../src/compass/protocol/types";
import { cp, member, callRecord as record } from "./builders";

function queue(state: ModelState, id: string) {
  return state.addQueue(newQueueRecord({ id, name: `Queue ${id}`, userEntries: [], callIds: [] }));
}

const call = (id: string, source = cp.external("+3120111"), destination = cp.user("16")): Call => ({
  id,
  source,
  destination,
  state: "CONNECTING",
  properties: {},
});

const ids = (list: readonly { id: string }[]) => list.map((x) => x.id);

describe("ModelState indices", () => {
  it("knows a user's queues in queue order, through joins, leaves and a removed queue", () => {
    const state = new ModelState();
    const [q1, q2, q3] = [queue(state, "1"), queue(state, "2"), queue(state, "3")];
    state.setMember(q3, member("3", "16"));
    state.setMember(q1, member("1", "16"));
    assert.deepEqual(ids(state.queuesOf("16")), ["1", "3"]);
    state.setMember(q2, member("2", "16"));
    state.setMember(q2, member("2", "16")); // again: still once
    assert.deepEqual(ids(state.queuesOf("16")), ["1", "2", "3"]);
    state.deleteMember(q1, "16");
    assert.deepEqual(ids(state.queuesOf("16")), ["2", "3"]);
    state.deleteQueue(q3);
    assert.deepEqual(ids(state.queuesOf("16")), ["2"]);
    state.deleteMember(q2, "16");
    assert.deepEqual(state.queuesOf("16"), []);
    assert.deepEqual(state.queuesOf("nobody"), []);
  });

  it("knows where a call waits, and forgets it with the queue", () => {
    const state = new ModelState();
    const [q1, q2] = [queue(state, "1"), queue(state, "2")];
    state.setWaiting(q2, "C1", 5);
    state.setWaiting(q1, "C1", 6);
    assert.deepEqual(ids(state.queuesWaitedIn("C1")), ["1", "2"]);
    assert.equal(q1.waiting.get("C1"), 6);
    state.deleteWaiting(q1, "C1");
    assert.deepEqual(ids(state.queuesWaitedIn("C1")), ["2"]);
    state.deleteQueue(q2);
    assert.deepEqual(state.queuesWaitedIn("C1"), []);
  });

  it("finds active calls by party and queue legs by parent, in arrival order, after re-routes and ends", () => {
    const state = new ModelState();
    const caller = cp.external("+3120999");
    const a = record(call("A", caller, cp.dialplan("020")));
    const b = record(call("B", cp.user("17"), cp.external("+3120999")));
    const leg = record(call("A-1", cp.queue("641", "Sales"), cp.user("16")), "A");
    for (const r of [a, b, leg]) state.addCall(r);
    assert.deepEqual(ids(state.callsWithParty("external:+3120999")), ["A", "B"]);
    assert.deepEqual(ids(state.callsWithParty("dialplan:020")), ["A"]);
    assert.deepEqual(ids(state.childrenOf("A")), ["A-1"]);

    // A is routed to user 16: re-indexed under its new side only
    state.unindexCall(a);
    a.destinationKey = "user:16";
    state.indexCall(a);
    assert.deepEqual(state.callsWithParty("dialplan:020"), []);
    assert.deepEqual(ids(state.callsWithParty("user:16")), ["A", "A-1"]);

    // a leg that learns its parent late is found under it once re-indexed with its old parent
    const late = record(call("X-1", cp.queue("641", "Sales"), cp.user("18")));
    state.addCall(late);
    late.parentCallId = "A";
    state.unindexCall(late, null);
    state.indexCall(late);
    assert.deepEqual(ids(state.childrenOf("A")), ["A-1", "X-1"]);

    for (const r of [leg, late, b]) state.deleteCall(r);
    assert.deepEqual(state.childrenOf("A"), []);
    assert.deepEqual(ids(state.callsWithParty("external:+3120999")), ["A"]);
    assert.deepEqual(ids(state.callsWithParty("user:16")), ["A"]);
    state.clear();
    assert.deepEqual(state.callsWithParty("user:16"), []);
    assert.equal(state.calls.size, 0);
  });
});

describe("ModelState indices under churn", () => {
  it("stays exact while the same keys leave and rejoin thousands of times (emptied keys are kept, then swept)", () => {
    const state = new ModelState();
    const standing = Array.from({ length: 50 }, (_, i) =>
      record(call(`S${i}`, cp.external(`+3120${i}`), cp.user(`u${i}`))),
    );
    for (const r of standing) state.addCall(r);
    for (let i = 0; i < 5000; i++) {
      const r = record(call(`C${i}`, cp.external(`+3199${i}`), cp.dialplan("020")));
      state.addCall(r);
      assert.deepEqual(ids(state.callsWithParty("dialplan:020")), [`C${i}`]);
      state.unindexCall(r);
      r.destinationKey = "user:u7";
      state.indexCall(r);
      assert.deepEqual(ids(state.callsWithParty("user:u7")), ["S7", `C${i}`]);
      assert.equal(state.countUserCall("u7", 1), true);
      state.deleteCall(r);
      assert.equal(state.countUserCall("u7", -1), true);
      assert.equal(state.callsOfUser("u7"), 0);
      assert.deepEqual(state.callsWithParty("dialplan:020"), []);
      assert.deepEqual(state.callsWithParty(`external:+3199${i}`), []);
    }
    assert.deepEqual(ids(state.callsWithParty("user:u7")), ["S7"]);
    assert.deepEqual(ids(state.callsWithParty("external:+312049")), ["S49"]);
    assert.equal(state.calls.size, 50);
  });

  it("counts each user's active calls, never below zero, and how many users are on one", () => {
    const state = new ModelState();
    // the answer: whether the user went onto a first call or off a last one
    assert.equal(state.countUserCall("16", 1), true);
    assert.equal(state.countUserCall("16", 1), false);
    assert.equal(state.callsOfUser("16"), 2);
    assert.equal(state.countUserCall("17", 1), true);
    assert.equal(state.usersOnCalls, 2);
    assert.equal(state.countUserCall("16", -1), false);
    assert.equal(state.countUserCall("17", -1), true);
    assert.equal(state.countUserCall("17", -1), false, "an extra end does not go below zero");
    assert.equal(state.callsOfUser("16"), 1);
    assert.equal(state.callsOfUser("17"), 0);
    assert.equal(state.callsOfUser("nobody"), 0);
    assert.equal(state.usersOnCalls, 1);
    for (let i = 0; i < 3000; i++) state.countUserCall(`x${i}`, 1);
    for (let i = 0; i < 3000; i++) state.countUserCall(`x${i}`, -1);
    assert.equal(state.usersOnCalls, 1);
    assert.equal(state.callsOfUser("16"), 1);
    state.clear();
    assert.equal(state.usersOnCalls, 0);
  });
});
