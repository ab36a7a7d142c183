import assert from "node:assert/strict";
import { Backoff, parseService } from "../../../src/compass/xmpp";
import { classifyLoginError, LoginRefusedError } from "../../../src/compass/xmpp/errors";

describe("session parts", () => {
  describe("Backoff", () => {
    it("grows by the factor up to the maximum, and starts over after reset()", () => {
      const b = new Backoff({ initialMs: 1000, maxMs: 60_000, factor: 2, jitter: 0 });
      assert.deepEqual(
        Array.from({ length: 8 }, () => b.next()),
        [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000],
      );
      b.reset();
      assert.equal(b.next(), 1000);
    });

    it("spreads each delay by the jitter, never beyond the maximum", () => {
      const low = new Backoff({ initialMs: 1000, maxMs: 60_000, factor: 2, jitter: 0.3 }, () => 0);
      const high = new Backoff({ initialMs: 1000, maxMs: 60_000, factor: 2, jitter: 0.3 }, () => 0.999999);
      assert.equal(low.next(), 700);
      assert.equal(high.next(), 1300);
      for (let i = 0; i < 20; i++) assert.ok(high.next() <= 60_000);
    });

    it("refuses nonsense settings", () => {
      assert.throws(() => new Backoff({ initialMs: -1 }), RangeError);
      assert.throws(() => new Backoff({ initialMs: 10, maxMs: 5 }), RangeError);
      assert.throws(() => new Backoff({ jitter: 2 }), RangeError);
      assert.throws(() => new Backoff({ factor: 0.5 }), RangeError);
    });
  });

  describe("service URLs", () => {
    it("knows TCP, WebSocket and secure WebSocket", () => {
      assert.deepEqual(parseService("xmpp://uc.example.com:5222"), {
        kind: "tcp",
        host: "uc.example.com",
        tlsFromStart: false,
      });
      assert.deepEqual(parseService("wss://bosh.example.com/ws"), {
        kind: "websocket",
        host: "bosh.example.com",
        tlsFromStart: true,
      });
      assert.deepEqual(parseService("ws://[::1]:5280/ws"), {
        kind: "websocket",
        host: "::1",
        tlsFromStart: false,
      });
      assert.throws(() => parseService("https://example.com"), TypeError);
      assert.throws(() => parseService("not a url"), TypeError);
    });
  });

  describe("login errors", () => {
    it("treats refused credentials as final and passing problems as retryable", () => {
      const sasl = (condition: string) =>
        Object.assign(new Error(condition), { name: "SASLError", condition });
      assert.ok(classifyLoginError(sasl("not-authorized")) instanceof LoginRefusedError);
      assert.ok(classifyLoginError(sasl("account-disabled")) instanceof LoginRefusedError);
      assert.ok(!(classifyLoginError(sasl("temporary-auth-failure")) instanceof LoginRefusedError));
      const refused = new Error("connect ECONNREFUSED");
      assert.equal(classifyLoginError(refused), refused);
    });
  });
});
