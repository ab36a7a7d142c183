// Exponential backoff with jitter: many Node-RED instances losing the platform at once must not all
// come back in the same second.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** fraction of the delay added or taken at random (0.3 = ±30%) */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60_000, factor: 2, jitter: 0.3 };

export class Backoff {
  private failures = 0;
  private readonly options: BackoffOptions;

  constructor(
    options: Partial<BackoffOptions> = {},
    private readonly random: () => number = Math.random,
  ) {
    const o = { ...DEFAULT_BACKOFF, ...options };
    if (
      !(o.initialMs >= 0) ||
      !(o.maxMs >= o.initialMs) ||
      !(o.factor >= 1) ||
      !(o.jitter >= 0 && o.jitter <= 1)
    ) {
      throw new RangeError("backoff needs 0 <= initialMs <= maxMs, factor >= 1 and 0 <= jitter <= 1");
    }
    this.options = o;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const { initialMs, maxMs, factor, jitter } = this.options;
    const base = Math.min(maxMs, initialMs * factor ** Math.min(this.failures, 64));
    this.failures++;
    const spread = base * jitter * (this.random() * 2 - 1);
    return Math.max(0, Math.min(maxMs, Math.round(base + spread)));
  }

  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}
