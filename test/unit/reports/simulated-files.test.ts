// The simulator's reports host on its own, over loopback: what it refuses (as the platform would),
// the failed-login lockout it shares with the REST side's rules, and its bounded memory.

import { strict as assert } from "node:assert";
import { startFilesServer, startSimulator } from "../../../src/simulator";
import { runScenario, VirtualClock } from "../../../src/simulator/scenarios";
import { CompanyState } from "../../../src/simulator/state/store";

const BASIC_ALICE = `Basic ${Buffer.from("alice:compass-alice").toString("base64")}`;
const BASIC_WRONG = `Basic ${Buffer.from("alice:wrong").toString("base64")}`;

describe("simulated reports host (loopback)", () => {
  let clock: VirtualClock;
  let state: CompanyState;

  beforeEach(() => {
    clock = new VirtualClock();
    state = new CompanyState({ clock: clock.now });
  });

  async function get(url: string, authorization = BASIC_ALICE, method = "GET") {
    const response = await fetch(url, { method, headers: { authorization } });
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      text: await response.text(),
    };
  }

  it("answers CSV with a header even for a day without calls, and refuses what the platform refuses", async () => {
    const files = await startFilesServer(state, { clock: clock.now });
    try {
      const day = await get(`${files.url}/cdr/8323166/2024-01-01/company.csv`);
      assert.equal(day.status, 200);
      assert.match(day.type ?? "", /^text\/csv/);
      assert.equal(
        day.text.split("\r\n")[0],
        "call_id,start_time,answer_time,end_time,timezone,from_type,from_id,from_number,from_name,to_number,end_reason",
      );
      assert.equal((await get(`${files.url}/cdr/1/2024-01-01/company.csv`)).status, 404, "another company");
      assert.equal((await get(`${files.url}/cdr/8323166/2024-01-01/other.csv`)).status, 404);
      assert.equal((await get(`${files.url}/cdr/8323166/2024-01-01/company.csv`, "", "POST")).status, 401);
      assert.equal(
        (await get(`${files.url}/cdr/8323166/2024-01-01/company.csv`, BASIC_ALICE, "POST")).status,
        405,
      );
      assert.equal((await get(`${files.url}/events/8323166/calls?startTime=x&endTime=2`)).status, 400);
      assert.equal((await get(`${files.url}/events/8323166/calls?startTime=10&endTime=5`)).status, 400);
      const month = 31 * 86_400;
      assert.equal((await get(`${files.url}/events/8323166/users?startTime=0&endTime=${month}`)).status, 200);
      assert.equal(
        (await get(`${files.url}/events/8323166/users?startTime=0&endTime=${month + 1}`)).status,
        400,
      );
    } finally {
      await files.close();
    }
  });

  it("locks an address out after too many failed logins, right password or not", async () => {
    const files = await startFilesServer(state, { clock: clock.now, lockout: { maxFailures: 3 } });
    try {
      const url = `${files.url}/cdr/8323166/2024-01-01/company.csv`;
      for (let i = 0; i < 3; i++) assert.equal((await get(url, BASIC_WRONG)).status, 401);
      const locked = await get(url);
      assert.equal(locked.status, 403);
      assert.match(locked.text, /too many failed logins/);
    } finally {
      await files.close();
    }
  });

  it("shares one lockout with the REST host when the simulator starts both", async () => {
    const sim = await startSimulator({ xmppPort: false, rest: { lockout: { maxFailures: 3 } } });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await get(`${sim.rest.url}/user`, BASIC_WRONG)).status, 401);
      const locked = await get(
        `${sim.files.url}/cdr/8323166/${new Date().toISOString().slice(0, 10)}/company.csv`,
      );
      assert.equal(locked.status, 403);
      assert.match(locked.text, /too many failed logins/);
    } finally {
      await sim.close();
    }
  });

  it("keeps at most maxRows rows per list, the newest", async () => {
    const files = await startFilesServer(state, { clock: clock.now, maxRows: 3 });
    try {
      const played: string[] = [];
      for (let i = 0; i < 6; i++) {
        const run = await runScenario(state, "inbound-missed", { timeScale: 0, clock });
        played.push(run.callIds[0]!);
      }
      const rows = files.records.cdr("company", "2024-01-01").trim().split("\r\n").slice(1);
      assert.deepEqual(
        rows.map((r) => r.split(",")[0]),
        played.slice(-3),
      );
      const events = files.records.events("calls", 0, Math.ceil(clock.now() / 1000) + 1);
      assert.equal(events.trim().split("\r\n").length, 1 + 3);
    } finally {
      await files.close();
    }
  });
});
