import assert from "node:assert/strict";
import { ScenarioError, ScenarioStepError, startTraffic } from "../../../src/simulator/scenarios";
import { defaultSeed } from "../../../src/simulator/state/seed";
import { CompanyState } from "../../../src/simulator/state/store";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timeoutCount(): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

describe("continuous traffic", () => {
  it("at a high rate stays within its concurrency, and stop() leaves no call, change or timer behind", async () => {
    const before = await timeoutCount();
    const state = new CompanyState();
    const maxConcurrent = 3;
    const errors: unknown[] = [];
    let maxRunning = 0;
    let maxParents = 0;
    let maxLegs = 0;
    let notifications = 0;
    const types = new Set<string>();
    const traffic = startTraffic(state, {
      callsPerMinute: 6000,
      timeScale: 0.0005,
      maxConcurrent,
      seed: 42,
      onError: (err) => errors.push(err),
    });
    state.on("notification", (n) => {
      notifications += 1;
      types.add(n.type);
      maxRunning = Math.max(maxRunning, traffic.stats().running);
      const calls = state.activeCalls();
      const legs = calls.filter((c) => c.queueCallForCall !== undefined).length;
      maxLegs = Math.max(maxLegs, legs);
      maxParents = Math.max(maxParents, calls.length - legs);
    });
    await sleep(1000);
    const during = traffic.stats();
    await traffic.stop();
    const after = traffic.stats();

    assert.ok(during.started >= 15, `started ${during.started}`);
    assert.ok(during.completed >= 5, `completed ${during.completed}`);
    assert.ok(during.skipped > 0, "a start due while full is skipped");
    assert.ok(maxRunning <= maxConcurrent, `ran ${maxRunning} at once`);
    // A scenario holds at most two conversation calls (a transfer) and three legs per queue round.
    assert.ok(maxParents <= 2 * maxConcurrent, `${maxParents} calls at once`);
    assert.ok(maxLegs <= 3 * maxConcurrent, `${maxLegs} legs at once`);
    for (const type of ["call.start", "call.end", "queue.call.enter", "call.update"]) {
      assert.ok(types.has(`notification.${type}`), `traffic produced ${type}`);
    }
    // Plan errors (nobody free for a transfer just now) are skips; step errors are rare races.
    for (const err of errors)
      assert.ok(err instanceof ScenarioError || err instanceof ScenarioStepError, String(err));
    const stepErrors = errors.filter((e) => e instanceof ScenarioStepError);
    assert.ok(
      stepErrors.length <= during.started / 10,
      `${stepErrors.length} failures: ${stepErrors.join("; ")}`,
    );

    assert.equal(after.running, 0);
    assert.deepEqual(state.activeCalls(), []);
    const seed = defaultSeed();
    for (const queue of state.queues()) {
      assert.deepEqual(queue.waitingCallIds, []);
      assert.deepEqual(
        queue.members.map((m) => [m.userId, m.pausedSince]),
        seed.queues.find((q) => q.id === queue.id)?.members.map((m) => [m.userId, 0]),
      );
    }
    for (const user of state.users()) {
      const seeded = seed.users.find((u) => u.id === user.id);
      assert.equal(user.location, seeded?.location, `user ${user.id} phone`);
      assert.equal(user.receiveCalls, "ALL");
      assert.equal(user.displayStatus, "");
    }
    assert.equal(await timeoutCount(), before, "stop() clears every timer");
    const count = notifications;
    await sleep(30);
    assert.equal(notifications, count, "nothing happens after stop()");
  });

  it("plays only the scenarios it is given", async () => {
    const state = new CompanyState();
    const reasons = new Set<string>();
    state.on("notification", (n) => {
      if (n.type === "notification.call.end") reasons.add(n.endReason);
    });
    const traffic = startTraffic(state, {
      callsPerMinute: 6000,
      timeScale: 0.0005,
      scenarios: ["inbound-busy"],
    });
    await sleep(150);
    // Before stop(): stop() itself hangs up what is still ringing (SOURCE_HANGUP).
    const seen = [...reasons];
    await traffic.stop();
    assert.ok(traffic.stats().completed > 0);
    assert.deepEqual(seen, ["DESTINATION_BUSY"]);
  });

  it("refuses bad options with ScenarioError", () => {
    const state = new CompanyState();
    assert.throws(() => startTraffic(state, { callsPerMinute: 0 }), ScenarioError);
    assert.throws(() => startTraffic(state, { callsPerMinute: Number.NaN }), ScenarioError);
    assert.throws(() => startTraffic(state, { maxConcurrent: 0 }), ScenarioError);
    assert.throws(() => startTraffic(state, { scenarios: [] }), ScenarioError);
    assert.throws(() => startTraffic(state, { scenarios: ["nope" as never] }), /scenarios must be/);
  });
});
