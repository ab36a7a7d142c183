import assert from "node:assert/strict";
import { negotiateVersion } from "../../../src/simulator/rest/negotiation";
import { type Harness, startHarness, V1, V2, V3 } from "./rest-harness";

describe("simulator REST: version negotiation (pure)", () => {
  const all = [1, 2, 3];
  it("picks the vendor version asked for", () => {
    assert.equal(negotiateVersion(V1, all), 1);
    assert.equal(negotiateVersion(V2, all), 2);
    assert.equal(negotiateVersion(`${V2}, ${V3}`, all), 3, "equal q: the newer wins");
  });
  it("honours q-values, including the manual's example", () => {
    assert.equal(negotiateVersion(`${V1}; q=0.9, ${V2}; q=1.0`, all), 2);
    assert.equal(negotiateVersion(`${V3};q=0.5, ${V2};q=0.8`, all), 2);
    assert.equal(negotiateVersion(`${V3};q=0, */*`, all), 2, "q=0 excludes v3 even under a wildcard");
  });
  it("reads generic JSON, wildcards and a missing header as the newest version", () => {
    assert.equal(negotiateVersion("application/json", all), 3);
    assert.equal(negotiateVersion("*/*", all), 3);
    assert.equal(negotiateVersion("application/*", [1, 2]), 2);
    assert.equal(negotiateVersion(undefined, all), 3);
  });
  it("finds nothing acceptable for unknown versions and other types", () => {
    assert.equal(negotiateVersion("application/vnd.iperity.compass.v9+json", all), undefined);
    assert.equal(negotiateVersion("text/html", all), undefined);
    assert.equal(negotiateVersion(V3, [2]), undefined);
    assert.equal(negotiateVersion(`${V2};q=0`, all), undefined);
  });
});

describe("simulator REST: protocol", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("answers 401 with WWW-Authenticate when credentials are missing", async () => {
    const res = await h.call("/user/1001", { as: null });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), 'Basic realm="Compass"');
    assert.equal((res.body as { status: number }).status, 401);
  });

  it("answers 401 for a wrong password, an unknown user and a malformed header, without echoing secrets", async () => {
    const wrong = await h.call("/user/1001", { password: "guess-123" });
    assert.equal(wrong.status, 401);
    assert.ok(!wrong.text.includes("guess-123"));
    assert.equal((await h.call("/user/1001", { as: "mallory" })).status, 401);
    const malformed = await h.call("/user/1001", { as: null, headers: { Authorization: "Basic !!!" } });
    assert.equal(malformed.status, 401);
    const bearer = await h.call("/user/1001", { as: null, headers: { Authorization: "Bearer abc" } });
    assert.equal(bearer.status, 401);
  });

  it("serves the negotiated version and says so in Content-Type", async () => {
    for (const [accept, type] of [
      [V1, V1],
      [V2, V2],
      [`${V1};q=0.9, ${V2};q=1.0`, V2],
      ["application/json", V3],
      ["*/*", V3],
    ] as const) {
      const res = await h.call("/user/1001", { accept });
      assert.equal(res.status, 200, accept);
      assert.equal(res.headers.get("content-type"), type, accept);
    }
  });

  it("answers 406 listing the supported versions when nothing acceptable is offered", async () => {
    const res = await h.call("/user/1001", { accept: "application/vnd.iperity.compass.v7+json" });
    assert.equal(res.status, 406);
    assert.deepEqual((res.body as { supported: string[] }).supported, [V1, V2, V3]);
  });

  it("a server speaking only v2 refuses v3 and serves v2 from a list", async () => {
    const only2 = await startHarness({ versions: [2] });
    try {
      assert.equal((await only2.call("/user/1001", { accept: V3 })).status, 406);
      const res = await only2.call("/user/1001", { accept: `${V3}, ${V2};q=0.5` });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), V2);
    } finally {
      await only2.close();
    }
  });

  it("bootstraps /user and /company with 303 to an absolute Location", async () => {
    const user = await h.call("/user", { as: "bob" });
    assert.equal(user.status, 303);
    assert.equal(user.headers.get("location"), `${h.base}/user/1002`);
    const company = await h.call("/company", { as: "bob" });
    assert.equal(company.status, 303);
    assert.equal(company.headers.get("location"), `${h.base}/company/8323166`);
  });

  it("follows the bootstrap internally with X-No-Redirect: true", async () => {
    const user = await h.call("/user", { as: "bob", headers: { "X-No-Redirect": "true" } });
    assert.equal(user.status, 200);
    assert.equal((user.body as { self: string }).self, `${h.base}/user/1002`);
    assert.equal((user.body as { username: string }).username, "bob");
    const company = await h.call("/company/", { headers: { "X-No-Redirect": "true" } });
    assert.equal(company.status, 200);
    assert.equal((company.body as { name: string }).name, "Simulated Company BV");
  });

  it("turns a POST with X-HTTP-Method-Override (or X-HTTP-Header-Override) into a PATCH", async () => {
    const a = await h.call("/dpSwitch/3001", {
      body: { currentSetting: 2 },
      headers: { "X-HTTP-Method-Override": "PATCH" },
    });
    assert.equal(a.status, 200);
    assert.equal(h.state.dpSwitch("3001")?.currentSetting, 2);
    const b = await h.call("/dpSwitch/3001", {
      body: { currentSetting: 3 },
      headers: { "X-HTTP-Header-Override": "patch" },
    });
    assert.equal(b.status, 200);
    assert.equal(h.state.dpSwitch("3001")?.currentSetting, 3);
    const bad = await h.call("/dpSwitch/3001", { body: {}, headers: { "X-HTTP-Method-Override": "PUT" } });
    assert.equal(bad.status, 400);
    const plain = await h.call("/dpSwitch/3001", { body: { currentSetting: 1 } });
    assert.equal(plain.status, 405, "without the override a POST stays a POST");
    assert.equal(h.state.dpSwitch("3001")?.currentSetting, 3);
  });

  it("answers 404 for unknown paths and 405 with Allow for wrong methods", async () => {
    const missing = await h.call("/nothing/here");
    assert.equal(missing.status, 404);
    assert.match((missing.body as { detail: string }).detail, /nothing\/here/);
    const wrong = await h.call("/user/1001", { method: "PUT" });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "GET, PATCH, DELETE");
    const post = await h.call("/dpSwitch/3001", { body: {} });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, PATCH");
  });

  it("answers 400 with detail for malformed JSON and 413 for an oversized body", async () => {
    const bad = await h.call("/user/1001/loginQueue", {
      rawBody: "{queue:",
      headers: { "Content-Type": "application/json" },
    });
    assert.equal(bad.status, 400);
    assert.match((bad.body as { detail: string }).detail, /not valid JSON/);
    const big = await h.call("/user/1001/loginQueue", { rawBody: `"${"x".repeat(1024 * 1024 + 10)}"` });
    assert.equal(big.status, 413);
  });

  it("failNext answers the chosen status once, then serves normally", async () => {
    h.server.failNext(503, { detail: "maintenance" });
    const failed = await h.call("/user/1001");
    assert.equal(failed.status, 503);
    assert.deepEqual(failed.body, { detail: "maintenance" });
    assert.equal((await h.call("/user/1001")).status, 200);
    h.server.failNext(500, undefined, 2);
    assert.equal((await h.call("/user/1001")).status, 500);
    assert.equal((await h.call("/user/1001")).status, 500);
    assert.equal((await h.call("/user/1001")).status, 200);
  });

  it("answers CORS preflights and exposes Location to browsers", async () => {
    const pre = await fetch(`${h.base}/user`, {
      method: "OPTIONS",
      headers: { Origin: "http://127.0.0.1:1880", "Access-Control-Request-Method": "GET" },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), "http://127.0.0.1:1880");
    const res = await h.call("/user", { headers: { Origin: "http://127.0.0.1:1880" } });
    assert.match(res.headers.get("access-control-expose-headers") ?? "", /Location/);
  });
});

