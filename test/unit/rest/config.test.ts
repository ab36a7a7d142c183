import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  acceptHeader,
  CompassConfigError,
  CompassOriginError,
  isCompassRestError,
  RestClient,
  versionFromContentType,
} from "../../../src/compass/rest";

const PASSWORD = "Hunter2-very-secret";

function client(
  baseUrl: string,
  extra: Partial<ConstructorParameters<typeof RestClient>[0]> = {},
): RestClient {
  return new RestClient({ baseUrl, username: "alice", password: PASSWORD, ...extra });
}

describe("rest client configuration", () => {
  const opened: RestClient[] = [];
  const make = (baseUrl: string, extra = {}) => {
    const c = client(baseUrl, extra);
    opened.push(c);
    return c;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
  });

  it("accepts https anywhere and http only on loopback", () => {
    make("https://rest.apollo.compass-stack.com");
    make("http://127.0.0.1:8080");
    make("http://127.9.8.7:8080");
    make("http://localhost:8080");
    make("http://[::1]:8080");
    for (const bad of [
      "http://rest.apollo.compass-stack.com",
      "http://10.0.0.1:8080",
      "http://128.0.0.1",
      "http://localhost.evil.com",
    ]) {
      assert.throws(
        () => client(bad),
        (error: unknown) => error instanceof CompassConfigError && /must use https/.test(error.message),
        bad,
      );
    }
  });

  it("rejects missing or malformed options with CompassConfigError", () => {
    const cases: unknown[] = [
      { baseUrl: "", username: "a", password: "b" },
      { baseUrl: "not a url", username: "a", password: "b" },
      { baseUrl: "ftp://127.0.0.1", username: "a", password: "b" },
      { baseUrl: "https://x.example", username: "", password: "b" },
      { baseUrl: "https://x.example", username: "a", password: "" },
      { baseUrl: "https://x.example", username: "a:b", password: "c" },
      { baseUrl: "https://x.example", username: "a", password: "b", versions: [] },
      { baseUrl: "https://x.example", username: "a", password: "b", versions: [3, 3] },
      { baseUrl: "https://x.example", username: "a", password: "b", versions: [2.5] },
      { baseUrl: "https://x.example", username: "a", password: "b", timeoutMs: 0 },
      { baseUrl: "https://x.example?x=1", username: "a", password: "b" },
      null,
    ];
    for (const options of cases) {
      assert.throws(
        () => new RestClient(options as never),
        (error: unknown) => error instanceof CompassConfigError && isCompassRestError(error),
        JSON.stringify(options),
      );
    }
  });

  it("refuses a baseUrl with embedded credentials without echoing them", () => {
    assert.throws(
      () => client(`https://alice:${PASSWORD}@rest.example.com`),
      (error: unknown) =>
        error instanceof CompassConfigError &&
        !error.message.includes(PASSWORD) &&
        !JSON.stringify(error).includes(PASSWORD),
    );
  });

  it("never shows the password through JSON, inspect, toString or its keys", () => {
    const c = make("https://rest.example.com");
    const token = Buffer.from(`alice:${PASSWORD}`).toString("base64");
    for (const text of [JSON.stringify(c), inspect(c, { depth: 10, showHidden: true }), String(c)]) {
      assert.ok(!text.includes(PASSWORD), text);
      assert.ok(!text.includes(token), text);
    }
    assert.ok(!Object.values(c).some((value) => String(value).includes(PASSWORD)));
    assert.deepEqual(JSON.parse(JSON.stringify(c)), {
      baseUrl: "https://rest.example.com",
      username: "alice",
      versions: [3, 2],
      timeoutMs: 15000,
    });
  });

  it("builds the Accept header with falling q-values", () => {
    assert.equal(
      make("https://r.example").accept,
      "application/vnd.iperity.compass.v3+json; q=1.0, application/vnd.iperity.compass.v2+json; q=0.9",
    );
    assert.equal(acceptHeader([2]), "application/vnd.iperity.compass.v2+json; q=1.0");
    assert.equal(
      acceptHeader([3, 2, 1]),
      "application/vnd.iperity.compass.v3+json; q=1.0, application/vnd.iperity.compass.v2+json; q=0.9, " +
        "application/vnd.iperity.compass.v1+json; q=0.8",
    );
  });

  it("reads the served version from a Content-Type", () => {
    assert.equal(versionFromContentType("application/vnd.iperity.compass.v2+json"), 2);
    assert.equal(versionFromContentType("application/vnd.iperity.compass.v3+json; charset=utf-8"), 3);
    assert.equal(versionFromContentType("application/json"), undefined);
    assert.equal(versionFromContentType(undefined), undefined);
  });

  it("urlFor builds absolute resource URLs under the base", () => {
    assert.equal(
      make("https://rest.example.com/").urlFor("queue", 2003),
      "https://rest.example.com/queue/2003",
    );
    assert.equal(
      make("http://127.0.0.1:9000/api").urlFor("user", "a b"),
      "http://127.0.0.1:9000/api/user/a%20b",
    );
    assert.throws(() => make("https://rest.example.com").urlFor("../x", 1), CompassConfigError);
    assert.throws(() => make("https://rest.example.com").urlFor("queue", ""), CompassConfigError);
  });

  it("resolve keeps paths and self URLs on the origin and refuses others", () => {
    const c = make("https://rest.example.com");
    assert.equal(c.resolve("/user/17"), "https://rest.example.com/user/17");
    assert.equal(c.resolve("user/17?x=1"), "https://rest.example.com/user/17?x=1");
    assert.equal(c.resolve("https://rest.example.com/queue/2003"), "https://rest.example.com/queue/2003");
    assert.equal(c.resolve("https://REST.example.com:443/queue/1"), "https://rest.example.com/queue/1");
    assert.equal(c.resolve("/a/../../x"), "https://rest.example.com/x");
  });
});

describe("rest client resolve refusals", () => {
  it("refuses other hosts, ports, schemes and embedded credentials", async () => {
    const c = client("https://rest.example.com");
    try {
      for (const other of [
        "https://evil.example/queue/1",
        "https://rest.example.com:8443/queue/1",
        "http://rest.example.com/queue/1",
        "//evil.example/x",
        "https://u:p@rest.example.com/queue/1",
      ]) {
        assert.throws(() => c.resolve(other), CompassOriginError, other);
      }
    } finally {
      await c.close();
    }
  });
});
