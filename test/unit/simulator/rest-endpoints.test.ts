import assert from "node:assert/strict";
import { type Harness, startHarness, V1, V2, V3 } from "./rest-harness";

type Obj = Record<string, unknown>;

describe("simulator REST: endpoints", () => {
  let h: Harness;
  let url: (type: string, id: string) => string;
  beforeEach(async () => {
    h = await startHarness();
    url = (type, id) => `${h.base}/${type}/${id}`;
  });
  afterEach(async () => {
    await h.close();
  });

  describe("users and their parts", () => {
    it("GET /user/{id} carries self and absolute references", async () => {
      const res = await h.call("/user/1002", { as: "bob" });
      assert.equal(res.status, 200);
      const user = res.body as Obj;
      assert.equal(user.theType, "user");
      assert.equal(user.self, url("user", "1002"));
      assert.equal(user.company, url("company", "8323166"));
      assert.deepEqual(user.extensions, ["202"]);
      assert.deepEqual(user.identities, [url("identity", "6002")]);
      assert.equal("password" in user, false, "never a password");
      assert.equal((await h.call("/user/9999")).status, 404);
    });

    it("reading another user needs read rights on the company", async () => {
      assert.equal((await h.call("/user/1001", { as: "bob" })).status, 200);
      const denied = await h.call("/user/1001", { as: "dave" });
      assert.equal(denied.status, 403);
      assert.match((denied.body as { detail: string }).detail, /read access/);
      assert.equal((await h.call("/user/1004", { as: "dave" })).status, 200, "a user may always read itself");
    });

    it("PATCH /user/{id} changes the name and announces user.update; others need write rights", async () => {
      const res = await h.call("/user/1002", { method: "PATCH", as: "bob", body: { name: "Bob J." } });
      assert.equal(res.status, 200);
      assert.equal((res.body as Obj).name, "Bob J.");
      assert.deepEqual(
        h.notifications.map((n) => n.type),
        ["notification.user.update"],
      );
      assert.equal(
        (await h.call("/user/1003", { method: "PATCH", as: "bob", body: { name: "X" } })).status,
        403,
      );
      assert.equal((await h.call("/user/1003", { method: "PATCH", body: { name: 5 } })).status, 400);
    });

    it("DELETE /user/{id}, also as the manual's POST + X-HTTP-Method-Override: DELETE", async () => {
      assert.equal((await h.call("/user/1003", { method: "DELETE", as: "bob" })).status, 403);
      assert.equal((await h.call("/user/1001", { method: "DELETE" })).status, 400, "not itself");
      const res = await h.call("/user/1003", {
        method: "POST",
        headers: { "X-HTTP-Method-Override": "DELETE" },
      });
      assert.equal(res.status, 200);
      assert.equal(res.text, "");
      assert.deepEqual(
        h.notifications.map((n) => n.type),
        ["notification.queueMember.leave", "notification.user.destroy"],
      );
      assert.equal((await h.call("/user/1003")).status, 404);
      assert.equal((await h.call("/user/1003", { as: "carol" })).status, 401, "its credentials are gone too");
    });

    it("lists identities, extensions and rights (v2+ only)", async () => {
      const ids = await h.call("/user/1001/identities");
      assert.deepEqual(ids.body, [
        {
          theType: "identity",
          self: url("identity", "6001"),
          name: "Alice de Vries",
          user: url("user", "1001"),
          cli: url("externalNumber", "5003"),
        },
      ]);
      const exts = (await h.call("/user/1001/extensions")).body as Obj[];
      assert.equal(exts[0]?.self, url("extension", "201"));
      assert.equal(exts[0]?.extension, "201");
      assert.deepEqual((await h.call("/user/1001/rights")).body, [
        { theType: "right", access: "write", target: url("company", "8323166") },
      ]);
      assert.deepEqual((await h.call("/user/1004/rights", { as: "dave" })).body, []);
      assert.equal((await h.call("/user/1001/identities", { accept: V1 })).status, 404);
    });

    it("GET and PATCH /identity/{id}: cli takes an external number URL, only null clears it", async () => {
      assert.equal(((await h.call("/identity/6002")).body as Obj).cli, null);
      const set = await h.call("/identity/6002", {
        method: "PATCH",
        body: { cli: url("externalNumber", "5001") },
      });
      assert.equal((set.body as Obj).cli, url("externalNumber", "5001"));
      assert.equal((await h.call("/identity/6002", { method: "PATCH", body: { cli: "" } })).status, 400);
      const cleared = await h.call("/identity/6002", { method: "PATCH", body: { cli: null } });
      assert.equal((cleared.body as Obj).cli, null);
      assert.equal(h.state.user("1002")?.identities[0]?.cliExternalNumberId, undefined);
      const v1 = await h.call("/identity/6002", { method: "PATCH", accept: V1, body: { cli: "" } });
      assert.equal(v1.status, 200, "v1 also cleared with an empty string");
      assert.equal(
        (await h.call("/identity/6002", { method: "PATCH", as: "carol", body: { cli: null } })).status,
        403,
      );
      assert.equal((await h.call("/identity/6999")).status, 404);
    });
  });

  describe("queues", () => {
    it("loginQueue logs a user in (200, empty body) and announces queueMember.enter", async () => {
      const res = await h.call("/user/1005/loginQueue", {
        as: "erin",
        body: { queue: url("queue", "2001"), priority: "2", callForward: false },
      });
      assert.equal(res.status, 200);
      assert.equal(res.text, "");
      assert.deepEqual(h.notifications, [
        {
          type: "notification.queueMember.enter",
          timestamp: h.notifications[0]?.timestamp,
          member: { queueId: "2001", userId: "1005", priority: 2, callForward: false, pausedSince: 0 },
        },
      ]);
    });

    it("loginQueue errors: twice 400, unknown queue 404, other user 403, bad references 400", async () => {
      const q = url("queue", "2001");
      const twice = await h.call("/user/1002/loginQueue", { as: "bob", body: { queue: q } });
      assert.equal(twice.status, 400);
      assert.match((twice.body as { detail: string }).detail, /already/);
      assert.equal(
        (await h.call("/user/1005/loginQueue", { body: { queue: url("queue", "2999") } })).status,
        404,
      );
      const other = await h.call("/user/1005/loginQueue", { as: "bob", body: { queue: q } });
      assert.equal(other.status, 403);
      assert.equal(
        (await h.call("/user/1005/loginQueue", { body: { queue: q } })).status,
        200,
        "write right may",
      );
      for (const queue of [
        "/queue/2002",
        "2002",
        "http://example.com/queue/2002",
        url("user", "1001"),
        2002,
        null,
      ]) {
        const bad = await h.call("/user/1005/loginQueue", { body: { queue } });
        assert.equal(bad.status, 400, String(queue));
        assert.match((bad.body as { detail: string }).detail, /absolute URL of a queue/);
      }
      assert.equal(
        (await h.call("/user/1005/loginQueue", { body: { queue: url("queue", "2002"), priority: "high" } }))
          .status,
        400,
      );
      assert.equal((await h.call("/user/1005/loginQueue", { body: [] })).status, 400);
      assert.equal((await h.call("/user/1005/loginQueue", { accept: V1, body: { queue: q } })).status, 404);
    });

    it("logoutQueue announces queueMember.leave; not a member is 400", async () => {
      const res = await h.call("/user/1002/logoutQueue", {
        as: "bob",
        body: { queue: url("queue", "2001") },
      });
      assert.equal(res.status, 200);
      assert.deepEqual(
        h.notifications.map((n) => n.type),
        ["notification.queueMember.leave"],
      );
      assert.equal(
        (await h.call("/user/1002/logoutQueue", { as: "bob", body: { queue: url("queue", "2001") } })).status,
        400,
      );
    });

    it("queueMemberships shows paused before v3 only", async () => {
      const path = "/identity/6002/queueMemberships";
      assert.deepEqual((await h.call(path, { as: "bob" })).body, [
        { queue: url("queue", "2001"), priority: 1, callForward: false, paused: false },
      ]);
      assert.deepEqual((await h.call(path, { as: "bob", accept: V3 })).body, [
        { queue: url("queue", "2001"), priority: 1, callForward: false },
      ]);
      assert.equal((await h.call(path, { as: "dave" })).status, 403);
    });

    it("pauseQueue and unpauseQueue work on v1/v2, announce queueMember.update, and do not exist on v3", async () => {
      const body = { queue: url("queue", "2001") };
      assert.equal((await h.call("/identity/6002/pauseQueue", { as: "bob", body })).status, 200);
      assert.ok((h.state.queue("2001")?.members[0]?.pausedSince ?? 0) > 0);
      const memberships = (await h.call("/identity/6002/queueMemberships", { as: "bob" })).body as Obj[];
      assert.equal(memberships[0]?.paused, true);
      assert.equal(
        (await h.call("/identity/6002/unpauseQueue", { as: "bob", accept: V1, body: { queue: "2001" } }))
          .status,
        200,
      );
      assert.deepEqual(
        h.notifications.map((n) => n.type),
        ["notification.queueMember.update", "notification.queueMember.update"],
      );
      const v3 = await h.call("/identity/6002/pauseQueue", { as: "bob", accept: V3, body });
      assert.equal(v3.status, 404);
      assert.match((v3.body as { detail: string }).detail, /not available in API v3/);
      assert.equal((await h.call("/identity/6002/pauseQueue", { as: "carol", body })).status, 403);
    });

    it("GET /queue/{id} and the company's queues", async () => {
      const q = (await h.call("/queue/2001")).body as Obj;
      assert.deepEqual(q, {
        theType: "queue",
        self: url("queue", "2001"),
        name: "Support",
        company: url("company", "8323166"),
        extension: "800",
      });
      assert.equal((await h.call("/queue/2999")).status, 404);
    });
  });

  describe("status (v3 only)", () => {
    it("GET and POST /user/{id}/status; POST announces user.status", async () => {
      const got = await h.call("/user/1003/status", { as: "carol", accept: V3 });
      assert.deepEqual(got.body, { receiveCalls: "ALL", displayStatus: "" });
      const set = await h.call("/user/1003/status", {
        as: "carol",
        accept: V3,
        body: { receiveCalls: "NONE", displayStatus: "In a meeting" },
      });
      assert.equal(set.status, 200);
      assert.deepEqual(set.body, { receiveCalls: "NONE", displayStatus: "In a meeting" });
      assert.deepEqual(
        h.notifications.map((n) => n.type),
        ["notification.user.status"],
      );
      assert.equal(
        (await h.call("/user/1003/status", { accept: V3, body: { receiveCalls: "SOMETIMES" } })).status,
        400,
      );
      assert.equal(
        (await h.call("/user/1003/status", { as: "bob", accept: V3, body: { receiveCalls: "ALL" } })).status,
        403,
      );
      assert.equal((await h.call("/user/1003/status", { as: "carol", accept: V2 })).status, 404);
    });
  });

  describe("calls", () => {
    it("dialNumber answers true on v2 and { callId } on v3, and the call exists", async () => {
      const v2 = await h.call("/user/1001/dialNumber", { body: { destination: "0612345678" } });
      assert.equal(v2.status, 200);
      assert.equal(v2.body, true);
      const v3 = await h.call("/user/1001/dialNumber", { accept: V3, body: { destination: "+31201234567" } });
      const { callId } = v3.body as { callId: string };
      assert.equal(h.state.call(callId)?.destination.kind, "External");
      assert.equal(h.state.activeCalls().length, 2);
      assert.equal((await h.call("/user/1001/dialNumber", { body: { destination: 612 } })).status, 400);
      assert.equal((await h.call("/user/1001/dialNumber", { body: { destination: "abc" } })).status, 400);
      assert.equal(
        (await h.call("/user/1005/dialNumber", { as: "erin", body: { destination: "0612345678" } })).status,
        400,
      );
      assert.equal(
        (await h.call("/user/1001/dialNumber", { as: "bob", body: { destination: "0612345678" } })).status,
        403,
      );
    });

    it("dialUser takes the target in `user` only, as the manual does", async () => {
      const a = await h.call("/user/1002/dialUser", {
        as: "bob",
        accept: V3,
        body: { user: url("user", "1003") },
      });
      const call = h.state.call((a.body as { callId: string }).callId);
      assert.equal(call?.destination.kind === "User" && call.destination.userId, "1003");
      assert.equal(h.state.activeCalls().length, 1);
      const wrongField = await h.call("/user/1002/dialUser", {
        as: "bob",
        body: { destination: url("user", "1001") },
      });
      assert.equal(wrongField.status, 400);
      assert.match(JSON.stringify(wrongField.body), /user must be the absolute URL/);
      assert.equal(h.state.activeCalls().length, 1, "a refused dial starts no call");
      assert.equal(
        (await h.call("/user/1002/dialUser", { as: "bob", body: { user: url("user", "1999") } })).status,
        400,
      );
      assert.equal(
        (await h.call("/user/1002/dialUser", { as: "bob", body: { user: "/user/1003" } })).status,
        400,
      );
    });

    it("pickupQueueCall is 403 without the feature and takes the waiting caller with it", async () => {
      const denied = await h.call("/user/1002/pickupQueueCall", { as: "bob", body: {} });
      assert.equal(denied.status, 403);
      assert.match((denied.body as { detail: string }).detail, /Queue pickup API/);
      assert.equal((await h.call("/user/1001/pickupQueueCall", { body: {} })).status, 400, "nobody waiting");
      const caller = h.state.startCall(
        h.state.externalCallpoint("+31301234567"),
        h.state.dialplanCallpoint("+31851234501"),
      );
      h.state.routeCall(caller.id, "DESTINATION", h.state.queueCallpoint("2002"));
      h.state.queueCallEnter("2002", caller.id);
      const res = await h.call("/user/1001/pickupQueueCall", {
        accept: V3,
        body: { queue: url("queue", "2002") },
      });
      assert.deepEqual(res.body, { callId: caller.id });
      assert.equal(h.state.call(caller.id)?.state, "ANSWERED");
    });
  });

  describe("dial plan switches", () => {
    it("GET shows the current setting; PATCH sets it (write right), refuses null and out-of-range values", async () => {
      const got = (await h.call("/dpSwitch/3001")).body as Obj;
      assert.equal(got.self, url("dpSwitch", "3001"));
      assert.equal(got.currentSetting, 1);
      assert.equal(got.name, "Day/Night");
      assert.equal((await h.call("/dpswitch/3001")).status, 200, "the manual's lower-case spelling");
      const set = await h.call("/dpSwitch/3001", { method: "PATCH", body: { currentSetting: 2 } });
      assert.equal((set.body as Obj).currentSetting, 2);
      for (const currentSetting of [null, 0, 4, "two"]) {
        const bad = await h.call("/dpSwitch/3001", { method: "PATCH", body: { currentSetting } });
        assert.equal(bad.status, 400, String(currentSetting));
      }
      assert.equal(
        (await h.call("/dpSwitch/3001", { method: "PATCH", as: "bob", body: { currentSetting: 1 } })).status,
        403,
      );
      assert.equal(h.state.dpSwitch("3001")?.currentSetting, 2);
      assert.equal((await h.call("/dpSwitch/3999")).status, 404);
    });
  });

  describe("company", () => {
    it("GET /company/{id} and its lists (v2 names; v1 had full* names)", async () => {
      assert.deepEqual((await h.call("/company/8323166")).body, {
        theType: "company",
        self: url("company", "8323166"),
        name: "Simulated Company BV",
      });
      assert.equal((await h.call("/company/1")).status, 404);
      const users = (await h.call("/company/8323166/users")).body as Obj[];
      assert.equal(users.length, 5);
      assert.equal(((await h.call("/company/8323166/queues")).body as Obj[]).length, 2);
      const numbers = (await h.call("/company/8323166/externalNumbers")).body as Obj[];
      assert.equal(numbers.find((n) => n.name === "Alice direct")?.destination, url("user", "1001"));
      assert.equal(((await h.call("/company/8323166/dpSwitches")).body as Obj[]).length, 2);
      assert.deepEqual((await h.call("/company/8323166/forwards")).body, []);
      assert.equal((await h.call("/company/8323166/users", { accept: V1 })).status, 404);
      assert.equal(((await h.call("/company/8323166/fullUsers", { accept: V1 })).body as Obj[]).length, 5);
      assert.equal((await h.call("/company/8323166/users", { as: "dave" })).status, 403);
    });

    it("resourcesFiltered and entitiesFiltered give base info, filtered by type", async () => {
      const queues = (await h.call("/company/8323166/resourcesFiltered?filter=queue")).body as Obj[];
      assert.deepEqual(queues[0], { theType: "queue", self: url("queue", "2001"), name: "Support" });
      const all = (await h.call("/company/8323166/resourcesFiltered")).body as Obj[];
      assert.ok(all.some((r) => r.theType === "dpSwitch") && all.some((r) => r.theType === "phone"));
      const users = (await h.call("/company/8323166/entitiesFiltered?filter=user")).body as Obj[];
      assert.equal(users.length, 5);
      assert.deepEqual(Object.keys(users[0] ?? {}), ["theType", "self", "name"]);
      assert.equal((await h.call("/company/8323166/resourcesFiltered?filter=spaceship")).status, 400);
    });

    it("GET /externalNumber, /extension, /phone and /phone/{id}/phoneStatus", async () => {
      const number = (await h.call("/externalNumber/5001")).body as Obj;
      assert.equal(number.number, "+31851234500");
      assert.equal(number.destination, url("queue", "2001"));
      const ext = (await h.call("/extension/203")).body as Obj;
      assert.equal(ext.user, url("user", "1003"));
      const phone = (await h.call("/phone/4002")).body as Obj;
      assert.equal(phone.self, url("phone", "4002"));
      assert.deepEqual((await h.call("/phone/4002/phoneStatus")).body, {
        phone: url("phone", "4002"),
        loggedIn: true,
        user: url("user", "1002"),
      });
      assert.equal(((await h.call("/phone/4005/phoneStatus")).body as Obj).loggedIn, false);
      for (const path of ["/externalNumber/1", "/extension/999", "/phone/1"]) {
        assert.equal((await h.call(path)).status, 404, path);
      }
    });
  });
});
