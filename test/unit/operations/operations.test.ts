// The platform operations against the simulator over loopback, without Node-RED: each one reaches
// the right user, queue or switch, with the body shape and API version the platform takes.

import { strict as assert } from "node:assert";
import { OperationError, PlatformOperations, parseReceiveCalls } from "../../../src/compass/operations";
import { RestClient } from "../../../src/compass/rest";
import { type Simulator, startSimulator } from "../../../src/simulator";
import type { SimNotification } from "../../../src/simulator/state/types";

describe("platform operations (simulator over loopback)", () => {
  let sim: Simulator;
  let rest: RestClient;
  let ops: PlatformOperations;
  let announced: SimNotification[];

  beforeEach(async () => {
    sim = await startSimulator({ xmppPort: false });
    announced = [];
    sim.state.on("notification", (n) => announced.push(n));
    rest = new RestClient({
      baseUrl: sim.rest.url,
      username: "alice",
      password: "compass-alice",
      versions: [3, 2],
    });
    ops = new PlatformOperations(rest);
  });
  afterEach(async () => {
    await rest.close();
    await sim.close();
  });

  it("asks for the company URL once and lists users, queues and switches by name", async () => {
    const url = await ops.companyUrl();
    assert.equal(url, `${sim.rest.url}/company/8323166`);
    assert.equal(await ops.companyUrl(), url);
    const users = await ops.users();
    assert.deepEqual(
      users.map((u) => u.name),
      [...users.map((u) => u.name)].sort((a, b) => a.localeCompare(b)),
    );
    assert.ok(users.some((u) => u.id === "1001" && u.name === "Alice de Vries"));
    assert.deepEqual(
      (await ops.queues()).map((q) => q.id).sort(),
      sim.state
        .queues()
        .map((q) => q.id)
        .sort(),
    );
    const switches = await ops.switches();
    assert.deepEqual(
      switches.map((s) => [s.id, s.name, s.detail]),
      [
        ["3001", "Day/Night", "Day"],
        ["3002", "Lunch break", "Open"],
      ],
    );
  });

  it("logs the chosen user into the chosen queue with priority, pauses, unpauses and logs out", async () => {
    await ops.loginQueue("1005", "2002", { priority: 3, callForward: true });
    await ops.setQueuePause("1005", "2002", true);
    await ops.setQueuePause("1005", "2002", false);
    await ops.logoutQueue("1005", "2002");
    const members = announced.map((n) => {
      const m = (n as { member?: { userId: string; queueId: string; priority: number; pausedSince: number } })
        .member;
      return [n.type, m?.userId, m?.queueId, m?.priority, (m?.pausedSince ?? 0) > 0];
    });
    assert.deepEqual(members, [
      ["notification.queueMember.enter", "1005", "2002", 3, false],
      ["notification.queueMember.update", "1005", "2002", 3, true],
      ["notification.queueMember.update", "1005", "2002", 3, false],
      ["notification.queueMember.leave", "1005", "2002", 3, false],
    ]);
  });

  it("refuses a bad priority before anything is sent", async () => {
    await assert.rejects(
      ops.loginQueue("1005", "2002", { priority: -1 }),
      (err: unknown) => err instanceof OperationError && err.code === "bad-priority",
    );
    assert.deepEqual(announced, []);
  });

  it("sets a user's receive-calls state in any of the platform's spellings, and reads it back", async () => {
    for (const [spelling, state] of [
      ["receiveOnlyDirect", "ONLY_DIRECT"],
      ["none", "NONE"],
      ["ALL", "ALL"],
      ["only_direct", "ONLY_DIRECT"],
    ] as const) {
      const answer = await ops.setReceiveCalls("1002", spelling);
      assert.equal((answer.body as { receiveCalls: string }).receiveCalls, state, spelling);
      assert.equal(sim.state.user("1002")?.receiveCalls, state);
      assert.equal(((await ops.userStatus("1002")).body as { receiveCalls: string }).receiveCalls, state);
    }
    assert.equal(sim.state.user("1001")?.receiveCalls, "ALL", "no other user changed");
    await assert.rejects(
      ops.setReceiveCalls("1002", "sometimes"),
      (err: unknown) => err instanceof OperationError && err.code === "bad-receive-calls",
    );
  });

  it("reads every spelling of receive calls and nothing else", () => {
    const spellings: Array<[string, string | null]> = [
      ["ALL", "ALL"],
      ["receiveAll", "ALL"],
      ["all", "ALL"],
      ["ONLY_DIRECT", "ONLY_DIRECT"],
      ["receiveOnlyDirect", "ONLY_DIRECT"],
      ["only_direct", "ONLY_DIRECT"],
      ["NONE", "NONE"],
      ["receiveNone", "NONE"],
      [" none ", "NONE"],
      ["allx", null],
      ["", null],
    ];
    for (const [text, expected] of spellings) assert.equal(parseReceiveCalls(text), expected, text);
    assert.equal(parseReceiveCalls(3), null);
  });

  it("dials a number and a colleague from the chosen user, with the call id v3 answers", async () => {
    const toNumber = await ops.dialNumber("1002", "+31201234567");
    assert.ok(toNumber.callId, "v3 answers the new call id");
    assert.deepEqual(parties(toNumber.callId), ["User:1002", "External:+31201234567"]);

    const toColleague = await ops.dialUser("1002", "1003");
    assert.deepEqual(parties(toColleague.callId), ["User:1002", "User:1003"], "exactly the chosen colleague");
  });

  /** "Kind:who" for both sides of a simulated call. */
  function parties(callId: string | null): string[] {
    const call = callId ? sim.state.call(callId) : undefined;
    assert.ok(call, `no call ${callId}`);
    return [call.source, call.destination].map((p) =>
      p.kind === "User" ? `User:${p.userId}` : p.kind === "External" ? `External:${p.number}` : p.kind,
    );
  }

  it("reads and sets a dial-plan switch by id or by name, with a setting by number or name", async () => {
    assert.equal((await ops.switchState("3001")).body.currentSetting, 1);
    assert.equal((await ops.setSwitch("lunch break", "Closed")).body.currentSetting, 2);
    assert.equal((await ops.setSwitch("3001", 3)).body.currentSetting, 3);
    assert.deepEqual(
      sim.state.dpSwitches().map((s) => [s.id, s.currentSetting]),
      [
        ["3001", 3],
        ["3002", 2],
      ],
    );
    await assert.rejects(
      ops.setSwitch("3001", "Weekend"),
      (err: unknown) => err instanceof OperationError && err.code === "bad-setting",
    );
    await assert.rejects(
      ops.switchState("Nope"),
      (err: unknown) => err instanceof OperationError && err.code === "unknown-switch",
    );
  });
});
