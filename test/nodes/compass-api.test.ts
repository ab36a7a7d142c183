// compass-api in real Node-RED flows against the simulator over loopback.

import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { type Simulator, startSimulator } from "../../src/simulator";
import {
  catchAll,
  credentialsOf,
  type FlowNode,
  loadFlow,
  startServer,
  stopServer,
  unload,
} from "../support/node-red";

const TAB = "tab1";

function flow(
  sim: { restUrl: string },
  api: Record<string, unknown>,
  config: Record<string, unknown> = {},
): FlowNode[] {
  return [
    { id: TAB, type: "tab", label: "test" },
    {
      id: "cfg",
      type: "compass-config",
      domain: "compass.test",
      restUrl: sim.restUrl,
      apiVersions: "3,2",
      ...config,
    },
    {
      id: "api",
      type: "compass-api",
      z: TAB,
      config: "cfg",
      method: "GET",
      path: "/company",
      pathType: "str",
      bodyType: "none",
      followRedirects: true,
      wires: [["out"]],
      ...api,
    },
    { id: "out", type: "helper", z: TAB },
    ...catchAll(TAB, "caught"),
  ];
}

const alice = credentialsOf();

/** A plain HTTP server that records every request it gets: the "other origin" of these tests. */
async function recordingServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_q, r) => r.end("{}"),
): Promise<{ url: string; requests: http.IncomingHttpHeaders[]; close(): Promise<void> }> {
  const requests: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.headers);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("compass-api node (real flows, simulator over loopback)", () => {
  let sim: Simulator;
  let restUrl: string;

  before(async () => {
    await startServer();
    sim = await startSimulator();
    restUrl = sim.rest.url;
  });
  after(async () => {
    await sim.close();
    await stopServer();
  });
  afterEach(async () => {
    await unload();
  });

  it("reads the own company with X-No-Redirect and reports the served version", async () => {
    const f = await loadFlow(["compass-config", "compass-api"], flow({ restUrl }, {}), alice);
    f.node("api").receive({ payload: "go", keep: "me" });
    const [msg] = await f.waitFor("out");
    assert.equal(msg.statusCode, 200);
    assert.equal(msg.payload.name, sim.state.company.name);
    assert.equal(msg.keep, "me", "the incoming message is kept");
    assert.match(msg.headers["content-type"], /vnd\.iperity\.compass\.v3\+json/);
    const { text, ...shown } = f.statuses("api").at(-1);
    assert.deepEqual(shown, { fill: "green", shape: "dot" });
    assert.match(text, /^200 · v3 · \d\d:\d\d$/, "the result and when (runtime's local time)");
  });

  it("follows the bootstrap 303 to the own user when X-No-Redirect is off", async () => {
    const f = await loadFlow(
      ["compass-config", "compass-api"],
      flow({ restUrl }, { path: "/user", followRedirects: false }),
      alice,
    );
    f.node("api").receive({});
    const [msg] = await f.waitFor("out");
    assert.equal(msg.statusCode, 200);
    assert.equal(msg.payload.username, "alice");
    assert.match(msg.payload.self, /\/user\/1001$/);
  });

  it("negotiates v2 when the connection offers only v2", async () => {
    const f = await loadFlow(
      ["compass-config", "compass-api"],
      flow({ restUrl }, {}, { apiVersions: "2" }),
      alice,
    );
    f.node("api").receive({});
    const [msg] = await f.waitFor("out");
    assert.match(msg.headers["content-type"], /vnd\.iperity\.compass\.v2\+json/);
  });

  it("answers 406 as an error a Catch node receives when no offered version is served", async () => {
    const onlyV1 = await startSimulator({ rest: { versions: [1] } });
    try {
      const f = await loadFlow(
        ["compass-config", "compass-api"],
        flow({ restUrl: onlyV1.rest.url }, {}, { apiVersions: "3,2" }),
        alice,
      );
      f.node("api").receive({});
      const [caught] = await f.waitFor("caught");
      assert.equal(caught.statusCode, 406);
      assert.match(caught.error.message, /406/);
      assert.equal(f.received("out").length, 0);
    } finally {
      await unload();
      await onlyV1.close();
    }
  });

  it("sets a dial-plan switch with PATCH sent as POST + X-HTTP-Method-Override, body from msg.payload", async () => {
    const f = await loadFlow(
      ["compass-config", "compass-api"],
      flow(
        { restUrl },
        { method: "PATCH", path: "/dpSwitch/3001", bodyType: "payload", methodOverride: true },
      ),
      alice,
    );
    f.node("api").receive({ payload: { currentSetting: 2 } });
    const [msg] = await f.waitFor("out");
    assert.equal(msg.statusCode, 200);
    assert.equal(msg.payload.currentSetting, 2);
    assert.equal(sim.state.dpSwitches().find((s) => s.id === "3001")?.currentSetting, 2);
  });

  it("takes method and path from the message", async () => {
    const f = await loadFlow(
      ["compass-config", "compass-api"],
      flow({ restUrl }, { method: "msg", path: "target", pathType: "msg" }),
      alice,
    );
    f.node("api").receive({ method: "get", target: `${restUrl}/queue/2001` });
    const [msg] = await f.waitFor("out");
    assert.equal(msg.payload.name, "Support");
  });

  it("sends a 404 with the server's detail to a Catch node and sets msg.statusCode", async () => {
    const f = await loadFlow(
      ["compass-config", "compass-api"],
      flow({ restUrl }, { path: "/queue/999999" }),
      alice,
    );
    f.node("api").receive({});
    const [caught] = await f.waitFor("caught");
    assert.equal(caught.statusCode, 404);
    assert.match(caught.error.message, /404/);
    assert.equal(caught.error.source.id, "api");
    assert.equal(f.statuses("api").at(-1).fill, "red");
  });

  for (const { status, method, path, body, user } of [
    { status: 400, method: "PATCH", path: "/dpSwitch/3001", body: { currentSetting: 99 }, user: "alice" },
    { status: 403, method: "PATCH", path: "/dpSwitch/3001", body: { currentSetting: 2 }, user: "dave" },
    { status: 405, method: "DELETE", path: "/company/8323166", body: undefined, user: "alice" },
  ]) {
    it(`sends a ${status} from the platform to a Catch node with the server's detail`, async () => {
      const f = await loadFlow(
        ["compass-config", "compass-api"],
        flow({ restUrl }, { method, path, bodyType: "payload" }),
        { cfg: { username: user, password: `compass-${user}` } },
      );
      f.node("api").receive({ payload: body });
      const [caught] = await f.waitFor("caught");
      assert.equal(caught.statusCode, status);
      assert.match(caught.error.message, new RegExp(`${status}.*: .+`));
      assert.equal(f.received("out").length, 0);
    });
  }

  it("reports a 500 from the platform with its detail", async () => {
    const f = await loadFlow(["compass-config", "compass-api"], flow({ restUrl }, {}), alice);
    sim.rest.failNext(500, { message: "database on fire" }, 2);
    f.node("api").receive({});
    const [caught] = await f.waitFor("caught");
    assert.equal(caught.statusCode, 500);
    assert.match(caught.error.message, /database on fire/);
  });

  it("a wrong password fails once, is not retried, and never shows the password", async () => {
    const counting = await recordingServer((_req, res) => {
      res.writeHead(401, { "www-authenticate": 'Basic realm="Compass"' });
      res.end();
    });
    try {
      const f = await loadFlow(["compass-config", "compass-api"], flow({ restUrl: counting.url }, {}), {
        cfg: { username: "alice", password: "hunter2-secret" },
      });
      f.node("api").receive({});
      const [caught] = await f.waitFor("caught");
      assert.equal(caught.statusCode, 401);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(counting.requests.length, 1, "a 401 is never retried");
      const everything = JSON.stringify(caught) + JSON.stringify(f.statuses("api"));
      assert.ok(!everything.includes("hunter2-secret"), "password must not leak");
      assert.ok(!everything.includes(Buffer.from("alice:hunter2-secret").toString("base64")));
    } finally {
      await unload();
      await counting.close();
    }
  });

  it("refuses an absolute URL on another origin before sending anything", async () => {
    const other = await recordingServer();
    try {
      const f = await loadFlow(
        ["compass-config", "compass-api"],
        flow({ restUrl }, { path: `${other.url}/company` }),
        alice,
      );
      f.node("api").receive({});
      const [caught] = await f.waitFor("caught");
      assert.match(caught.error.message, /origin/i);
      assert.equal(other.requests.length, 0, "the other origin got nothing");
    } finally {
      await unload();
      await other.close();
    }
  });

  it("refuses a redirect to another origin: the credentials never reach it", async () => {
    const other = await recordingServer();
    const redirecting = await recordingServer((_req, res) => {
      res.writeHead(303, { location: `${other.url}/user/1` });
      res.end();
    });
    try {
      const f = await loadFlow(
        ["compass-config", "compass-api"],
        flow({ restUrl: redirecting.url }, { path: "/user", followRedirects: false }),
        alice,
      );
      f.node("api").receive({});
      const [caught] = await f.waitFor("caught");
      assert.match(caught.error.message, /origin|redirect/i);
      assert.equal(redirecting.requests.length, 1);
      assert.ok(redirecting.requests[0]?.authorization, "the configured host did get the credentials");
      assert.equal(other.requests.length, 0, "the other origin got no request, so no Authorization header");
    } finally {
      await unload();
      await other.close();
      await redirecting.close();
    }
  });

  it("times out against a server that never answers", async () => {
    const silent = await recordingServer(() => {
      /* never answers */
    });
    try {
      const f = await loadFlow(
        ["compass-config", "compass-api"],
        flow({ restUrl: silent.url }, {}, { timeout: 0.5 }),
        alice,
      );
      f.node("api").receive({});
      const [caught] = await f.waitFor("caught", 1, 5000);
      assert.match(caught.error.message, /time/i);
    } finally {
      await unload();
      await silent.close();
    }
  });

  it("passes a non-JSON body through as text", async () => {
    const text = await recordingServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("plain words");
    });
    try {
      const f = await loadFlow(["compass-config", "compass-api"], flow({ restUrl: text.url }, {}), alice);
      f.node("api").receive({});
      const [msg] = await f.waitFor("out");
      assert.equal(msg.payload, "plain words");
      assert.equal(msg.statusCode, 200);
    } finally {
      await unload();
      await text.close();
    }
  });

  it("a config without credentials shows a red status and errors every message", async () => {
    const f = await loadFlow(["compass-config", "compass-api"], flow({ restUrl }, {}), {});
    f.node("api").receive({});
    const [caught] = await f.waitFor("caught");
    assert.match(caught.error.message, /username or password/);
  });

  it("refuses plain http to a non-loopback host at configuration time", async () => {
    const f = await loadFlow(
      ["compass-config", "compass-api"],
      flow({ restUrl: "http://example.com" }, {}),
      alice,
    );
    f.node("api").receive({});
    const [caught] = await f.waitFor("caught");
    assert.match(caught.error.message, /https|loopback/i);
  });
});
