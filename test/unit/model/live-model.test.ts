import assert from "node:assert/strict";
import { LiveModel } from "../../../src/compass/model/live-model";
import type { QueueStats } from "../../../src/compass/model/types";
import type { Notification } from "../../../src/compass/protocol/types";
import { cp, freshModel, member, Platform, Recorder, seedSnapshot, user } from "./builders";

describe("LiveModel loading and resync", () => {
  it("seeds silently on the first load and answers queries from it", () => {
    const model = new LiveModel();
    const rec = new Recorder(model);
    const loaded: unknown[] = [];
    model.on("loaded", (info) => loaded.push(info));
    const snapshot = seedSnapshot();
    snapshot.calls.push({
      id: "C1",
      source: cp.external("+3120555", "", "ANSWERED"),
      destination: cp.user("17", "Jan Jansen", "ANSWERED"),
      state: "ANSWERED",
      properties: {},
    });
    snapshot.queues[0].callIds = [];
    model.load(snapshot, 1000);
    assert.deepEqual(rec.events, []);
    assert.deepEqual(loaded, [{ resynced: false }]);
    assert.equal(model.company?.id, "15");
    assert.deepEqual(
      model.getUsers().map((u) => u.id),
      ["16", "17", "18"],
    );
    assert.equal(model.getUser("17")?.activeCalls, 1);
    assert.equal(model.getCall("C1")?.direction, "inbound");
    assert.equal(model.getCall("C1")?.answeredAt, 1000);
    const queue = model.getQueue("641", 1000);
    assert.deepEqual(
      queue?.members.map((m) => m.userId),
      ["16", "18"],
    );
    assert.deepEqual(queue?.stats.agents, { loggedIn: 2, available: 2, paused: 0 });
    // Copies: changing an answer never changes the model.
    const copy = model.getCall("C1")!;
    copy.state = "broken";
    assert.equal(model.getCall("C1")?.state, "answered");
    assert.equal(model.getUser("nobody"), null);
  });

  it("after a gap ends vanished calls (resynced) with their summary, logs out agents, starts new calls", () => {
    const { model, platform: p, rec } = freshModel();
    p.start("X", cp.external("+3120555"), cp.dialplan("020"));
    p.route("X", "DESTINATION", cp.user("17")).state("X", "RINGING").state("X", "ANSWERED");
    rec.clear();

    const after = seedSnapshot();
    after.users[2].queueEntries = []; // Piet (18) logged out of queue 641 during the gap
    after.queues[0].userEntries = [member("641", "16")];
    after.users[0].loggedIn = false; // Alex took his phone off
    after.users.push(user("19", "Nieuwe Collega"));
    after.calls.push({
      id: "Z",
      source: { ...cp.external("+3130999", "", "RINGING"), timeCreated: Math.floor(p.now / 1000) + 100 },
      destination: cp.user("16", "Alex Groot", "RINGING"),
      state: "RINGING",
      properties: {},
    });
    p.tick(120_000);
    model.load(after, p.now);

    const names = rec.names().filter((n) => n !== "queue.stats");
    // the gap's summaries come once the reload's calls are in (a listed queue leg may carry one on)
    assert.deepEqual(names, [
      "call.ended",
      "call.started",
      "call.ringing",
      "call.summary",
      "user.phone.logout",
      "user.created",
      "queue.agent.logout",
    ]);
    const ended = rec.only("call.ended");
    assert.equal(ended.id, "X");
    assert.equal(ended.endReason, "unknown");
    assert.equal(ended.resynced, true);
    const summary = rec.only("call.summary");
    assert.equal(summary.resynced, true);
    assert.equal(summary.outcome, "answered");
    assert.equal(rec.only("queue.agent.logout").userId, "18");
    assert.equal(rec.only("user.phone.logout").id, "16");
    assert.ok(rec.events.every((e) => e.notification === undefined));
    const stats = rec.payloads("queue.stats").at(-1) as unknown as QueueStats;
    assert.deepEqual(stats.agents, { loggedIn: 1, available: 0, paused: 0 });
    assert.equal(model.sizes().conversations, 1); // only Z is open
    // Z started during the gap: its start time comes from the platform's callpoint time.
    assert.equal(rec.only("call.started").startedAt, (Math.floor((p.now - 120_000) / 1000) + 100) * 1000);
  });

  it("a reload with nothing changed emits nothing but loaded", () => {
    const { model, platform: p, rec } = freshModel();
    model.load(seedSnapshot(), p.now);
    assert.deepEqual(rec.names(), []);
  });

  it("after a gap reports queue callers that left and joined, and queues created and removed", () => {
    const snapshot = seedSnapshot();
    snapshot.calls.push({
      id: "W",
      source: cp.external("+3120555", "", "ANSWERED"),
      destination: cp.queue("641", "Support", "ANSWERED"),
      state: "ANSWERED",
      properties: {},
    });
    snapshot.queues[0].callIds = ["W"];
    snapshot.queues.push({ id: "700", name: "Old", userEntries: [], callIds: [] });
    const { model, platform: p, rec } = freshModel(snapshot);
    const after = seedSnapshot();
    after.queues.push({ id: "800", name: "Sales", userEntries: [], callIds: [], totalCalls: 3 });
    p.tick(60_000);
    model.load(after, p.now);
    const left = rec.only("queue.caller.left");
    assert.equal(left.callId, "W");
    assert.equal(left.answered, false);
    assert.equal(left.waitMs, 60_000);
    assert.equal(rec.only("call.summary").outcome, "abandoned");
    const stats = rec.payloads("queue.stats");
    assert.ok(stats.some((s) => s.queueId === "700" && s.removed === true));
    assert.ok(
      stats.some((s) => s.queueId === "800" && (s.counters as { totalCalls: number }).totalCalls === 3),
    );
    assert.equal(model.getQueue("700"), null);
    assert.equal(model.getQueue("800")?.name, "Sales");
  });
});

