// The simulated platform's REST API on node:http (or https). Order of checks per request, as the
// platform does it: lockout, Basic auth (401 with WWW-Authenticate), version negotiation (406),
// body (413/400), route (404/405), rights (403), then the action.
//
// Not simulated: the manual's HTTP -> HTTPS 308 redirect. On loopback plain HTTP is the point
// (pass `tls` to serve HTTPS instead).

import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { SimErrorKind } from "../state/errors";
import { SimError } from "../state/errors";
import type { CompanyState } from "../state/store";
import type { SimUser } from "../state/types";
import { checkBasicAuth } from "./basic-auth";
import { type LockoutOptions, LoginGuard } from "./login-guard";
import { mediaTypeFor, negotiateVersion } from "./negotiation";
import { type Context, type Method, matchRoute, type Reply } from "./routes";
import { Urls, Views } from "./views";

export interface RestServerOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** default 0 (any free port) */
  port?: number;
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** API versions this server speaks; default [1, 2, 3] */
  versions?: number[];
  lockout?: LockoutOptions;
  /** a lockout shared with another host of the same platform (the reports host); default its own */
  guard?: LoginGuard;
  /** largest accepted request body; default 1 MiB */
  maxBodyBytes?: number;
  /** the base of every `self` URL; default the address the server listens on */
  publicUrl?: string;
  now?: () => number;
}

export interface RestServer {
  url: string;
  port: number;
  /**
   * Test control, not part of the product API: the next `times` requests (default 1) are answered
   * with `status` and `body` before anything else is checked, e.g. to prove a client's 5xx path.
   */
  failNext(status: number, body?: unknown, times?: number): void;
  close(): Promise<void>;
}

const STATUS_OF: Record<SimErrorKind, number> = {
  "not-found": 404,
  // The platform documents no 409; it answers a request that clashes with the state with 400.
  conflict: 400,
  validation: 400,
  forbidden: 403,
};

