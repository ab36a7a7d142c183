import assert from "node:assert/strict";
import {
  SimConflictError,
  SimForbiddenError,
  SimNotFoundError,
  SimValidationError,
} from "../../../src/simulator/state/errors";
import { defaultSeed } from "../../../src/simulator/state/seed";
import { CompanyState } from "../../../src/simulator/state/store";
import type { SimNotification } from "../../../src/simulator/state/types";

const T0 = 1_700_000_000_000;

function setup(options: { historySize?: number } = {}) {
  let now = T0;
  const state = new CompanyState({ clock: () => now, ...options });
  const seen: SimNotification[] = [];
  state.on("notification", (n) => seen.push(n));
  return {
    state,
    seen,
    advance(ms: number) {
      now += ms;
    },
    /** the notifications since the last call, then forget them */
    take(): SimNotification[] {
      return seen.splice(0, seen.length);
    },
  };
}

describe("simulator state: seed", () => {
  it("seeds a small Dutch company with users, queues, switches, numbers and phones", () => {
    const { state } = setup();
    assert.equal(state.company.id, "8323166");
    assert.equal(state.company.name, "Simulated Company BV");
    assert.deepEqual(
      state.users().map((u) => [u.username, u.extensions[0]]),
      [
        ["alice", "201"],
        ["bob", "202"],
        ["carol", "203"],
        ["dave", "204"],
        ["erin", "205"],
      ],
    );
    assert.equal(state.userByUsername("alice")?.companyRight, "write");
    assert.equal(state.userByUsername("ALICE")?.id, "1001", "usernames match case-insensitively");
    assert.deepEqual(
      state
        .users()
        .filter((u) => u.location === -1)
        .map((u) => u.username),
      ["erin"],
    );
    assert.deepEqual(
      state.queues().map((q) => [q.id, q.name]),
      [
        ["2001", "Support"],
        ["2002", "Sales"],
      ],
    );
    assert.deepEqual(state.dpSwitch("3001")?.settings, ["Day", "Night", "Holiday"]);
    assert.ok(state.externalNumbers().some((n) => n.destination.startsWith("queue:")));
    assert.ok(state.externalNumbers().some((n) => n.destination.startsWith("user:")));
    assert.ok(state.externalNumbers().every((n) => n.number.startsWith("+3185")));
  });

  it("gives deterministic passwords that can be overridden", () => {
    assert.equal(defaultSeed().users[0]?.password, "compass-alice");
    const seed = defaultSeed({ passwords: { bob: "s3cret" } });
    assert.equal(seed.users.find((u) => u.username === "bob")?.password, "s3cret");
    assert.equal(seed.users.find((u) => u.username === "alice")?.password, "compass-alice");
  });

  it("does not share the seed between two states", () => {
    const seed = defaultSeed();
    const a = new CompanyState({ seed });
    const b = new CompanyState({ seed });
    a.loginQueue("1005", "2001");
    assert.equal(b.queue("2001")?.members.length, 2);
    assert.equal(seed.queues[0]?.members.length, 2);
  });
});

