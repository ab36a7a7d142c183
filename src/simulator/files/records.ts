// What the simulated reports host serves, recorded from what the company state plays: a company,
// user and queue CDR row when a call ends, a call event row for every call change, a user event
// row for queue and phone logins, pauses and removals. Columns as docs/platform.md lists them.
// Memory is bounded: each list keeps its newest `maxRows` rows.
//
// A person answering (a user, or the outside party of an outbound call) sets answer_time; a queue
// or a voicemail box picking up does not. A queue leg answered by an agent answers its parent.

import type { CompanyState } from "../state/store";
import type { SimCall, SimCallpoint, SimEndReason, SimNotification } from "../state/types";

export type CdrFile = "company" | "user" | "queue";
export type EventLog = "calls" | "users";

export const COLUMNS = {
  company: [
    "call_id",
    "start_time",
    "answer_time",
    "end_time",
    "timezone",
    "from_type",
    "from_id",
    "from_number",
    "from_name",
    "to_number",
    "end_reason",
  ],
  user: [
    "call_id",
    "parent_id",
    "start_time",
    "answer_time",
    "end_time",
    "timezone",
    "identity_id",
    "identity_name",
    "direction",
    "number",
  ],
  queue: [
    "call_id",
    "start_time",
    "timezone",
    "wait_duration",
    "agent_duration",
    "queue_id",
    "queue_name",
    "agent_id",
    "agent_name",
    "from_number",
  ],
  calls: [
    "id",
    "company_id",
    "call_id",
    "parent_id",
    "step",
    "timestamp",
    ...party("caller"),
    ...party("callee"),
    "state",
    "end_reason",
  ],
  users: [
    "id",
    "timestamp",
    "company_id",
    "company_name",
    "event_type",
    "user_id",
    "user_name",
    "user_fullname",
    "identity_id",
    "identity_name",
    "target_type",
    "target_id",
    "target_name",
  ],
} as const;

function party(side: string): string[] {
  return ["type", "id", "number", "desc", "state"].map((field) => `${side}_${field}`);
}

type Cell = string | number | undefined;
type Row = Record<string, Cell>;

/** A recorded row with the moment (Unix seconds) that files it under a day or a time range. */
interface Filed {
  at: number;
  row: Row;
}

interface Tracked {
  call: SimCall;
  step: number;
  dialled?: string;
  answeredAt?: number;
  agent?: { userId: string; userName: string; answeredAt: number };
  queue?: { queueId: string; queueName: string; enteredAt: number; leftAt?: number };
}

export interface ReportRecordsOptions {
  /** the company's UTC offset, as CDR rows write it; default +01:00 */
  timezone?: string;
  /** rows kept per list; default 20000 */
  maxRows?: number;
}

const END_REASON: Record<SimEndReason, string> = {
  SOURCE_HANGUP: "caller",
  DESTINATION_HANGUP: "callee",
  DESTINATION_BUSY: "busy",
  REPLACE: "replace",
};

const CALL_STATE: Record<string, string> = {
  CONNECTING: "conn",
  RINGING: "ring",
  ANSWERED: "answered",
  ON_HOLD: "answered",
  INACTIVE: "answered",
  DISCONNECTED: "down",
};

export class ReportRecords {
  readonly timezone: string;
  /** the first day with files: the day the simulator started, in the company's offset */
  readonly firstDay: string;
  private readonly offsetSeconds: number;
  private readonly maxRows: number;
  private readonly tracked = new Map<string, Tracked>();
  private readonly lists: Record<CdrFile | EventLog, Filed[]> = {
    company: [],
    user: [],
    queue: [],
    calls: [],
    users: [],
  };
  private eventCounter = 0;
  private readonly listener = (n: SimNotification) => this.record(n);

