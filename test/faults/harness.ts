// What every fault test needs: a real Prosody with the simulator's services attached as components,
// a relay in front of its client port, a connection to it, and the checks made after each part:
// every call that ended gave exactly one call.ended and one call.summary, no call is left active,
// nothing escaped as an uncaught exception or unhandled rejection, and the heap after GC is flat.

import assert from "node:assert/strict";
import { getHeapStatistics } from "node:v8";
import { CompassConnection, type ConnectionOptions } from "../../src/compass/connection";
import { setFailureReporter } from "../../src/compass/guard";
import type { DomainEvent } from "../../src/compass/model";
import { CompanyState } from "../../src/simulator/state/store";
import { type AttachedComponents, attachComponents } from "../support/components";
import { isProsodyAvailable, type ProsodyServer, startProsody } from "../support/prosody";
import { type Relay, startRelay } from "../support/relay";
import { waitFor } from "../support/wait";

export const DOMAIN = "uc.compass.test";
export const PHONE = `phone.${DOMAIN}`;
export const PUBSUB = `pubsub.${DOMAIN}`;
const SECRET = "component-secret-for-fault-tests";

export interface Platform {
  state: CompanyState;
  prosody: ProsodyServer;
  components: AttachedComponents;
  /** in front of Prosody's client port */
  relay: Relay;
  close(): Promise<void>;
}

export async function startPlatform(): Promise<Platform> {
  const state = new CompanyState();
  const prosody = await startProsody({
    userDomain: DOMAIN,
    components: [
      { domain: PHONE, secret: SECRET },
      { domain: PUBSUB, secret: SECRET },
    ],
    users: state.users().map((u) => ({ username: u.username, password: u.password })),
  });
  let components: AttachedComponents | undefined;
  let relay: Relay | undefined;
  try {
    components = await attachComponents(state, {
      host: "127.0.0.1",
      port: prosody.componentPort,
      secret: SECRET,
      userDomain: DOMAIN,
      probeIntervalMs: 500,
    });
    relay = await startRelay(prosody.c2sPort);
  } catch (err) {
    await components?.close();
    await prosody.stop();
    throw err;
  }
  const attached = components;
  const relayed = relay;
  return {
    state,
    prosody,
    components: attached,
    relay: relayed,
    close: async () => {
      await relayed.close();
      await attached.close();
      await prosody.stop();
      state.removeAllListeners();
    },
  };
}

/** A connection as compass-config makes it, as alice, through the relay (or straight to Prosody). */
export function connectTo(
  platform: Platform,
  extra: Partial<ConnectionOptions> & { direct?: boolean } = {},
): CompassConnection {
  const { direct, ...options } = extra;
  const port = direct ? platform.prosody.c2sPort : platform.relay.port;
  const connection = new CompassConnection({
    endpoints: {
      restUrl: "http://127.0.0.1:9", // REST is not used by these parts
      xmppService: `xmpp://127.0.0.1:${port}`,
      jidDomain: DOMAIN,
      phoneService: PHONE,
      pubsubService: PUBSUB,
    },
    username: "alice",
    password: platform.state.userByUsername("alice")?.password ?? "",
    ca: platform.prosody.certs.caCert,
    ...options,
  });
  connection.acquire("fault-test");
  return connection;
}

/** Counts the call events a connection gives, to check that every ended call is told exactly once. */
export class CallLedger {
  readonly seen = new Set<string>();
  readonly ended = new Map<string, number>();
  /** call id -> how many call.summary events named it (follow-ups aside: they are not another call) */
  readonly summarised = new Map<string, number>();
  /** call ids named by follow-up summaries (a late queue leg reopened its caller's conversation) */
  readonly followedUp = new Set<string>();
  followUps = 0;
  /** conversation ids of follow-ups whose conversation had no summary before */
  readonly followUpsWithoutSummary: string[] = [];
  private readonly conversationsSummarised = new Set<string>();
  /** call id -> its parent call (queue legs), and whether its end came from a reload */
  private readonly facts = new Map<string, { parent: string | null; resynced: boolean }>();
  /** queue legs that ended but are in no summary, with their facts (see assertAccounted); must be none */
  legsOutsideSummaries: string[] = [];
  private readonly unsubscribe: () => void;

  constructor(connection: CompassConnection) {
    this.unsubscribe = connection.onEvents(["*"], (e: DomainEvent) => this.record(e));
  }

  private record(e: DomainEvent): void {
    if (!e.event.startsWith("call.")) return;
    if (e.event === "call.summary") {
      const callIds = (e.payload.callIds as string[] | undefined) ?? [];
      const conversationId = String(e.payload.conversationId);
      if (e.payload.followUp === true) {
        this.followUps++;
        if (!this.conversationsSummarised.has(conversationId))
          this.followUpsWithoutSummary.push(conversationId);
        for (const id of callIds) this.followedUp.add(id);
        return;
      }
      this.conversationsSummarised.add(conversationId);
      for (const id of callIds) this.summarised.set(id, (this.summarised.get(id) ?? 0) + 1);
      return;
    }
    const id = String(e.payload.id);
    this.seen.add(id);
    const parent = typeof e.payload.parentCallId === "string" ? e.payload.parentCallId : null;
    this.facts.set(id, { parent, resynced: e.payload.resynced === true });
    if (e.event === "call.ended") this.ended.set(id, (this.ended.get(id) ?? 0) + 1);
  }