describe("simulator state: queue membership", () => {
  it("loginQueue announces exactly one queueMember.enter", () => {
    const { state, take } = setup();
    const member = state.loginQueue("1005", "2001", { priority: 3, callForward: true });
    assert.deepEqual(take(), [
      {
        type: "notification.queueMember.enter",
        timestamp: T0 / 1000,
        member: { queueId: "2001", userId: "1005", priority: 3, callForward: true, pausedSince: 0 },
      },
    ]);
    assert.equal(state.queue("2001")?.members.at(-1), member);
  });

  it("loginQueue refuses a member twice, unknown ids and bad priorities, announcing nothing", () => {
    const { state, take } = setup();
    assert.throws(() => state.loginQueue("1002", "2001"), SimConflictError);
    assert.throws(() => state.loginQueue("nope", "2001"), SimNotFoundError);
    assert.throws(() => state.loginQueue("1005", "nope"), SimNotFoundError);
    assert.throws(() => state.loginQueue("1005", "2001", { priority: -1 }), SimValidationError);
    assert.throws(() => state.loginQueue("1005", "2001", { priority: 1.5 }), SimValidationError);
    assert.deepEqual(take(), []);
  });

  it("logoutQueue announces queueMember.leave and refuses a non-member", () => {
    const { state, take } = setup();
    state.logoutQueue("1002", "2001");
    const seen = take();
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.type, "notification.queueMember.leave");
    assert.equal(
      state.queue("2001")?.members.some((m) => m.userId === "1002"),
      false,
    );
    assert.throws(() => state.logoutQueue("1002", "2001"), SimConflictError);
    assert.deepEqual(take(), []);
  });

  it("pause and unpause announce queueMember.update with pausedSince in ms; repeating changes nothing", () => {
    const { state, take, advance } = setup();
    advance(1500);
    state.pauseQueue("1002", "2001");
    assert.deepEqual(take(), [
      {
        type: "notification.queueMember.update",
        timestamp: Math.floor((T0 + 1500) / 1000),
        member: { queueId: "2001", userId: "1002", priority: 1, callForward: false, pausedSince: T0 + 1500 },
        changes: [{ name: "pausedSince", oldValue: "0", newValue: String(T0 + 1500) }],
      },
    ]);
    state.pauseQueue("1002", "2001");
    assert.deepEqual(take(), []);
    state.unpauseQueue("1002", "2001");
    const [n] = take();
    assert.equal(n?.type, "notification.queueMember.update");
    if (n?.type !== "notification.queueMember.update") return;
    assert.equal(n.member.pausedSince, 0);
    assert.deepEqual(n.changes, [{ name: "pausedSince", oldValue: String(T0 + 1500), newValue: "0" }]);
    assert.throws(() => state.pauseQueue("1005", "2001"), SimConflictError);
  });
});

describe("simulator state: users", () => {
  it("setUserStatus announces one user.status with the whole status, nothing when unchanged", () => {
    const { state, take } = setup();
    state.setUserStatus("1002", { receiveCalls: "ONLY_DIRECT", displayStatus: "Lunch" });
    assert.deepEqual(take(), [
      {
        type: "notification.user.status",
        timestamp: T0 / 1000,
        userId: "1002",
        receiveCalls: "ONLY_DIRECT",
        displayStatus: "Lunch",
      },
    ]);
    state.setUserStatus("1002", { receiveCalls: "ONLY_DIRECT" });
    assert.deepEqual(take(), []);
    assert.throws(() => state.setUserStatus("1002", { receiveCalls: "SOME" as "ALL" }), SimValidationError);
  });

  it("wrap-up shows in user.status and endWrapup clears it", () => {
    const { state, take } = setup();
    state.startWrapup("1003", "call-1", T0 / 1000 + 30);
    const [start] = take();
    assert.deepEqual(start && "wrapupState" in start ? start.wrapupState : undefined, {
      callId: "call-1",
      endTime: T0 / 1000 + 30,
    });
    state.setUserStatus("1003", { endWrapup: true });
    const [end] = take();
    assert.equal(end?.type, "notification.user.status");
    assert.equal(end && "wrapupState" in end, false);
    assert.equal(state.user("1003")?.wrapupState, undefined);
  });

  it("phoneLogin announces loggedIn and location; taking a used phone logs its user out first", () => {
    const { state, take } = setup();
    state.phoneLogin("1005", "4005");
    assert.deepEqual(take(), [
      {
        type: "notification.user.update",
        timestamp: T0 / 1000,
        userId: "1005",
        changes: [
          { name: "loggedIn", oldValue: "false", newValue: "true" },
          { name: "location", oldValue: "-1", newValue: "4005" },
        ],
      },
    ]);
    state.phoneLogin("1005", "4002");
    assert.deepEqual(
      take().map((n) => (n.type === "notification.user.update" ? [n.userId, n.changes] : n.type)),
      [
        [
          "1002",
          [
            { name: "loggedIn", oldValue: "true", newValue: "false" },
            { name: "location", oldValue: "4002", newValue: "-1" },
          ],
        ],
        ["1005", [{ name: "location", oldValue: "4005", newValue: "4002" }]],
      ],
    );
    assert.throws(() => state.phoneLogin("1005", "9999"), SimNotFoundError);
  });

  it("phoneLogout announces the change once; logging out again changes nothing", () => {
    const { state, take } = setup();
    state.phoneLogout("1002");
    assert.equal(take().length, 1);
    assert.equal(state.user("1002")?.location, -1);
    state.phoneLogout("1002");
    assert.deepEqual(take(), []);
  });

  it("updateUser announces the changed fields only", () => {
    const { state, take } = setup();
    state.updateUser("1002", { name: "Bob J. Jansen", language: "nl" });
    assert.deepEqual(take(), [
      {
        type: "notification.user.update",
        timestamp: T0 / 1000,
        userId: "1002",
        changes: [{ name: "name", oldValue: "Bob Jansen", newValue: "Bob J. Jansen" }],
      },
    ]);
    assert.throws(() => state.updateUser("1002", { name: " " }), SimValidationError);
  });

  it("setDpSwitch accepts 1..settings and announces nothing (the platform has no such event)", () => {
    const { state, take } = setup();
    assert.equal(state.setDpSwitch("3001", 3).currentSetting, 3);
    assert.throws(() => state.setDpSwitch("3001", 0), SimValidationError);
    assert.throws(() => state.setDpSwitch("3001", 4), SimValidationError);
    assert.throws(() => state.setDpSwitch("9999", 1), SimNotFoundError);
    assert.deepEqual(take(), []);
  });
});

