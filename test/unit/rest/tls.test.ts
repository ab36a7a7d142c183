import assert from "node:assert/strict";
import {
  CompassNetworkError,
  CompassOriginError,
  RestClient,
  type RestClientOptions,
} from "../../../src/compass/rest";
import {
  makeSelfSignedCertificate,
  sendJson,
  startHttpServer,
  startHttpsServer,
  type TestCertificate,
  type TestServer,
} from "../../support/http";

const PASSWORD = "Tls-Only-Secret-42";

describe("rest client over https", () => {
  let certificate: TestCertificate;
  let secure: TestServer;
  let plain: TestServer | undefined;
  const clients: RestClient[] = [];
  const make = (extra: Partial<RestClientOptions> = {}) => {
    const client = new RestClient({
      baseUrl: secure.origin,
      username: "alice",
      password: PASSWORD,
      ...extra,
    });
    clients.push(client);
    return client;
  };

  before(async () => {
    certificate = await makeSelfSignedCertificate();
  });
  beforeEach(async () => {
    secure = await startHttpsServer(certificate, (_req, res) => sendJson(res, 200, { username: "alice" }));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await secure.close();
    await plain?.close();
    plain = undefined;
  });

  it("trusts the server when its CA is given in `ca`", async () => {
    const response = await make({ ca: certificate.cert }).request({ path: "/user/1" });
    assert.deepEqual(response.body, { username: "alice" });
    assert.equal(response.version, 3);
    assert.equal(secure.requests.length, 1);
    // A Buffer works as well as a string.
    await make({ ca: Buffer.from(certificate.cert) }).request({ path: "/user/1" });
  });

  it("rejects an untrusted certificate and sends no request", async () => {
    let error: unknown;
    try {
      await make().request({ path: "/user/1" });
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof CompassNetworkError, String(error));
    assert.match(error.message, /certificate was rejected/);
    assert.match(error.causeCode ?? "", /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    assert.ok(!JSON.stringify(error).includes(PASSWORD) && !(error.stack ?? "").includes(PASSWORD));
    assert.equal(secure.requests.length, 0, "no HTTP request may pass an untrusted TLS handshake");
  });

  it("rejects a certificate trusted for a different key", async () => {
    const stranger = await makeSelfSignedCertificate();
    await assert.rejects(make({ ca: stranger.cert }).request({ path: "/user/1" }), CompassNetworkError);
    assert.equal(secure.requests.length, 0);
  });

  it("refuses a redirect from https to http and never sends the credentials there", async () => {
    plain = await startHttpServer((_req, res) => sendJson(res, 200, { stolen: true }));
    const downgrade = `http://127.0.0.1:${plain.port}/user/100`;
    secure.handler = (_req, res) => {
      res.writeHead(303, { location: downgrade });
      res.end();
    };
    await assert.rejects(make({ ca: certificate.cert }).getOwnUser(), CompassOriginError);
    assert.equal(secure.requests.length, 1);
    assert.equal(plain.requests.length, 0);
  });
});