const OVERRIDE_HEADERS = ["x-http-method-override", "x-http-header-override"];

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export async function startRestServer(
  state: CompanyState,
  options: RestServerOptions = {},
): Promise<RestServer> {
  const host = options.host ?? "127.0.0.1";
  const versions = [...(options.versions ?? [1, 2, 3])].sort((a, b) => a - b);
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const guard = options.guard ?? new LoginGuard(options.lockout, options.now);
  const failures: { status: number; body: unknown }[] = [];
  let urls = new Urls("http://127.0.0.1");

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent)
        send(res, 500, { status: 500, error: "Internal Server Error" }, "application/json");
      else res.destroy();
    });
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let contentType = "application/json";
    try {
      const injected = failures.shift();
      if (injected) {
        send(res, injected.status, injected.body, contentType);
        return;
      }
      cors(req, res);
      if (req.method === "OPTIONS") {
        res.writeHead(204, { "Content-Length": "0" }).end();
        return;
      }
      const caller = authenticate(req);
      const version = negotiateVersion(header(req, "accept"), versions);
      if (version === undefined) {
        throw new HttpProblem(
          406,
          "none of the accepted media types is served",
          {},
          {
            supported: versions.map(mediaTypeFor),
          },
        );
      }
      contentType = mediaTypeFor(version);
      const raw = await readBody(req);
      const method = effectiveMethod(req);
      // concatenated, not resolved: a path like "//x" must stay a path, not become a host
      const url = new URL(`${urls.base}${req.url?.startsWith("/") ? req.url : "/"}`);
      const match = matchRoute(url.pathname);
      if (!match || (match.route.versions && !match.route.versions.includes(version))) {
        throw new HttpProblem(
          404,
          match ? `${url.pathname} is not available in API v${version}` : `no resource at ${url.pathname}`,
        );
      }
      const handlerFor = match.route.methods[method as Method];
      if (!handlerFor) {
        throw new HttpProblem(405, `${method} is not allowed on ${url.pathname}`, {
          Allow: Object.keys(match.route.methods).join(", "),
        });
      }
      const ctx: Context = {
        state,
        caller,
        version,
        urls,
        views: new Views(state, urls, version),
        params: match.params,
        query: url.searchParams,
        headers: req.headers,
        body: parseJson(raw),
      };
      reply(res, handlerFor(ctx), contentType);
    } catch (err) {
      if (err instanceof HttpProblem) {
        send(res, err.status, problem(err.status, err.detail, err.extra), contentType, err.headers);
      } else if (err instanceof SimError) {
        const status = STATUS_OF[err.kind];
        send(res, status, problem(status, err.message, { code: err.kind }), contentType);
      } else {
        // never echo internals: the detail could carry request data
        send(res, 500, problem(500, "the simulator failed to handle the request"), contentType);
      }
    }
  }

  function authenticate(req: http.IncomingMessage): SimUser {
    const answer = checkBasicAuth(state, guard, req);
    if ("user" in answer) return answer.user;
    throw new HttpProblem(answer.status, answer.detail, answer.headers);
  }

  function readBody(req: http.IncomingMessage): Promise<Buffer> {
    const declared = Number(header(req, "content-length") ?? "0");
    if (declared > maxBody) return Promise.reject(tooLarge());
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      req.on("data", (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > maxBody) {
          done = true;
          reject(tooLarge());
          return;
        }
        chunks.push(chunk);
      });
      req.on("end", () => {
        if (!done) resolve(Buffer.concat(chunks));
      });
      req.on("error", (e) => {
        if (!done) reject(e);
        done = true;
      });
    });
  }

  function tooLarge(): HttpProblem {
    return new HttpProblem(413, `request bodies are limited to ${maxBody} bytes`, { Connection: "close" });
  }

  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const selfHost =
    host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  urls = new Urls(
    (options.publicUrl ?? `${options.tls ? "https" : "http"}://${selfHost}:${port}`).replace(/\/+$/, ""),
  );

  return {
    url: urls.base,
    port,
    failNext(status: number, body?: unknown, times = 1) {
      for (let i = 0; i < times; i++) failures.push({ status, body });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

/** POST + X-HTTP-Method-Override (or the manual's X-HTTP-Header-Override) becomes PATCH or DELETE. */
function effectiveMethod(req: http.IncomingMessage): string {
  const method = (req.method ?? "GET").toUpperCase();
  if (method !== "POST") return method;
  for (const name of OVERRIDE_HEADERS) {
    const value = header(req, name)?.trim().toUpperCase();
    if (value === undefined || value === "") continue;
    if (value !== "PATCH" && value !== "DELETE") {
      throw new HttpProblem(400, `${name} may only turn a POST into PATCH or DELETE`);
    }
    return value;
  }
  return method;
}

function parseJson(raw: Buffer): unknown {
  const text = raw.toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpProblem(400, `the request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** The manual says the platform follows CORS; a browser flow needs Location and Content-Type visible. */
function cors(req: http.IncomingMessage, res: http.ServerResponse): void {
  const origin = header(req, "origin");
  if (!origin) return;
  res.setHeader("Access-Control-Allow-Origin", origin);
  res.setHeader("Access-Control-Allow-Credentials", "true");
  res.setHeader("Access-Control-Expose-Headers", "Content-Type, Location");
  res.setHeader("Vary", "Origin");
  if (req.method === "OPTIONS") {
    res.setHeader("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE");
    res.setHeader(
      "Access-Control-Allow-Headers",
      "Authorization, Accept, Content-Type, X-No-Redirect, X-HTTP-Method-Override, X-HTTP-Header-Override",
    );
  }
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  413: "Payload Too Large",
  500: "Internal Server Error",
};

function problem(status: number, detail: string, extra: Record<string, unknown> = {}) {
  return { status, error: REASONS[status] ?? http.STATUS_CODES[status] ?? "Error", detail, ...extra };
}

function reply(res: http.ServerResponse, r: Reply, contentType: string): void {
  send(res, r.status, r.body, contentType, r.headers);
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  if (body === undefined) {
    res.writeHead(status, { ...headers, "Content-Length": "0" }).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      ...headers,
      "Content-Type": contentType,
      "Content-Length": String(Buffer.byteLength(text)),
    })
    .end(text);
}