describe("LiveModel robustness", () => {
  it("passes unknown notification types through as 'unknown' and changes nothing", () => {
    const { model, rec } = freshModel();
    const odd = { type: "notification.phone.reboot", timestamp: 1, unknown: true } as Notification;
    model.apply(odd);
    const malformed = { type: "notification.call.start", timestamp: 1 } as unknown as Notification;
    model.apply(malformed);
    model.apply(null as unknown as Notification);
    assert.deepEqual(rec.unknown, [odd, malformed, null]);
    assert.deepEqual(rec.events, []);
    assert.equal(model.getCalls().length, 0);
  });

  it("never throws on notifications about objects it never saw", () => {
    const { model, platform: p, rec } = freshModel();
    p.send({ type: "notification.call.end", timestamp: 1, callId: "ghost", endReason: "SOURCE_HANGUP" });
    p.send({ type: "notification.queue.call.leave", timestamp: 1, queueId: "999", callId: "ghost" });
    p.send({ type: "notification.queueMember.leave", timestamp: 1, member: member("999", "77") });
    p.send({ type: "notification.queue.destroy", timestamp: 1, queueId: "999" });
    p.send({ type: "notification.user.destroy", timestamp: 1, userId: "77" });
    p.send({ type: "notification.call.queueExit", timestamp: 1, callId: "ghost", queueExit: "TIMEOUT" });
    p.send({ type: "notification.call.stepresult", timestamp: 1, callId: "ghost" });
    assert.deepEqual(rec.events, []);
    // An update for a call never seen: it is taken in as a start, with the state it already has.
    p.send({
      type: "notification.call.update",
      timestamp: 1,
      updateType: "STATE",
      call: {
        id: "late",
        source: cp.external("+3120555", "", "ANSWERED"),
        destination: cp.user("17", "Jan", "ANSWERED"),
        state: "ANSWERED",
        properties: {},
      },
    });
    assert.deepEqual(rec.names("call."), ["call.started", "call.answered"]);
    p.send({
      type: "notification.user.update",
      timestamp: 1,
      userId: "88",
      changes: [{ name: "name", newValue: "X" }],
    });
    assert.equal(model.getUser("88")?.name, "X");
    // Late updates for an ended call do not bring it back.
    p.end("late", "SOURCE_HANGUP");
    p.send({
      type: "notification.call.update",
      timestamp: 1,
      updateType: "STATE",
      call: {
        id: "late",
        source: cp.external("+3120555"),
        destination: cp.user("17"),
        state: "ANSWERED",
        properties: {},
      },
    });
    assert.equal(model.getCall("late"), null);
  });

  it("survives a throwing listener: the model stays consistent and reports a warning", () => {
    const { model, platform: p, rec } = freshModel();
    const warnings: { error: Error }[] = [];
    model.on("warning", (w) => warnings.push(w));
    model.prependListener("event", (e: { event: string }) => {
      if (e.event === "call.started") throw new Error("flow bug");
    });
    p.start("X", cp.external("+3120555"), cp.dialplan("020")).route("X", "DESTINATION", cp.user("17"));
    p.state("X", "ANSWERED").end("X", "SOURCE_HANGUP");
    assert.deepEqual(
      warnings.map((w) => w.error.message),
      ["flow bug"],
    );
    assert.deepEqual(rec.names("call."), ["call.updated", "call.answered", "call.ended", "call.summary"]);
    assert.equal(model.sizes().calls, 0);
  });

  it("keeps memory bounded: 10,000 calls later every map is empty again", () => {
    const { model, platform: p } = freshModel();
    for (let i = 0; i < 10_000; i++) {
      const id = `c${i}`;
      if (i % 3 === 0) {
        p.start(id, cp.external(`+31${i}`), cp.dialplan("020")).route(
          id,
          "DESTINATION",
          cp.queue("641", "Support"),
        );
        p.queueEnter("641", id);
        p.start(`${id}-l1`, cp.queue("641", "Support"), cp.user("16"), id, "RINGING").tick(15_000);
        p.end(`${id}-l1`, "SOURCE_HANGUP");
        p.start(`${id}-l2`, cp.queue("641", "Support"), cp.user("18"), id, "RINGING").state(
          `${id}-l2`,
          "ANSWERED",
        );
        p.queueLeave("641", id).route(id, "DESTINATION", cp.user("18")).end(`${id}-l2`, "REPLACE");
        p.tick(30_000).end(id, i % 2 ? "SOURCE_HANGUP" : "DESTINATION_HANGUP");
      } else if (i % 3 === 1) {
        p.start(id, cp.external(`+31${i}`), cp.dialplan("020")).route(id, "DESTINATION", cp.user("17"));
        p.state(id, "RINGING").tick(5000).end(id, "SOURCE_HANGUP");
      } else {
        p.start(id, cp.user("17"), cp.dialplan("0612345678")).route(
          id,
          "DESTINATION",
          cp.external("0612345678"),
        );
        p.state(id, "ANSWERED").tick(1000).end(id, "DESTINATION_HANGUP");
      }
    }
    const sizes = model.sizes();
    assert.deepEqual(
      { ...sizes, tombstones: 0, recentEnds: 0 },
      {
        calls: 0,
        usersOnCalls: 0,
        waiting: 0,
        pendingLeaves: 0,
        conversations: 0,
        correlatedCalls: 0,
        tombstones: 0,
        recentEnds: 0,
      },
    );
    assert.ok(sizes.tombstones <= 1000, `tombstones ${sizes.tombstones}`);
    assert.ok(sizes.recentEnds <= 64, `recent ends ${sizes.recentEnds}`);
  });
});

