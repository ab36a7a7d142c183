// queue.stats can change many times a second on a busy queue; a wallboard needs the latest
// snapshot, not every one. Per queue: the first change goes out at once, then at most one snapshot,
// the latest, per interval.

import { guardedTimeout } from "../compass/guard";
import type { DomainEvent } from "../compass/model";

type Send = (event: DomainEvent, xml?: () => string) => void;

/** Per-queue throttle: leading edge immediately, then the latest snapshot once per interval. */
export class StatsThrottle {
  private readonly last = new Map<string, number>();
  private readonly pending = new Map<string, { event: DomainEvent; timer: NodeJS.Timeout }>();

  constructor(private readonly intervalMs: number) {}

  offer(event: DomainEvent, send: Send): void {
    const queueId = String(event.payload.queueId ?? "");
    const now = Date.now();
    const waiting = this.pending.get(queueId);
    if (waiting) {
      waiting.event = event;
      return;
    }
    const since = now - (this.last.get(queueId) ?? Number.NEGATIVE_INFINITY);
    if (since >= this.intervalMs) {
      this.last.set(queueId, now);
      send(event);
      return;
    }
    const timer = guardedTimeout("queue statistics throttle timer", this.intervalMs - since, () => {
      const entry = this.pending.get(queueId);
      this.pending.delete(queueId);
      this.last.set(queueId, Date.now());
      if (entry) send(entry.event);
    });
    this.pending.set(queueId, { event, timer });
  }

  close(): void {
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    this.last.clear();
  }
}
