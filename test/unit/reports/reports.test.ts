// The reports client against the simulator's reports host over loopback (no Node-RED), and against
// small test servers for what the simulator never does: a malformed file, a redirect to another host.

import { strict as assert } from "node:assert";
import {
  CompassReports,
  daysBetween,
  offsetMinutes,
  parseReportTime,
  type ReportError,
  type ReportProgress,
  readCsv,
  resolveDay,
  resolveRange,
  resolveTime,
} from "../../../src/compass/reports";
import { CompassConfigError, CompassOriginError } from "../../../src/compass/rest";
import { type Simulator, startSimulator } from "../../../src/simulator";
import { runScenario, VirtualClock } from "../../../src/simulator/scenarios";
import { startHttpServer, type TestServer } from "../../support/http";

const DAY = "2024-01-01"; // the virtual clock's first day
const COMPANY = "8323166";

function reportsFor(baseUrl: string, username = "alice", password = `compass-${username}`): CompassReports {
  return new CompassReports({ baseUrl, username, password, companyId: async () => COMPANY });
}

async function refusal(promise: Promise<unknown>): Promise<ReportError> {
  try {
    await promise;
  } catch (err) {
    return err as ReportError;
  }
  assert.fail("expected the report to be refused");
}

describe("reports client (simulated reports host over loopback)", () => {
  let sim: Simulator;
  let clock: VirtualClock;
  const open: CompassReports[] = [];
  const reports = (username?: string, password?: string) => {
    const r = reportsFor(sim.files.url, username, password);
    open.push(r);
    return r;
  };

  beforeEach(async () => {
    clock = new VirtualClock();
    sim = await startSimulator({ clock: clock.now, xmppPort: false });
  });
  afterEach(async () => {
    for (const r of open.splice(0)) await r.close();
    await sim.close();
  });

  it("serves the reports on an origin of their own, beside REST", () => {
    assert.notEqual(new URL(sim.files.url).origin, new URL(sim.rest.url).origin);
  });

  it("reads a day's company, user and queue CDR as typed rows with the platform's column names", async () => {
    const run = await runScenario(sim.state, "queue-answered-after-reoffers", { timeScale: 0, clock });
    const [callerCall] = run.callIds;
    const company = await reports().cdr("company", DAY, DAY);
    assert.deepEqual(company.days, [DAY]);
    assert.equal(company.rows.length, 1, "the caller's call; the queue legs are not company calls");
    const row = company.rows[0]!;
    assert.deepEqual(Object.keys(row), [
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
    ]);
    const call = sim.state.call(callerCall!)!;
    assert.equal(row.call_id, call.id);
    assert.equal(row.start_time, call.startedAt * 1000, "read in the row's +01:00 offset");
    assert.equal(row.end_time, (call.endedAt ?? 0) * 1000);
    assert.equal(typeof row.answer_time, "number");
    assert.equal(row.from_type, "external");
    assert.equal(row.from_id, null, "an empty cell is null");
    assert.equal(row.timezone, "+01:00");

    const users = await reports().cdr("user", DAY, DAY);
    const legs = users.rows.filter((r) => r.parent_id === callerCall);
    assert.equal(legs.length, run.callIds.length - 1, "every leg that rang an agent, with its parent");
    const connected = users.rows.filter((r) => r.call_id === callerCall);
    assert.equal(connected.length, 1, "and the caller's call on the agent who took it");
    assert.ok(users.rows.every((r) => r.direction === "incoming"));
    const queue = await reports().cdr("queue", DAY, DAY);
    assert.equal(queue.rows.length, 1);
    const q = queue.rows[0]!;
    assert.equal(typeof q.wait_duration, "number");
    assert.equal(typeof q.agent_duration, "number");
    assert.ok((q.wait_duration as number) > 0 && (q.agent_duration as number) > 0);
    assert.equal(q.queue_name === "Support" || q.queue_name === "Sales", true);
  });

  it("fetches a range one day at a time, in order, with progress", async () => {
    await runScenario(sim.state, "inbound-answered", { timeScale: 0, clock });
    clock.advance(86_400_000);
    await runScenario(sim.state, "inbound-missed", { timeScale: 0, clock });
    clock.advance(86_400_000);
    const progress: ReportProgress[] = [];
    const result = await reports().fetch("company-cdr", { from: DAY, to: "2024-01-03" }, (p) =>
      progress.push(p),
    );
    assert.deepEqual(result.days, ["2024-01-01", "2024-01-02", "2024-01-03"]);
    assert.deepEqual(
      progress.map((p) => `${p.done}/${p.total} ${p.day}`),
      ["1/3 2024-01-01", "2/3 2024-01-02", "3/3 2024-01-03"],
    );
    assert.equal(result.rows.length, 2);
    assert.ok((result.rows[0]!.start_time as number) < (result.rows[1]!.start_time as number));
    assert.equal(result.rows[0]!.answer_time !== null, true, "answered");
    assert.equal(result.rows[1]!.answer_time, null, "missed");
  });

  it("reads call events and user events for a time range", async () => {
    const start = clock.now();
    const run = await runScenario(sim.state, "inbound-answered", { timeScale: 0, clock });
    await runScenario(sim.state, "agent-login-logout", { timeScale: 0, clock });
    const range = { startTime: start, endTime: clock.now() + 1000 };
    const calls = await reports().fetch("call-events", range);
    const steps = calls.rows.filter((r) => r.call_id === run.callIds[0]);
    assert.ok(steps.length >= 3);
    assert.deepEqual(
      steps.map((r) => r.step),
      steps.map((_, i) => i + 1),
      "steps are numbers, in order",
    );
    assert.equal(steps.at(-1)?.state, "down");
    assert.ok(steps.every((r) => typeof r.timestamp === "number" && r.timestamp >= start));
    const users = await reports().fetch("user-events", range);
    const types = users.rows.map((r) => `${r.event_type} ${r.target_type}`);
    assert.ok(types.includes("login queue") && types.includes("logoff queue"), types.join(", "));
    const before = await reports().fetch("user-events", { startTime: start - 3_600_000, endTime: start });
    assert.equal(before.rows.length, 0, "nothing outside the range");
  });

  it("says 401 for a wrong password, and does not retry it", async () => {
    const err = await refusal(reports("alice", "wrong-password").cdr("company", DAY, DAY));
    assert.equal(err.code, "unauthorized");
    assert.equal(err.statusCode, 401);
    assert.match(err.message, /Not retried/);
  });

  it("says 403 for a user without read access on the company (Dave)", async () => {
    const err = await refusal(reports("dave").cdr("company", DAY, DAY));
    assert.equal(err.code, "forbidden");
    assert.equal(err.statusCode, 403);
  });

  it("says 404 for a day the platform has no file for, naming the day", async () => {
    const err = await refusal(reports().cdr("company", "2023-12-31", "2023-12-31"));
    assert.deepEqual([err.code, err.statusCode, err.params.day], ["no-file", 404, "2023-12-31"]);
    const future = await refusal(reports().cdr("user", "2024-01-02", "2024-01-02"));
    assert.equal(future.code, "no-file");
  });
});

