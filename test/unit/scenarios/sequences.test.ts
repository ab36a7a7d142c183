import assert from "node:assert/strict";
import { runScenario, SCENARIO_NAMES, type ScenarioName } from "../../../src/simulator/scenarios";
import { defaultSeed } from "../../../src/simulator/state/seed";
import { describeAll, recordedCompany } from "./helpers";

// The exact notifications each scenario makes the state announce on the default company with the
// default seed, in instant mode. Read against the manual's "Interpreting Call Data": every call
// starts with a Dialplan destination; queue legs carry the parent's id (" for c1"); a queue round
// ends its legs SOURCE_HANGUP; an unattended transfer ends X with REPLACE; an attended one moves
// X's destination to C after the consultation call ends.
const EXPECTED: Record<ScenarioName, string[]> = {
  "inbound-answered": [
    "call.start c1 External(+316):CONNECTING -> Dialplan(+31851234510):CONNECTING CONNECTING",
    "call.update c1 DESTINATION External(+316):CONNECTING -> User(1001):CONNECTING CONNECTING",
    "call.update c1 STATE External(+316):RINGING -> User(1001):RINGING RINGING",
    "call.update c1 STATE External(+316):ANSWERED -> User(1001):ANSWERED ANSWERED",
    "call.end c1 SOURCE_HANGUP",
  ],
  "inbound-missed": [
    "call.start c1 External(+316):CONNECTING -> Dialplan(+31851234510):CONNECTING CONNECTING",
    "call.update c1 DESTINATION External(+316):CONNECTING -> User(1001):CONNECTING CONNECTING",
    "call.update c1 STATE External(+316):RINGING -> User(1001):RINGING RINGING",
    "call.end c1 SOURCE_HANGUP",
  ],
  "inbound-busy": [
    "call.start c1 External(+316):CONNECTING -> Dialplan(+31851234510):CONNECTING CONNECTING",
    "call.update c1 DESTINATION External(+316):CONNECTING -> User(1001):CONNECTING CONNECTING",
    "call.end c1 DESTINATION_BUSY",
  ],
  "inbound-voicemail": [
    "call.start c1 External(+316):CONNECTING -> Dialplan(+31851234510):CONNECTING CONNECTING",
    "call.update c1 DESTINATION External(+316):CONNECTING -> User(1001):CONNECTING CONNECTING",
    "call.update c1 STATE External(+316):RINGING -> User(1001):RINGING RINGING",
    "call.update c1 DESTINATION External(+316):RINGING -> Resource(voicemail):RINGING RINGING",
    "call.update c1 STATE External(+316):ANSWERED -> Resource(voicemail):ANSWERED ANSWERED",
    "call.end c1 SOURCE_HANGUP",
  ],
  "ivr-menu": [
    "call.start c1 External(+316):CONNECTING -> Dialplan(+31851234510):CONNECTING CONNECTING",
    "call.update c1 DESTINATION External(+316):CONNECTING -> Resource(ivr):CONNECTING CONNECTING",
    "call.update c1 STATE External(+316):ANSWERED -> Resource(ivr):ANSWERED ANSWERED",
    "call.stepresult c1 DESTINATION Resource(ivr):ANSWERED result 1",
    "call.update c1 STATE External(+316):RINGING -> Resource(ivr):RINGING RINGING",
    "call.update c1 DESTINATION External(+316):RINGING -> User(1001):RINGING RINGING",
    "call.update c1 STATE External(+316):ANSWERED -> User(1001):ANSWERED ANSWERED",
    "call.end c1 DESTINATION_HANGUP",
  ],
  "outbound-answered": [
    "call.start c1 User(1001):CONNECTING -> Dialplan(+31307136862):CONNECTING CONNECTING",
    "call.update c1 DESTINATION User(1001):CONNECTING -> External(+313):CONNECTING CONNECTING",
    "call.update c1 STATE User(1001):RINGING -> External(+313):RINGING RINGING",
    "call.update c1 STATE User(1001):ANSWERED -> External(+313):ANSWERED ANSWERED",
    "call.end c1 DESTINATION_HANGUP",
  ],
  "internal-call": [
    "call.start c1 User(1001):CONNECTING -> Dialplan(204):CONNECTING CONNECTING",
    "call.update c1 DESTINATION User(1001):CONNECTING -> User(1004):CONNECTING CONNECTING",
    "call.update c1 STATE User(1001):RINGING -> User(1004):RINGING RINGING",
    "call.update c1 STATE User(1001):ANSWERED -> User(1004):ANSWERED ANSWERED",
    "call.end c1 DESTINATION_HANGUP",
  ],
  "hold-resume": [
    "call.start c1 External(+316):CONNECTING -> Dialplan(+31851234510):CONNECTING CONNECTING",
    "call.update c1 DESTINATION External(+316):CONNECTING -> User(1001):CONNECTING CONNECTING",
    "call.update c1 STATE External(+316):RINGING -> User(1001):RINGING RINGING",
    "call.update c1 STATE External(+316):ANSWERED -> User(1001):ANSWERED ANSWERED",
    "call.update c1 STATE External(+316):ANSWERED -> User(1001):INACTIVE ON_HOLD",
    "call.update c1 STATE External(+316):ANSWERED -> User(1001):ANSWERED ANSWERED",
    "call.end c1 DESTINATION_HANGUP",
  ],
  "unattended-transfer": [
    "call.start c1 External(+316):CONNECTING -> Dialplan(+31851234510):CONNECTING CONNECTING",
    "call.update c1 DESTINATION External(+316):CONNECTING -> User(1001):CONNECTING CONNECTING",
    "call.update c1 STATE External(+316):RINGING -> User(1001):RINGING RINGING",
    "call.update c1 STATE External(+316):ANSWERED -> User(1001):ANSWERED ANSWERED",
    "call.start c2 External(+316):CONNECTING -> Dialplan(204):CONNECTING CONNECTING",
    "call.update c2 DESTINATION External(+316):CONNECTING -> User(1004):CONNECTING CONNECTING",
    "call.update c2 STATE External(+316):RINGING -> User(1004):RINGING RINGING",
    "call.update c2 STATE External(+316):ANSWERED -> User(1004):ANSWERED ANSWERED",
    "call.end c1 REPLACE",
    "call.end c2 SOURCE_HANGUP",
  ],
  "attended-transfer": [
    "call.start c1 External(+316):CONNECTING -> Dialplan(+31851234510):CONNECTING CONNECTING",
    "call.update c1 DESTINATION External(+316):CONNECTING -> User(1001):CONNECTING CONNECTING",
    "call.update c1 STATE External(+316):RINGING -> User(1001):RINGING RINGING",
    "call.update c1 STATE External(+316):ANSWERED -> User(1001):ANSWERED ANSWERED",
    "call.start c2 User(1001):CONNECTING -> Dialplan(204):CONNECTING CONNECTING",
    "call.update c2 DESTINATION User(1001):CONNECTING -> User(1004):CONNECTING CONNECTING",
    "call.update c2 STATE User(1001):RINGING -> User(1004):RINGING RINGING",
    "call.update c2 STATE User(1001):ANSWERED -> User(1004):ANSWERED ANSWERED",
    "call.end c2 SOURCE_HANGUP",
    "call.update c1 DESTINATION External(+316):ANSWERED -> User(1004):ANSWERED ANSWERED",
    "call.end c1 SOURCE_HANGUP",
  ],
  "queue-answered-after-reoffers": [
    "call.start c1 External(+316):CONNECTING -> Dialplan(+31851234500):CONNECTING CONNECTING",
    "call.update c1 DESTINATION External(+316):CONNECTING -> Queue(2001):CONNECTING CONNECTING",
    "call.update c1 STATE External(+316):ANSWERED -> Queue(2001):ANSWERED ANSWERED",
    "queue.call.enter 2001 c1",
    "queue.update 2001 totalCalls:0>1",
    "call.start c2 Queue(2001):CONNECTING -> User(1002):CONNECTING CONNECTING for c1",
    "call.update c2 STATE Queue(2001):RINGING -> User(1002):RINGING RINGING for c1",
    "call.start c3 Queue(2001):CONNECTING -> User(1003):CONNECTING CONNECTING for c1",
    "call.update c3 STATE Queue(2001):RINGING -> User(1003):RINGING RINGING for c1",
    "call.end c2 SOURCE_HANGUP",
    "call.end c3 SOURCE_HANGUP",
    "call.start c4 Queue(2001):CONNECTING -> User(1002):CONNECTING CONNECTING for c1",
    "call.update c4 STATE Queue(2001):RINGING -> User(1002):RINGING RINGING for c1",
    "call.start c5 Queue(2001):CONNECTING -> User(1003):CONNECTING CONNECTING for c1",
    "call.update c5 STATE Queue(2001):RINGING -> User(1003):RINGING RINGING for c1",
    "call.end c4 SOURCE_HANGUP",
    "call.end c5 SOURCE_HANGUP",
    "call.start c6 Queue(2001):CONNECTING -> User(1002):CONNECTING CONNECTING for c1",
    "call.update c6 STATE Queue(2001):RINGING -> User(1002):RINGING RINGING for c1",
    "call.start c7 Queue(2001):CONNECTING -> User(1003):CONNECTING CONNECTING for c1",
    "call.update c7 STATE Queue(2001):RINGING -> User(1003):RINGING RINGING for c1",
    "call.end c6 SOURCE_HANGUP",
    "call.end c7 SOURCE_HANGUP",
    "call.start c8 Queue(2001):CONNECTING -> User(1002):CONNECTING CONNECTING for c1",
    "call.update c8 STATE Queue(2001):RINGING -> User(1002):RINGING RINGING for c1",
    "call.start c9 Queue(2001):CONNECTING -> User(1003):CONNECTING CONNECTING for c1",
    "call.update c9 STATE Queue(2001):RINGING -> User(1003):RINGING RINGING for c1",
    "call.update c8 STATE Queue(2001):ANSWERED -> User(1002):ANSWERED ANSWERED for c1",
    "call.update c1 DESTINATION External(+316):ANSWERED -> User(1002):ANSWERED ANSWERED",
    "call.end c9 SOURCE_HANGUP",
    "queue.call.leave 2001 c1",
    "queue.update 2001 handledCalls:0>1,averageWait:0>62,maxWait:0>62,totalWait:0>62",
    "call.end c8 REPLACE",
    "call.end c1 SOURCE_HANGUP",
  ],
  "queue-abandoned": [
    "call.start c1 External(+316):CONNECTING -> Dialplan(+31851234500):CONNECTING CONNECTING",
    "call.update c1 DESTINATION External(+316):CONNECTING -> Queue(2001):CONNECTING CONNECTING",
    "call.update c1 STATE External(+316):ANSWERED -> Queue(2001):ANSWERED ANSWERED",
    "queue.call.enter 2001 c1",
    "queue.update 2001 totalCalls:0>1",
    "call.start c2 Queue(2001):CONNECTING -> User(1002):CONNECTING CONNECTING for c1",
    "call.update c2 STATE Queue(2001):RINGING -> User(1002):RINGING RINGING for c1",
    "call.start c3 Queue(2001):CONNECTING -> User(1003):CONNECTING CONNECTING for c1",
    "call.update c3 STATE Queue(2001):RINGING -> User(1003):RINGING RINGING for c1",
    "call.end c2 SOURCE_HANGUP",
    "call.end c3 SOURCE_HANGUP",
    "call.start c4 Queue(2001):CONNECTING -> User(1002):CONNECTING CONNECTING for c1",
    "call.update c4 STATE Queue(2001):RINGING -> User(1002):RINGING RINGING for c1",
    "call.start c5 Queue(2001):CONNECTING -> User(1003):CONNECTING CONNECTING for c1",
    "call.update c5 STATE Queue(2001):RINGING -> User(1003):RINGING RINGING for c1",
    "call.end c4 SOURCE_HANGUP",
    "call.end c5 SOURCE_HANGUP",
    "call.start c6 Queue(2001):CONNECTING -> User(1002):CONNECTING CONNECTING for c1",
    "call.update c6 STATE Queue(2001):RINGING -> User(1002):RINGING RINGING for c1",
    "call.start c7 Queue(2001):CONNECTING -> User(1003):CONNECTING CONNECTING for c1",
    "call.update c7 STATE Queue(2001):RINGING -> User(1003):RINGING RINGING for c1",
    "call.end c6 SOURCE_HANGUP",
    "call.end c7 SOURCE_HANGUP",
    "queue.call.leave 2001 c1",
    "queue.update 2001 averageWait:0>44,maxWait:0>44,totalWait:0>44",
    "call.end c1 SOURCE_HANGUP",
  ],
  "queue-timeout": [
    "call.start c1 External(+316):CONNECTING -> Dialplan(+31851234500):CONNECTING CONNECTING",
    "call.update c1 DESTINATION External(+316):CONNECTING -> Queue(2001):CONNECTING CONNECTING",
    "call.update c1 STATE External(+316):ANSWERED -> Queue(2001):ANSWERED ANSWERED",
    "queue.call.enter 2001 c1",
    "queue.update 2001 totalCalls:0>1",
    "call.start c2 Queue(2001):CONNECTING -> User(1002):CONNECTING CONNECTING for c1",
    "call.update c2 STATE Queue(2001):RINGING -> User(1002):RINGING RINGING for c1",
    "call.start c3 Queue(2001):CONNECTING -> User(1003):CONNECTING CONNECTING for c1",
    "call.update c3 STATE Queue(2001):RINGING -> User(1003):RINGING RINGING for c1",
    "call.end c2 SOURCE_HANGUP",
    "call.end c3 SOURCE_HANGUP",
    "call.start c4 Queue(2001):CONNECTING -> User(1002):CONNECTING CONNECTING for c1",
    "call.update c4 STATE Queue(2001):RINGING -> User(1002):RINGING RINGING for c1",
    "call.start c5 Queue(2001):CONNECTING -> User(1003):CONNECTING CONNECTING for c1",
    "call.update c5 STATE Queue(2001):RINGING -> User(1003):RINGING RINGING for c1",
    "call.end c4 SOURCE_HANGUP",
    "call.end c5 SOURCE_HANGUP",
    "call.queueExit c1 max_waittime",
    "queue.call.leave 2001 c1",
    "queue.update 2001 averageWait:0>40,maxWait:0>40,totalWait:0>40",
    "call.update c1 DESTINATION External(+316):ANSWERED -> Resource(voicemail):ANSWERED ANSWERED",
    "call.end c1 SOURCE_HANGUP",
  ],
  "queue-exit-key": [
    "call.start c1 External(+316):CONNECTING -> Dialplan(+31851234500):CONNECTING CONNECTING",
    "call.update c1 DESTINATION External(+316):CONNECTING -> Queue(2001):CONNECTING CONNECTING",
    "call.update c1 STATE External(+316):ANSWERED -> Queue(2001):ANSWERED ANSWERED",
    "queue.call.enter 2001 c1",
    "queue.update 2001 totalCalls:0>1",
    "call.start c2 Queue(2001):CONNECTING -> User(1002):CONNECTING CONNECTING for c1",
    "call.update c2 STATE Queue(2001):RINGING -> User(1002):RINGING RINGING for c1",
    "call.start c3 Queue(2001):CONNECTING -> User(1003):CONNECTING CONNECTING for c1",
    "call.update c3 STATE Queue(2001):RINGING -> User(1003):RINGING RINGING for c1",
    "call.end c2 SOURCE_HANGUP",
    "call.end c3 SOURCE_HANGUP",
    "call.queueExit c1 key_1",
    "queue.call.leave 2001 c1",
    "queue.update 2001 averageWait:0>19,maxWait:0>19,totalWait:0>19",
    "call.update c1 DESTINATION External(+316):ANSWERED -> Resource(voicemail):ANSWERED ANSWERED",
    "call.end c1 SOURCE_HANGUP",
  ],
  "agent-login-logout": [
    "queueMember.enter 2001 1001 active",
    "queueMember.update 2001 1001 paused",
    "queueMember.update 2001 1001 active",
    "queueMember.leave 2001 1001 active",
  ],
  "user-status-changes": [
    'user.status 1001 ONLY_DIRECT ""',
    'user.status 1001 NONE ""',
    'user.status 1001 ALL ""',
    'user.status 1001 ALL "Back at 14:00"',
    "call.start c1 External(+316):CONNECTING -> Dialplan(+31851234510):CONNECTING CONNECTING",
    "call.update c1 DESTINATION External(+316):CONNECTING -> User(1001):CONNECTING CONNECTING",
    "call.update c1 STATE External(+316):RINGING -> User(1001):RINGING RINGING",
    "call.update c1 STATE External(+316):ANSWERED -> User(1001):ANSWERED ANSWERED",
    "call.end c1 SOURCE_HANGUP",
    'user.status 1001 ALL "Back at 14:00" wrapup c1',
    'user.status 1001 ALL "Back at 14:00"',
    'user.status 1001 ALL ""',
  ],
  "phone-login-logout": [
    "user.update 1005 loggedIn:false>true,location:-1>4005",
    "user.update 1005 loggedIn:true>false,location:4005>-1",
  ],
};

