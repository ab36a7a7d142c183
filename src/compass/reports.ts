// The platform's reports (docs/platform-notes.md "Reports: CDR and Events API"): company, user and
// queue CDRs, one CSV file per day, and call and user event logs for a time range, from the reports
// host files.D. That host is a second origin that gets the same Basic credentials, so it has its
// own REST client with the same same-origin guard. No Node-RED here.

import {
  CompassConfigError,
  ForbiddenError,
  NotFoundError,
  RestClient,
  type RestClientOptions,
  UnauthorizedError,
} from "./rest";
import { errorText } from "./text";

export type CdrKind = "company" | "user" | "queue";
export type EventLogKind = "calls" | "users";
export type ReportKind = "company-cdr" | "user-cdr" | "queue-cdr" | "call-events" | "user-events";

export const REPORT_KINDS: readonly ReportKind[] = [
  "company-cdr",
  "user-cdr",
  "queue-cdr",
  "call-events",
  "user-events",
];

/** The web interface limits a download to one month; so do we, before asking anything. */
export const MAX_RANGE_DAYS = 31;
const DAY_MS = 86_400_000;

export type ReportErrorCode =
  | "bad-kind"
  | "bad-day"
  | "bad-time"
  | "bad-range"
  | "range-too-long"
  | "unauthorized"
  | "forbidden"
  | "no-file"
  | "malformed-csv"
  | "no-files-url";