  /**
   * Every call this connection heard of ended exactly once and is in exactly one summary; `active`
   * (the model's calls) is empty. Returns how many calls were accounted for.
   */
  assertAccounted(active: number): number {
    assert.equal(active, 0, "no call is left active in the model");
    this.legsOutsideSummaries = [];
    for (const id of this.seen) {
      const facts = JSON.stringify(this.facts.get(id));
      assert.equal(this.ended.get(id), 1, `call ${id} ${facts}: call.ended ${this.ended.get(id) ?? 0} times`);
      const summaries = this.summarised.get(id);
      // a late queue leg is in its caller's follow-up summary only
      if (summaries === undefined && this.followedUp.has(id)) continue;
      if (summaries === undefined && this.facts.get(id)?.parent) {
        this.legsOutsideSummaries.push(`${id} ${facts}`); // asserted by assertNoLegOutsideSummaries, once printed
        continue;
      }
      assert.equal(
        this.summarised.get(id),
        1,
        `call ${id} ${facts}: in ${this.summarised.get(id) ?? 0} summaries`,
      );
    }
    for (const [id, n] of this.summarised) assert.equal(n, 1, `call ${id} summarised ${n} times`);
    assert.deepEqual(this.followUpsWithoutSummary, [], "every follow-up follows its conversation's summary");
    return this.seen.size;
  }

  /** Prints, then checks, the queue legs in no summary (docs/message-contract.md, "Late queue legs"). */
  assertNoLegOutsideSummaries(): void {
    figure("queue legs outside every summary", this.legsOutsideSummaries.length);
    figure("follow-up summaries (late queue legs)", this.followUps);
    assert.deepEqual(this.legsOutsideSummaries, [], "every queue leg is in a summary");
  }

  close(): void {
    this.unsubscribe();
  }
}

/**
 * Records what would take Node-RED down: uncaught exceptions and unhandled rejections (listeners on
 * the process), and failures the package's guards caught (they are bugs even though they were held).
 */
export class CrashWatch {
  readonly uncaught: unknown[] = [];
  readonly unhandled: unknown[] = [];
  readonly guarded: string[] = [];
  private readonly onUncaught = (err: unknown) => this.uncaught.push(err);
  private readonly onUnhandled = (err: unknown) => this.unhandled.push(err);
  private previousReporter: ReturnType<typeof setFailureReporter> | undefined;

  start(): this {
    process.on("uncaughtException", this.onUncaught);
    process.on("unhandledRejection", this.onUnhandled);
    this.previousReporter = setFailureReporter((where, err) =>
      this.guarded.push(`${where}: ${err instanceof Error ? err.stack : String(err)}`),
    );
    return this;
  }

  assertClean(): void {
    assert.deepEqual(this.uncaught.map(String), [], "no uncaught exception");
    assert.deepEqual(this.unhandled.map(String), [], "no unhandled rejection");
    assert.deepEqual(this.guarded, [], "no guarded callback failed");
  }

  stop(): void {
    process.off("uncaughtException", this.onUncaught);
    process.off("unhandledRejection", this.onUnhandled);
    if (this.previousReporter) setFailureReporter(this.previousReporter);
  }
}

/** Heap used after a full GC (mocha runs with --expose-gc, see .mocharc.json), in bytes. */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return getHeapStatistics().used_heap_size;
}

/** Heap growth across a part stays small (retained state would grow with the traffic). */
export function assertHeapFlat(before: number, what: string, allowedBytes = 24 * 1024 * 1024): void {
  const after = heapAfterGc();
  assert.ok(
    after - before < allowedBytes,
    `${what}: heap after GC grew ${((after - before) / 1048576).toFixed(1)} MiB`,
  );
}

/** Waits until the connection has resubscribed (a new "subscribed") and reloaded its model. */
export async function waitForResync(
  connection: CompassConnection,
  subscribedCount: () => number,
  before: number,
  timeoutMs: number,
  what: string,
): Promise<void> {
  await waitFor(() => subscribedCount() > before && connection.modelLoaded, timeoutMs, what);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Fault figures, printed so a run's log keeps them (scripts/fault-loop.sh collects them). */
export function figure(name: string, value: string | number): void {
  console.log(`    FAULT-FIGURE ${name}: ${value}`);
}

export interface PlatformFixture {
  /** the running platform (inside tests) */
  readonly platform: Platform;
  readonly watch: CrashWatch;
}

/**
 * The fault tests' before/after: skip without Prosody, watch for crashes, start the platform; after
 * the tests, `cleanUp` (the test's connections and traffic) runs before the platform stops.
 */
export function usePlatform(cleanUp: () => Promise<void> = async () => undefined): PlatformFixture {
  const watch = new CrashWatch();
  let platform: Platform | undefined;
  before(async function () {
    if (!isProsodyAvailable()) {
      console.log("    SKIP: prosody is not installed (/usr/bin/prosody); fault tests skipped");
      this.skip();
    }
    watch.start();
    platform = await startPlatform();
  });
  after(async () => {
    await cleanUp();
    watch.stop();
    await platform?.close();
  });
  return {
    watch,
    get platform() {
      if (!platform) throw new Error("the platform is not started");
      return platform;
    },
  };
}
