// The agent counts each queue keeps (moved by one as members join and leave calls, dropped and
// counted again on any other change) must always equal a fresh count (agentsOf). A seeded random
// mix of everything that moves them: calls to and between agents, logins, receive-calls status,
// pauses, memberships, users created and destroyed, queues created and destroyed, and reloads.

import assert from "node:assert/strict";
import { LiveModel, type Snapshot } from "../../../src/compass/model/live-model";
import type { ModelState } from "../../../src/compass/model/state";
import { agentsOf } from "../../../src/compass/model/views";
import type { Call, Notification, ReceiveCalls } from "../../../src/compass/protocol/types";
import { cp, member, user } from "./builders";

const USERS = ["11", "12", "13", "14", "15", "16"];
const QUEUES = ["1", "2", "3"];
const STATUSES: ReceiveCalls[] = ["ALL", "NONE", "ONLY_DIRECT", "ONLY_QUEUE"];

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function snapshot(pick: <T>(xs: readonly T[]) => T, calls: Call[]): Snapshot {
  const users = USERS.map((id) => user(id, `User ${id}`, [], pick([true, true, false])));
  return {
    company: { id: "15", name: "Acme" },
    users,
    queues: QUEUES.map((id) => ({
      id,
      name: `Queue ${id}`,
      userEntries: USERS.filter(() => pick([true, false])).map((u) =>
        member(id, u, pick([0, 0, 1_700_000_000])),
      ),
      callIds: [],
    })),
    calls,
  };
}

/** The kept counts of every queue that has them, against a fresh count. */
function assertCountsHold(model: LiveModel, step: string): void {
  const state = (model as unknown as { state: ModelState }).state;
  for (const queue of state.queues.values()) {
    if (queue.agents === null) continue;
    assert.deepEqual(queue.agents, agentsOf(state, queue), `queue ${queue.id} after ${step}`);
  }
}

describe("queue agent counts kept by the model", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`equal a fresh count after every change (seed ${seed}, 1,500 notifications)`, () => {
      const next = random(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
      const model = new LiveModel();
      model.on("warning", () => undefined);
      let now = 1_700_000_000_000;
      model.load(snapshot(pick, []), now);
      const calls = new Map<string, Call>();
      let callNo = 0;
      let announced = 0;
      model.on("event", (e: { event: string }) => {
        if (e.event === "queue.stats") announced++;
      });
      const send = (n: Notification) => {
        now += 1000;
        model.apply(n, now);
      };
      const stamp = () => Math.floor(now / 1000);
      for (let i = 0; i < 1_500; i++) {
        const kind = pick([
          "start",
          "start",
          "route",
          "route",
          "answer",
          "end",
          "end",
          "login",
          "status",
          "pause",
          "join",
          "leave",
          "userCreate",
          "userDestroy",
          "queue",
          "reload",
        ] as const);
        const u = pick(USERS);
        const q = pick(QUEUES);
        const active = [...calls.keys()];
        switch (kind) {
          case "start": {
            const id = `c${++callNo}`;
            const source = pick([true, false]) ? cp.user(pick(USERS)) : cp.external("+3120111");
            const call: Call = { id, source, destination: cp.user(u), state: "CONNECTING", properties: {} };
            calls.set(id, call);
            send({ type: "notification.call.start", timestamp: stamp(), call: structuredClone(call) });
            break;
          }
          case "route":
          case "answer": {
            if (active.length === 0) continue;
            const call = calls.get(pick(active))!;
            if (kind === "route") call.destination = cp.user(u);
            else call.state = "ANSWERED";
            send({
              type: "notification.call.update",
              timestamp: stamp(),
              call: structuredClone(call),
              updateType: kind === "route" ? "DESTINATION" : "STATE",
            });
            break;
          }
          case "end": {
            if (active.length === 0) continue;
            const id = pick(active);
            calls.delete(id);
            send({
              type: "notification.call.end",
              timestamp: stamp(),
              callId: id,
              endReason: "SOURCE_HANGUP",
            });
            break;
          }
          case "login":
            send({
              type: "notification.user.update",
              timestamp: stamp(),
              userId: u,
              changes: [{ name: "loggedIn", newValue: pick(["true", "false"]) }],
            });
            break;
          case "status":
            send({
              type: "notification.user.status",
              timestamp: stamp(),
              userId: u,
              receiveCalls: pick(STATUSES),
            });
            break;
          case "pause":
            send({
              type: "notification.queueMember.update",
              timestamp: stamp(),
              member: member(q, u, pick([0, 1_700_000_000])),
              changes: [],
            });
            break;
          case "join":
            send({ type: "notification.queueMember.enter", timestamp: stamp(), member: member(q, u) });
            break;
          case "leave":
            send({ type: "notification.queueMember.leave", timestamp: stamp(), member: member(q, u) });
            break;
          case "userCreate":
            send({
              type: "notification.user.create",
              timestamp: stamp(),
              userId: u,
              user: user(u, `User ${u}`),
            });
            break;
          case "userDestroy":
            send({ type: "notification.user.destroy", timestamp: stamp(), userId: u });
            break;
          case "queue":
            if (pick([true, false]))
              send({ type: "notification.queue.destroy", timestamp: stamp(), queueId: q });
            else
              send({
                type: "notification.queue.create",
                timestamp: stamp(),
                queueId: q,
                queue: { id: q, name: `Queue ${q}`, userEntries: [member(q, u)], callIds: [] },
              });
            break;
          case "reload":
            now += 1000;
            model.load(
              snapshot(
                pick,
                [...calls.values()].map((c) => structuredClone(c)),
              ),
              now,
            );
            break;
        }
        assertCountsHold(model, `step ${i} (${kind})`);
      }
      // the mix did move the counts: stats were announced along the way
      assert.ok(announced > 100, `queue.stats announced ${announced} times`);
    });
  }
});