describe("LiveModel queues and users", () => {
  it("emits agent login, pause, unpause, update and logout with member payloads", () => {
    const { model, platform: p, rec } = freshModel();
    p.send({ type: "notification.queueMember.enter", timestamp: 1, member: member("641", "17", 0, 5) });
    p.send({
      type: "notification.queueMember.update",
      timestamp: 1,
      member: member("641", "17", p.now, 5),
      changes: [{ name: "pausedSince", oldValue: "0", newValue: String(p.now) }],
    });
    p.send({
      type: "notification.queueMember.update",
      timestamp: 1,
      member: member("641", "17", 0, 5),
      changes: [{ name: "pausedSince", oldValue: String(p.now), newValue: "0" }],
    });
    p.send({
      type: "notification.queueMember.update",
      timestamp: 1,
      member: member("641", "17", 0, 1),
      changes: [{ name: "priority", oldValue: "5", newValue: "1" }],
    });
    p.send({ type: "notification.queueMember.leave", timestamp: 1, member: member("641", "17") });
    assert.deepEqual(rec.names("queue.agent"), [
      "queue.agent.login",
      "queue.agent.paused",
      "queue.agent.unpaused",
      "queue.agent.updated",
      "queue.agent.logout",
    ]);
    assert.deepEqual(rec.only("queue.agent.login"), {
      queueId: "641",
      queueName: "Support",
      userId: "17",
      userName: "Jan Jansen",
      priority: 5,
      paused: false,
      pausedSince: 0,
    });
    assert.equal(rec.only("queue.agent.paused").paused, true);
    assert.equal(rec.only("queue.agent.updated").priority, 1);
    const agents = rec.payloads("queue.stats").map((s) => (s as unknown as QueueStats).agents);
    assert.deepEqual(agents, [
      { loggedIn: 3, available: 3, paused: 0 },
      { loggedIn: 3, available: 2, paused: 1 },
      { loggedIn: 3, available: 3, paused: 0 },
      { loggedIn: 2, available: 2, paused: 0 },
    ]);
    assert.equal(model.getUser("17")?.queues.length, 0);
  });

  it("keeps queue stats: waiting callers, longest wait, availability on calls, platform counters", () => {
    const { model, platform: p, rec } = freshModel();
    const start = p.now;
    p.start("X", cp.external("+3120555"), cp.dialplan("020")).route(
      "X",
      "DESTINATION",
      cp.queue("641", "Support"),
    );
    p.queueEnter("641", "X");
    p.send({
      type: "notification.queue.update",
      timestamp: 1,
      queueId: "641",
      changes: [{ name: "totalCalls", oldValue: "0", newValue: "1" }],
    });
    p.tick(8000);
    let stats = model.getQueueStats("641", p.now)!;
    assert.equal(stats.waiting, 1);
    assert.deepEqual(stats.waitingCalls, [{ callId: "X", enteredAt: start, waitMs: 8000 }]);
    assert.equal(stats.longestWaitMs, 8000);
    assert.equal(stats.counters.totalCalls, 1);
    p.start("L1", cp.queue("641", "Support"), cp.user("16"), "X", "RINGING");
    stats = model.getQueueStats("641", p.now)!;
    assert.deepEqual(stats.agents, { loggedIn: 2, available: 1, paused: 0 }); // 16 is ringing
    p.send({ type: "notification.user.status", timestamp: 1, userId: "18", receiveCalls: "NONE" });
    assert.equal(model.getQueueStats("641")!.agents.available, 0);
    const emitted = rec.payloads("queue.stats") as unknown as QueueStats[];
    assert.deepEqual(
      emitted.map((s) => [s.waiting, s.agents.available, s.counters.totalCalls]),
      [
        [1, 2, null],
        [1, 2, 1],
        [1, 1, 1],
        [1, 0, 1],
      ],
    );
    assert.equal(rec.only("queue.caller.joined").callId, "X");
    assert.equal(model.getQueues()[0].stats.waiting, 1);
  });

  it("emits phone login/logout, status and user changes", () => {
    const { model, platform: p, rec } = freshModel();
    p.send({
      type: "notification.user.update",
      timestamp: 1,
      userId: "17",
      changes: [
        { name: "loggedIn", oldValue: "true", newValue: "false" },
        { name: "location", oldValue: "4017", newValue: "-1" },
      ],
    });
    p.send({
      type: "notification.user.update",
      timestamp: 1,
      userId: "17",
      changes: [
        { name: "loggedIn", oldValue: "false", newValue: "true" },
        { name: "location", oldValue: "-1", newValue: "4099" },
      ],
    });
    p.send({
      type: "notification.user.status",
      timestamp: 1,
      userId: "17",
      receiveCalls: "ONLY_DIRECT",
      displayStatus: "lunch",
      wrapupState: { callId: "c1", endTime: 1700000000 },
    });
    p.send({
      type: "notification.user.update",
      timestamp: 1,
      userId: "17",
      changes: [{ name: "name", oldValue: "Jan Jansen", newValue: "Jan de Vries" }],
    });
    p.send({ type: "notification.user.create", timestamp: 1, userId: "20", user: user("20", "Nieuw") });
    p.send({ type: "notification.user.destroy", timestamp: 1, userId: "20" });
    assert.deepEqual(rec.names("user."), [
      "user.phone.logout",
      "user.phone.login",
      "user.status",
      "user.updated",
      "user.created",
      "user.removed",
    ]);
    assert.equal(rec.only("user.phone.logout").location, null);
    assert.equal(rec.only("user.phone.login").location, "4099");
    const status = rec.only("user.status");
    assert.equal(status.receiveCalls, "ONLY_DIRECT");
    assert.deepEqual(status.wrapupState, { callId: "c1", endTime: 1700000000 });
    assert.deepEqual(rec.only("user.updated").changes, [
      { name: "name", oldValue: "Jan Jansen", newValue: "Jan de Vries" },
    ]);
    assert.equal(model.getUser("17")?.name, "Jan de Vries");
    assert.equal(model.getUser("20"), null);
  });

  it("labels events with the notification type and company", () => {
    const model = new LiveModel();
    const p = new Platform(model);
    model.load(seedSnapshot(), p.now);
    const rec = new Recorder(model);
    p.send({ type: "notification.queueMember.enter", timestamp: 1, member: member("641", "17") });
    assert.deepEqual(
      rec.events.map((e) => [e.event, e.notification, e.companyId, e.timestamp]),
      [
        ["queue.agent.login", "notification.queueMember.enter", "15", p.now],
        ["queue.stats", "notification.queueMember.enter", "15", p.now],
      ],
    );
  });
});