describe("reports client (test servers)", () => {
  let files: TestServer;
  let other: TestServer;
  const open: CompassReports[] = [];

  beforeEach(async () => {
    files = await startHttpServer();
    other = await startHttpServer((_req, res) =>
      res.writeHead(200, { "content-type": "text/csv" }).end("a\n1\n"),
    );
  });
  afterEach(async () => {
    for (const r of open.splice(0)) await r.close();
    await files.close();
    await other.close();
  });
  const client = () => {
    const r = reportsFor(files.origin);
    open.push(r);
    return r;
  };

  it("refuses a range over a month before asking anything", async () => {
    const cdr = await refusal(client().cdr("company", "2024-01-01", "2024-02-01"));
    assert.equal(cdr.code, "range-too-long");
    const events = await refusal(
      client().events("calls", Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1) + 32 * 86_400_000),
    );
    assert.equal(events.code, "range-too-long");
    const backwards = await refusal(client().cdr("company", "2024-01-02", "2024-01-01"));
    assert.equal(backwards.code, "bad-range");
    assert.equal(files.requests.length, 0);
    assert.equal(daysBetween("2024-01-01", "2024-01-31").length, 31, "31 days is allowed");
  });

  it("refuses a cross-origin redirect from the reports host: the other host receives nothing", async () => {
    files.handler = (_req, res) => res.writeHead(302, { location: `${other.origin}/cdr.csv` }).end();
    const err = await refusal(client().cdr("company", DAY, DAY));
    assert.ok(err instanceof CompassOriginError, String(err));
    assert.equal(files.requests.length, 1);
    assert.ok(
      files.requests[0]!.headers.authorization?.startsWith("Basic "),
      "the reports host got the login",
    );
    assert.equal(other.requests.length, 0);
  });

  it("sends plain http only to loopback", async () => {
    const remote = new CompassReports({
      baseUrl: "http://files.example.com",
      username: "alice",
      password: "secret",
      companyId: async () => COMPANY,
    });
    await assert.rejects(remote.cdr("company", DAY, DAY), (err: Error) => {
      assert.ok(err instanceof CompassConfigError);
      assert.match(err.message, /^The Compass files URL must use https: plain http would send the password/);
      return true;
    });
    await remote.close();
  });

  it("says which file and row is malformed: a broken quote, a time that is not one", async () => {
    files.handler = (_req, res) =>
      res
        .writeHead(200, { "content-type": "text/csv" })
        .end('call_id,start_time,timezone\n"abc,2024-01-01 10:00:00\n');
    const quote = await refusal(client().cdr("company", DAY, DAY));
    assert.equal(quote.code, "malformed-csv");
    assert.match(quote.message, /2024-01-01/);
    files.handler = (_req, res) =>
      res
        .writeHead(200, { "content-type": "text/csv" })
        .end("call_id,start_time,timezone\nabc,yesterday noon,+01:00\n");
    const time = await refusal(client().cdr("company", DAY, DAY));
    assert.equal(time.code, "malformed-csv");
    assert.match(time.message, /start_time on row 1/);
  });

  it("reads quoted fields with commas, quotes and line breaks as the CSV says", () => {
    const rows = readCsv(
      'call_id,from_name,start_time,timezone\r\n1,"Mulder, P. ""Piet""\nsales",2024-01-01 10:00:00,Europe/Amsterdam\r\n',
      "company-cdr",
      DAY,
    );
    assert.deepEqual(rows, [
      {
        call_id: "1",
        from_name: 'Mulder, P. "Piet"\nsales',
        start_time: Date.UTC(2024, 0, 1, 9),
        timezone: "Europe/Amsterdam",
      },
    ]);
  });
});