describe("simulator state: calls", () => {
  it("an inbound queue call: start, route, queue enter/leave with statistics, answer, hold, end", () => {
    const { state, take, advance } = setup();
    const call = state.startCall(
      state.externalCallpoint("+31612345678", "Caller"),
      state.dialplanCallpoint("+31851234500"),
    );
    assert.match(call.id, /^[0-9a-f]{12}-[0-9a-z]{6}\.[0-9a-f]{24}\.0$/);
    const [start] = take();
    assert.equal(start?.type, "notification.call.start");
    if (start?.type !== "notification.call.start") return;
    assert.equal(start.call.destination.kind, "Dialplan");
    assert.equal(start.call.state, "CONNECTING");
    assert.notEqual(start.call, call, "a notification carries a snapshot");

    state.routeCall(call.id, "DESTINATION", state.queueCallpoint("2001"));
    state.queueCallEnter("2001", call.id);
    assert.deepEqual(
      take().map((n) => [n.type, "updateType" in n ? n.updateType : "changes" in n ? n.changes : undefined]),
      [
        ["notification.call.update", "DESTINATION"],
        ["notification.queue.call.enter", undefined],
        ["notification.queue.update", [{ name: "totalCalls", oldValue: "0", newValue: "1" }]],
      ],
    );
    assert.deepEqual(state.queue("2001")?.waitingCallIds, [call.id]);

    advance(12_000);
    state.queueCallLeave("2001", call.id, { handled: true });
    assert.deepEqual(take(), [
      {
        type: "notification.queue.call.leave",
        timestamp: (T0 + 12_000) / 1000,
        queueId: "2001",
        callId: call.id,
      },
      {
        type: "notification.queue.update",
        timestamp: (T0 + 12_000) / 1000,
        queueId: "2001",
        changes: [
          { name: "handledCalls", oldValue: "0", newValue: "1" },
          { name: "averageWait", oldValue: "0", newValue: "12" },
          { name: "maxWait", oldValue: "0", newValue: "12" },
          { name: "totalWait", oldValue: "0", newValue: "12" },
        ],
      },
    ]);

    state.routeCall(call.id, "DESTINATION", state.userCallpoint("1002"));
    state.setCallState(call.id, "RINGING");
    state.setCallState(call.id, "ANSWERED");
    assert.equal(call.answeredAt, (T0 + 12_000) / 1000);
    assert.equal(call.destination.state, "ANSWERED");
    state.setCallpointState(call.id, "DESTINATION", "INACTIVE");
    assert.equal(call.state, "ON_HOLD");
    state.setCallpointState(call.id, "DESTINATION", "ANSWERED");
    assert.equal(call.state, "ANSWERED");
    assert.deepEqual(
      take().map((n) => (n.type === "notification.call.update" ? `${n.updateType}:${n.call.state}` : n.type)),
      ["DESTINATION:CONNECTING", "STATE:RINGING", "STATE:ANSWERED", "STATE:ON_HOLD", "STATE:ANSWERED"],
    );

    state.endCall(call.id, "DESTINATION_HANGUP");
    assert.deepEqual(take(), [
      {
        type: "notification.call.end",
        timestamp: (T0 + 12_000) / 1000,
        callId: call.id,
        endReason: "DESTINATION_HANGUP",
      },
    ]);
    assert.equal(state.activeCalls().length, 0);
    assert.equal(state.recentCalls()[0]?.id, call.id);
    assert.equal(state.call(call.id)?.state, "DISCONNECTED");
    assert.throws(() => state.setCallState(call.id, "RINGING"), SimNotFoundError);
  });

  it("ending a waiting caller ends its child legs and leaves the queue unhandled first", () => {
    const { state, take, advance } = setup();
    const parent = state.startCall(
      state.externalCallpoint("+31201234567"),
      state.dialplanCallpoint("+31851234500"),
    );
    state.routeCall(parent.id, "DESTINATION", state.queueCallpoint("2001"));
    state.queueCallEnter("2001", parent.id);
    const leg = state.startCall(state.queueCallpoint("2001"), state.userCallpoint("1002"), {
      queueCallForCall: parent.id,
    });
    assert.equal(leg.queueCallForCall, parent.id);
    take();
    advance(5000);
    state.endCall(parent.id, "SOURCE_HANGUP");
    assert.deepEqual(
      take().map((n) => [n.type, "callId" in n ? n.callId : undefined]),
      [
        ["notification.call.end", leg.id],
        ["notification.queue.call.leave", parent.id],
        ["notification.queue.update", undefined],
        ["notification.call.end", parent.id],
      ],
    );
    assert.equal(state.queue("2001")?.stats.handledCalls, 0);
    assert.equal(state.queue("2001")?.stats.maxWait, 5);
    assert.deepEqual(state.queue("2001")?.waitingCallIds, []);
  });

  it("routeCall BOTH replaces both sides in one update", () => {
    const { state, take } = setup();
    const call = state.startCall(state.userCallpoint("1001"), state.dialplanCallpoint("202"));
    take();
    state.routeCall(call.id, "BOTH", {
      source: state.userCallpoint("1003"),
      destination: state.userCallpoint("1002"),
    });
    const seen = take();
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.type === "notification.call.update" && seen[0].updateType, "BOTH");
    assert.equal(call.source.kind === "User" && call.source.userId, "1003");
  });

  it("rejects bad call input without announcing anything", () => {
    const { state, take } = setup();
    assert.throws(() => state.userCallpoint("nope"), SimNotFoundError);
    assert.throws(
      () =>
        state.startCall(state.userCallpoint("1001"), state.dialplanCallpoint("1"), { queueCallForCall: "x" }),
      SimNotFoundError,
    );
    const call = state.startCall(state.userCallpoint("1001"), state.dialplanCallpoint("202"));
    take();
    assert.throws(() => state.setCallState(call.id, "DISCONNECTED" as "RINGING"), SimValidationError);
    assert.throws(() => state.endCall(call.id, "BORED" as "REPLACE"), SimValidationError);
    assert.throws(() => state.queueCallLeave("2001", call.id), SimConflictError);
    state.queueCallEnter("2001", call.id);
    take();
    assert.throws(() => state.queueCallEnter("2001", call.id), SimConflictError);
    assert.deepEqual(take(), []);
  });

  it("dialNumber: call.start to the dial plan, then call.update DESTINATION to the external number", () => {
    const { state, take } = setup();
    const call = state.dialNumber("1001", "+31 6 1234 5678");
    const seen = take();
    assert.deepEqual(
      seen.map((n) => n.type),
      ["notification.call.start", "notification.call.update"],
    );
    const [start, update] = seen;
    assert.equal(start?.type === "notification.call.start" && start.call.destination.kind, "Dialplan");
    assert.equal(update?.type === "notification.call.update" && update.updateType, "DESTINATION");
    assert.deepEqual(
      call.destination.kind === "External" ? call.destination.number : undefined,
      "+31612345678",
    );
    assert.equal(call.source.kind === "User" && call.source.identityId, "6001");
    assert.throws(() => state.dialNumber("1001", "call me"), SimValidationError);
    assert.throws(() => state.dialNumber("1005", "0612345678"), SimConflictError, "erin is on no phone");
  });

  it("dialUser calls a colleague through the dial plan at their extension", () => {
    const { state, take } = setup();
    const call = state.dialUser("1002", "1003");
    const [start] = take();
    assert.equal(
      start?.type === "notification.call.start" &&
        start.call.destination.kind === "Dialplan" &&
        start.call.destination.exten,
      "203",
    );
    assert.equal(call.destination.kind === "User" && call.destination.userId, "1003");
    assert.throws(() => state.dialUser("1002", "1002"), SimValidationError);
    assert.throws(() => state.dialUser("1002", "nope"), SimNotFoundError);
  });

  it("pickupQueueCall needs the feature and a waiting caller in one of the user's queues", () => {
    const { state, take } = setup();
    assert.throws(() => state.pickupQueueCall("1002"), SimForbiddenError);
    assert.throws(() => state.pickupQueueCall("1001"), SimConflictError);
    const call = state.startCall(
      state.externalCallpoint("+31201234567"),
      state.dialplanCallpoint("+31851234501"),
    );
    state.routeCall(call.id, "DESTINATION", state.queueCallpoint("2002"));
    state.queueCallEnter("2002", call.id);
    take();
    const picked = state.pickupQueueCall("1001");
    assert.equal(picked.id, call.id);
    assert.equal(picked.state, "ANSWERED");
    assert.deepEqual(
      take().map((n) => n.type),
      [
        "notification.queue.call.leave",
        "notification.queue.update",
        "notification.call.update",
        "notification.call.update",
      ],
    );
    assert.equal(state.queue("2002")?.stats.handledCalls, 1);
  });

  it("keeps a bounded history of ended calls and no ended call among the active ones", () => {
    const { state } = setup({ historySize: 5 });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const call = state.startCall(
        state.externalCallpoint(`+3161234${i}`),
        state.dialplanCallpoint("+31851234500"),
      );
      ids.push(call.id);
      state.endCall(call.id, "SOURCE_HANGUP");
    }
    assert.deepEqual(
      state.recentCalls().map((c) => c.id),
      ids.slice(-5),
    );
    assert.equal(state.activeCalls().length, 0);
    assert.equal(state.call(ids[0] ?? ""), undefined);
    assert.equal(new Set(ids).size, 12, "call ids are unique");
  });

  it("a throwing listener neither stops other listeners nor undoes the change", () => {
    const { state, take } = setup();
    const errors: unknown[] = [];
    state.on("listenerError", (e) => errors.push(e));
    state.prependListener("notification", () => {
      throw new Error("listener bug");
    });
    state.loginQueue("1005", "2002");
    assert.equal(take().length, 1);
    assert.equal(errors.length, 1);
    assert.equal(state.queue("2002")?.members.length, 3);
  });
});

describe("simulator state: removing a user", () => {
  it("leaves the user's queues, then announces user.destroy", () => {
    const { state, take } = setup();
    state.removeUser("1002");
    assert.deepEqual(
      take().map((n) => [n.type, "member" in n ? n.member.queueId : "userId" in n ? n.userId : undefined]),
      [
        ["notification.queueMember.leave", "2001"],
        ["notification.user.destroy", "1002"],
      ],
    );
    assert.equal(state.user("1002"), undefined);
    assert.equal(state.userByUsername("bob"), undefined);
    assert.throws(() => state.removeUser("1002"), SimNotFoundError);
  });
});
