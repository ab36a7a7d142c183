// compass-simulator's addresses: the fixed defaults the examples point at are printed in its help,
// and a port that is taken gets a message naming the flag that picks another one. (The defaults
// themselves are listened on in examples.test.ts and the package test; here every port is free.)

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { DEFAULT_PORTS } from "../../src/simulator/cli";

const BIN = path.resolve(__dirname, "..", "..", "..", "bin", "compass-simulator.js");

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}

describe("compass-simulator's addresses", () => {
  it("names the examples' fixed default ports in its help", async () => {
    const { code, out } = await run(["--help"]);
    assert.equal(code, 0);
    assert.match(out, new RegExp(`--port\\s+REST port \\(default ${DEFAULT_PORTS.rest}`));
    assert.match(out, new RegExp(`--xmpp-port\\s+XMPP \\(TCP\\) port \\(default ${DEFAULT_PORTS.xmpp}`));
    assert.match(out, new RegExp(`--ws-port\\s+.*default ${DEFAULT_PORTS.websocket}`));
  });

  for (const flag of ["--port", "--xmpp-port", "--ws-port"]) {
    it(`says which flag to use when the ${flag} port is taken, and exits`, async () => {
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
      const taken = (blocker.address() as net.AddressInfo).port;
      try {
        const ports: Record<string, string> = { "--port": "0", "--xmpp-port": "0", "--ws-port": "0" };
        ports[flag] = String(taken);
        const { code, err } = await run(Object.entries(ports).flat());
        assert.equal(code, 3);
        assert.match(err, new RegExp(`Port ${taken} is already in use`));
        assert.match(err, new RegExp(`pick a free port with ${flag} N`));
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    });
  }
});
