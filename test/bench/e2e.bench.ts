// End to end: a loopback feed pushing pre-built pubsub notification stanzas into
//   A   a bare @xmpp/client counting the stream
//   A'  a bare @xmpp/client inside Node-RED sending one message per notification to a counting node
//   B   the package: compass-config -> compass call event -> the same counting node
//   C   what a user builds without it: @xmpp/client in a function node -> core xml node ->
//       a function node extracting call id, state and caller number -> the counting node
// and B with a large company (10,000 users / 1,000 queues / 5,000 active calls) against B with a
// small one. Each case runs in a fresh child process (test/bench/e2e/child.ts); rounds are
// interleaved and medians reported, as ratios within this one run. Also p50/p99 latency at 1,000
// notifications/s, and the heap after GC with the large company, over 1,000,000 notifications.
// Bounded: every wait has a deadline; the whole run takes a few minutes.
//   node dist/test/bench/e2e.bench.js [rounds=3] [measured=30000] [heapRun=1000000]
//   node dist/test/bench/e2e.bench.js profile [large]    B alone, top self time after the warm-up
//   node dist/test/bench/e2e.bench.js gc                 B small and large: young collections per
//                                                        100,000 notifications (count, pause, promoted)

import { type ChildProcess, fork } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Case, FromChild, ToChild } from "./e2e/child";
import { type CompanySize, LARGE, notificationStanzas, SMALL } from "./e2e/company";
import { type FeedServer, pushAll, pushPaced, startFeed } from "./e2e/feed";
import { summarise } from "./e2e/profile";

const PROFILE = process.argv[2] === "profile";
const GC = process.argv[2] === "gc";
const ROUNDS = PROFILE || GC ? 3 : Math.min(Number(process.argv[2] ?? 3) || 3, 9);
const MEASURED = PROFILE ? 100_000 : Math.min(Number(process.argv[3] ?? 30_000) || 30_000, 500_000);
const HEAP_RUN = Math.min(Number(process.argv[4] ?? 1_000_000) || 1_000_000, 2_000_000);
const WARMUP = 5_000;
const LATENCY_SAMPLES = 3_000;
const LATENCY_RATE = 1_000;
const STEP_TIMEOUT_MS = 180_000;

const ring = notificationStanzas(10_000);

interface Runner {
  name: string;
  which: Case;
  size: CompanySize;
}
const A: Runner = { name: "A  bare @xmpp/client", which: "bare", size: SMALL };
const A1: Runner = { name: "A' @xmpp/client in Node-RED", which: "do-nothing", size: SMALL };
const B: Runner = { name: "B  the package", which: "package", size: SMALL };
const C: Runner = { name: "C  generic flow", which: "generic", size: SMALL };
const BL: Runner = { name: "B  large company", which: "package", size: LARGE };

/** A message to the child, without the id that pairs it with its answer. */
type Question =
  | { type: "when"; count: number }
  | { type: "record"; from: number; count: number }
  | { type: "heap" }
  | { type: "profile"; file?: string };

class Child {
  private nextId = 0;
  private readonly pending = new Map<number, (m: FromChild) => void>();
  readonly exited: Promise<void>;

  constructor(readonly proc: ChildProcess) {
    proc.on("message", (m: FromChild) => {
      if (m.type === "failed") throw new Error(`child failed: ${m.error}`);
      this.pending.get(m.id)?.(m);
      this.pending.delete(m.id);
    });
    this.exited = new Promise((resolve) => proc.once("exit", () => resolve()));
  }

  ask<T extends FromChild>(m: Question): Promise<T> {
    const id = ++this.nextId;
    return deadline(
      new Promise<T>((resolve) => {
        this.pending.set(id, resolve as (m: FromChild) => void);
        this.proc.send({ ...m, id });
      }),
      `${m.type} from the child`,
    );
  }

