// Small builders for typed protocol objects, and a driver that plays calls into a LiveModel the way
// the platform announces them (manual: "Interpreting Call Data").

import { LiveModel, type Snapshot } from "../../../src/compass/model/live-model";
import { type CallRecord, newCallRecord } from "../../../src/compass/model/records";
import type { DomainEvent } from "../../../src/compass/model/types";
import type {
  Call,
  Callpoint,
  CallpointState,
  CallState,
  CallUpdateType,
  Notification,
  QueueMember,
  User,
} from "../../../src/compass/protocol/types";

let callpointIds = 0;

export const cp = {
  user(userId: string, userName = `User ${userId}`, state: CallpointState = "CONNECTING"): Callpoint {
    return {
      id: `cp${++callpointIds}`,
      type: "User",
      state,
      properties: {},
      userId,
      userName,
      identityId: `i${userId}`,
    };
  },
  external(number: string, name = "", state: CallpointState = "CONNECTING"): Callpoint {
    return { id: `cp${++callpointIds}`, type: "External", state, properties: {}, number, name };
  },
  dialplan(exten: string, state: CallpointState = "CONNECTING"): Callpoint {
    return { id: `cp${++callpointIds}`, type: "Dialplan", state, properties: {}, exten, digits: exten };
  },
  queue(queueId: string, queueName: string, state: CallpointState = "CONNECTING"): Callpoint {
    return { id: `cp${++callpointIds}`, type: "Queue", state, properties: {}, queueId, queueName };
  },
  resource(
    resourceType: string,
    resourceId: string,
    name: string,
    state: CallpointState = "CONNECTING",
  ): Callpoint {
    return {
      id: `cp${++callpointIds}`,
      type: "Resource",
      state,
      properties: {},
      resourceType,
      resourceId,
      name,
    };
  },
};

/** A bare record of `call` for ModelState alone (the model's own records come from Changes.startCall). */
export function callRecord(call: Call, parentCallId: string | null = null): CallRecord {
  return newCallRecord(call, {
    direction: null,
    startedAt: 0,
    held: false,
    parentCallId,
    queueId: null,
    queueName: null,
  });
}

export function member(queueId: string, userId: string, pausedSince = 0, priority = 10): QueueMember {
  return { queueId, userId, priority, pausedSince };
}

export function user(id: string, name: string, queueIds: string[] = [], loggedIn = true): User {
  return {
    id,
    name,
    loggedIn,
    location: loggedIn ? `40${id}` : "-1",
    receiveCalls: "ALL",
    displayStatus: "available",
    identifiers: { lisaId: id },
    queueEntries: queueIds.map((q) => member(q, id)),
  };
}

/** A small company: agents 16 (Alex) and 18 (Piet) in queue 641, Jan (17) not in a queue. */
export function seedSnapshot(): Snapshot {
  return {
    company: { id: "15", name: "Acme" },
    users: [user("16", "Alex Groot", ["641"]), user("17", "Jan Jansen"), user("18", "Piet Bakker", ["641"])],
    queues: [
      { id: "641", name: "Support", userEntries: [member("641", "16"), member("641", "18")], callIds: [] },
    ],
    calls: [],
  };
}

/** Collects the model's domain events. */
export class Recorder {
  readonly events: DomainEvent[] = [];
  readonly unknown: Notification[] = [];
  constructor(model: LiveModel) {
    model.on("event", (e: DomainEvent) => this.events.push(e));
    model.on("unknown", (n: Notification) => this.unknown.push(n));
  }
  /** Event names, optionally only those starting with a prefix ("call." ...). */
  names(prefix = ""): string[] {
    return this.events.filter((e) => e.event.startsWith(prefix)).map((e) => e.event);
  }
  payloads(name: string): Record<string, unknown>[] {
    return this.events.filter((e) => e.event === name).map((e) => e.payload);
  }
  only(name: string): Record<string, unknown> {
    const found = this.payloads(name);
    if (found.length !== 1) throw new Error(`expected one ${name}, got ${found.length}`);
    return found[0];
  }
  clear(): void {
    this.events.length = 0;
    this.unknown.length = 0;
  }
}

/** Plays platform notifications into the model with a controllable clock. */
export class Platform {
  now = 1_700_000_000_000;
  readonly calls = new Map<string, Call>();
  constructor(readonly model: LiveModel) {}

  tick(ms: number): this {
    this.now += ms;
    return this;
  }

  send(n: Notification): void {
    this.model.apply(n, this.now);
  }

  private stamp(): number {
    return Math.floor(this.now / 1000);
  }

  start(
    id: string,
    source: Callpoint,
    destination: Callpoint,
    parentCallId?: string,
    state: CallState = "CONNECTING",
  ) {
    const call: Call = {
      id,
      source: { ...source, state: state === "CONNECTING" ? source.state : state },
      destination: { ...destination, state: state === "CONNECTING" ? destination.state : state },
      state,
      properties: parentCallId ? { QueueCallForCall: parentCallId } : {},
      ...(parentCallId ? { queueCallForCall: parentCallId } : {}),
    };
    this.calls.set(id, call);
    this.send({ type: "notification.call.start", timestamp: this.stamp(), call: structuredClone(call) });
    return this;
  }

  private update(id: string, updateType: CallUpdateType): void {
    const call = this.calls.get(id);
    if (!call) throw new Error(`test bug: no call ${id}`);
    this.send({
      type: "notification.call.update",
      timestamp: this.stamp(),
      call: structuredClone(call),
      updateType,
    });
  }

  route(id: string, side: "SOURCE" | "DESTINATION", callpoint: Callpoint) {
    const call = this.calls.get(id)!;
    if (side === "SOURCE") call.source = { ...callpoint, state: call.source.state };
    else call.destination = { ...callpoint, state: call.destination.state };
    this.update(id, side);
    return this;
  }

  state(id: string, state: CallState) {
    const call = this.calls.get(id)!;
    call.state = state;
    if (state !== "ON_HOLD") {
      for (const side of [call.source, call.destination]) if (side.state !== "INACTIVE") side.state = state;
    }
    this.update(id, "STATE");
    return this;
  }

  side(id: string, side: "SOURCE" | "DESTINATION", state: CallpointState) {
    const call = this.calls.get(id)!;
    (side === "SOURCE" ? call.source : call.destination).state = state;
    this.update(id, "STATE");
    return this;
  }

  end(id: string, endReason: string) {
    this.calls.delete(id);
    this.send({ type: "notification.call.end", timestamp: this.stamp(), callId: id, endReason });
    return this;
  }

  queueEnter(queueId: string, callId: string) {
    this.send({ type: "notification.queue.call.enter", timestamp: this.stamp(), queueId, callId });
    return this;
  }

  queueLeave(queueId: string, callId: string) {
    this.send({ type: "notification.queue.call.leave", timestamp: this.stamp(), queueId, callId });
    return this;
  }
}

export function freshModel(snapshot = seedSnapshot()): {
  model: LiveModel;
  platform: Platform;
  rec: Recorder;
} {
  const model = new LiveModel();
  const platform = new Platform(model);
  model.load(snapshot, platform.now);
  const rec = new Recorder(model);
  return { model, platform, rec };
}