describe("report times and ranges", () => {
  it("reads times in the row's offset, in any spelling, or as Unix seconds", () => {
    const nineUtc = Date.UTC(2024, 6, 1, 9);
    for (const tz of ["+02:00", "+0200", "+2", "UTC+2", "GMT+02:00", "Europe/Amsterdam"]) {
      assert.equal(parseReportTime("2024-07-01 11:00:00", tz), nineUtc, tz);
    }
    assert.equal(parseReportTime("2024-07-01 09:00:00", "Z"), nineUtc);
    assert.equal(parseReportTime("2024-07-01 09:00:00"), nineUtc, "no timezone: GMT");
    assert.equal(parseReportTime("2024-07-01 04:00:00", "-05:00"), nineUtc);
    assert.equal(parseReportTime(String(nineUtc / 1000)), nineUtc);
    assert.equal(parseReportTime("2024-07-01 09:00:00", "Mars/Olympus"), null);
    assert.equal(offsetMinutes("+15:00", 0), null, "no such offset");
  });

  it("turns what a user types into days and times", () => {
    const now = new Date(2024, 2, 15, 14, 30).getTime(); // local time
    assert.equal(resolveDay("today", now), "2024-03-15");
    assert.equal(resolveDay("Yesterday", now), "2024-03-14");
    assert.equal(resolveDay("2024-02-29", now), "2024-02-29");
    assert.throws(() => resolveDay("2023-02-29", now), /not a day/);
    assert.equal(resolveTime("now", {}, now), now);
    assert.equal(resolveTime("today", {}, now), new Date(2024, 2, 15).getTime());
    assert.equal(resolveTime("2024-03-10", { endOfDay: true }, now), new Date(2024, 2, 11).getTime());
    assert.equal(resolveTime("2024-03-10T08:00:00Z", {}, now), Date.UTC(2024, 2, 10, 8));
    assert.equal(resolveTime(1_700_000_000_000, {}, now), 1_700_000_000_000);
    assert.throws(() => resolveTime("soon", {}, now), /not a time/);

    assert.deepEqual(resolveRange("queue-cdr", "yesterday", "", now), {
      from: "2024-03-14",
      to: "2024-03-14",
    });
    assert.deepEqual(resolveRange("call-events", "today", "", now), {
      startTime: new Date(2024, 2, 15).getTime(),
      endTime: new Date(2024, 2, 16).getTime(),
    });
    assert.deepEqual(resolveRange("user-events", "2024-03-15T10:00:00Z", undefined, now), {
      startTime: Date.UTC(2024, 2, 15, 10),
      endTime: now,
    });
  });
});
