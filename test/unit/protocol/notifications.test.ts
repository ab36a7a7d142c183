// Every notification type in docs/platform-notes.md ("Notifications and data"), from hand-made fixtures, read to exact objects.
import assert from "node:assert/strict";
import {
  type Callpoint,
  findNotifications,
  isKnown,
  type Notification,
  parseNotification,
  parseResult,
} from "../../../src/compass/protocol";
import { loadFixture } from "./fixtures";

function only(fixture: string): Notification {
  const found = findNotifications(loadFixture(fixture));
  assert.equal(found.length, 1, `${fixture} holds one notification`);
  return found[0]!;
}

const EXTERNAL_ANSWERED: Callpoint = {
  id: "9001",
  type: "External",
  state: "ANSWERED",
  timeCreated: 1700000000,
  timeStarted: 1700000003,
  properties: {},
  number: "31612345678",
  name: "Caller Name",
};

function userDestination(state: string): Callpoint {
  return {
    id: "9002",
    type: "User",
    state,
    timeCreated: 1700000001,
    properties: {},
    userId: "16",
    userName: "Alex Groot",
    identityId: "74",
  };
}

const IVR: Omit<Callpoint, "id" | "timeCreated"> = {
  type: "Resource",
  state: "ANSWERED",
  properties: {},
  resourceType: "ivr",
  resourceId: "4411",
  name: "Main menu",
};

