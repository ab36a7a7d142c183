// A clock that only moves when told to. Give `clock.now` to `new CompanyState({ clock })` and pass the
// same clock to `runScenario`: in instant mode (timeScale 0) the runner moves it by each step's delay,
// so notification timestamps are as far apart as they would be in real time.

export class VirtualClock {
  private current: number;

  /** `start`: milliseconds since the epoch (default 2024-01-01T09:00:00Z, a working morning). */
  constructor(start = Date.UTC(2024, 0, 1, 9, 0, 0)) {
    if (!Number.isFinite(start)) throw new TypeError("start must be a finite number of milliseconds");
    this.current = start;
  }

  /** The current time in ms; bound, so it can be handed over as a bare function. */
  readonly now = (): number => this.current;

  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError("a clock only moves forward by a finite amount");
    this.current += ms;
    return this.current;
  }
}
