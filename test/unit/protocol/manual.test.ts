// The manual's own stanzas (test/fixtures/manual) must read to exactly these objects.
import assert from "node:assert/strict";
import {
  type Call,
  findNotifications,
  findSubscriptionState,
  type Notification,
  parseCall,
  parseQueue,
  parseResult,
  parseUser,
} from "../../../src/compass/protocol";
import { loadFixture } from "./fixtures";

const APPENDIX_CALL: Call = {
  id: "IKhDw.MuTOkUTDa8nEV-6dd.c133ada042758fa0b92a6ed8621bd224.0",
  source: {
    id: "8093725",
    type: "External",
    state: "CONNECTING",
    timeCreated: 1492705754,
    properties: {},
    number: "31614241111",
    name: "31614241111",
  },
  destination: {
    id: "8093726",
    type: "Dialplan",
    state: "CONNECTING",
    timeCreated: 1492705754,
    properties: {},
    exten: "31413231111",
  },
  state: "CONNECTING",
  properties: {},
};

const APPENDIX_CALL_START: Notification[] = [
  {
    type: "notification.call.start",
    xsiType: "callStartNotification",
    timestamp: 1492705754,
    call: APPENDIX_CALL,
  },
];

describe("protocol: the manual's stanzas", () => {
  describe("Appendix A session", () => {
    it("reads the getCompany result", () => {
      assert.deepEqual(parseResult(loadFixture("manual/a-get-company-result.xml")), {
        kind: "getCompanyResult",
        company: { id: "8323166", name: "My Company Name" },
      });
    });

    it("reads the get user result", () => {
      assert.deepEqual(parseResult(loadFixture("manual/a-get-user-result.xml")), {
        kind: "getResult",
        users: [
          {
            id: "8323556",
            identifiers: {
              lisaId: "8323556",
              xmppJid: "testuser@uc.apollo.compass-stack.com",
              compassId: "test",
            },
            queueEntries: [
              { queueId: "1442896", userId: "8323556", priority: 10, pausedSince: 0 },
              { queueId: "1761056", userId: "8323556", priority: 10, pausedSince: 0 },
            ],
            name: "Test User",
            loggedIn: true,
            location: "1442646",
            language: "nl",
            contact: "test@iperity.com",
            extensions: "200",
          },
        ],
        queues: [],
        calls: [],
        unknown: [],
      });
    });

    it("reads the get queue result", () => {
      assert.deepEqual(parseResult(loadFixture("manual/a-get-queue-result.xml")), {
        kind: "getResult",
        users: [],
        queues: [
          {
            id: "1442896",
            name: "My Queue",
            userEntries: [{ queueId: "1442896", userId: "8323556", priority: 10, pausedSince: 0 }],
            callIds: [],
          },
        ],
        calls: [],
        unknown: [],
      });
    });

    it("reads the empty get call result", () => {
      assert.deepEqual(parseResult(loadFixture("manual/a-get-call-result.xml")), {
        kind: "getResult",
        users: [],
        queues: [],
        calls: [],
        unknown: [],
      });
    });

    it("reads the pending subscribe result and the subscribed message", () => {
      const jid = "testuser@uc.apollo.compass-stack.com/LisaApi_BplUI0bnYj";
      assert.deepEqual(findSubscriptionState(loadFixture("manual/a-subscribe-result.xml")), {
        state: "pending",
        node: "8323266",
        jid,
      });
      const subscribed = loadFixture("manual/a-subscribed-message.xml");
      assert.deepEqual(findSubscriptionState(subscribed), { state: "subscribed", node: "8323266", jid });
      assert.deepEqual(findNotifications(subscribed), []);
    });

    it("finds no subscription state in a stanza without one", () => {
      assert.equal(findSubscriptionState(loadFixture("manual/a-subscribe-request.xml")), undefined);
      assert.equal(findSubscriptionState(loadFixture("manual/a-call-start-message.xml")), undefined);
    });

    it("reads the call.start pubsub message", () => {
      assert.deepEqual(
        findNotifications(loadFixture("manual/a-call-start-message.xml")),
        APPENDIX_CALL_START,
      );
    });
  });

  describe("Requests and Responses examples", () => {
    it("reads the getCompany response", () => {
      assert.deepEqual(parseResult(loadFixture("manual/rr-get-company-result.xml")), {
        kind: "getCompanyResult",
        company: { id: "15", name: "companyname" },
      });
    });

    it("reads the two-user get response, keeping present-but-empty fields as empty strings", () => {
      assert.deepEqual(parseResult(loadFixture("manual/rr-get-user-result.xml")), {
        kind: "getResult",
        users: [
          {
            id: "105",
            identifiers: { lisaId: "105", xmppJid: "testuser@domain.nl", compassId: "testuser" },
            queueEntries: [],
            name: "Test User",
            loggedIn: false,
            location: "-1",
            shortname: "",
            language: "nl",
            contact: "",
            extensions: "",
          },
          {
            id: "16",
            identifiers: { lisaId: "16", xmppJid: "othertestuser@domain.nl", compassId: "Other Test User" },
            queueEntries: [
              { queueId: "641", userId: "16", priority: 10, pausedSince: 0 },
              { queueId: "663", userId: "16", priority: 10, pausedSince: 0 },
              { queueId: "665", userId: "16", priority: 10, pausedSince: 0 },
            ],
            name: "Test User",
            loggedIn: false,
            location: "776",
            shortname: "",
            language: "en",
            contact: "testuser@testdomain.com",
            extensions: "222",
          },
        ],
        queues: [],
        calls: [],
        unknown: [],
      });
    });

    it("reads the subscription answers", () => {
      const jid = "user@uc.apollo.compass-stack.com/resource";
      assert.deepEqual(findSubscriptionState(loadFixture("manual/rr-subscribe-result.xml")), {
        state: "pending",
        node: "15",
        jid,
      });
      assert.deepEqual(findSubscriptionState(loadFixture("manual/rr-subscribed-message.xml")), {
        state: "subscribed",
        node: "15",
        jid,
      });
    });
  });

  describe("Data Model examples", () => {
    it("reads the user", () => {
      assert.deepEqual(parseUser(loadFixture("manual/dm-user.xml")), {
        id: "883",
        identifiers: { lisaId: "883", xmppJid: "alex@domain.nl", compassId: "alex" },
        queueEntries: [{ queueId: "2", userId: "883", priority: 10, pausedSince: 0 }],
        name: "Alex Groot",
        loggedIn: false,
        address: "Straat 123",
        contact: "alex@groot.nl",
        extensions: "333",
      });
    });

    it("reads the queue", () => {
      const queue = loadFixture("manual/dm-queue.xml").getChild("queue");
      assert.ok(queue);
      assert.deepEqual(parseQueue(queue), {
        id: "641",
        name: "Queue 1",
        userEntries: [{ queueId: "641", userId: "16", priority: 10, pausedSince: 0 }],
        callIds: ["528638e0d5ee-m9u68m629b7.bf9fd24cbe10dd80439bc413.0"],
        xmppJid: "queue-641",
      });
    });

    it("reads the call and trims QueueCallForCall into queueCallForCall", () => {
      const call = loadFixture("manual/dm-call.xml").getChild("call");
      assert.ok(call);
      assert.deepEqual(parseCall(call), {
        id: "30680e334948d50e0ae355db5bae6a05316e5438/1",
        source: {
          id: "192",
          type: "User",
          state: "CONNECTING",
          timeCreated: 1384535809,
          properties: {},
          userId: "17",
          userName: "Jan Jansen",
          identityId: "73",
        },
        destination: {
          id: "194",
          type: "User",
          state: "CONNECTING",
          timeCreated: 1384535809,
          properties: {},
          userId: "16",
          userName: "Alex Groot",
          identityId: "74",
        },
        state: "CONNECTING",
        properties: { QueueCallForCall: "30680e334948d50e0ae355db5bae6a05316e5438" },
        queueCallForCall: "30680e334948d50e0ae355db5bae6a05316e5438",
      });
    });
  });
});
