// A small seeded pseudo-random generator (mulberry32): the same seed gives the same choices on every
// machine and Node version, which Math.random cannot promise. Not for anything secret.

export type ScenarioSeed = number | string;

/** The seed used when none is given, so a bare `runScenario` is reproducible. */
export const DEFAULT_SCENARIO_SEED = 20181;

export class SeededRandom {
  private stateWord: number;

  constructor(seed: ScenarioSeed = DEFAULT_SCENARIO_SEED) {
    if (typeof seed === "number") {
      if (!Number.isFinite(seed)) throw new TypeError("seed must be a finite number or a string");
      this.stateWord = Math.trunc(seed) >>> 0;
    } else if (typeof seed === "string") {
      this.stateWord = hashString(seed);
    } else {
      throw new TypeError("seed must be a finite number or a string");
    }
  }

  /** A float in [0, 1). */
  next(): number {
    this.stateWord = (this.stateWord + 0x6d2b79f5) >>> 0;
    let t = this.stateWord;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer from min to max, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("cannot pick from an empty list");
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A string of n decimal digits. */
  digits(n: number): string {
    let out = "";
    for (let i = 0; i < n; i++) out += String(this.int(0, 9));
    return out;
  }

  /** A new seed for a child generator (a scenario started by the traffic generator). */
  childSeed(): number {
    return Math.floor(this.next() * 4294967296);
  }
}

/** FNV-1a: turns a string seed into the generator's 32-bit state. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
