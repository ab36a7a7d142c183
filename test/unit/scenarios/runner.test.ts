import assert from "node:assert/strict";
import {
  planScenario,
  runScenario,
  SCENARIO_NAMES,
  ScenarioError,
  ScenarioStepError,
  scenarioCatalogue,
} from "../../../src/simulator/scenarios";
import { CompanyState } from "../../../src/simulator/state/store";
import type { SimNotification } from "../../../src/simulator/state/types";
import { describeAll, recordedCompany, T0 } from "./helpers";

/** Notifications as JSON with the store's random call ids replaced by their order of appearance. */
function canonical(notifications: SimNotification[]): string {
  const refs = new Map<string, string>();
  for (const n of notifications) {
    if (n.type === "notification.call.start" && !refs.has(n.call.id))
      refs.set(n.call.id, `call-${refs.size + 1}`);
  }
  return JSON.stringify(notifications, (_key, value) =>
    typeof value === "string" && refs.has(value) ? refs.get(value) : value,
  );
}

async function play(name: (typeof SCENARIO_NAMES)[number], seed: number, params = {}) {
  const rec = recordedCompany();
  const run = await runScenario(rec.state, name, { timeScale: 0, clock: rec.clock, seed, params });
  return { ...rec, run };
}

/** Pending timers, counted outside any timer callback (a running one still counts as active). */
async function timeoutCount(): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("scenario runner", () => {
  describe("determinism", () => {
    for (const name of SCENARIO_NAMES) {
      it(`${name}: the same seed gives the same notifications (every field, every timestamp)`, async () => {
        const a = await play(name, 7);
        const b = await play(name, 7);
        assert.ok(a.notifications.length > 0);
        assert.equal(canonical(a.notifications), canonical(b.notifications));
      });
    }

    it("different seeds choose different callers, users, queues and timings", async () => {
      const callers = new Set<string>();
      const pairs = new Set<string>();
      const queues = new Set<string>();
      const durations = new Set<number>();
      for (let seed = 1; seed <= 8; seed++) {
        const inbound = await play("inbound-answered", seed);
        const start = inbound.notifications[0];
        assert.equal(start.type, "notification.call.start");
        if (start.type === "notification.call.start" && start.call.source.kind === "External") {
          callers.add(start.call.source.number);
        }
        const internal = await play("internal-call", seed);
        pairs.add(describeAll(internal.notifications)[1]);
        const queued = await play("queue-abandoned", seed);
        queues.add(describeAll(queued.notifications)[1]);
        durations.add(queued.clock.now() - T0);
      }
      assert.equal(callers.size, 8);
      assert.ok(pairs.size >= 3, `internal calls between ${pairs.size} distinct pairs`);
      assert.equal(queues.size, 2, "both seeded queues get callers");
      assert.ok(durations.size >= 6);
    });

    it("a string seed works and differs from another string", () => {
      const state = new CompanyState();
      const a = planScenario(state, "queue-answered-after-reoffers", { seed: "monday" });
      const b = planScenario(state, "queue-answered-after-reoffers", { seed: "monday" });
      const c = planScenario(state, "queue-answered-after-reoffers", { seed: "tuesday" });
      const delays = (p: typeof a) => p.steps.map((s) => s.after).join(",");
      assert.equal(delays(a), delays(b));
      assert.notEqual(delays(a), delays(c));
    });
  });

  describe("virtual clock", () => {
    it("moves by every step's delay, so timestamps are as far apart as in real time", async () => {
      const { state, clock, notifications, run } = await play("queue-answered-after-reoffers", 3);
      const plan = planScenario(new CompanyState(), "queue-answered-after-reoffers", { seed: 3 });
      const total = plan.steps.reduce((sum, s) => sum + s.after, 0);
      assert.equal(clock.now() - T0, total);
      assert.ok(total > 4 * 15_000, `four offer rounds take at least a minute, took ${total} ms`);
      const stamps = notifications.map((n) => n.timestamp);
      assert.equal(stamps[0], Math.floor(T0 / 1000));
      assert.equal(stamps[stamps.length - 1], Math.floor((T0 + total) / 1000));
      for (let i = 1; i < stamps.length; i++) assert.ok(stamps[i] >= stamps[i - 1]);
      // Rounds are re-offered every 15-25 s (plus the gap before the next round).
      const legStarts = notifications.filter(
        (n) => n.type === "notification.call.start" && n.call.queueCallForCall !== undefined,
      );
      const roundStarts = legStarts.filter((_n, i) => i % 2 === 0).map((n) => n.timestamp);
      for (let i = 1; i < roundStarts.length; i++) {
        const gap = roundStarts[i] - roundStarts[i - 1];
        assert.ok(gap >= 15 && gap <= 27, `round gap ${gap} s`);
      }
      // The call's own times come from the same clock.
      const parent = state.call(run.callIds[0]);
      assert.equal(parent?.startedAt, Math.floor(T0 / 1000));
      assert.equal(parent?.endedAt, Math.floor((T0 + total) / 1000));
    });
  });

  describe("queue re-offers", () => {
    for (const reoffers of [0, 1, 5]) {
      it(`reoffers=${reoffers}: every leg points at the parent and the legs number (reoffers+1) x agents`, async () => {
        const { notifications, run } = await play("queue-answered-after-reoffers", 11, { reoffers });
        const parent = run.callIds[0];
        const legs = notifications.filter(
          (n): n is Extract<SimNotification, { type: "notification.call.start" }> =>
            n.type === "notification.call.start" && n.call.id !== parent,
        );
        assert.equal(legs.length, (reoffers + 1) * 2);
        assert.equal(run.expected.offers, legs.length);
        for (const leg of legs) {
          assert.equal(leg.call.queueCallForCall, parent);
          assert.equal(leg.call.source.kind, "Queue");
          assert.equal(leg.call.destination.kind, "User");
        }
        // Every leg but the answered one ends SOURCE_HANGUP; the answered one is bridged (REPLACE).
        const ends = notifications.filter(
          (n): n is Extract<SimNotification, { type: "notification.call.end" }> =>
            n.type === "notification.call.end" && n.callId !== parent,
        );
        assert.equal(ends.length, legs.length);
        assert.equal(ends.filter((e) => e.endReason === "REPLACE").length, 1);
        assert.equal(ends.filter((e) => e.endReason === "SOURCE_HANGUP").length, legs.length - 1);
      });
    }

    it("rings at most maxAgentsPerRound agents per round", async () => {
      const { run } = await play("queue-abandoned", 11, { reoffers: 2, maxAgentsPerRound: 1 });
      assert.equal(run.expected.offers, 3);
      assert.equal(run.callIds.length, 4);
    });
  });

  describe("catalogue", () => {
    it("lists every scenario once, each with a one-line description and its expectation on the default seed", async () => {
      const catalogue = scenarioCatalogue();
      assert.deepEqual(
        catalogue.map((e) => e.name),
        [...SCENARIO_NAMES],
      );
      for (const entry of catalogue) {
        assert.match(entry.description, /^[^\n]{20,300}$/);
        const { run } = await play(entry.name, 20181);
        assert.deepEqual(run.expected, entry.expected, entry.name);
      }
      const queue = catalogue.find((e) => e.name === "queue-answered-after-reoffers");
      assert.deepEqual(queue?.expected, {
        summaryOutcome: "answered",
        direction: "inbound",
        offers: 8,
        transfers: 0,
        summaries: 1,
      });
    });

    it("hands out copies", () => {
      const first = scenarioCatalogue();
      first[0].expected.offers = 99;
      assert.equal(scenarioCatalogue()[0].expected.offers, 0);
    });
  });

  describe("bad input", () => {
    it("refuses an unknown scenario, a bad timeScale or bad params with ScenarioError", () => {
      const state = new CompanyState();
      assert.throws(() => runScenario(state, "nope" as never), ScenarioError);
      assert.throws(() => runScenario(state, "inbound-answered", { timeScale: -1 }), ScenarioError);
      assert.throws(() => runScenario(state, "inbound-answered", { timeScale: Number.NaN }), ScenarioError);
      assert.throws(
        () => runScenario(state, "queue-abandoned", { timeScale: 0, params: { reoffers: -1 } }),
        /reoffers must be an integer/,
      );
      assert.throws(
        () => runScenario(state, "inbound-answered", { seed: Number.POSITIVE_INFINITY }),
        TypeError,
      );
      assert.deepEqual(state.activeCalls(), []);
    });

    it("says clearly when the company cannot play a scenario (no agent can be rung)", () => {
      const state = new CompanyState();
      for (const queue of state.queues()) for (const m of queue.members) state.pauseQueue(m.userId, queue.id);
      assert.throws(
        () => runScenario(state, "queue-answered-after-reoffers", { timeScale: 0 }),
        (err: unknown) => err instanceof ScenarioError && /unpaused member/.test(err.message),
      );
      for (const user of state.users()) state.phoneLogout(user.id);
      assert.throws(() => runScenario(state, "internal-call", { timeScale: 0 }), /needs 2 users logged in/);
    });
  });

  describe("cancellation and failure", () => {
    it("cancelled from a listener mid-run (instant mode): ends its calls, leaves the queue, stops", async () => {
      const { state, clock, notifications } = recordedCompany();
      let legs = 0;
      const abort = new AbortController();
      state.on("notification", (n) => {
        if (n.type === "notification.call.start" && n.call.queueCallForCall && ++legs === 3) abort.abort();
      });
      // Instant mode runs every step inside runScenario: only the signal can reach it mid-run.
      const handle = runScenario(state, "queue-answered-after-reoffers", {
        timeScale: 0,
        clock,
        signal: abort.signal,
      });
      const run = await handle;
      assert.equal(run.status, "cancelled");
      assert.ok(run.stepsRun < run.stepCount);
      assert.deepEqual(state.activeCalls(), []);
      assert.deepEqual(state.queue("2001")?.waitingCallIds, []);
      assert.deepEqual(describeAll(notifications).slice(-6), [
        "call.start c4 Queue(2001):CONNECTING -> User(1002):CONNECTING CONNECTING for c1",
        "call.update c4 STATE Queue(2001):RINGING -> User(1002):RINGING RINGING for c1",
        "call.end c4 SOURCE_HANGUP",
        "queue.call.leave 2001 c1",
        "queue.update 2001 averageWait:0>18,maxWait:0>18,totalWait:0>18",
        "call.end c1 SOURCE_HANGUP",
      ]);
    });

    it("an already aborted signal runs nothing", async () => {
      const { state, notifications } = recordedCompany();
      const run = await runScenario(state, "inbound-answered", { timeScale: 0, signal: AbortSignal.abort() });
      assert.equal(run.status, "cancelled");
      assert.equal(run.stepsRun, 0);
      assert.deepEqual(notifications, []);
    });

    it("cancelled while timed: ends its calls and clears its timer", async () => {
      const before = await timeoutCount();
      const { state, notifications } = recordedCompany();
      const handle = runScenario(state, "queue-answered-after-reoffers", { timeScale: 0.0002 });
      assert.equal(await timeoutCount(), before + 1);
      await sleep(8);
      assert.equal(handle.run.status, "running");
      handle.cancel();
      const run = await handle;
      assert.equal(run.status, "cancelled");
      assert.equal(await timeoutCount(), before);
      assert.deepEqual(state.activeCalls(), []);
      const count = notifications.length;
      await sleep(30);
      assert.equal(notifications.length, count, "nothing happens after cancel");
      handle.cancel(); // a second cancel changes nothing
      assert.equal(notifications.length, count);
    });

    it("cancelled half-way, a people scenario undoes what it changed", async () => {
      const { state } = recordedCompany();
      const handle = runScenario(state, "agent-login-logout", { timeScale: 0.0005 });
      await sleep(8);
      assert.ok(state.membershipsOf("1001").some((m) => m.queueId === "2001" && m.pausedSince > 0));
      handle.cancel();
      await handle;
      assert.deepEqual(
        state.membershipsOf("1001").map((m) => m.queueId),
        ["2002"],
      );

      const status = runScenario(state, "user-status-changes", { timeScale: 0.0005 });
      await sleep(6);
      assert.notEqual(state.user("1001")?.receiveCalls, "ALL");
      status.cancel();
      await status;
      assert.equal(state.user("1001")?.receiveCalls, "ALL");
      assert.equal(state.user("1001")?.displayStatus, "");
    });

    it("a step that fails (its call ended by someone else) rejects with ScenarioStepError and cleans up", async () => {
      const before = await timeoutCount();
      const { state } = recordedCompany();
      const handle = runScenario(state, "attended-transfer", { timeScale: 0.0002 });
      await sleep(5);
      const x = handle.run.callIds[0];
      state.endCall(x, "SOURCE_HANGUP");
      await assert.rejects(handle, (err: unknown) => {
        assert.ok(err instanceof ScenarioStepError);
        assert.equal(err.scenario, "attended-transfer");
        assert.match(err.message, /is not active/);
        return true;
      });
      assert.equal(handle.run.status, "failed");
      assert.deepEqual(state.activeCalls(), []);
      assert.equal(await timeoutCount(), before);
    });
  });

  describe("timed mode", () => {
    it("plays the same sequence on timers as in instant mode, in a fraction of real time", async () => {
      const instant = await play("hold-resume", 5);
      const { state, notifications } = recordedCompany();
      const started = Date.now();
      const handle = runScenario(state, "hold-resume", { seed: 5, timeScale: 0.0005 });
      assert.equal(handle.run.status, "running");
      const run = await handle;
      assert.equal(run.status, "completed");
      assert.ok(Date.now() - started < 1000);
      assert.deepEqual(describeAll(notifications), describeAll(instant.notifications));
    });
  });
});
