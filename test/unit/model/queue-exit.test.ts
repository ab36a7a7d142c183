import { strict as assert } from "node:assert";
import { normaliseQueueExit } from "../../../src/compass/model/normalise";

describe("queue exit reasons (normaliseQueueExit)", () => {
  const cases: Array<[string, string, string | null]> = [
    ["max_waittime", "max_wait", null],
    ["MAX_WAIT_TIME", "max_wait", null],
    ["TIMEOUT", "max_wait", null],
    ["maxWait", "max_wait", null],
    ["max_len", "max_length", null],
    ["FULL", "max_length", null],
    ["join_empty", "join_empty", null],
    ["JOINEMPTY", "join_empty", null],
    ["leave_when_empty", "leave_when_empty", null],
    ["leaveEmpty", "leave_when_empty", null],
    ["key_1", "key", "1"],
    ["KEY_9", "key", "9"],
    ["exitWithKey", "key", null],
    ["key", "key", null],
    ["ANSWERED", "answered", null],
    ["completed", "answered", null],
    ["abandoned", "hangup", null],
    ["HANGUP", "hangup", null],
  ];
  for (const [raw, reason, key] of cases) {
    it(`${raw} -> ${reason}${key ? ` (key ${key})` : ""}`, () => {
      assert.deepEqual(normaliseQueueExit(raw), { exitReason: reason, exitKey: key });
    });
  }

  it("an unknown value is 'other', never an error", () => {
    assert.deepEqual(normaliseQueueExit("overflow_to_mars"), { exitReason: "other", exitKey: null });
    assert.deepEqual(normaliseQueueExit(""), { exitReason: "other", exitKey: null });
  });
});
