import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  BadRequestError,
  CompassNetworkError,
  CompassOriginError,
  CompassRestError,
  CompassTimeoutError,
  ForbiddenError,
  isCompassRestError,
  MAX_DETAIL_LENGTH,
  MethodNotAllowedError,
  NotAcceptableError,
  NotFoundError,
  RestClient,
  type RestClientOptions,
  ServerError,
  UnauthorizedError,
} from "../../../src/compass/rest";
import { sendJson, startHttpServer, type TestServer } from "../../support/http";
import { waitFor } from "../../support/wait";

const PASSWORD = "Corr3ct-Horse-Battery";
const TOKEN = Buffer.from(`alice:${PASSWORD}`).toString("base64");
const V2 = "application/vnd.iperity.compass.v2+json";
const V3 = "application/vnd.iperity.compass.v3+json";

/** Asserts that no form of the error (message, stack, JSON, inspect) carries a secret. */
function assertNoSecrets(error: unknown): void {
  const err = error as Error;
  for (const text of [err.message, err.stack ?? "", JSON.stringify(err), inspect(err, { depth: 5 })]) {
    assert.ok(!text.includes(PASSWORD), `password leaked: ${text}`);
    assert.ok(!text.includes(TOKEN), `auth token leaked: ${text}`);
  }
}

