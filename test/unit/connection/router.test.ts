// The event router: routes by name and by the users/queues an event concerns.

import { strict as assert } from "node:assert";
import type { DomainEvent } from "../../../src/compass/model";
import { EventRouter } from "../../../src/compass/router";

const call = (source: string, destination: string, queueId: string | null = null): DomainEvent => ({
  event: "call.answered",
  payload: {
    id: "c1",
    queueId,
    source: { type: "user", userId: source },
    destination: { type: "user", userId: destination },
  },
  timestamp: 0,
  companyId: "1",
});

describe("EventRouter", () => {
  it("calls a route once even when the event concerns two of its users", () => {
    const router = new EventRouter(() => assert.fail("no handler throws"));
    let calls = 0;
    router.add(["call.answered"], () => calls++, { users: new Set(["a", "b"]) });
    router.route(call("a", "b"));
    assert.equal(calls, 1);
  });

  it("skips routes whose users or queues the event does not concern; '*' gets everything", () => {
    const router = new EventRouter(() => undefined);
    const heard: string[] = [];
    router.add(["call.answered"], () => heard.push("carol"), { users: new Set(["carol"]) });
    router.add(["call.answered"], () => heard.push("queue 7"), { queues: new Set(["7"]) });
    router.add(["call.ended"], () => heard.push("ended"));
    router.add(["*"], () => heard.push("all"));
    router.route(call("a", "b", "7"));
    assert.deepEqual(heard.sort(), ["all", "queue 7"]);
  });

  it("removal leaves nothing behind, and a throwing handler does not stop the others", () => {
    const errors: unknown[] = [];
    const router = new EventRouter((_e, err) => errors.push(err));
    let heard = 0;
    const remove = router.add(["call.answered", "call.ended"], () => heard++, { users: new Set(["a"]) });
    router.add(["call.answered"], () => {
      throw new Error("boom");
    });
    router.route(call("a", "b"));
    assert.equal(heard, 1);
    assert.equal(errors.length, 1);
    remove();
    router.route(call("a", "b"));
    assert.equal(heard, 1);
    assert.equal((router as unknown as { buckets: Map<string, unknown> }).buckets.has("call.ended"), false);
  });
});
