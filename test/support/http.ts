// Small real HTTP/HTTPS servers on 127.0.0.1 for tests: each records every request it receives
// (method, path, headers, body) and answers through a handler the test can swap at any time.

import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type TestHandler = (req: RecordedRequest, res: http.ServerResponse) => void;

export interface TestServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  port: number;
  requests: RecordedRequest[];
  /** TCP connections accepted so far (shows whether keep-alive reuses sockets). */
  connections: number;
  handler: TestHandler;
  close(): Promise<void>;
}

export interface TestCertificate {
  key: string;
  cert: string;
}

/** Answers with a JSON body and the given Content-Type (default: the v3 media type). */
export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  contentType = "application/vnd.iperity.compass.v3+json",
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function startHttpServer(handler: TestHandler = notFound): Promise<TestServer> {
  return listen(http.createServer(), handler, "http");
}

export function startHttpsServer(
  certificate: TestCertificate,
  handler: TestHandler = notFound,
): Promise<TestServer> {
  return listen(https.createServer({ key: certificate.key, cert: certificate.cert }), handler, "https");
}

/** A self-signed certificate for 127.0.0.1 and localhost (EC P-256: ~30 ms to make). */
export async function makeSelfSignedCertificate(): Promise<TestCertificate> {
  const result = await generate([{ name: "commonName", value: "127.0.0.1" }], {
    keyType: "ec",
    curve: "P-256",
    extensions: [
      { name: "basicConstraints", cA: false },
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 2, value: "localhost" },
        ],
      },
    ],
  });
  return { key: result.private, cert: result.cert };
}

function notFound(_req: RecordedRequest, res: http.ServerResponse): void {
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("not found");
}

function listen(
  server: http.Server | https.Server,
  handler: TestHandler,
  scheme: string,
): Promise<TestServer> {
  return new Promise((resolve, reject) => {
    const state: TestServer = {
      origin: "",
      port: 0,
      requests: [],
      connections: 0,
      handler,
      close: () =>
        new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
    };
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const recorded: RecordedRequest = {
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        state.requests.push(recorded);
        try {
          state.handler(recorded, res);
        } catch (error) {
          res.writeHead(500);
          res.end(String(error));
        }
      });
    });
    server.on("connection", () => {
      state.connections += 1;
    });
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      state.port = port;
      state.origin = `${scheme}://127.0.0.1:${port}`;
      resolve(state);
    });
  });
}
