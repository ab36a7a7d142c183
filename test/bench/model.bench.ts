// Throughput of LiveModel.apply() for a mixed queue-call workload. Plain script, bounded:
//   node dist/test/bench/model.bench.js [conversations=20000]
// The notifications are built up front so only the model (and its event listeners) is timed.

import { LiveModel } from "../../src/compass/model/live-model";
import type { Call, Callpoint, Notification } from "../../src/compass/protocol/types";

const conversations = Math.min(Number(process.argv[2] ?? 20_000) || 20_000, 200_000);

let cpId = 0;
const user = (userId: string): Callpoint => ({
  id: `cp${++cpId}`,
  type: "User",
  state: "CONNECTING",
  properties: {},
  userId,
  userName: `Agent ${userId}`,
});
const external = (number: string): Callpoint => ({
  id: `cp${++cpId}`,
  type: "External",
  state: "CONNECTING",
  properties: {},
  number,
});
const dialplan = (exten: string): Callpoint => ({
  id: `cp${++cpId}`,
  type: "Dialplan",
  state: "CONNECTING",
  properties: {},
  exten,
});
const queue = (queueId: string): Callpoint => ({
  id: `cp${++cpId}`,
  type: "Queue",
  state: "CONNECTING",
  properties: {},
  queueId,
  queueName: `Queue ${queueId}`,
});

const agents = Array.from({ length: 40 }, (_, i) => String(100 + i));
const queues = ["1", "2", "3", "4"];

function workload(): Notification[] {
  const out: Notification[] = [];
  const ts = 1_700_000_000;
  const call = (
    id: string,
    source: Callpoint,
    destination: Callpoint,
    state = "CONNECTING",
    parent?: string,
  ): Call => ({
    id,
    source,
    destination,
    state,
    properties: parent ? { QueueCallForCall: parent } : {},
    ...(parent ? { queueCallForCall: parent } : {}),
  });
  for (let i = 0; i < conversations; i++) {
    const id = `c${i}`;
    const q = queues[i % queues.length];
    const caller = external(`+3120${i}`);
    out.push({ type: "notification.call.start", timestamp: ts, call: call(id, caller, dialplan("020")) });
    out.push({
      type: "notification.call.update",
      timestamp: ts,
      updateType: "DESTINATION",
      call: call(id, caller, queue(q)),
    });
    out.push({ type: "notification.queue.call.enter", timestamp: ts, queueId: q, callId: id });
    const offers = 1 + (i % 4);
    for (let k = 0; k < offers; k++) {
      const leg = `${id}-${k}`;
      const agent = user(agents[(i + k) % agents.length]);
      out.push({
        type: "notification.call.start",
        timestamp: ts,
        call: call(leg, queue(q), agent, "RINGING", id),
      });
      if (k < offers - 1 || i % 5 === 0) {
        out.push({ type: "notification.call.end", timestamp: ts, callId: leg, endReason: "SOURCE_HANGUP" });
      } else {
        out.push({
          type: "notification.call.update",
          timestamp: ts,
          updateType: "STATE",
          call: call(leg, queue(q), agent, "ANSWERED", id),
        });
        out.push({ type: "notification.queue.call.leave", timestamp: ts, queueId: q, callId: id });
        out.push({
          type: "notification.call.update",
          timestamp: ts,
          updateType: "DESTINATION",
          call: call(id, caller, agent, "ANSWERED"),
        });
        out.push({ type: "notification.call.end", timestamp: ts, callId: leg, endReason: "REPLACE" });
      }
    }
    if (i % 5 === 0)
      out.push({ type: "notification.queue.call.leave", timestamp: ts, queueId: q, callId: id });
    out.push({
      type: "notification.queue.update",
      timestamp: ts,
      queueId: q,
      changes: [{ name: "totalCalls", newValue: String(i) }],
    });
    out.push({ type: "notification.call.end", timestamp: ts, callId: id, endReason: "SOURCE_HANGUP" });
  }
  return out;
}

function main(): void {
  const model = new LiveModel();
  model.load(
    {
      company: { id: "1", name: "Bench" },
      users: agents.map((id) => ({
        id,
        name: `Agent ${id}`,
        loggedIn: true,
        receiveCalls: "ALL",
        identifiers: {},
        queueEntries: queues.map((queueId) => ({ queueId, userId: id, priority: 1, pausedSince: 0 })),
      })),
      queues: queues.map((id) => ({ id, name: `Queue ${id}`, userEntries: [], callIds: [] })),
      calls: [],
    },
    0,
  );
  const counts = new Map<string, number>();
  model.on("event", (e: { event: string }) => counts.set(e.event, (counts.get(e.event) ?? 0) + 1));
  const notifications = workload();
  let now = 1_700_000_000_000;
  const started = process.hrtime.bigint();
  for (const n of notifications) {
    now += 50;
    model.apply(n, now);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const events = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(
    `model.apply: ${notifications.length} notifications (${conversations} queue conversations) in ${ms.toFixed(0)} ms` +
      ` = ${Math.round(notifications.length / (ms / 1000))} notifications/s; ${events} domain events` +
      ` (${counts.get("call.summary") ?? 0} summaries, ${counts.get("queue.stats") ?? 0} queue.stats)`,
  );
  console.log("sizes after:", JSON.stringify(model.sizes()));
  console.log(`heap used: ${(process.memoryUsage().heapUsed / 1e6).toFixed(1)} MB`);
}

main();
