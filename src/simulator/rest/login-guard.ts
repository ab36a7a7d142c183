// Failed-login lockout per source address, as the platform does it: after `maxFailures` failed
// logins within `windowMs`, every request from that address is refused for `lockMs`, right
// password or not. Memory is bounded: old addresses are forgotten first.

export interface LockoutOptions {
  maxFailures?: number;
  windowMs?: number;
  lockMs?: number;
  /** how many addresses to remember at most */
  maxAddresses?: number;
}

interface Record {
  failures: number[];
  lockedUntil: number;
}

export class LoginGuard {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly lockMs: number;
  private readonly maxAddresses: number;
  private readonly byAddress = new Map<string, Record>();

  constructor(
    options: LockoutOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.maxFailures = options.maxFailures ?? 20;
    this.windowMs = options.windowMs ?? 10 * 60_000;
    this.lockMs = options.lockMs ?? 10 * 60_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
  }

  /** milliseconds the address stays locked, 0 when it may try */
  lockedFor(address: string): number {
    const rec = this.byAddress.get(address);
    if (!rec) return 0;
    return Math.max(0, rec.lockedUntil - this.now());
  }

  recordFailure(address: string): void {
    const now = this.now();
    const rec = this.byAddress.get(address) ?? { failures: [], lockedUntil: 0 };
    this.byAddress.delete(address); // re-insert: the Map's order is then least recently failed first
    rec.failures = rec.failures.filter((t) => now - t < this.windowMs);
    rec.failures.push(now);
    if (rec.failures.length >= this.maxFailures) {
      rec.lockedUntil = now + this.lockMs;
      rec.failures = [];
    }
    this.byAddress.set(address, rec);
    while (this.byAddress.size > this.maxAddresses) {
      const oldest = this.byAddress.keys().next().value;
      if (oldest === undefined) break;
      this.byAddress.delete(oldest);
    }
  }
}
