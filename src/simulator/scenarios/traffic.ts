// Continuous, overlapping, randomised traffic for the demo: scenarios start at random (Poisson)
// intervals, picked by weight with a seeded generator, with at most `maxConcurrent` running at once.

import type { CompanyState } from "../state/store";
import { isScenarioName, scenarioDefinition } from "./catalogue";
import { DEFAULT_SCENARIO_SEED, type ScenarioSeed, SeededRandom } from "./random";
import { runScenario, type ScenarioRunHandle } from "./runner";
import { SCENARIO_NAMES, ScenarioError, type ScenarioName } from "./types";

export interface TrafficOptions {
  /** scenario starts per minute, on average (default 6) */
  callsPerMinute?: number;
  seed?: ScenarioSeed;
  /** which scenarios to play (default: all), picked by their traffic weight */
  scenarios?: readonly ScenarioName[];
  /** at most this many scenarios at once; a start due while full is skipped (default 5) */
  maxConcurrent?: number;
  /** passed to each scenario (default 1: real time) */
  timeScale?: number;
  /** told about each scenario that could not be planned or failed (default: ignored) */
  onError?: (err: unknown, name: ScenarioName) => void;
}

export interface TrafficStats {
  started: number;
  completed: number;
  failed: number;
  /** due while full (or while the same exclusive scenario ran), or not playable in the company's state */
  skipped: number;
  running: number;
}

export interface Traffic {
  stats(): TrafficStats;
  /** stop starting scenarios, cancel the running ones (ending their calls), clear every timer */
  stop(): Promise<void>;
}

export function startTraffic(state: CompanyState, options: TrafficOptions = {}): Traffic {
  const perMinute = options.callsPerMinute ?? 6;
  if (typeof perMinute !== "number" || !Number.isFinite(perMinute) || perMinute <= 0 || perMinute > 60_000) {
    throw new ScenarioError("callsPerMinute must be a number above 0 and at most 60000");
  }
  const maxConcurrent = options.maxConcurrent ?? 5;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
    throw new ScenarioError("maxConcurrent must be a positive integer");
  }
  const names = options.scenarios ?? SCENARIO_NAMES;
  if (!Array.isArray(names) || names.length === 0 || !names.every(isScenarioName)) {
    throw new ScenarioError(`scenarios must be a non-empty list of: ${SCENARIO_NAMES.join(", ")}`);
  }
  const timeScale = options.timeScale ?? 1;
  const random = new SeededRandom(options.seed ?? DEFAULT_SCENARIO_SEED);
  const weights = names.map((n) => scenarioDefinition(n).trafficWeight);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const meanGapMs = 60_000 / perMinute;

  const running = new Set<ScenarioRunHandle>();
  /** names of the scenarios running now (exclusive ones never overlap themselves) */
  const busyNames = new Set<ScenarioName>();
  const stats = { started: 0, completed: 0, failed: 0, skipped: 0 };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function pickName(): ScenarioName {
    let ticket = random.next() * totalWeight;
    for (let i = 0; i < names.length; i++) {
      ticket -= weights[i] as number;
      if (ticket < 0) return names[i] as ScenarioName;
    }
    return names[names.length - 1] as ScenarioName;
  }

  function startOne(): void {
    const name = pickName();
    const seed = random.childSeed();
    if (running.size >= maxConcurrent || (scenarioDefinition(name).exclusive && busyNames.has(name))) {
      stats.skipped += 1;
      return;
    }
    let handle: ScenarioRunHandle;
    try {
      handle = runScenario(state, name, { seed, timeScale });
    } catch (err) {
      stats.skipped += 1;
      options.onError?.(err, name);
      return;
    }
    stats.started += 1;
    running.add(handle);
    busyNames.add(name);
    const finished = () => {
      running.delete(handle);
      if (![...running].some((h) => h.run.name === name)) busyNames.delete(name);
    };
    handle.then(
      (run) => {
        finished();
        if (run.status === "completed") stats.completed += 1;
      },
      (err) => {
        finished();
        stats.failed += 1;
        options.onError?.(err, name);
      },
    );
  }

  function scheduleNext(): void {
    if (stopped) return;
    // Exponential gaps: arrivals of independent callers.
    const gap = -Math.log(1 - random.next()) * meanGapMs;
    timer = setTimeout(() => {
      timer = undefined;
      startOne();
      scheduleNext();
    }, gap);
  }

  scheduleNext();

  return {
    stats: () => ({ ...stats, running: running.size }),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const pending = [...running];
      for (const handle of pending) handle.cancel();
      await Promise.allSettled(pending);
    },
  };
}
