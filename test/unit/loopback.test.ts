import assert from "node:assert/strict";
import { isLoopbackHost } from "../../src/compass/loopback";

// One check for both old callers: the REST base URL guard (URL.hostname, IPv6 in brackets) and the
// XMPP plaintext guard (a service address host, IPv6 bare, sometimes fully written out).
describe("isLoopbackHost", () => {
  it("accepts 127.0.0.0/8, ::1 in any spelling and localhost in any case", () => {
    for (const host of [
      "127.0.0.1",
      "127.1.2.3",
      "127.255.255.255",
      "localhost",
      "LOCALHOST",
      "::1",
      "[::1]",
      "0:0:0:0:0:0:0:1",
      "[0:0:0:0:0:0:0:1]",
      "::0001",
    ]) {
      assert.equal(isLoopbackHost(host), true, host);
    }
  });

  it("refuses every other host, including names that only start like a loopback one", () => {
    for (const host of [
      "10.0.0.1",
      "192.168.1.1",
      "0.0.0.0",
      "128.0.0.1",
      "example.com",
      "localhost.evil.com",
      "evil-localhost",
      "127.example.com",
      "127.0.0.1.example.com",
      "::2",
      "::",
      "[::2]",
      "::ffff:10.0.0.1",
      "",
    ]) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });
});
