// Plays one scenario against a CompanyState: in real time (timeScale 1), faster (0 < timeScale < 1),
// or instantly (timeScale 0: every step runs synchronously, in order, before runScenario returns).
// A run can be cancelled; a cancelled or failed run ends the calls it started and undoes what it
// changed, so the company is left consistent, and it never leaves a timer behind.

import type { CompanyState } from "../state/store";
import type { SimCall } from "../state/types";
import { isScenarioName, scenarioDefinition } from "./catalogue";
import type { VirtualClock } from "./clock";
import { DEFAULT_SCENARIO_SEED, type ScenarioSeed, SeededRandom } from "./random";
import {
  ScenarioError,
  type ScenarioExpectation,
  type ScenarioName,
  type ScenarioParams,
  type ScenarioPlan,
  ScenarioStepError,
  type StepContext,
} from "./types";

export interface RunScenarioOptions {
  seed?: ScenarioSeed;
  /** 1 = real time, 0.01 = 100x faster, 0 = all steps at once without timers (default 1) */
  timeScale?: number;
  params?: ScenarioParams;
  /** the clock the state was built with; the runner moves it by each step's (unscaled) delay */
  clock?: VirtualClock;
  /** cancels the run when aborted; works in instant mode too (e.g. aborted from a listener) */
  signal?: AbortSignal;
}

export type ScenarioStatus = "running" | "completed" | "cancelled" | "failed";

export interface ScenarioRun {
  readonly name: ScenarioName;
  readonly seed: ScenarioSeed;
  /** the calls this run started (parents, legs, transfers), in the order they started */
  readonly callIds: readonly string[];
  readonly expected: ScenarioExpectation;
  readonly stepCount: number;
  stepsRun: number;
  status: ScenarioStatus;
  error?: ScenarioStepError;
  /** stop now: end this run's open calls, undo its changes, clear its timer */
  cancel(): void;
}

/** Awaitable (resolves with the run when it completes or is cancelled; rejects when a step fails). */
export type ScenarioRunHandle = Promise<ScenarioRun> & { readonly run: ScenarioRun; cancel(): void };

/** Plan a scenario without running it: its steps (with delays) and expectation. */
export function planScenario(
  state: CompanyState,
  name: ScenarioName,
  options: { seed?: ScenarioSeed; params?: ScenarioParams } = {},
): ScenarioPlan {
  if (!isScenarioName(name)) throw new ScenarioError(`unknown scenario ${JSON.stringify(name)}`);
  const definition = scenarioDefinition(name);
  return definition.plan({
    state,
    random: new SeededRandom(options.seed ?? DEFAULT_SCENARIO_SEED),
    params: options.params ?? {},
  });
}

/**
 * Throws ScenarioError at once for an unknown name, a bad option, or a company in which the
 * scenario cannot be played; a step that fails later rejects the handle with ScenarioStepError.
 */
export function runScenario(
  state: CompanyState,
  name: ScenarioName,
  options: RunScenarioOptions = {},
): ScenarioRunHandle {
  const timeScale = options.timeScale ?? 1;
  if (typeof timeScale !== "number" || !Number.isFinite(timeScale) || timeScale < 0) {
    throw new ScenarioError("timeScale must be a finite number >= 0");
  }
  const seed = options.seed ?? DEFAULT_SCENARIO_SEED;
  const plan = planScenario(state, name, { seed, params: options.params });
  const { steps } = plan;
  const clock = options.clock;

  const callIds: string[] = [];
  const roles = new Map<string, string>();
  const undo: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inStep = false;
  let cancelRequested = false;
  let settle: { resolve: (run: ScenarioRun) => void; reject: (err: unknown) => void } | undefined;

  const ctx: StepContext = {
    state,
    adopt(role: string, call: SimCall): SimCall {
      roles.set(role, call.id);
      callIds.push(call.id);
      return call;
    },
    callId(role: string): string {
      const id = roles.get(role);
      if (id === undefined) throw new ScenarioError(`no call has the role ${role}`);
      return id;
    },
    maybeCallId: (role: string) => roles.get(role),
    onAbort(fn: () => void) {
      undo.push(fn);
    },
  };

  const run: ScenarioRun = {
    name,
    seed,
    callIds,
    expected: plan.expected,
    stepCount: steps.length,
    stepsRun: 0,
    status: "running",
    cancel,
  };

  /** End what the run left open: its calls first (a parent takes its legs along), then its undo list. */
  function cleanUp(): void {
    for (const id of callIds) {
      const call = state.call(id);
      if (call && call.endedAt === undefined) {
        try {
          state.endCall(id, "SOURCE_HANGUP");
        } catch {
          // Ended meanwhile by someone else: nothing left to do for it.
        }
      }
    }
    for (const fn of undo.splice(0).reverse()) {
      try {
        fn();
      } catch {
        // Best effort: another actor may have changed the same thing already.
      }
    }
  }

  function cancel(): void {
    if (run.status !== "running") return;
    if (inStep) {
      // Called from a notification listener during a step: stop once that step is done.
      cancelRequested = true;
      return;
    }
    run.status = "cancelled";
    if (timer) clearTimeout(timer);
    timer = undefined;
    cleanUp();
    settle?.resolve(run);
  }

  function fail(err: unknown, label: string): void {
    run.status = "failed";
    run.error = err instanceof ScenarioStepError ? err : new ScenarioStepError(name, label, err);
    cleanUp();
    settle?.reject(run.error);
  }

  /** Run due steps; `waited` = the timer for the next step has just fired. */
  function pump(waited: boolean): void {
    while (run.status === "running" && run.stepsRun < steps.length) {
      const step = steps[run.stepsRun];
      const wait = step.after * timeScale;
      if (!waited && wait > 0) {
        timer = setTimeout(() => {
          timer = undefined;
          pump(true);
        }, wait);
        return;
      }
      waited = false;
      clock?.advance(step.after);
      inStep = true;
      try {
        step.run(ctx);
      } catch (err) {
        inStep = false;
        fail(err, step.label);
        return;
      }
      inStep = false;
      run.stepsRun += 1;
      if (cancelRequested) {
        cancel();
        return;
      }
    }
    if (run.status === "running") {
      run.status = "completed";
      settle?.resolve(run);
    }
  }

  const signal = options.signal;
  const onAbort = () => cancel();
  const promise = new Promise<ScenarioRun>((resolve, reject) => {
    settle = {
      resolve: (value) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(value);
      },
      reject: (err) => {
        signal?.removeEventListener("abort", onAbort);
        reject(err);
      },
    };
  });
  if (signal?.aborted) cancel();
  else {
    signal?.addEventListener("abort", onAbort, { once: true });
    pump(false);
  }
  return Object.assign(promise, { run, cancel });
}