async function rejectsWith<T>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${inspect(error)}`);
    assertNoSecrets(error);
    return error;
  }
  assert.fail(`expected ${type.name}, but the request succeeded`);
}

describe("rest client over http", () => {
  let server: TestServer;
  let other: TestServer | undefined;
  let client: RestClient;
  const make = (extra: Partial<RestClientOptions> = {}) =>
    new RestClient({ baseUrl: server.origin, username: "alice", password: PASSWORD, ...extra });

  beforeEach(async () => {
    server = await startHttpServer();
    client = make();
  });
  afterEach(async () => {
    await client.close();
    await server.close();
    await other?.close();
    other = undefined;
  });

  it("sends Basic auth and the versioned Accept, and reads the served version back", async () => {
    server.handler = (_req, res) => sendJson(res, 200, { username: "alice" }, `${V2}; charset=utf-8`);
    const response = await client.request({ path: "/user/17" });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.body, { username: "alice" });
    assert.equal(response.version, 2);
    assert.equal(response.url, `${server.origin}/user/17`);
    assert.equal(response.headers["content-type"], `${V2}; charset=utf-8`);
    const [req] = server.requests;
    assert.equal(req.method, "GET");
    assert.equal(req.url, "/user/17");
    assert.equal(req.headers.authorization, `Basic ${TOKEN}`);
    assert.equal(req.headers.accept, `${V3}; q=1.0, ${V2}; q=0.9`);
  });

  it("reuses one kept-alive connection for sequential requests", async () => {
    server.handler = (_req, res) => sendJson(res, 200, {});
    for (let i = 0; i < 20; i++) await client.request({ path: `/user/${i}` });
    assert.equal(server.requests.length, 20);
    assert.equal(server.connections, 1, `${server.connections} connections for 20 requests`);
  });

  it("offers the configured version preference", async () => {
    await client.close();
    client = make({ versions: [2] });
    server.handler = (_req, res) => sendJson(res, 200, {}, V2);
    await client.request({ path: "/company/4" });
    assert.equal(server.requests[0].headers.accept, `${V2}; q=1.0`);
  });

  it("leaves version undefined when the server does not say", async () => {
    server.handler = (_req, res) => sendJson(res, 200, [1, 2], "application/json");
    const response = await client.request({ path: "/x" });
    assert.deepEqual(response.body, [1, 2]);
    assert.equal(response.version, undefined);
  });

  it("turns 406 into NotAcceptableError naming the offered versions", async () => {
    server.handler = (_req, res) => {
      res.writeHead(406, { "content-type": "text/plain" });
      res.end("only v1 here");
    };
    const error = await rejectsWith(client.request({ path: "/user/17" }), NotAcceptableError);
    assert.equal(error.statusCode, 406);
    assert.match(error.message, /^GET \/user\/17 failed: 406 Not Acceptable: .*v3, v2.*: only v1 here$/);
    assert.equal(error.detail, "only v1 here");
  });

  const statusCases: [number, new (...args: never[]) => CompassRestError, string][] = [
    [400, BadRequestError, "400 Bad Request"],
    [401, UnauthorizedError, "401 Unauthorized"],
    [403, ForbiddenError, "403 Forbidden"],
    [404, NotFoundError, "404 Not Found"],
    [405, MethodNotAllowedError, "405 Method Not Allowed"],
    [500, ServerError, "500 Internal Server Error"],
    [504, ServerError, "504 Gateway Timeout"],
  ];
  for (const [status, type, reason] of statusCases) {
    it(`turns ${status} into ${type.name} with the server's detail`, async () => {
      server.handler = (_req, res) => sendJson(res, status, { message: `detail for ${status}` });
      const error = await rejectsWith(client.request({ method: "DELETE", path: "/user/17" }), type);
      assert.ok(isCompassRestError(error));
      assert.equal(error.statusCode, status);
      assert.equal(error.method, "DELETE");
      assert.equal(error.url, `${server.origin}/user/17`);
      assert.equal(error.detail, `detail for ${status}`);
      assert.ok(error.message.startsWith(`DELETE /user/17 failed: ${reason}`), error.message);
      assert.ok(error.message.endsWith(`: detail for ${status}`), error.message);
    });
  }

  it("formats the message as method, path, status and detail", async () => {
    server.handler = (_req, res) => sendJson(res, 404, { message: "no such user" });
    const error = await rejectsWith(client.request({ path: "/user/17" }), NotFoundError);
    assert.equal(error.message, "GET /user/17 failed: 404 Not Found: no such user");
    assert.deepEqual(JSON.parse(JSON.stringify(error)), {
      name: "NotFoundError",
      code: "COMPASS_NOT_FOUND",
      message: "GET /user/17 failed: 404 Not Found: no such user",
      statusCode: 404,
      method: "GET",
      url: `${server.origin}/user/17`,
      detail: "no such user",
    });
  });

  it("explains a 401, never retries it, and says the platform locks the IP", async () => {
    server.handler = (_req, res) => {
      res.writeHead(401, { "www-authenticate": 'Basic realm="compass"' });
      res.end();
    };
    const error = await rejectsWith(client.request({ path: "/user" }), UnauthorizedError);
    assert.match(error.message, /rejected the credentials of user "alice"/);
    assert.match(error.message, /20 failed logins/);
    assert.equal(server.requests.length, 1, "a 401 must never be retried");
    await rejectsWith(client.getOwnUser(), UnauthorizedError);
    assert.equal(server.requests.length, 2);
  });

  it("truncates a long detail and redacts secrets a server echoes back", async () => {
    server.handler = (_req, res) => {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end(`bad password ${PASSWORD} for ${TOKEN} ${"x".repeat(5000)}`);
    };
    const error = await rejectsWith(
      client.request({ method: "POST", path: "/x", body: {} }),
      BadRequestError,
    );
    assert.ok(error.detail !== undefined && error.detail.length <= MAX_DETAIL_LENGTH + 1);
    assert.ok(error.detail.startsWith("bad password *** for ***"), error.detail);
  });

  it("sends JSON bodies with Content-Type application/json", async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { "content-length": 0 });
      res.end();
    };
    const queue = client.urlFor("queue", 270);
    const response = await client.request({
      method: "POST",
      path: "/user/100/loginQueue",
      body: { queue, priority: 2, callForward: false },
    });
    assert.equal(response.body, null);
    const [req] = server.requests;
    assert.equal(req.method, "POST");
    assert.equal(req.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(req.body), {
      queue: `${server.origin}/queue/270`,
      priority: 2,
      callForward: false,
    });
  });

  it("adds query parameters and caller headers but never a caller Authorization", async () => {
    server.handler = (_req, res) => sendJson(res, 200, []);
    await client.request({
      path: "/company/4/resourcesFiltered",
      query: { filter: "queue", page: 2, skip: undefined, tag: ["a", "b"] },
      headers: { "X-Trace": "t1", Authorization: "Basic bWFsbG9yeTp4" },
    });
    const [req] = server.requests;
    assert.equal(req.url, "/company/4/resourcesFiltered?filter=queue&page=2&tag=a&tag=b");
    assert.equal(req.headers["x-trace"], "t1");
    assert.equal(req.headers.authorization, `Basic ${TOKEN}`);
  });

  it("returns non-JSON text as a string and an empty body as null", async () => {
    server.handler = (req, res) => {
      if (req.url === "/text") {
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        res.end("plain words");
      } else if (req.url === "/empty-json") {
        res.writeHead(200, { "content-type": V3, "content-length": 0 });
        res.end();
      } else if (req.url === "/broken-json") {
        res.writeHead(200, { "content-type": V3 });
        res.end("{not json");
      } else {
        res.writeHead(204);
        res.end();
      }
    };
    assert.equal((await client.request({ path: "/text" })).body, "plain words");
    const emptyJson = await client.request({ path: "/empty-json" });
    assert.equal(emptyJson.body, null);
    assert.equal(emptyJson.version, 3);
    assert.equal((await client.request({ path: "/broken-json" })).body, "{not json");
    const noContent = await client.request({ method: "DELETE", path: "/none" });
    assert.equal(noContent.statusCode, 204);
    assert.equal(noContent.body, null);
  });

  it("sends PATCH and DELETE as POST with X-HTTP-Method-Override when asked", async () => {
    server.handler = (_req, res) => sendJson(res, 200, { currentSetting: 2 });
    await client.request({
      method: "PATCH",
      path: "/dpSwitch/100",
      body: { currentSetting: 2 },
      methodOverride: true,
    });
    await client.request({ method: "PATCH", path: "/dpSwitch/100", body: { currentSetting: 3 } });
    await client.close();
    client = make({ useMethodOverride: true });
    await client.request({ method: "DELETE", path: "/user/100" });
    await client.request({ method: "GET", path: "/user/100" });
    const seen = server.requests.map((r) => [r.method, r.headers["x-http-method-override"]]);
    assert.deepEqual(seen, [
      ["POST", "PATCH"],
      ["PATCH", undefined],
      ["POST", "DELETE"],
      ["GET", undefined],
    ]);
    assert.deepEqual(JSON.parse(server.requests[0].body), { currentSetting: 2 });
  });

  it("bootstraps /user and /company through the 303", async () => {
    server.handler = (req, res) => {
      if (req.url === "/user") {
        res.writeHead(303, { location: `${server.origin}/user/100` });
        res.end();
      } else if (req.url === "/company") {
        res.writeHead(303, { location: "/company/4" }); // relative Location works too
        res.end();
      } else if (req.url === "/user/100") {
        sendJson(res, 200, { username: "alice", self: `${server.origin}/user/100` });
      } else if (req.url === "/company/4") {
        sendJson(res, 200, { name: "Acme", self: `${server.origin}/company/4` });
      } else {
        res.writeHead(404);
        res.end();
      }
    };
    assert.deepEqual(await client.getOwnUser(), { username: "alice", self: `${server.origin}/user/100` });
    assert.deepEqual(await client.getOwnCompany(), { name: "Acme", self: `${server.origin}/company/4` });
    assert.deepEqual(
      server.requests.map((r) => r.url),
      ["/user", "/user/100", "/company", "/company/4"],
    );
    assert.ok(server.requests.every((r) => r.headers.authorization === `Basic ${TOKEN}`));
  });

  it("asks for X-No-Redirect and takes the 200 directly", async () => {
    server.handler = (req, res) => {
      if (req.headers["x-no-redirect"] === "true") sendJson(res, 200, { username: "alice" });
      else {
        res.writeHead(303, { location: "/user/100" });
        res.end();
      }
    };
    assert.deepEqual(await client.getOwnUser({ noRedirect: true }), { username: "alice" });
    assert.equal(server.requests.length, 1);
  });

  it("turns a POST into a GET on 303 and returns a 3xx as is when not following", async () => {
    server.handler = (req, res) => {
      if (req.url === "/user/100/dialNumber") {
        res.writeHead(303, { location: "/call/9" });
        res.end();
      } else sendJson(res, 200, { id: 9 });
    };
    const response = await client.request({
      method: "POST",
      path: "/user/100/dialNumber",
      body: { destination: "1" },
    });
    assert.deepEqual(response.body, { id: 9 });
    assert.equal(response.url, `${server.origin}/call/9`);
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.url, r.body, r.headers["content-type"]]),
      [
        ["POST", "/user/100/dialNumber", '{"destination":"1"}', "application/json"],
        ["GET", "/call/9", "", undefined],
      ],
    );
    const raw = await client.request({
      method: "POST",
      path: "/user/100/dialNumber",
      followRedirects: false,
    });
    assert.equal(raw.statusCode, 303);
    assert.equal(raw.headers.location, "/call/9");
  });

  it("keeps the method and body on 307 and gives up after 5 redirects", async () => {
    server.handler = (req, res) => {
      if (req.url === "/a") {
        res.writeHead(307, { location: "/b" });
        res.end();
      } else if (req.url === "/b") sendJson(res, 200, { ok: true });
      else {
        res.writeHead(302, { location: "/loop" });
        res.end();
      }
    };
    await client.request({ method: "PATCH", path: "/a", body: { x: 1 } });
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.url, r.body]),
      [
        ["PATCH", "/a", '{"x":1}'],
        ["PATCH", "/b", '{"x":1}'],
      ],
    );
    server.requests.length = 0;
    const error = await rejectsWith(client.request({ path: "/loop" }), CompassRestError);
    assert.match(error.message, /more than 5 redirects/);
    assert.equal(server.requests.length, 6);
  });

  it("accepts an absolute same-origin url and refuses another origin before sending", async () => {
    server.handler = (_req, res) => sendJson(res, 200, { name: "Support" });
    const response = await client.request({ url: `${server.origin}/queue/2003` });
    assert.deepEqual(response.body, { name: "Support" });

    other = await startHttpServer((_req, res) => sendJson(res, 200, { stolen: true }));
    for (const url of [`${other.origin}/queue/2003`, `http://localhost:${server.port}/queue/1`]) {
      await rejectsWith(client.request({ url }), CompassOriginError);
    }
    await rejectsWith(
      client.request({ method: "POST", path: `${other.origin}/queue/1`, body: {} }),
      CompassOriginError,
    );
    assert.equal(other.requests.length, 0, "the other origin must receive nothing");
    assert.equal(server.requests.length, 1);
  });

  it("refuses a redirect to another origin and never sends it the credentials", async () => {
    other = await startHttpServer((_req, res) => sendJson(res, 200, { stolen: true }));
    const target = other.origin;
    server.handler = (_req, res) => {
      res.writeHead(303, { location: `${target}/user/100` });
      res.end();
    };
    const error = await rejectsWith(client.getOwnUser(), CompassOriginError);
    assert.match(error.message, new RegExp(`not on the configured Compass origin ${server.origin}`));
    assert.equal(server.requests.length, 1);
    assert.equal(other.requests.length, 0, "the redirect target must receive no request");
    assert.ok(!other.requests.some((r) => r.headers.authorization !== undefined));
  });

  it("retries an idempotent GET once on 503, but never a POST", async () => {
    let calls = 0;
    server.handler = (_req, res) => {
      calls += 1;
      if (calls === 1) sendJson(res, 503, { message: "busy" });
      else sendJson(res, 200, { ok: true });
    };
    assert.deepEqual((await client.request({ path: "/user/1" })).body, { ok: true });
    assert.equal(server.requests.length, 2);

    server.handler = (_req, res) => sendJson(res, 503, { message: "still busy" });
    server.requests.length = 0;
    const error = await rejectsWith(client.request({ path: "/user/1" }), ServerError);
    assert.equal(error.detail, "still busy");
    assert.equal(server.requests.length, 2, "one retry only");

    server.requests.length = 0;
    await rejectsWith(client.request({ method: "POST", path: "/user/1/dialNumber", body: {} }), ServerError);
    assert.equal(server.requests.length, 1, "POST is not idempotent: no retry");
  });

  it("retries a GET once after the connection is reset", async () => {
    let calls = 0;
    server.handler = (_req, res) => {
      calls += 1;
      if (calls === 1) res.socket?.destroy();
      else sendJson(res, 200, { ok: true });
    };
    assert.deepEqual((await client.request({ path: "/user/1" })).body, { ok: true });
    assert.equal(calls, 2);
  });

  it("times out with CompassTimeoutError naming the deadline", async () => {
    await client.close();
    client = make({ timeoutMs: 150 });
    server.handler = () => {
      // never answers
    };
    const started = Date.now();
    const error = await rejectsWith(client.request({ path: "/slow" }), CompassTimeoutError);
    const elapsed = Date.now() - started;
    assert.equal(error.timeoutMs, 150);
    assert.match(error.message, /^GET \/slow failed: no complete answer within 150 ms$/);
    assert.ok(elapsed >= 140 && elapsed < 2000, `elapsed ${elapsed} ms`);
  });

  it("times out an answer that stops mid-body", async () => {
    await client.close();
    client = make({ timeoutMs: 150 });
    server.handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"partial":'); // and nothing more
    };
    const error = await rejectsWith(client.request({ path: "/slow" }), CompassTimeoutError);
    assert.match(error.message, /^GET \/slow failed: no complete answer within 150 ms$/);
  });

  it("reports a refused connection as CompassNetworkError without secrets", async () => {
    const port = server.port;
    await server.close();
    const error = await rejectsWith(client.request({ path: "/user" }), CompassNetworkError);
    assert.equal(error.causeCode, "ECONNREFUSED");
    assert.match(error.message, /^GET \/user failed: network error ECONNREFUSED/);
    assert.equal(error.url, `http://127.0.0.1:${port}/user`);
    server = await startHttpServer(); // afterEach closes it
  });

  it("fails an answer cut off mid-body (a POST once, a GET after its one retry)", async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const post = await rejectsWith(
      client.request({ method: "POST", path: "/user/1/dialNumber", body: {} }),
      CompassNetworkError,
    );
    assert.equal(post.causeCode, "ECONNRESET");
    assert.match(post.message, /^POST \/user\/1\/dialNumber failed: network error ECONNRESET/);
    assert.equal(server.requests.length, 1);
    server.requests.length = 0;
    await rejectsWith(client.request({ path: "/user/1" }), CompassNetworkError);
    assert.equal(server.requests.length, 2, "a GET is retried once");
  });

  it("refuses an answer larger than 64 MiB and keeps working", async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    server.handler = (req, res) => {
      if (req.url === "/small") return sendJson(res, 200, { ok: true });
      res.writeHead(200, { "content-type": "application/octet-stream" });
      let sent = 0;
      const more = () => {
        while (sent <= 64 && res.write(chunk)) sent += 1;
        if (sent <= 64) res.once("drain", more);
        else res.end();
      };
      res.on("error", () => {}); // the client hangs up mid-answer
      more();
    };
    const error = await rejectsWith(client.request({ path: "/big" }), CompassNetworkError);
    assert.equal(error.causeCode, "RESPONSE_TOO_LARGE");
    assert.deepEqual((await client.request({ path: "/small" })).body, { ok: true });
  });

  it("fails the requests in flight when it closes, saying so", async () => {
    server.handler = () => {
      // never answers
    };
    const pending = client.request({ path: "/slow" });
    await waitFor(() => server.requests.length === 1);
    await client.close();
    const error = await rejectsWith(pending, CompassNetworkError);
    assert.equal(error.causeCode, "CLIENT_CLOSED");
    assert.match(error.message, /^GET \/slow failed: the client was closed$/);
  });

  it("refuses requests after close", async () => {
    await client.close();
    await rejectsWith(client.request({ path: "/user" }), CompassRestError);
    assert.equal(server.requests.length, 0);
  });
});
