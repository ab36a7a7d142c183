// Everything the package runs from Node's event loop (timers, socket and emitter callbacks, promise
// continuations nobody awaits) goes through `guarded`, so that nothing in it can throw into the host:
// in Node-RED an uncaught exception or unhandled rejection ends the whole runtime, every flow with it.
// A failure is reported to `onFailure` (or to the process-wide reporter) instead.

import { errorText } from "./text";

export type FailureReporter = (where: string, err: unknown) => void;

/** visible on stderr, never fatal */
let reporter: FailureReporter = (where, err) =>
  process.emitWarning(`${where} failed: ${errorText(err)}`, "CompassGuard");
/** how many guarded callbacks failed since start (tests read it) */
let failures = 0;

/** Where failures go when a guard has no reporter of its own; returns the previous one. */
export function setFailureReporter(next: FailureReporter): FailureReporter {
  const previous = reporter;
  reporter = next;
  return previous;
}

export function guardedFailures(): number {
  return failures;
}

function report(where: string, err: unknown, onFailure: FailureReporter | undefined): void {
  failures++;
  try {
    (onFailure ?? reporter)(where, err);
  } catch {
    // a reporter that throws must not undo the guard
  }
}

/**
 * `fn` wrapped so that neither a throw nor a rejected promise it returns can escape. `where` names the
 * callback in the report ("session reconnect timer", ...).
 */
export function guarded<A extends unknown[]>(
  where: string,
  fn: (...args: A) => unknown,
  onFailure?: FailureReporter,
): (...args: A) => void {
  return (...args: A) => {
    try {
      const result = fn(...args);
      if (result && typeof (result as Promise<unknown>).then === "function") {
        (result as Promise<unknown>).then(undefined, (err: unknown) => report(where, err, onFailure));
      }
    } catch (err) {
      report(where, err, onFailure);
    }
  };
}

/** A promise nobody awaits: its rejection is reported, never left unhandled. */
export function settle(where: string, promise: Promise<unknown>, onFailure?: FailureReporter): void {
  promise.then(undefined, (err: unknown) => report(where, err, onFailure));
}

/** setTimeout with a guarded callback. */
export function guardedTimeout(where: string, ms: number, fn: () => unknown): NodeJS.Timeout {
  return setTimeout(guarded(where, fn), ms);
}
