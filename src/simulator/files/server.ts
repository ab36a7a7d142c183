// The simulated reports host (files.D): the CDR and Events APIs on their own loopback port, so
// clients meet it as a second origin, as on the platform. Same Basic auth and failed-login lockout
// as the REST side (one lockout for both when startSimulator starts them). Reports need read
// access on the company (a user without it gets 403).
//
//   GET /cdr/{companyId}/{YYYY-MM-DD}/{company|user|queue}.csv      one day; 404 for a day with no file
//   GET /events/{companyId}/{calls|users}?startTime=T1&endTime=T2  Unix seconds, GMT; at most 31 days

import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { checkBasicAuth } from "../rest/basic-auth";
import { type LockoutOptions, LoginGuard } from "../rest/login-guard";
import type { CompanyState } from "../state/store";
import { type CdrFile, type EventLog, ReportRecords, type ReportRecordsOptions } from "./records";

export interface FilesServerOptions extends ReportRecordsOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** default 0 (any free port) */
  port?: number;
  tls?: { key: string | Buffer; cert: string | Buffer };
  lockout?: LockoutOptions;
  /** a lockout shared with the REST host: the platform blocks an address, not a host; default its own */
  guard?: LoginGuard;
  /** milliseconds since the epoch: the state's clock */
  clock?: () => number;
}

export interface FilesServer {
  url: string;
  port: number;
  records: ReportRecords;
  close(): Promise<void>;
}

const MAX_RANGE_SECONDS = 31 * 86_400;
const CDR_PATH = /^\/cdr\/([^/]+)\/(\d{4}-\d{2}-\d{2})\/(company|user|queue)\.csv$/;
const EVENTS_PATH = /^\/events\/([^/]+)\/(calls|users)$/;

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export async function startFilesServer(
  state: CompanyState,
  options: FilesServerOptions = {},
): Promise<FilesServer> {
  const host = options.host ?? "127.0.0.1";
  const clock = options.clock ?? Date.now;
  const guard = options.guard ?? new LoginGuard(options.lockout, clock);
  const records = new ReportRecords(state, clock, options);

  function answer(req: http.IncomingMessage): string {
    const auth = checkBasicAuth(state, guard, req);
    if (!("user" in auth)) throw new Refusal(auth.status, auth.detail, auth.headers);
    if (req.method !== "GET") throw new Refusal(405, `${req.method} is not allowed here`, { Allow: "GET" });
    const url = new URL(req.url?.startsWith("/") ? req.url : "/", "http://files.invalid");
    const cdr = CDR_PATH.exec(url.pathname);
    const events = EVENTS_PATH.exec(url.pathname);
    const companyId = cdr?.[1] ?? events?.[1];
    if (companyId === undefined) throw new Refusal(404, `no report at ${url.pathname}`);
    if (decodeURIComponent(companyId) !== state.company.id) throw new Refusal(404, `no company ${companyId}`);
    if (auth.user.companyRight !== "read" && auth.user.companyRight !== "write") {
      throw new Refusal(403, "reports need read access on the company");
    }
    if (cdr) {
      const day = cdr[2] as string;
      if (!records.hasDay(day)) throw new Refusal(404, `no report for ${day}`);
      return records.cdr(cdr[3] as CdrFile, day);
    }
    const start = seconds(url.searchParams.get("startTime"), "startTime");
    const end = seconds(url.searchParams.get("endTime"), "endTime");
    if (end <= start) throw new Refusal(400, "endTime must be after startTime");
    if (end - start > MAX_RANGE_SECONDS) throw new Refusal(400, "a download covers at most one month");
    return records.events(events?.[2] as EventLog, start, end);
  }

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    // drain any body; reports are read-only
    req.resume();
    try {
      const csv = answer(req);
      res.writeHead(200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Length": String(Buffer.byteLength(csv)),
      });
      res.end(csv);
    } catch (err) {
      const refusal =
        err instanceof Refusal ? err : new Refusal(500, "the simulator failed to serve the report");
      const body = JSON.stringify({ status: refusal.status, detail: refusal.detail });
      res.writeHead(refusal.status, {
        ...refusal.headers,
        "Content-Type": "application/json",
        "Content-Length": String(Buffer.byteLength(body)),
      });
      res.end(body);
    }
  };

  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : http.createServer(handler);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    records.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `${options.tls ? "https" : "http"}://${urlHost}:${port}`,
    port,
    records,
    close: () =>
      new Promise<void>((resolve) => {
        records.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function seconds(value: string | null, name: string): number {
  if (value === null || !/^\d{1,12}$/.test(value)) {
    throw new Refusal(400, `${name} must be a Unix time in seconds`);
  }
  return Number(value);
}
