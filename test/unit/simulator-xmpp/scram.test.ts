import assert from "node:assert/strict";
import { ScramError, ScramServerExchange } from "../../../src/simulator/xmpp/scram";

describe("simulator SCRAM-SHA-1 server", () => {
  // RFC 5802 section 5: the published example exchange
  const rfc = () =>
    new ScramServerExchange(4096, {
      salt: Buffer.from("QSXCR+Q6sek8bf92", "base64"),
      serverNonce: "3rfcNHYJY1ZVvWVs7j",
    });
  const clientFirst = "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL";
  const clientFinal = "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";

  it("reproduces RFC 5802's example exchange", () => {
    const exchange = rfc();
    assert.equal(
      exchange.start(clientFirst),
      "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    );
    assert.equal(exchange.username, "user");
    assert.equal(exchange.finish(clientFinal, "pencil"), "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=");
  });

  it("rejects a wrong password, an unknown user and a replayed nonce alike", () => {
    const wrong = rfc();
    wrong.start(clientFirst);
    assert.throws(
      () => wrong.finish(clientFinal, "pencils"),
      (e: unknown) => e instanceof ScramError && e.condition === "not-authorized",
    );
    const unknown = rfc();
    unknown.start(clientFirst);
    assert.throws(() => unknown.finish(clientFinal, undefined), /wrong username or password/);
    const other = new ScramServerExchange(4096);
    other.start(clientFirst);
    assert.throws(() => other.finish(clientFinal, "pencil"), /nonce mismatch/);
  });

  it("refuses channel binding, authzid and malformed messages", () => {
    assert.throws(() => rfc().start("p=tls-unique,,n=user,r=abc"), /channel binding/);
    assert.throws(
      () => rfc().start("n,a=admin,n=user,r=abc"),
      (e: unknown) => e instanceof ScramError && e.condition === "invalid-authzid",
    );
    assert.throws(() => rfc().start("n,,garbage"), /bad SCRAM attribute/);
    assert.throws(() => rfc().start("n,,n=us=er,r=abc"), /encoding/);
    const exchange = rfc();
    exchange.start(clientFirst);
    assert.throws(() => exchange.finish("c=biws,r=x", "pencil"), /proof missing/);
  });
});