describe("simulator REST: failed-login lockout", () => {
  let now = 1_700_000_000_000;
  let h: Harness;
  beforeEach(async () => {
    now = 1_700_000_000_000;
    h = await startHarness({ lockout: { lockMs: 60_000 }, now: () => now });
  });
  afterEach(async () => {
    await h.close();
  });

  it("keeps serving after 19 failures, locks the address after the 20th, and lifts the lock after lockMs", async () => {
    for (let i = 0; i < 19; i++)
      assert.equal((await h.call("/user/1001", { password: "wrong" })).status, 401);
    assert.equal((await h.call("/user/1001")).status, 200, "19 failures do not lock");
    assert.equal((await h.call("/user/1001", { password: "wrong" })).status, 401);
    const locked = await h.call("/user/1001");
    assert.equal(locked.status, 403, "the right password is refused while locked");
    assert.equal(locked.headers.get("retry-after"), "60");
    now += 59_000;
    assert.equal((await h.call("/user/1001", { as: "bob" })).status, 403);
    now += 1_000;
    assert.equal((await h.call("/user/1001")).status, 200);
  });

  it("a missing Authorization header is not a failed login", async () => {
    for (let i = 0; i < 25; i++) assert.equal((await h.call("/user/1001", { as: null })).status, 401);
    assert.equal((await h.call("/user/1001")).status, 200);
  });

  it("forgets failures older than the window", async () => {
    const windowed = await startHarness({ lockout: { windowMs: 1_000 }, now: () => now });
    try {
      for (let i = 0; i < 19; i++) await windowed.call("/user/1001", { password: "wrong" });
      now += 1_000;
      await windowed.call("/user/1001", { password: "wrong" });
      assert.equal((await windowed.call("/user/1001")).status, 200);
    } finally {
      await windowed.close();
    }
  });
});
