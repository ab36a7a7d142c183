// Test helpers for the session: waiting for events, and a TCP proxy in front of the simulator's
// endpoint that counts connections, records what the client sends, injects server bytes and can
// blackhole traffic (a link that stays open but carries nothing, like a dead NAT mapping).
import type { EventEmitter } from "node:events";
import net from "node:net";
import type { CompassSession, SessionState, SessionStatus } from "../../../src/compass/xmpp";

export function once<T extends unknown[]>(
  emitter: EventEmitter,
  event: string,
  timeoutMs = 5000,
  accept: (...args: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no "${event}" within ${timeoutMs} ms`));
    }, timeoutMs);
    function listener(...args: unknown[]) {
      if (!accept(...(args as T))) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args as T);
    }
    emitter.on(event, listener);
  });
}

export async function statusOf(
  session: CompassSession,
  state: SessionState,
  timeoutMs = 5000,
): Promise<SessionStatus> {
  const [status] = await once<[SessionStatus]>(session, "status", timeoutMs, (s) => s.state === state);
  return status;
}

export { delay, waitFor } from "../../support/wait";

import { delay } from "../../support/wait";

interface Pair {
  client: net.Socket;
  server: net.Socket;
  dead: boolean;
}

export class TcpProxy {
  /** connections accepted so far */
  accepted = 0;
  /** everything clients sent, in order (plaintext links only make sense here) */
  sent = "";
  private readonly pairs = new Set<Pair>();
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = net.createServer((client) => proxy?.accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  private accept(client: net.Socket, targetPort: number): void {
    this.accepted++;
    const server = net.connect({ port: targetPort, host: "127.0.0.1" });
    const pair: Pair = { client, server, dead: false };
    this.pairs.add(pair);
    client.on("data", (d: Buffer) => {
      if (pair.dead) return;
      this.sent += d.toString("latin1");
      server.write(d);
    });
    server.on("data", (d: Buffer) => {
      if (!pair.dead) client.write(d);
    });
    const end = () => {
      client.destroy();
      server.destroy();
      this.pairs.delete(pair);
    };
    client.on("close", end);
    server.on("close", end);
    client.on("error", end);
    server.on("error", end);
  }

  /** From now on swallow all traffic of the current connections (they stay open); new ones flow. */
  blackhole(): void {
    for (const pair of this.pairs) pair.dead = true;
  }

  /** Write raw bytes to every client, as if the server sent them. */
  inject(text: string): void {
    for (const { client } of this.pairs) client.write(text);
  }

  get open(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    for (const { client, server } of this.pairs) {
      client.destroy();
      server.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Active handles by type. Take a baseline only after the test's first await: mocha starts its own
 * timeout timer after an async test function returns its promise.
 */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/**
 * Wait until no kind of handle is more numerous than in `baseline` (other tests' and mocha's own short
 * timers come and go; a leak of ours stays: our timers are 10 s and longer unless a test shortens them).
 */
export async function settlesTo(baseline: Record<string, number>, timeoutMs = 1500): Promise<void> {
  const excess = () => Object.entries(activeResources()).filter(([type, n]) => n > (baseline[type] ?? 0));
  const start = Date.now();
  while (excess().length > 0) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(
        `handles left running: ${JSON.stringify(Object.fromEntries(excess()))} over ${JSON.stringify(baseline)}`,
      );
    }
    await delay(25);
  }
}