/** Why a report could not be fetched or read; `code` names the case, `params` what it was about. */
export class ReportError extends Error {
  override readonly name = "ReportError";
  constructor(
    readonly code: ReportErrorCode,
    readonly params: Record<string, string>,
    message: string,
    /** the platform's HTTP status, when it answered with one */
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

/** A report row: the platform's column names; numbers as numbers, times as ms epoch, empty as null. */
export type ReportRow = Record<string, string | number | null>;

export interface ReportProgress {
  /** requests done so far */
  done: number;
  total: number;
  /** the day just fetched (CDRs) */
  day?: string;
}

export interface ReportResult {
  kind: ReportKind;
  rows: ReportRow[];
  /** the days asked for (CDRs) */
  days?: string[];
  /** the time range asked for, ms epoch (event logs) */
  startTime?: number;
  endTime?: number;
}

type ColumnType = "number" | "time";

// Columns that are not plain text; every other column (ids, numbers to dial, names) stays text.
const CDR_TIMES = { start_time: "time", answer_time: "time", end_time: "time" } as const;
const COLUMN_TYPES: Record<ReportKind, Record<string, ColumnType>> = {
  "company-cdr": CDR_TIMES,
  "user-cdr": CDR_TIMES,
  "queue-cdr": { start_time: "time", wait_duration: "number", agent_duration: "number" },
  "call-events": { step: "number", timestamp: "time" },
  "user-events": { timestamp: "time" },
};

const CDR_FILE: Record<string, CdrKind> = {
  "company-cdr": "company",
  "user-cdr": "user",
  "queue-cdr": "queue",
};
const EVENT_LOG: Record<string, EventLogKind> = { "call-events": "calls", "user-events": "users" };

export function isReportKind(value: unknown): value is ReportKind {
  return typeof value === "string" && (REPORT_KINDS as readonly string[]).includes(value);
}

export function isCdrKind(kind: ReportKind): boolean {
  return kind in CDR_FILE;
}

export interface ReportsOptions extends Omit<RestClientOptions, "baseUrl" | "versions"> {
  /** the reports host, https://files.D; absent only for hand-made endpoints */
  baseUrl: string | undefined;
  /** the own company's id, asked when first needed */
  companyId: () => Promise<string>;
}

export class CompassReports {
  #client: RestClient | null = null;

  constructor(private readonly options: ReportsOptions) {}

  /** One report: CDRs for the days from..to (YYYY-MM-DD), event logs for startTime..endTime (ms). */
  async fetch(
    kind: ReportKind,
    range: { from: string; to?: string } | { startTime: number; endTime: number },
    onProgress?: (progress: ReportProgress) => void,
  ): Promise<ReportResult> {
    if (!isReportKind(kind)) {
      throw new ReportError(
        "bad-kind",
        { kind: String(kind) },
        `unknown report kind ${JSON.stringify(kind)}`,
      );
    }
    if (isCdrKind(kind)) {
      if (!("from" in range)) throw new ReportError("bad-day", { day: "" }, "a CDR needs a day");
      return this.cdr(CDR_FILE[kind] as CdrKind, range.from, range.to ?? range.from, onProgress);
    }
    if (!("startTime" in range))
      throw new ReportError("bad-time", { time: "" }, "an event log needs a time range");
    return this.events(EVENT_LOG[kind] as EventLogKind, range.startTime, range.endTime, onProgress);
  }

  /** CDR rows of each day from..to, one request per day (as the API allows), in day order. */
  async cdr(
    file: CdrKind,
    from: string,
    to: string,
    onProgress?: (progress: ReportProgress) => void,
  ): Promise<ReportResult> {
    const days = daysBetween(from, to);
    const client = this.client();
    const companyId = await this.options.companyId();
    const kind = `${file}-cdr` as ReportKind;
    const rows: ReportRow[] = [];
    for (const [index, day] of days.entries()) {
      const text = await this.download(
        client,
        `/cdr/${encodeURIComponent(companyId)}/${day}/${file}.csv`,
        day,
      );
      for (const row of readCsv(text, kind, day)) rows.push(row);
      onProgress?.({ done: index + 1, total: days.length, day });
    }
    return { kind, rows, days };
  }

  /** Call or user events between two times (ms epoch; sent as Unix seconds, GMT). */
  async events(
    log: EventLogKind,
    startTime: number,
    endTime: number,
    onProgress?: (progress: ReportProgress) => void,
  ): Promise<ReportResult> {
    for (const time of [startTime, endTime]) {
      if (!Number.isFinite(time))
        throw new ReportError("bad-time", { time: String(time) }, `not a time: ${time}`);
    }
    if (endTime <= startTime) {
      throw new ReportError(
        "bad-range",
        { from: iso(startTime), to: iso(endTime) },
        `the range ends (${iso(endTime)}) before it starts (${iso(startTime)})`,
      );
    }
    if (endTime - startTime > MAX_RANGE_DAYS * DAY_MS) {
      throw tooLong(iso(startTime), iso(endTime));
    }
    const client = this.client();
    const companyId = await this.options.companyId();
    const kind = (log === "calls" ? "call-events" : "user-events") as ReportKind;
    const path =
      `/events/${encodeURIComponent(companyId)}/${log}` +
      `?startTime=${Math.floor(startTime / 1000)}&endTime=${Math.ceil(endTime / 1000)}`;
    const text = await this.download(client, path, iso(startTime));
    const rows = readCsv(text, kind, iso(startTime));
    onProgress?.({ done: 1, total: 1 });
    return { kind, rows, startTime, endTime };
  }

  async close(): Promise<void> {
    await this.#client?.close();
  }

  private client(): RestClient {
    if (this.#client) return this.#client;
    const { baseUrl, companyId: _companyId, ...rest } = this.options;
    if (!baseUrl) throw new ReportError("no-files-url", {}, "no reports host (files URL) is configured");
    try {
      this.#client = new RestClient({ ...rest, baseUrl });
    } catch (err) {
      // the REST client's own words name its baseUrl; here that is the files URL
      if (err instanceof CompassConfigError) {
        throw new CompassConfigError(err.message.replace("Compass REST baseUrl", "The Compass files URL"));
      }
      throw err;
    }
    return this.#client;
  }

  private async download(client: RestClient, path: string, day: string): Promise<string> {
    try {
      const response = await client.request({ method: "GET", path, headers: { accept: "text/csv" } });
      const body = response.body;
      if (body === null) return "";
      if (typeof body === "string") return body;
      if (Buffer.isBuffer(body)) return body.toString("utf8");
      throw new ReportError("malformed-csv", { day, reason: "not CSV" }, `the report for ${day} is not CSV`);
    } catch (err) {
      throw reportErrorFor(err, day);
    }
  }
}

/** The platform's refusals, said for reports; anything else (network, origin guard) as it is. */
function reportErrorFor(err: unknown, day: string): unknown {
  if (err instanceof UnauthorizedError) {
    return new ReportError("unauthorized", {}, err.message, 401);
  }
  if (err instanceof ForbiddenError) {
    return new ReportError(
      "forbidden",
      {},
      `the platform refused the report: the user needs access to the company's reports (${err.message})`,
      403,
    );
  }
  if (err instanceof NotFoundError) {
    return new ReportError("no-file", { day }, `the platform has no report for ${day}`, 404);
  }
  return err;
}

function tooLong(from: string, to: string): ReportError {
  return new ReportError(
    "range-too-long",
    { from, to, max: String(MAX_RANGE_DAYS) },
    `${from} to ${to} is longer than the platform allows in one download (${MAX_RANGE_DAYS} days)`,
  );
}

// ---------------------------------------------------------------- days and times

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Checks a YYYY-MM-DD day; returns its UTC midnight in ms. */
export function dayStart(day: string): number {
  const m = DAY.exec(day);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new ReportError("bad-day", { day: String(day) }, `not a day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  }
  return ms;
}

/** The days from..to inclusive; refused when backwards or longer than a month. */
export function daysBetween(from: string, to: string): string[] {
  const start = dayStart(from);
  const end = dayStart(to);
  if (end < start) {
    throw new ReportError("bad-range", { from, to }, `the range ends (${to}) before it starts (${from})`);
  }
  const count = Math.round((end - start) / DAY_MS) + 1;
  if (count > MAX_RANGE_DAYS) throw tooLong(from, to);
  return Array.from({ length: count }, (_, i) => new Date(start + i * DAY_MS).toISOString().slice(0, 10));
}

/** The local calendar day (YYYY-MM-DD) of a moment. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function localMidnight(day: string): number {
  const utc = new Date(dayStart(day));
  return new Date(utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate()).getTime();
}

/**
 * A day as users give it: "today", "yesterday", YYYY-MM-DD, a Date, or ms epoch (its local day).
 * Days are the Node-RED host's local days.
 */
export function resolveDay(value: unknown, now = Date.now()): string {
  if (value instanceof Date || typeof value === "number") return localDay(new Date(value).getTime());
  const text = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (text === "today") return localDay(now);
  if (text === "yesterday") return localDay(localMidnight(localDay(now)) - DAY_MS / 2);
  dayStart(text);
  return text;
}

/**
 * A moment as users give it: "now", "today" / "yesterday" (local midnight), YYYY-MM-DD (local
 * midnight, or the end of that day when `endOfDay`), an ISO date-time, a Date, or ms epoch.
 */
export function resolveTime(value: unknown, options: { endOfDay?: boolean } = {}, now = Date.now()): number {
  if (value instanceof Date || typeof value === "number") {
    const ms = new Date(value).getTime();
    if (Number.isFinite(ms)) return ms;
  }
  const text = typeof value === "string" ? value.trim() : "";
  if (text.toLowerCase() === "now") return now;
  if (["today", "yesterday"].includes(text.toLowerCase()) || DAY.test(text)) {
    const midnight = localMidnight(resolveDay(text, now));
    return options.endOfDay ? localMidnight(localDay(midnight + DAY_MS * 1.5)) : midnight;
  }
  const ms = text === "" ? Number.NaN : Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new ReportError("bad-time", { time: String(value) }, `not a time: ${JSON.stringify(value)}`);
  }
  return ms;
}

/**
 * What a user asks for, as a range the client takes. CDRs: the days from..to (an empty `to` is
 * `from`). Event logs: from..to; an empty `to` is the end of `from`'s day when `from` is a day,
 * otherwise now.
 */
export function resolveRange(
  kind: ReportKind,
  from: unknown,
  to: unknown,
  now = Date.now(),
): { from: string; to: string } | { startTime: number; endTime: number } {
  const empty = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");
  if (isCdrKind(kind)) {
    const first = resolveDay(from, now);
    return { from: first, to: empty(to) ? first : resolveDay(to, now) };
  }
  const startTime = resolveTime(from, {}, now);
  if (!empty(to)) return { startTime, endTime: resolveTime(to, { endOfDay: true }, now) };
  const dayLike = typeof from === "string" && /^(today|yesterday|\d{4}-\d{2}-\d{2})$/i.test(from.trim());
  return { startTime, endTime: dayLike ? resolveTime(from, { endOfDay: true }, now) : now };
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

// ---------------------------------------------------------------- CSV

/**
 * csv-parse, loaded at the first report read: Node-RED loads every node of the package at start,
 * and most flows never read a report (it cost each process 0.2 MB of heap).
 */
function csvParser(): typeof import("csv-parse/sync").parse {
  return (require("csv-parse/sync") as typeof import("csv-parse/sync")).parse;
}

/** The rows of one report file, typed by column. */
export function readCsv(text: string, kind: ReportKind, where: string): ReportRow[] {
  let records: Record<string, string>[];
  try {
    records = csvParser()(text, { columns: true, bom: true, skip_empty_lines: true });
  } catch (err) {
    throw malformed(where, errorText(err));
  }
  const types = COLUMN_TYPES[kind];
  return records.map((record, index) => {
    const row: ReportRow = {};
    for (const [column, raw] of Object.entries(record)) {
      row[column] = typedValue(
        raw,
        types[column],
        record.timezone,
        () => `${column} on row ${index + 1}`,
        where,
      );
    }
    return row;
  });
}

function typedValue(
  raw: string,
  type: ColumnType | undefined,
  timezone: string | undefined,
  cell: () => string,
  where: string,
): string | number | null {
  const text = raw.trim();
  if (text === "") return null;
  if (type === undefined) return raw;
  if (type === "number") {
    const n = Number(text);
    if (!Number.isFinite(n)) throw malformed(where, `${cell()} is not a number: ${JSON.stringify(raw)}`);
    return n;
  }
  const ms = parseReportTime(text, timezone);
  if (ms === null) throw malformed(where, `${cell()} is not a time: ${JSON.stringify(raw)}`);
  return ms;
}

function malformed(where: string, reason: string): ReportError {
  return new ReportError(
    "malformed-csv",
    { day: where, reason },
    `the report for ${where} is malformed: ${reason}`,
  );
}

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/**
 * A report time in ms epoch: "YYYY-MM-DD hh:mm:ss" in the row's timezone (GMT when the row has
 * none, as in the event logs), or Unix seconds. Null when it is neither.
 */
export function parseReportTime(text: string, timezone?: string): number | null {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const m = LOCAL_TIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const asUtc = Date.UTC(y as number, (mo as number) - 1, d, h, mi, s);
  const offset = offsetMinutes(timezone ?? "", asUtc);
  return offset === null ? null : asUtc - offset * 60_000;
}

const OFFSET = /^(?:utc|gmt)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** Minutes east of GMT for "+01:00", "+0100", "UTC+1", "GMT", "Z" or an IANA name such as Europe/Amsterdam. */
export function offsetMinutes(timezone: string, localAsUtc: number): number | null {
  const tz = timezone.trim();
  if (tz === "" || /^(z|utc|gmt)$/i.test(tz)) return 0;
  const m = OFFSET.exec(tz);
  if (m) {
    const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
    return minutes > 14 * 60 ? null : (m[1] === "-" ? -1 : 1) * minutes;
  }
  try {
    // Twice: the offset at the guessed moment, then at the moment that offset gives (DST edges).
    const first = ianaOffset(tz, localAsUtc);
    return ianaOffset(tz, localAsUtc - first * 60_000);
  } catch {
    return null;
  }
}

function ianaOffset(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((wall - Math.floor(at / 1000) * 1000) / 60_000);
}
