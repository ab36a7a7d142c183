// Routes domain events to the trigger nodes that want them. A node says which event names it wants
// and, optionally, which users or queues: such a node is indexed under those ids, so an event about
// other users or queues never reaches it. The ids an event concerns are read once per event, not
// once per node, which keeps a node whose filters match nothing (almost) free.

import { eventConcerns } from "./events";
import type { DomainEvent } from "./model";

/** `xml()` gives the platform's stanza behind the event, when there is one (not for reload diffs). */
export type EventHandler = (event: DomainEvent, xml?: () => string) => void;

export interface RouteKeys {
  /** only events about one of these users (empty or absent: any user) */
  users?: ReadonlySet<string>;
  /** only events about one of these queues (empty or absent: any queue) */
  queues?: ReadonlySet<string>;
}

interface Route {
  handler: EventHandler;
}

type Index = "any" | "byUser" | "byQueue";

/** Per event name: routes without ids, and routes indexed by the one dimension they filter on. */
interface Bucket {
  any: Set<Route>;
  byUser: Map<string, Set<Route>>;
  byQueue: Map<string, Set<Route>>;
}

export class EventRouter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly onHandlerError: (event: DomainEvent, err: unknown) => void) {}

  /** Adds a route for these event names ("*" for all); returns its removal. */
  add(events: Iterable<string>, handler: EventHandler, keys: RouteKeys = {}): () => void {
    const route: Route = { handler };
    // Indexed by users when it filters on users (a queue filter is then checked by the handler).
    const [index, ids]: [Index, ReadonlySet<string>] = keys.users?.size
      ? ["byUser", keys.users]
      : keys.queues?.size
        ? ["byQueue", keys.queues]
        : ["any", new Set()];
    const names = [...new Set(events)];
    for (const name of names) {
      const bucket = this.bucket(name);
      if (index === "any") bucket.any.add(route);
      else for (const id of ids) setIn(bucket[index], id).add(route);
    }
    return () => {
      for (const name of names) {
        const bucket = this.buckets.get(name);
        if (!bucket) continue;
        if (index === "any") bucket.any.delete(route);
        else {
          for (const id of ids) {
            const set = bucket[index].get(id);
            set?.delete(route);
            if (set?.size === 0) bucket[index].delete(id);
          }
        }
        if (bucket.any.size + bucket.byUser.size + bucket.byQueue.size === 0) this.buckets.delete(name);
      }
    };
  }

  route(event: DomainEvent, xml?: () => string): void {
    const exact = this.buckets.get(event.event);
    const wildcard = this.buckets.get("*");
    if (!exact && !wildcard) return;
    if (exact && !wildcard && exact.byUser.size === 0 && exact.byQueue.size === 0) {
      for (const route of exact.any) this.call(route, event, xml);
      return;
    }
    let concerns: ReturnType<typeof eventConcerns> | undefined;
    const targets = new Set<Route>();
    for (const bucket of [exact, wildcard]) {
      if (!bucket) continue;
      for (const r of bucket.any) targets.add(r);
      if (bucket.byUser.size === 0 && bucket.byQueue.size === 0) continue;
      concerns ??= eventConcerns(event);
      for (const id of concerns.users) for (const r of bucket.byUser.get(id) ?? []) targets.add(r);
      for (const id of concerns.queues) for (const r of bucket.byQueue.get(id) ?? []) targets.add(r);
    }
    for (const route of targets) this.call(route, event, xml);
  }

  private call(route: Route, event: DomainEvent, xml?: () => string): void {
    try {
      route.handler(event, xml);
    } catch (err) {
      this.onHandlerError(event, err);
    }
  }

  clear(): void {
    this.buckets.clear();
  }

  private bucket(name: string): Bucket {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = { any: new Set(), byUser: new Map(), byQueue: new Map() };
      this.buckets.set(name, bucket);
    }
    return bucket;
  }
}

function setIn<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}
