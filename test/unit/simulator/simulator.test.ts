import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import https from "node:https";
import path from "node:path";
import { startSimulator } from "../../../src/simulator/index";
import { startRestServer } from "../../../src/simulator/rest/server";
import { CompanyState } from "../../../src/simulator/state/store";
import type { SimNotification } from "../../../src/simulator/state/types";
import { makeSelfSignedCertificate } from "../../support/http";
import { basic, V2, V3 } from "./rest-harness";

describe("simulator: startSimulator", () => {
  it("serves REST on loopback, lists the credentials, and REST actions reach the state's listeners", async () => {
    const sim = await startSimulator();
    try {
      assert.match(sim.rest.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual(
        sim.credentials.map((c) => [c.username, c.password]),
        [
          ["alice", "compass-alice"],
          ["bob", "compass-bob"],
          ["carol", "compass-carol"],
          ["dave", "compass-dave"],
          ["erin", "compass-erin"],
        ],
      );
      const seen: SimNotification[] = [];
      sim.state.on("notification", (n) => seen.push(n));
      const res = await fetch(`${sim.rest.url}/user/1005/loginQueue`, {
        method: "POST",
        headers: {
          Authorization: basic("erin", "compass-erin"),
          Accept: V3,
          "Content-Type": "application/json",
        },
        body: JSON.stringify({ queue: `${sim.rest.url}/queue/2002` }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(
        seen.map((n) => n.type),
        ["notification.queueMember.enter"],
      );
    } finally {
      await sim.close();
    }
    await assert.rejects(fetch(`${sim.rest.url}/user`), "closed means closed");
    await sim.close(); // twice is harmless
  });

  it("keeps a path that starts with // a path", async () => {
    const sim = await startSimulator();
    try {
      const res = await fetch(`${sim.rest.url}//user/1001`, {
        headers: { Authorization: basic("alice", "compass-alice") },
      });
      assert.equal(res.status, 200, "read as the path /user/1001, not as host 'user'");
      assert.equal(((await res.json()) as { self: string }).self, `${sim.rest.url}/user/1001`);
    } finally {
      await sim.close();
    }
  });
});

describe("simulator REST over HTTPS", () => {
  it("serves HTTPS with the given certificate and self URLs say https", async function () {
    this.timeout(10_000);
    const certificate = await makeSelfSignedCertificate();
    const server = await startRestServer(new CompanyState(), { tls: certificate });
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = https.request(
          `${server.url}/user/1001`,
          { ca: certificate.cert, headers: { Authorization: basic("alice", "compass-alice"), Accept: V2 } },
          (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => {
              body += c;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on("error", reject);
        req.end();
      });
      assert.equal(answer.status, 200);
      assert.equal(JSON.parse(answer.body).self, `${server.url}/user/1001`);
    } finally {
      await server.close();
    }
  });
});

describe("simulator: compass-simulator CLI", () => {
  const bin = path.resolve(__dirname, "../../../../bin/compass-simulator.js");
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  });

  function run(args: string[]) {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "";
    let err = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr?.on("data", (c: Buffer) => {
      err += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, exited, out: () => out, err: () => err };
  }

  async function waitFor(read: () => string, pattern: RegExp, ms = 5000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = read().match(pattern);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; got: ${read()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it("prints the URL, company and credentials, serves requests, and stops cleanly on SIGINT", async () => {
    // any free ports: the fixed defaults (8780/8722/8781) are tested in test/examples only
    const p = run(["--port", "0", "--xmpp-port", "0", "--ws-port", "0"]);
    const [, url] = await waitFor(p.out, /REST API:\s+(http:\/\/127\.0\.0\.1:\d+)/);
    assert.match(p.out(), /id 8323166/);
    assert.match(p.out(), /alice\s+compass-alice/);
    const res = await fetch(`${url}/company`, {
      headers: { Authorization: basic("bob", "compass-bob") },
      redirect: "manual",
    });
    assert.equal(res.status, 303);
    p.child.kill("SIGINT");
    assert.equal(await p.exited, 0);
    assert.match(p.out(), /stopped/);
  });

  it("stops cleanly on SIGTERM too", async () => {
    const p = run(["--port", "0", "--xmpp-port", "0", "--ws-port", "off"]);
    await waitFor(p.out, /Press Ctrl\+C/);
    p.child.kill("SIGTERM");
    assert.equal(await p.exited, 0);
  });

  it("refuses a non-loopback host without --public and says why", async () => {
    const p = run(["--host", "0.0.0.0"]);
    assert.equal(await p.exited, 2);
    assert.match(p.err(), /well-known passwords/);
    // a name that only starts like a loopback address can resolve anywhere
    const lookalike = run(["--host", "127.0.0.1.example.com"]);
    assert.equal(await lookalike.exited, 2);
    assert.match(lookalike.err(), /Refusing to listen on 127\.0\.0\.1\.example\.com/);
  });

  it("refuses a bad port and an unreadable seed", async () => {
    const port = run(["--port", "http"]);
    assert.equal(await port.exited, 2);
    assert.match(port.err(), /--port/);
    const seed = run(["--seed", "/nonexistent/seed.json"]);
    assert.equal(await seed.exited, 2);
    assert.match(seed.err(), /Cannot read the seed/);
  });
});
