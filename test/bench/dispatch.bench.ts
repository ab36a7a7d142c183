// What trigger nodes cost per event, as a ratio against the same workload with no nodes at all,
// in one process and one run. Bounded; stops by itself:
//   node dist/test/bench/dispatch.bench.js [conversations=3000]
//
// Cases (each the same notifications through CompassConnection's model and dispatcher):
//   baseline        no trigger nodes
//   100 idle        100 nodes subscribed to user events only (a call workload matches none of them)
//   100 filtered    100 call-event nodes whose user filter matches nothing
//   100 matching 1  the same, plus one of them filtering on a user who takes every call
//   1 matching      one call-event node that takes every call event

import * as os from "node:os";
import { CompassConnection } from "../../src/compass/connection";
import { CALL_EVENTS, USER_EVENTS } from "../../src/compass/events";
import type { Call, Callpoint, Notification } from "../../src/compass/protocol/types";
import { idSet } from "../../src/nodes/trigger";

const conversations = Math.min(Number(process.argv[2] ?? 3000) || 3000, 50_000);

let cp = 0;
const point = (type: string, fields: Partial<Callpoint>): Callpoint => ({
  id: `cp${++cp}`,
  type,
  state: "CONNECTING",
  properties: {},
  ...fields,
});

function workload(): Notification[] {
  const out: Notification[] = [];
  const ts = 1_700_000_000;
  for (let i = 0; i < conversations; i++) {
    const id = `c${i}`;
    const source = point("External", { number: `+3120${i}` });
    const call = (destination: Callpoint, state: string): Call => ({
      id,
      source,
      destination,
      state,
      properties: {},
    });
    const user = point("User", { userId: String(100 + (i % 40)), userName: "Agent" });
    out.push({
      type: "notification.call.start",
      timestamp: ts,
      call: call(point("Dialplan", { exten: "020" }), "CONNECTING"),
    });
    out.push({
      type: "notification.call.update",
      timestamp: ts,
      updateType: "DESTINATION",
      call: call(user, "CONNECTING"),
    });
    out.push({
      type: "notification.call.update",
      timestamp: ts,
      updateType: "STATE",
      call: call(user, "RINGING"),
    });
    out.push({
      type: "notification.call.update",
      timestamp: ts,
      updateType: "STATE",
      call: call(user, "ANSWERED"),
    });
    out.push({ type: "notification.call.end", timestamp: ts, callId: id, endReason: "SOURCE_HANGUP" });
  }
  return out;
}

function connection(): CompassConnection {
  const c = new CompassConnection({
    endpoints: {
      restUrl: "http://127.0.0.1:9",
      xmppService: "xmpp://127.0.0.1:9",
      jidDomain: "uc.bench.test",
      phoneService: "phone.uc.bench.test",
      pubsubService: "pubsub.uc.bench.test",
    },
    username: "bench",
    password: "bench",
  });
  c.model.load({ company: { id: "1", name: "Bench" }, users: [], queues: [], calls: [] });
  return c;
}

type Setup = (c: CompassConnection, sink: { n: number }) => void;

const cases: Array<[string, Setup]> = [
  ["baseline (no nodes)", () => {}],
  [
    "100 idle user-event nodes",
    (c, sink) => {
      for (let i = 0; i < 100; i++) c.onEvents(USER_EVENTS, () => sink.n++);
    },
  ],
  [
    "100 call-event nodes, filter matches nothing",
    (c, sink) => {
      // as compass-call-event subscribes: its user filter goes to the connection's index
      for (let i = 0; i < 100; i++) c.onEvents(CALL_EVENTS, () => sink.n++, { users: idSet(`nobody-${i}`) });
    },
  ],
  [
    "100 filtered call-event nodes, one matching",
    (c, sink) => {
      for (let i = 0; i < 99; i++) c.onEvents(CALL_EVENTS, () => sink.n++, { users: idSet(`nobody-${i}`) });
      c.onEvents(CALL_EVENTS, () => sink.n++, { users: idSet("100") });
    },
  ],
  ["1 call-event node taking everything", (c, sink) => void c.onEvents(CALL_EVENTS, () => sink.n++)],
];

function run(setup: Setup, notifications: Notification[]): { perSecond: number; delivered: number } {
  const c = connection();
  const sink = { n: 0 };
  setup(c, sink);
  const apply = (n: Notification) => (c as unknown as { apply(n: Notification): void }).apply(n);
  const start = process.hrtime.bigint();
  for (const n of notifications) apply(n);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  void c.close();
  return { perSecond: notifications.length / seconds, delivered: sink.n };
}

const notifications = workload();
console.log(
  `dispatch bench: ${notifications.length} notifications, ${os.cpus()[0]?.model} x${os.cpus().length}, node ${process.version}`,
);
run(cases[0]![1], notifications); // warm-up
const ROUNDS = 3;
let baseline = 0;
for (const [name, setup] of cases) {
  const rates = Array.from({ length: ROUNDS }, () => run(setup, notifications));
  const median = rates.map((r) => r.perSecond).sort((a, b) => a - b)[1]!;
  if (!baseline) baseline = median;
  console.log(
    `${name.padEnd(46)} ${Math.round(median).toString().padStart(9)} notifications/s  ratio ${(median / baseline).toFixed(2)}  delivered ${rates[0]!.delivered}`,
  );
}