describe("protocol: notifications", () => {
  describe("call", () => {
    it("call.update SOURCE with a Resource callpoint", () => {
      assert.deepEqual(only("handmade/call-update-source.xml"), {
        type: "notification.call.update",
        xsiType: "callUpdateNotification",
        timestamp: 1700000010,
        updateType: "SOURCE",
        call: {
          id: "CALL-1",
          source: { ...IVR, id: "9003", timeCreated: 1700000009, properties: { origin: "transfer" } },
          destination: userDestination("RINGING"),
          state: "RINGING",
          properties: {},
        },
      });
    });

    it("call.update DESTINATION carries the optional callId", () => {
      assert.deepEqual(only("handmade/call-update-destination.xml"), {
        type: "notification.call.update",
        xsiType: "callUpdateNotification",
        timestamp: 1700000011,
        updateType: "DESTINATION",
        callId: "CALL-1",
        call: {
          id: "CALL-1",
          source: { ...EXTERNAL_ANSWERED, state: "CONNECTING" },
          destination: userDestination("RINGING"),
          state: "RINGING",
          properties: {},
        },
      });
    });

    it("call.update BOTH", () => {
      assert.deepEqual(only("handmade/call-update-both.xml"), {
        type: "notification.call.update",
        xsiType: "callUpdateNotification",
        timestamp: 1700000012,
        updateType: "BOTH",
        call: {
          id: "CALL-1",
          source: EXTERNAL_ANSWERED,
          destination: userDestination("ANSWERED"),
          state: "ANSWERED",
          properties: {},
        },
      });
    });

    it("call.update STATE with the call ON_HOLD and an INACTIVE callpoint", () => {
      assert.deepEqual(only("handmade/call-update-state-on-hold.xml"), {
        type: "notification.call.update",
        xsiType: "callUpdateNotification",
        timestamp: 1700000013,
        updateType: "STATE",
        call: {
          id: "CALL-1",
          source: EXTERNAL_ANSWERED,
          destination: userDestination("INACTIVE"),
          state: "ON_HOLD",
          properties: {},
        },
      });
    });

    it("call.end with REPLACE", () => {
      assert.deepEqual(only("handmade/call-end-replace.xml"), {
        type: "notification.call.end",
        xsiType: "callEndNotification",
        timestamp: 1700000020,
        callId: "CALL-1",
        endReason: "REPLACE",
      });
    });

    it("call.stepresult with its callpoint", () => {
      assert.deepEqual(only("handmade/call-stepresult.xml"), {
        type: "notification.call.stepresult",
        xsiType: "callStepResultNotification",
        timestamp: 1700000021,
        callId: "CALL-1",
        result: "2",
        side: "DESTINATION",
        callpoint: { ...IVR, id: "9010", timeCreated: 1700000015 },
      });
    });

    it("call.queueExit", () => {
      assert.deepEqual(only("handmade/call-queueexit.xml"), {
        type: "notification.call.queueExit",
        xsiType: "callQueueExitNotification",
        timestamp: 1700000022,
        callId: "CALL-1",
        queueExit: "TIMEOUT",
      });
    });

    it("call.start with ListenIn and Queue callpoints and a trimmed QueueCallForCall", () => {
      assert.deepEqual(only("handmade/call-start-listenin.xml"), {
        type: "notification.call.start",
        xsiType: "callStartNotification",
        timestamp: 1700000030,
        call: {
          id: "CALL-2",
          source: {
            id: "9020",
            type: "ListenIn",
            state: "CONNECTING",
            timeCreated: 1700000030,
            properties: {},
            listenedToCallId: "CALL-1",
          },
          destination: {
            id: "9021",
            type: "Queue",
            state: "DISCONNECTED",
            timeCreated: 1700000030,
            timeEnded: 1700000031,
            properties: {},
            queueId: "641",
            queueName: "Queue 1",
          },
          state: "CONNECTING",
          properties: { QueueCallForCall: "CALL-0", Other: "x" },
          queueCallForCall: "CALL-0",
        },
      });
    });

    it("reads the Prosody ns1:type rewrite exactly like the manual's xsi:type original", () => {
      const original = findNotifications(loadFixture("manual/a-call-start-message.xml"));
      const rewritten = findNotifications(loadFixture("handmade/call-start-prosody.xml"));
      assert.deepEqual(rewritten, original);
      assert.equal(rewritten[0]?.xsiType, "callStartNotification");
    });

    it("takes the callpoint kind from xsi:type (any prefix) when the type attribute is missing", () => {
      const result = parseResult(loadFixture("handmade/callpoint-xsi-only.xml"));
      assert.deepEqual(result, {
        kind: "getResult",
        users: [],
        queues: [],
        calls: [
          {
            id: "CALL-3",
            source: {
              id: "9030",
              type: "User",
              state: "ANSWERED",
              timeCreated: 1700000070,
              properties: {},
              userId: "16",
              userName: "Alex Groot",
              identityId: "74",
            },
            destination: {
              id: "9031",
              type: "Dialplan",
              state: "ANSWERED",
              timeCreated: 1700000070,
              properties: {},
              exten: "200",
              digits: "31413231111",
              description: "Reception",
            },
            state: "ANSWERED",
            properties: {},
          },
        ],
        unknown: [],
      });
    });
  });

  describe("queue", () => {
    it("queue.create with stats fields", () => {
      assert.deepEqual(only("handmade/queue-create.xml"), {
        type: "notification.queue.create",
        xsiType: "queueCreateNotification",
        timestamp: 1700000040,
        queueId: "700",
        queue: {
          id: "700",
          name: "Support",
          userEntries: [{ queueId: "700", userId: "16", priority: 5, pausedSince: 1700000000123 }],
          callIds: ["CALL-1", "CALL-2"],
          xmppJid: "queue-700",
          averageWait: 12,
          totalWait: 240,
          maxWait: 60,
          totalCalls: 20,
          handledCalls: 18,
        },
      });
    });

    it("queue.update with property changes", () => {
      assert.deepEqual(only("handmade/queue-update.xml"), {
        type: "notification.queue.update",
        xsiType: "queueUpdateNotification",
        timestamp: 1700000041,
        queueId: "700",
        changes: [
          { name: "averageWait", oldValue: "12", newValue: "14" },
          { name: "handledCalls", oldValue: "18", newValue: "19" },
          { name: "name", oldValue: "", newValue: "Support NL" },
        ],
      });
    });

    it("queue.destroy", () => {
      assert.deepEqual(only("handmade/queue-destroy.xml"), {
        type: "notification.queue.destroy",
        xsiType: "queueDestroyNotification",
        timestamp: 1700000042,
        queueId: "700",
      });
    });

    it("queue.call.enter and .leave read queueCall/callId", () => {
      assert.deepEqual(only("handmade/queue-call-enter.xml"), {
        type: "notification.queue.call.enter",
        xsiType: "queueCallEnterNotification",
        timestamp: 1700000043,
        queueId: "641",
        callId: "CALL-1",
      });
      assert.deepEqual(only("handmade/queue-call-leave.xml"), {
        type: "notification.queue.call.leave",
        xsiType: "queueCallLeaveNotification",
        timestamp: 1700000044,
        queueId: "641",
        callId: "CALL-1",
      });
    });

    it("queueMember.enter, .leave (no pausedSince = 0) and .update (pausedSince in ms)", () => {
      const member = { queueId: "641", userId: "16", priority: 10, pausedSince: 0 };
      assert.deepEqual(only("handmade/queuemember-enter.xml"), {
        type: "notification.queueMember.enter",
        xsiType: "queueMemberEnterNotification",
        timestamp: 1700000050,
        member,
      });
      assert.deepEqual(only("handmade/queuemember-leave.xml"), {
        type: "notification.queueMember.leave",
        xsiType: "queueMemberLeaveNotification",
        timestamp: 1700000051,
        member,
      });
      assert.deepEqual(only("handmade/queuemember-update.xml"), {
        type: "notification.queueMember.update",
        xsiType: "queueMemberUpdateNotification",
        timestamp: 1700000052,
        member: { ...member, pausedSince: 1700000052000 },
        changes: [{ name: "pausedSince", oldValue: "0", newValue: "1700000052000" }],
      });
    });
  });

  describe("user", () => {
    it("user.create dispatches on type although xsi:type is createUserNotification", () => {
      assert.deepEqual(only("handmade/user-create.xml"), {
        type: "notification.user.create",
        xsiType: "createUserNotification",
        timestamp: 1700000060,
        userId: "900",
        user: {
          id: "900",
          identifiers: { lisaId: "900", xmppJid: "new@uc.example.test", compassId: "new" },
          queueEntries: [],
          name: "New User",
          loggedIn: true,
          location: "1442646",
          receiveCalls: "ONLY_DIRECT",
          displayStatus: "In a meeting",
          shortname: "nu",
          language: "en",
          contact: "new@example.test",
          extensions: "201",
        },
      });
    });

    it("user.update", () => {
      assert.deepEqual(only("handmade/user-update.xml"), {
        type: "notification.user.update",
        xsiType: "userUpdateNotification",
        timestamp: 1700000061,
        userId: "16",
        changes: [
          { name: "loggedIn", oldValue: "false", newValue: "true" },
          { name: "location", oldValue: "-1", newValue: "776" },
        ],
      });
    });

    it("user.destroy", () => {
      assert.deepEqual(only("handmade/user-destroy.xml"), {
        type: "notification.user.destroy",
        xsiType: "userDestroyNotification",
        timestamp: 1700000062,
        userId: "900",
      });
    });

    it("user.status with wrapupState", () => {
      assert.deepEqual(only("handmade/user-status.xml"), {
        type: "notification.user.status",
        xsiType: "userStatusNotification",
        timestamp: 1700000063,
        userId: "16",
        receiveCalls: "NONE",
        displayStatus: "Wrap-up",
        wrapupState: { callId: "CALL-1", endTime: 1700000100 },
      });
    });
  });

  describe("messages and results", () => {
    it("reads every item of a multi-item message, passing an unknown type through", () => {
      const found = findNotifications(loadFixture("handmade/multi-item.xml"));
      assert.deepEqual(found, [
        { type: "notification.user.status", timestamp: 1700000080, userId: "16", receiveCalls: "ALL" },
        {
          type: "notification.phone.reboot",
          xsiType: "phoneRebootNotification",
          timestamp: 1700000081,
          unknown: true,
        },
      ]);
      assert.equal(isKnown(found[0]!), true);
      assert.equal(isKnown(found[1]!), false);
    });

    it("parseNotification reads a notification element on its own", () => {
      const message = loadFixture("handmade/call-end-replace.xml");
      const notification = message
        .getChild("event")
        ?.getChild("items")
        ?.getChild("item")
        ?.getChild("notification");
      assert.ok(notification);
      assert.deepEqual(parseNotification(notification), {
        type: "notification.call.end",
        xsiType: "callEndNotification",
        timestamp: 1700000020,
        callId: "CALL-1",
        endReason: "REPLACE",
      });
    });

    it("reads a getResult mixing users, queues and calls, naming unknown elements", () => {
      assert.deepEqual(parseResult(loadFixture("handmade/get-result-mixed.xml")), {
        kind: "getResult",
        users: [
          {
            id: "16",
            identifiers: { lisaId: "16" },
            queueEntries: [],
            name: "Alex Groot",
            loggedIn: false,
            location: "-1",
            receiveCalls: "ALL",
            displayStatus: "",
          },
        ],
        queues: [{ id: "641", name: "Queue 1", userEntries: [], callIds: [] }],
        calls: [
          {
            id: "CALL-4",
            source: {
              id: "1",
              type: "External",
              state: "RINGING",
              timeCreated: 1,
              properties: {},
              number: "0612345678",
              name: "",
            },
            destination: {
              id: "2",
              type: "Queue",
              state: "ANSWERED",
              timeCreated: 1,
              properties: {},
              queueId: "641",
              queueName: "Queue 1",
            },
            state: "RINGING",
            properties: {},
          },
        ],
        unknown: ["phone"],
      });
    });
  });
});