describe("scenario notification sequences (default seed, instant)", () => {
  for (const name of SCENARIO_NAMES) {
    it(`${name} announces exactly the platform's sequence and leaves the company as it found it`, async () => {
      const { state, clock, notifications } = recordedCompany();
      const run = await runScenario(state, name, { timeScale: 0, clock });
      assert.equal(run.status, "completed");
      assert.equal(run.stepsRun, run.stepCount);
      assert.deepEqual(describeAll(notifications), EXPECTED[name]);
      assert.deepEqual(state.activeCalls(), []);
      const seed = defaultSeed();
      for (const queue of state.queues()) {
        assert.deepEqual(queue.waitingCallIds, []);
        const seeded = seed.queues.find((q) => q.id === queue.id);
        assert.deepEqual(queue.members, seeded?.members, `members of queue ${queue.id}`);
      }
      for (const user of state.users()) {
        const seeded = seed.users.find((u) => u.id === user.id);
        assert.equal(user.receiveCalls, seeded?.receiveCalls);
        assert.equal(user.displayStatus, seeded?.displayStatus);
        assert.equal(user.wrapupState, undefined);
        assert.equal(user.location, seeded?.location);
      }
    });
  }

  it("call scenarios record every call they started, in order", async () => {
    const { state, clock, notifications } = recordedCompany();
    const run = await runScenario(state, "queue-answered-after-reoffers", { timeScale: 0, clock });
    const started = notifications.flatMap((n) => (n.type === "notification.call.start" ? [n.call.id] : []));
    assert.deepEqual(run.callIds, started);
    assert.equal(run.callIds.length, 9);
  });
});
