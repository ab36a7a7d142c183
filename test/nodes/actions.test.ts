// The dedicated action nodes in real flows against the simulator: each REST operation changes the
// simulated platform as it would the live one, and bad input reaches a Catch node. Each test checks
// the target: the node changes exactly the user, queue, switch or colleague it was given, nothing else.

import { strict as assert } from "node:assert";
import { type Simulator, startSimulator } from "../../src/simulator";
import type { SimNotification } from "../../src/simulator/state/types";
import { actionFlow, startServer, stopServer, unload } from "../support/node-red";

describe("action nodes (real flows, simulator over loopback)", () => {
  let sim: Simulator;
  let announced: SimNotification[];

  before(startServer);
  after(stopServer);
  beforeEach(async () => {
    sim = await startSimulator({ xmppPort: false });
    announced = [];
    sim.state.on("notification", (n) => announced.push(n));
  });
  afterEach(async () => {
    await unload();
    await sim.close();
  });

  /** What an action node can change, per target, to compare before and after. */
  function targets() {
    return {
      receiveCalls: Object.fromEntries(sim.state.users().map((u) => [u.id, u.receiveCalls])),
      members: sim.state
        .queues()
        .flatMap((q) => q.members.map((m) => `${q.id}:${m.userId}${m.pausedSince > 0 ? ":paused" : ""}`))
        .sort(),
      switches: Object.fromEntries(sim.state.dpSwitches().map((s) => [s.id, s.currentSetting])),
    };
  }

  describe("compass-queue-agent", () => {
    const base = {
      user: "1005",
      userType: "str",
      queue: "2001",
      queueType: "str",
      priority: 2,
      callForward: false,
    };

    it("logs a user into a queue with priority, then pauses, unpauses and logs them out", async () => {
      const f = await actionFlow(sim, "compass-queue-agent", { ...base, action: "msg" });
      const before = targets();
      const others = before.members;
      const expected: Record<string, string[]> = {
        login: [...others, "2001:1005"],
        pause: [...others, "2001:1005:paused"],
        unpause: [...others, "2001:1005"],
        logout: others,
      };
      for (const [i, action] of ["login", "pause", "unpause", "logout"].entries()) {
        f.node("action").receive({ action });
        const msgs = await f.waitFor("out", i + 1);
        assert.equal(msgs[i].statusCode, 200);
        assert.equal(msgs[i].payload.action, action);
        // user 1005 in queue 2001 and no other membership changed
        assert.deepEqual(targets().members, [...(expected[action] ?? [])].sort(), action);
      }
      assert.deepEqual({ ...targets(), members: before.members }, before);
      assert.deepEqual(
        announced.map((n) => n.type),
        [
          "notification.queueMember.enter",
          "notification.queueMember.update",
          "notification.queueMember.update",
          "notification.queueMember.leave",
        ],
      );
      const enter = announced[0] as Extract<SimNotification, { type: "notification.queueMember.enter" }>;
      assert.deepEqual(
        [enter.member.userId, enter.member.queueId, enter.member.priority],
        ["1005", "2001", 2],
      );
      const pause = announced[1] as Extract<SimNotification, { type: "notification.queueMember.update" }>;
      assert.ok(pause.member.pausedSince > 0);
      for (const n of announced.slice(1)) {
        const { member } = n as Extract<SimNotification, { member: unknown }>;
        assert.deepEqual([member.userId, member.queueId], ["1005", "2001"], n.type);
      }
    });

    it("takes user and queue from the message, as ids or self URLs", async () => {
      const f = await actionFlow(sim, "compass-queue-agent", {
        ...base,
        action: "login",
        user: "user",
        userType: "msg",
        queue: "queue",
        queueType: "msg",
      });
      f.node("action").receive({ user: `${sim.rest.url}/user/1005`, queue: "2002" });
      await f.waitFor("out");
      assert.deepEqual(
        sim.state.membershipsOf("1005").map((m) => m.queueId),
        ["2002"],
      );
    });

    it("logging in twice is refused by the platform and reaches a Catch node", async () => {
      const f = await actionFlow(sim, "compass-queue-agent", { ...base, action: "login", user: "1002" });
      f.node("action").receive({});
      const [caught] = await f.waitFor("caught");
      assert.equal(caught.statusCode, 400);
      assert.match(caught.error.message, /400/);
    });

    it("an unknown action is a clear error", async () => {
      const f = await actionFlow(sim, "compass-queue-agent", { ...base, action: "msg" });
      f.node("action").receive({ action: "dance" });
      const [caught] = await f.waitFor("caught");
      assert.match(caught.error.message, /dance/);
    });
  });

  describe("compass-user-status", () => {
    it("sets receive calls to only direct, reads it back, and ends a wrap-up (API v3)", async () => {
      const f = await actionFlow(sim, "compass-user-status", {
        action: "msg",
        user: "1001",
        userType: "str",
        receiveCalls: "msg",
      });
      const before = targets();
      f.node("action").receive({ action: "set", payload: "only_direct" });
      const [set] = await f.waitFor("out");
      assert.equal(set.payload.receiveCalls, "ONLY_DIRECT");
      // user 1001 changed, and no one else
      assert.deepEqual(targets(), {
        ...before,
        receiveCalls: { ...before.receiveCalls, "1001": "ONLY_DIRECT" },
      });
      const statuses = announced.filter((n) => n.type === "notification.user.status");
      assert.deepEqual(
        statuses.map((n) => n.userId),
        ["1001"],
      );
      f.node("action").receive({ action: "get" });
      const [, got] = await f.waitFor("out", 2);
      assert.equal(got.payload.receiveCalls, "ONLY_DIRECT");
      sim.state.startWrapup("1001", "call-1", Math.floor(Date.now() / 1000) + 60);
      f.node("action").receive({ action: "end-wrapup" });
      await f.waitFor("out", 3);
      assert.equal(sim.state.user("1001")?.wrapupState, undefined);
    });

    it("refuses a receive-calls value the platform does not know, before sending", async () => {
      const f = await actionFlow(sim, "compass-user-status", {
        action: "set",
        user: "1001",
        userType: "str",
        receiveCalls: "msg",
      });
      f.node("action").receive({ payload: "SOMETIMES" });
      const [caught] = await f.waitFor("caught");
      assert.match(caught.error.message, /SOMETIMES/);
      assert.deepEqual(announced, []);
    });
  });

  describe("compass-dial", () => {
    it("dials a number for a user and outputs the new call's id (v3)", async () => {
      const f = await actionFlow(sim, "compass-dial", {
        user: "1001",
        userType: "str",
        mode: "number",
        destination: "payload",
        destinationType: "msg",
      });
      f.node("action").receive({ payload: "+31201234567" });
      const [msg] = await f.waitFor("out");
      assert.equal(typeof msg.payload.callId, "string");
      const call = sim.state.call(msg.payload.callId);
      assert.ok(call, "the call exists on the platform");
      assert.deepEqual(
        [
          call.source.kind === "User" && call.source.userId,
          call.destination.kind === "External" && call.destination.number,
        ],
        ["1001", "+31201234567"],
      );
    });

    it("dials a colleague by user id", async () => {
      const f = await actionFlow(sim, "compass-dial", {
        user: "1001",
        userType: "str",
        mode: "user",
        destination: "1004",
        destinationType: "str",
      });
      f.node("action").receive({});
      const [msg] = await f.waitFor("out");
      const call = sim.state.call(msg.payload.callId);
      // the caller is the chosen user and the callee exactly the chosen colleague
      assert.deepEqual(
        [
          call?.source.kind === "User" && call.source.userId,
          call?.destination.kind === "User" && call.destination.userId,
        ],
        ["1001", "1004"],
      );
      assert.equal(sim.state.activeCalls().length, 1, "one call, to that colleague only");
      // what a client hears over XMPP: the call routed to 1004
      const routed = announced.filter((n) => n.type === "notification.call.update");
      assert.ok(routed.length > 0);
      for (const n of routed) {
        const destination = n.call.destination;
        assert.equal(n.call.id, msg.payload.callId);
        assert.equal(destination.kind === "User" && destination.userId, "1004");
      }
    });

    it("a dial without a destination is a clear error", async () => {
      const f = await actionFlow(sim, "compass-dial", {
        user: "1001",
        userType: "str",
        mode: "number",
        destination: "payload",
        destinationType: "msg",
      });
      f.node("action").receive({ payload: "" });
      const [caught] = await f.waitFor("caught");
      assert.match(caught.error.message, /destination/i);
    });
  });

  describe("compass-dpswitch", () => {
    it("sets a switch by name to a setting by name, and reads it by id", async () => {
      const f = await actionFlow(sim, "compass-dpswitch", {
        action: "msg",
        switch: "switch",
        switchType: "msg",
        setting: "setting",
        settingType: "msg",
      });
      const before = targets();
      f.node("action").receive({ action: "set", switch: "day/night", setting: "Holiday" });
      const [set] = await f.waitFor("out");
      assert.equal(set.payload.currentSetting, 3);
      // switch 3001 changed, and no other switch
      assert.deepEqual(targets(), { ...before, switches: { ...before.switches, "3001": 3 } });
      f.node("action").receive({ action: "get", switch: "3001" });
      const [, got] = await f.waitFor("out", 2);
      assert.equal(got.payload.name, "Day/Night");
    });

    it("an unknown switch and an out-of-range setting reach a Catch node", async () => {
      const f = await actionFlow(sim, "compass-dpswitch", {
        action: "set",
        switch: "switch",
        switchType: "msg",
        setting: "9",
        settingType: "num",
      });
      f.node("action").receive({ switch: "no such switch" });
      const [unknown] = await f.waitFor("caught");
      assert.match(unknown.error.message, /no such switch/);
      f.node("action").receive({ switch: "3001" });
      const [, range] = await f.waitFor("caught", 2);
      assert.equal(range.statusCode, 400);
    });

    it("a user without write rights gets the platform's 403", async () => {
      const f = await actionFlow(
        sim,
        "compass-dpswitch",
        { action: "set", switch: "3001", switchType: "str", setting: "2", settingType: "num" },
        "bob",
      );
      f.node("action").receive({});
      const [caught] = await f.waitFor("caught");
      assert.equal(caught.statusCode, 403);
    });
  });
});