  constructor(
    private readonly state: CompanyState,
    private readonly clock: () => number,
    options: ReportRecordsOptions = {},
  ) {
    this.timezone = options.timezone ?? "+01:00";
    const m = /^([+-])(\d{2}):(\d{2})$/.exec(this.timezone);
    if (!m) throw new Error(`the reports timezone must be an offset such as +01:00, not ${this.timezone}`);
    this.offsetSeconds = (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
    this.maxRows = Math.max(1, options.maxRows ?? 20_000);
    this.firstDay = this.dayOf(this.now());
    state.on("notification", this.listener);
  }

  close(): void {
    this.state.off("notification", this.listener);
    this.tracked.clear();
  }

  /** Whether the platform would have a file for this day: from the first day through today. */
  hasDay(day: string): boolean {
    return day >= this.firstDay && day <= this.dayOf(this.now());
  }

  /** The CSV file of one day's CDR. */
  cdr(file: CdrFile, day: string): string {
    return toCsv(
      COLUMNS[file],
      this.lists[file].filter((f) => this.dayOf(f.at) === day),
    );
  }

  /** The CSV of the events from startTime (inclusive) to endTime (exclusive), Unix seconds. */
  events(log: EventLog, startTime: number, endTime: number): string {
    return toCsv(
      COLUMNS[log],
      this.lists[log].filter((f) => f.at >= startTime && f.at < endTime),
    );
  }

  private now(): number {
    return Math.floor(this.clock() / 1000);
  }

  private record(n: SimNotification): void {
    switch (n.type) {
      case "notification.call.start":
      case "notification.call.update":
        this.callChanged(n.call, n.timestamp);
        break;
      case "notification.call.end":
        this.callEnded(n.callId, n.endReason, n.timestamp);
        break;
      case "notification.queue.call.enter": {
        const t = this.tracked.get(n.callId);
        const queue = this.state.queue(n.queueId);
        if (t && !t.queue)
          t.queue = { queueId: n.queueId, queueName: queue?.name ?? "", enteredAt: n.timestamp };
        break;
      }
      case "notification.queue.call.leave": {
        const t = this.tracked.get(n.callId);
        if (t?.queue && t.queue.leftAt === undefined) t.queue.leftAt = n.timestamp;
        break;
      }
      case "notification.queueMember.enter":
      case "notification.queueMember.leave":
        this.userEvent(n.timestamp, n.type.endsWith("enter") ? "login" : "logoff", n.member.userId, {
          type: "queue",
          id: n.member.queueId,
        });
        break;
      case "notification.queueMember.update":
        for (const change of n.changes) {
          if (change.name !== "pausedSince") continue;
          const paused = Number(change.newValue) > 0;
          this.userEvent(n.timestamp, paused ? "pause" : "unpause", n.member.userId, {
            type: "queue",
            id: n.member.queueId,
          });
        }
        break;
      case "notification.user.update":
        for (const change of n.changes) {
          if (change.name !== "location") continue;
          const loggedIn = change.newValue !== "-1";
          this.userEvent(n.timestamp, loggedIn ? "login" : "logoff", n.userId, {
            type: "phone",
            id: loggedIn ? change.newValue : change.oldValue,
          });
        }
        break;
      case "notification.user.destroy":
        this.userEvent(n.timestamp, "remove", n.userId);
        break;
    }
  }

  private callChanged(call: SimCall, at: number): void {
    let t = this.tracked.get(call.id);
    if (!t) {
      t = { call, step: 0 };
      this.tracked.set(call.id, t);
    }
    t.call = call;
    if (t.dialled === undefined && call.destination.kind === "Dialplan") t.dialled = call.destination.exten;
    if (t.answeredAt === undefined && answeredByPerson(call)) {
      t.answeredAt = at;
      const parent = call.queueCallForCall ? this.tracked.get(call.queueCallForCall) : undefined;
      if (parent) {
        parent.answeredAt ??= at;
        if (call.destination.kind === "User") {
          parent.agent ??= {
            userId: call.destination.userId,
            userName: call.destination.userName,
            answeredAt: at,
          };
        }
      }
    }
    this.callEvent(t, at);
  }

  private callEnded(callId: string, endReason: SimEndReason, at: number): void {
    const t = this.tracked.get(callId);
    if (!t) return;
    this.tracked.delete(callId);
    const call = t.call;
    this.callEvent(t, at, endReason);
    const times = {
      start_time: this.time(call.startedAt),
      answer_time: t.answeredAt === undefined ? undefined : this.time(t.answeredAt),
      end_time: this.time(at),
      timezone: this.timezone,
    };
    if (!call.queueCallForCall) {
      const from = this.partyOf(call.source);
      this.file("company", call.startedAt, {
        call_id: call.id,
        ...times,
        from_type: call.source.kind === "User" ? "identity" : "external",
        from_id: call.source.kind === "User" ? call.source.identityId : undefined,
        from_number: from.number,
        from_name: from.desc,
        to_number: t.dialled ?? this.partyOf(call.destination).number,
        end_reason: endReason === "REPLACE" ? "callee" : END_REASON[endReason],
      });
    }
    for (const [side, other, direction] of [
      [call.source, call.destination, "outgoing"],
      [call.destination, call.source, "incoming"],
    ] as const) {
      if (side.kind !== "User") continue;
      this.file("user", call.startedAt, {
        call_id: call.id,
        parent_id: call.queueCallForCall,
        ...times,
        identity_id: side.identityId,
        identity_name: this.state.identity(side.identityId)?.identity.name ?? side.userName,
        direction,
        number: this.partyOf(other).number,
      });
    }
    if (t.queue) {
      const { queue, agent } = t;
      this.file("queue", queue.enteredAt, {
        call_id: call.id,
        start_time: this.time(queue.enteredAt),
        timezone: this.timezone,
        wait_duration: Math.max(0, (queue.leftAt ?? agent?.answeredAt ?? at) - queue.enteredAt),
        agent_duration: agent ? Math.max(0, at - agent.answeredAt) : 0,
        queue_id: queue.queueId,
        queue_name: queue.queueName,
        agent_id: agent?.userId,
        agent_name: agent?.userName,
        from_number: this.partyOf(call.source).number,
      });
    }
  }

  private callEvent(t: Tracked, at: number, endReason?: SimEndReason): void {
    t.step += 1;
    const call = t.call;
    const row: Row = {
      id: ++this.eventCounter,
      company_id: this.state.company.id,
      call_id: call.id,
      parent_id: call.queueCallForCall,
      step: t.step,
      timestamp: gmt(at),
      state: endReason ? "down" : CALL_STATE[call.state],
      end_reason: endReason ? END_REASON[endReason] : undefined,
    };
    for (const [side, cp] of [
      ["caller", call.source],
      ["callee", call.destination],
    ] as const) {
      const p = this.partyOf(cp);
      row[`${side}_type`] = p.type;
      row[`${side}_id`] = p.id;
      row[`${side}_number`] = p.number;
      row[`${side}_desc`] = p.desc;
      row[`${side}_state`] = endReason ? "down" : CALL_STATE[cp.state];
    }
    this.file("calls", at, row);
  }

  private userEvent(
    at: number,
    eventType: string,
    userId: string,
    target?: { type: string; id: string },
  ): void {
    const user = this.state.user(userId);
    const identity = user?.identities[0];
    const targetName =
      target?.type === "queue"
        ? this.state.queue(target.id)?.name
        : target && this.state.phone(target.id)?.name;
    this.file("users", at, {
      id: ++this.eventCounter,
      timestamp: gmt(at),
      company_id: this.state.company.id,
      company_name: this.state.company.name,
      event_type: eventType,
      user_id: userId,
      user_name: user?.username,
      user_fullname: user?.name,
      identity_id: identity?.id,
      identity_name: identity?.name,
      target_type: target?.type,
      target_id: target?.id,
      target_name: targetName,
    });
  }

  /** How a callpoint shows in a report: its type, id, number and description. */
  private partyOf(cp: SimCallpoint): { type: string; id?: string; number?: string; desc?: string } {
    switch (cp.kind) {
      case "User":
        return {
          type: "identity",
          id: cp.identityId,
          number: this.state.user(cp.userId)?.extensions[0],
          desc: cp.userName,
        };
      case "External":
        return { type: "external", number: cp.number, desc: cp.name || undefined };
      case "Queue":
        return {
          type: "queue",
          id: cp.queueId,
          number: this.state.queue(cp.queueId)?.extension,
          desc: cp.queueName,
        };
      case "Dialplan":
        return { type: "pbx", number: cp.exten, desc: cp.description };
      case "Resource":
        return { type: "pbx", id: cp.resourceId, desc: cp.name };
      default:
        return { type: "unknown" };
    }
  }

  private file(list: CdrFile | EventLog, at: number, row: Row): void {
    const rows = this.lists[list];
    rows.push({ at, row });
    if (rows.length > this.maxRows) rows.splice(0, rows.length - this.maxRows);
  }

  /** "YYYY-MM-DD hh:mm:ss" in the company's offset. */
  private time(seconds: number): string {
    return gmt(seconds + this.offsetSeconds);
  }

  private dayOf(seconds: number): string {
    return this.time(seconds).slice(0, 10);
  }
}

function answeredByPerson(call: SimCall): boolean {
  return (
    (call.state === "ANSWERED" || call.state === "ON_HOLD") &&
    (call.destination.kind === "User" || call.destination.kind === "External")
  );
}

/** "YYYY-MM-DD hh:mm:ss" in GMT, as the event logs write times. */
function gmt(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ");
}

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function toCsv(columns: readonly string[], rows: Filed[]): string {
  const field = (value: Cell) => {
    const text = value === undefined ? "" : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [columns.join(",")];
  for (const { row } of rows) lines.push(columns.map((c) => field(row[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