  async stop(): Promise<void> {
    this.proc.send({ type: "stop" } satisfies ToChild);
    const killer = setTimeout(() => this.proc.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(killer);
  }
}

function deadline<T>(promise: Promise<T>, what: string, ms = STEP_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function withCase<T>(
  runner: Runner,
  body: (child: Child, feed: FeedServer, socket: import("node:net").Socket) => Promise<T>,
  extraArgs: string[] = [],
  onStdout?: (chunk: string) => void,
): Promise<T> {
  const feed = await startFeed(runner.size);
  const proc = fork(path.join(__dirname, "e2e", "child.js"), [runner.which, String(feed.port)], {
    execArgv: ["--expose-gc", ...extraArgs],
    stdio: ["ignore", onStdout ? "pipe" : "inherit", "inherit", "ipc"],
  });
  proc.stdout?.setEncoding("utf8").on("data", (chunk: string) => onStdout?.(chunk));
  const child = new Child(proc);
  try {
    const client = await deadline(
      Promise.race([
        feed.ready(runner.which === "package" ? "package" : "bare"),
        child.exited.then(() => null),
      ]),
      `${runner.name} ready`,
      60_000,
    );
    if (!client) throw new Error(`${runner.name}: the child exited before it was ready`);
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the snapshot load settle
    return await body(child, feed, client.socket);
  } finally {
    await child.stop().catch(() => proc.kill("SIGKILL"));
    await feed.close();
  }
}

interface Measured {
  rate: number;
  latency?: { p50: number; p99: number };
  heapMb?: number;
}

async function measure(runner: Runner, latency: boolean, heap: boolean): Promise<Measured> {
  return withCase(runner, async (child, _feed, socket) => {
    // asked before anything is pushed: an IPC message may be read after socket data sent later
    const arrivals = latency
      ? child.ask<{ type: "arrivals"; id: number; times: number[] }>({
          type: "record",
          from: WARMUP + MEASURED,
          count: LATENCY_SAMPLES,
        })
      : null;
    const start = child.ask<{ type: "reached"; id: number; at: number }>({ type: "when", count: WARMUP });
    const end = child.ask<{ type: "reached"; id: number; at: number }>({
      type: "when",
      count: WARMUP + MEASURED,
    });
    await pushAll(socket, ring, 0, WARMUP + MEASURED);
    const [t0, t1] = await Promise.all([start, end]);
    const result: Measured = { rate: (MEASURED * 1000) / (t1.at - t0.at) };
    if (arrivals) {
      // latency is a steady-state figure: let the burst above settle (its garbage collected) first
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const sentAt = await pushPaced(socket, ring, WARMUP + MEASURED, LATENCY_SAMPLES, LATENCY_RATE);
      const { times } = await arrivals;
      const lat = times.map((t, i) => t - (sentAt[i] as number)).sort((a, b) => a - b);
      result.latency = { p50: percentile(lat, 50), p99: percentile(lat, 99) };
    }
    if (heap) {
      const h = await child.ask<{ type: "heap"; id: number; heapUsed: number }>({ type: "heap" });
      result.heapMb = h.heapUsed / 2 ** 20;
    }
    return result;
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] as number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

async function heapRun(): Promise<void> {
  await withCase(BL, async (child, _feed, socket) => {
    const heap = async () =>
      (await child.ask<{ type: "heap"; id: number; heapUsed: number }>({ type: "heap" })).heapUsed / 2 ** 20;
    // "ready" means the feed has answered the snapshot, not that the child has read it: the first
    // conversation's notifications come through only after it has (they queue behind it)
    const FIRST = 5;
    const loaded = child.ask({ type: "when", count: FIRST });
    await pushAll(socket, ring, 0, FIRST);
    await loaded;
    const samples: string[] = [`loaded ${(await heap()).toFixed(1)}`];
    const STEP = Math.max(1, Math.floor(HEAP_RUN / 5));
    for (let done = FIRST; done < HEAP_RUN; done += STEP) {
      const reached = child.ask({ type: "when", count: done + STEP });
      await pushAll(socket, ring, done, STEP);
      await reached;
      samples.push(`${((done + STEP) / 1000).toFixed(0)}k ${(await heap()).toFixed(1)}`);
    }
    console.log(`heap after GC, large company (MB): ${samples.join(" | ")}`);
  });
}

/** `profile [large]`: B alone, profiled over the measured notifications after the warm-up. */
async function profile(size: CompanySize): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compass-prof-"));
  const file = path.join(dir, "b.cpuprofile");
  const runner = size === LARGE ? BL : B;
  try {
    await withCase(runner, async (child, _feed, socket) => {
      const warm = child.ask({ type: "when", count: WARMUP });
      await pushAll(socket, ring, 0, WARMUP);
      await warm;
      await child.ask({ type: "profile" });
      const reached = child.ask({ type: "when", count: WARMUP + MEASURED });
      await pushAll(socket, ring, WARMUP, MEASURED);
      await reached;
      await child.ask({ type: "profile", file });
    });
    console.log(
      `${runner.name}, ${MEASURED} notifications after ${WARMUP} warm-up, load ${os.loadavg()[0]?.toFixed(2)}`,
    );
    console.log(summarise(file));
    // KEEP_PROFILE=path keeps the raw profile (for Chrome DevTools or a closer look)
    if (process.env.KEEP_PROFILE) fs.copyFileSync(file, process.env.KEEP_PROFILE);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface Collections {
  count: number;
  pauseMs: number;
  promotedMb: number;
  /** full (mark-compact) collections and their pauses, which grow with the live heap */
  full: number;
  fullPauseMs: number;
}

/** V8's --trace-gc-nvp lines: young collections (gc=s) and full ones (gc=mc), summed. */
function collections(trace: string): Collections {
  const sum: Collections = { count: 0, pauseMs: 0, promotedMb: 0, full: 0, fullPauseMs: 0 };
  for (const line of trace.split("\n")) {
    const field = (name: string) => Number(new RegExp(` ${name}=([\\d.]+)`).exec(line)?.[1] ?? 0);
    if (line.includes(" gc=s ")) {
      sum.count += 1;
      sum.pauseMs += field("pause");
      sum.promotedMb += field("promoted") / 2 ** 20;
    } else if (line.includes(" gc=mc ")) {
      sum.full += 1;
      sum.fullPauseMs += field("pause");
    }
  }
  return sum;
}

/**
 * `gc`: B with the small and the large company, 100,000 notifications after the warm-up each, and
 * what young collections cost meanwhile. Objects that outlive a young collection are copied and then
 * promoted: with the large company that was 7 KB per notification (see src/compass/xmpp/xmppjs.ts).
 */
async function gcRun(): Promise<void> {
  const N = 100_000;
  const results = new Map<Runner, Collections[]>([
    [B, []],
    [BL, []],
  ]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const runner of round % 2 ? [BL, B] : [B, BL]) {
      let trace = "";
      let recording = false;
      await withCase(
        runner,
        async (child, _feed, socket) => {
          const warm = child.ask({ type: "when", count: WARMUP });
          await pushAll(socket, ring, 0, WARMUP);
          await warm;
          recording = true;
          const done = child.ask({ type: "when", count: WARMUP + N });
          await pushAll(socket, ring, WARMUP, N);
          await done;
          recording = false;
        },
        ["--trace-gc-nvp"],
        (chunk) => {
          if (recording) trace += chunk;
        },
      );
      const y = collections(trace);
      results.get(runner)!.push(y);
      console.log(
        `round ${round + 1}  ${runner.name.padEnd(20)} ${y.count} young collections, ${y.pauseMs.toFixed(0)} ms paused, ${y.promotedMb.toFixed(0)} MB promoted; ${y.full} full, ${y.fullPauseMs.toFixed(0)} ms paused`,
      );
    }
  }
  const med = (r: Runner, k: keyof Collections) => median(results.get(r)!.map((y) => y[k]));
  console.log(
    `\nmedians per ${N} notifications: small ${med(B, "pauseMs").toFixed(0)} ms / ${med(B, "promotedMb").toFixed(0)} MB, large ${med(BL, "pauseMs").toFixed(0)} ms / ${med(BL, "promotedMb").toFixed(0)} MB; large/small pause ${(med(BL, "pauseMs") / med(B, "pauseMs")).toFixed(2)}; full collections small ${med(B, "full")} (${med(B, "fullPauseMs").toFixed(0)} ms), large ${med(BL, "full")} (${med(BL, "fullPauseMs").toFixed(0)} ms)`,
  );
}

async function main(): Promise<void> {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(
    `e2e bench: ${cpu}, nproc ${os.availableParallelism()}, node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  console.log(
    `${ROUNDS} interleaved rounds, ${MEASURED} measured notifications after ${WARMUP} warm-up; latency: ${LATENCY_SAMPLES} at ${LATENCY_RATE}/s`,
  );
  // E2E_ONLY=B,BL (any of A, A1, B, C, BL) runs only those cases, for a quick look; ratios need all
  const all: Record<string, Runner> = { A, A1, B, C, BL };
  const only = process.env.E2E_ONLY?.split(",")
    .map((k) => all[k.trim()])
    .filter((r): r is Runner => !!r);
  const runners = only?.length ? only : [A, A1, B, C, BL];
  const results = new Map<Runner, Measured[]>(runners.map((r) => [r, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // rotate the order so no case always runs first (or right after the slowest)
    const order = runners.map((_, i) => runners[(i + round) % runners.length] as Runner);
    for (const runner of order) {
      const m = await measure(runner, runner !== C && runner !== BL, runner.which === "package");
      results.get(runner)!.push(m);
      const lat = m.latency ? `  p50 ${m.latency.p50.toFixed(2)} ms p99 ${m.latency.p99.toFixed(2)} ms` : "";
      const heap = m.heapMb !== undefined ? `  heap ${m.heapMb.toFixed(1)} MB` : "";
      console.log(
        `round ${round + 1}  ${runner.name.padEnd(30)} ${Math.round(m.rate).toString().padStart(7)}/s${lat}${heap}`,
      );
    }
  }
  if (only?.length) {
    for (const r of runners)
      console.log(`${r.name.padEnd(30)} median ${Math.round(median(results.get(r)!.map((m) => m.rate)))}/s`);
    return;
  }
  const rate = (r: Runner) => median(results.get(r)!.map((m) => m.rate));
  const p = (r: Runner, k: "p50" | "p99") => median(results.get(r)!.map((m) => m.latency?.[k] ?? Number.NaN));
  console.log("\nmedians");
  for (const r of runners) {
    const lat = results.get(r)![0]?.latency
      ? `  p50 ${p(r, "p50").toFixed(2)} ms  p99 ${p(r, "p99").toFixed(2)} ms`
      : "";
    const heaps = results
      .get(r)!
      .map((m) => m.heapMb)
      .filter((h) => h !== undefined) as number[];
    const heap = heaps.length ? `  heap ${median(heaps).toFixed(1)} MB` : "";
    console.log(`${r.name.padEnd(30)} ${Math.round(rate(r)).toString().padStart(7)}/s${lat}${heap}`);
  }
  const ratio = (x: number, y: number) => (x / y).toFixed(2);
  console.log(
    `\nB/A' ${ratio(rate(B), rate(A1))} (>= 0.9 required, >= 1.0 aim)  B/A ${ratio(rate(B), rate(A))}  A'/A ${ratio(rate(A1), rate(A))}  B/C ${ratio(rate(B), rate(C))} (>= 4)  large/small ${ratio(rate(BL), rate(B))} (>= 0.9)`,
  );
  console.log(`B p99 / A' p99 at ${LATENCY_RATE}/s: ${ratio(p(B, "p99"), p(A1, "p99"))} (<= 1.5)`);
  await heapRun();
  console.log(
    `load at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
}

(PROFILE ? profile(process.argv[3] === "large" ? LARGE : SMALL) : GC ? gcRun() : main()).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
