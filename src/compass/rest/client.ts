// The Compass REST client (manual: "Compass REST Interface"; docs/platform-notes.md "REST").
// One keep-alive agent of Node's own http/https per client, bound to the configured origin: every
// request carries Basic auth, so nothing ever leaves that origin (paths, absolute URLs and redirects
// are all checked first). Node's client rather than undici: loading undici cost each Node-RED
// process 2.4 MB of heap (measured in the e2e bench's child), for a dozen requests a minute.

import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { rootCertificates } from "node:tls";
import { inspect } from "node:util";
import { guardedTimeout } from "../guard";
import { errorText } from "../text";
import {
  CompassConfigError,
  CompassNetworkError,
  CompassRestError,
  CompassTimeoutError,
  errorForStatus,
  pathOf,
  redact,
} from "./errors";
import { assertSameOrigin, basePathOf, parseBaseUrl, resolveOnOrigin } from "./origin";
import { acceptHeader, validateVersions, versionFromContentType } from "./versions";

export interface RestClientOptions {
  /** e.g. https://rest.apollo.compass-stack.com, or http://127.0.0.1:PORT for a local simulator. */
  baseUrl: string;
  username: string;
  password: string;
  /** API versions in order of preference; default [3, 2]. */
  versions?: number[];
  /** Whole-request deadline (including redirects and the one retry); default 15000. */
  timeoutMs?: number;
  /** Extra trusted CA (PEM) for tests and private deployments; the public roots stay trusted. */
  ca?: string | Buffer;
  /** Send PATCH and DELETE as POST with X-HTTP-Method-Override (for proxies that drop PATCH). */
  useMethodOverride?: boolean;
  /** Retry an idempotent GET once on 502/503 or a reset connection; default true. Never on 401. */
  retry?: boolean;
}

export type RestMethod = "GET" | "POST" | "PATCH" | "DELETE" | "PUT" | "HEAD";

export type QueryValue = string | number | boolean | null | undefined;

export interface RestRequest {
  method?: RestMethod | Lowercase<RestMethod>;
  /** Relative to baseUrl, e.g. "/user/17" or "company/4/queues". */
  path?: string;
  /** Absolute URL (e.g. an object's `self`); must be on the baseUrl origin. */
  url?: string;
  /**
   * JSON body. Objects, arrays, numbers, booleans and null are JSON-encoded; a string or a Buffer is
   * sent as is (already serialised).
   */
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, QueryValue | QueryValue[]>;
  /** Sends X-No-Redirect: true, so the platform answers bootstrap URLs with 200 directly. */
  noRedirect?: boolean;
  /** Send PATCH/DELETE as POST with X-HTTP-Method-Override. */
  methodOverride?: boolean;
  /** Follow same-origin redirects (default true). With false, a 3xx is returned as the response. */
  followRedirects?: boolean;
  /**
   * API versions for this request only, most preferred first: for endpoints that exist in some
   * versions only (queue pause is v1/v2, user status is v3).
   */
  versions?: number[];
}

export interface RestResponse<T = unknown> {
  statusCode: number;
  /** Lower-case header names. */
  headers: Record<string, string | string[]>;
  /** Parsed JSON; a string for non-JSON text; a Buffer for binary content; null when empty. */
  body: T;
  /** API version the server served (from Content-Type), when it said. */
  version?: number;
  /** Final URL, after redirects. */
  url: string;
}

export const DEFAULT_TIMEOUT_MS = 15000;
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const RETRY_STATUSES = new Set([502, 503]);
const RESET_CODES = new Set(["ECONNRESET", "EPIPE"]);
const RETRY_DELAY_MS = 200;
/** Connections kept per client: the nodes of a flow share one client. */
const MAX_CONNECTIONS = 10;
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const TLS_HINT =
  "the server's TLS certificate was rejected; for a private deployment give its CA in the `ca` option";

interface Attempt {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

export class RestClient {
  readonly baseUrl: string;
  readonly username: string;
  readonly versions: readonly number[];
  readonly timeoutMs: number;
  readonly useMethodOverride: boolean;
  readonly retry: boolean;
  // Private (#) so that neither inspect, JSON nor a stray Object.keys can reach them.
  readonly #base: URL;
  readonly #authorization: string;
  readonly #secrets: readonly string[];
  readonly #accept: string;
  readonly #agent: http.Agent;
  /** aborts the requests in flight when the client closes */
  readonly #closing = new AbortController();
  #closed = false;

  constructor(options: RestClientOptions) {
    if (options === null || typeof options !== "object") {
      throw new CompassConfigError("Compass REST client options are required");
    }
    this.#base = parseBaseUrl(options.baseUrl);
    this.baseUrl = this.#base.origin + basePathOf(this.#base);
    if (typeof options.username !== "string" || options.username === "") {
      throw new CompassConfigError("Compass REST username is required");
    }
    if (typeof options.password !== "string" || options.password === "") {
      throw new CompassConfigError("Compass REST password is required");
    }
    if (options.username.includes(":")) {
      throw new CompassConfigError("Compass REST username must not contain ':' (Basic auth cannot carry it)");
    }
    this.username = options.username;
    this.versions = Object.freeze(validateVersions(options.versions));
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new CompassConfigError(
        `Compass REST timeoutMs must be a positive number, got ${String(timeoutMs)}`,
      );
    }
    this.timeoutMs = timeoutMs;
    this.useMethodOverride = options.useMethodOverride === true;
    this.retry = options.retry !== false;

    const token = Buffer.from(`${options.username}:${options.password}`, "utf8").toString("base64");
    this.#authorization = `Basic ${token}`;
    this.#secrets = [options.password, token];
    this.#accept = acceptHeader(this.versions);
    // (the whole-request deadline in `request` bounds connecting, waiting and reading alike)
    const kept = { keepAlive: true, maxSockets: MAX_CONNECTIONS };
    this.#agent =
      this.#base.protocol === "https:"
        ? new https.Agent({ ...kept, rejectUnauthorized: true, ...trustedCas(options.ca) })
        : new http.Agent(kept);
  }

  /** The Accept header sent with every request. */
  get accept(): string {
    return this.#accept;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Absolute URL of a `self` URL or path, refusing anything off the configured origin. */
  resolve(selfOrPath: string): string {
    return resolveOnOrigin(this.#base, selfOrPath).href;
  }

  /** Absolute resource URL, as references in request bodies must be: urlFor("queue", 2003). */
  urlFor(type: string, id: string | number): string {
    if (typeof type !== "string" || !/^[A-Za-z][A-Za-z0-9]*$/.test(type)) {
      throw new CompassConfigError(`Not a Compass resource type: ${JSON.stringify(type)}`);
    }
    const idText = String(id);
    if (idText === "" || (typeof id !== "string" && typeof id !== "number")) {
      throw new CompassConfigError(`Not a Compass resource id: ${JSON.stringify(id)}`);
    }
    return `${this.baseUrl}/${type}/${encodeURIComponent(idText)}`;
  }

  async request<T = unknown>(request: RestRequest): Promise<RestResponse<T>> {
    const method = (request.method ?? "GET").toUpperCase();
    if (this.#closed) throw new CompassRestError("Compass REST client is closed", { method });
    const first = this.#buildAttempt(method, request);
    const controller = new AbortController();
    let timedOut = false;
    const timer = guardedTimeout("REST request timer", this.timeoutMs, () => {
      timedOut = true;
      controller.abort();
    });
    try {
      return (await this.#exchange(first, request, controller.signal)) as RestResponse<T>;
    } catch (error) {
      if (error instanceof CompassRestError) throw error;
      throw this.#lowLevelError(error, first, timedOut);
    } finally {
      clearTimeout(timer);
    }
  }

  get<T = unknown>(pathOrUrl: string, query?: RestRequest["query"]): Promise<RestResponse<T>> {
    return this.request<T>({ method: "GET", url: pathOrUrl, query });
  }

  post<T = unknown>(pathOrUrl: string, body?: unknown): Promise<RestResponse<T>> {
    return this.request<T>({ method: "POST", url: pathOrUrl, body });
  }

  patch<T = unknown>(pathOrUrl: string, body: unknown): Promise<RestResponse<T>> {
    return this.request<T>({ method: "PATCH", url: pathOrUrl, body });
  }

  delete<T = unknown>(pathOrUrl: string): Promise<RestResponse<T>> {
    return this.request<T>({ method: "DELETE", url: pathOrUrl });
  }

  /** GET /user: the authenticated user's object (follows the platform's 303, or asks for no redirect). */
  getOwnUser<T = Record<string, unknown>>(options: { noRedirect?: boolean } = {}): Promise<T> {
    return this.#bootstrap<T>("/user", options.noRedirect === true);
  }

  /** GET /company: the authenticated user's company object. */
  getOwnCompany<T = Record<string, unknown>>(options: { noRedirect?: boolean } = {}): Promise<T> {
    return this.#bootstrap<T>("/company", options.noRedirect === true);
  }

  /** Open connections close and requests in flight fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    this.#agent.destroy();
  }

  toJSON(): Record<string, unknown> {
    return {
      baseUrl: this.baseUrl,
      username: this.username,
      versions: [...this.versions],
      timeoutMs: this.timeoutMs,
    };
  }

  toString(): string {
    return `RestClient(${this.username} @ ${this.baseUrl})`;
  }

  [inspect.custom](): string {
    return `RestClient ${inspect(this.toJSON())}`;
  }

  async #bootstrap<T>(path: string, noRedirect: boolean): Promise<T> {
    const response = await this.request({ method: "GET", path, noRedirect });
    const body = response.body;
    if (body === null || typeof body !== "object" || Array.isArray(body) || Buffer.isBuffer(body)) {
      throw new CompassRestError(`GET ${path} answered ${response.statusCode} without a JSON object`, {
        statusCode: response.statusCode,
        method: "GET",
        url: response.url,
      });
    }
    return body as T;
  }

  #buildAttempt(method: string, request: RestRequest): Attempt {
    const target = request.url ?? request.path;
    if (target === undefined)
      throw new CompassConfigError("A REST request needs a path or a url", { method });
    const url = resolveOnOrigin(this.#base, target);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item !== undefined && item !== null) url.searchParams.append(key, String(item));
      }
    }

    const accept = request.versions ? acceptHeader(validateVersions(request.versions)) : this.#accept;
    const headers: Record<string, string> = { accept };
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      const lower = name.toLowerCase();
      // Our credentials only; the Host is the origin's (set from the URL as each request is sent).
      if (lower === "authorization" || lower === "host") continue;
      headers[lower] = String(value);
    }
    headers.authorization = this.#authorization;
    if (request.noRedirect) headers["x-no-redirect"] = "true";

    let wireMethod = method;
    const override = request.methodOverride ?? this.useMethodOverride;
    if (override && (method === "PATCH" || method === "DELETE")) {
      wireMethod = "POST";
      headers["x-http-method-override"] = method;
    }

    let body: string | Buffer | undefined;
    if (request.body !== undefined) {
      if (typeof request.body === "string") body = request.body;
      else if (request.body instanceof Uint8Array) body = Buffer.from(request.body);
      else body = JSON.stringify(request.body);
      headers["content-type"] ??= "application/json";
    }
    return { method: wireMethod, url, headers, body };
  }

  async #exchange(first: Attempt, request: RestRequest, signal: AbortSignal): Promise<RestResponse> {
    let attempt = first;
    let retried = false;
    for (let hops = 0; ; ) {
      let response: RestResponse;
      try {
        response = await this.#send(attempt, signal);
      } catch (error) {
        if (!retried && this.#mayRetry(attempt) && RESET_CODES.has(codeOf(error)) && !signal.aborted) {
          retried = true;
          continue;
        }
        throw error;
      }
      const status = response.statusCode;
      if (REDIRECT_STATUSES.has(status) && request.followRedirects !== false) {
        if (++hops > MAX_REDIRECTS) {
          throw new CompassRestError(
            `${attempt.method} ${pathOf(attempt.url.href)} failed: more than ${MAX_REDIRECTS} redirects`,
            { statusCode: status, method: attempt.method, url: attempt.url.href },
          );
        }
        attempt = this.#redirected(attempt, response);
        continue;
      }
      if (!retried && RETRY_STATUSES.has(status) && this.#mayRetry(attempt)) {
        retried = true;
        await delay(RETRY_DELAY_MS, signal);
        continue;
      }
      if (status >= 400) {
        throw errorForStatus({
          statusCode: status,
          method: attempt.method,
          url: attempt.url.href,
          body: response.body,
          username: this.username,
          versions: this.versions,
          secrets: this.#secrets,
        });
      }
      return response;
    }
  }

  #mayRetry(attempt: Attempt): boolean {
    return this.retry && (attempt.method === "GET" || attempt.method === "HEAD");
  }

  #redirected(previous: Attempt, response: RestResponse): Attempt {
    const location = response.headers.location;
    const where = `${previous.method} ${pathOf(previous.url.href)}`;
    if (typeof location !== "string" || location === "") {
      throw new CompassRestError(`${where} answered ${response.statusCode} without a Location header`, {
        statusCode: response.statusCode,
        method: previous.method,
        url: previous.url.href,
      });
    }
    let next: URL;
    try {
      next = new URL(location, previous.url);
    } catch {
      throw new CompassRestError(`${where} redirected to an invalid Location`, {
        statusCode: response.statusCode,
        method: previous.method,
        url: previous.url.href,
      });
    }
    // The credentials ride on every request, so a redirect off the origin is never followed.
    assertSameOrigin(this.#base, next, `redirect from ${where} to`);
    if (response.statusCode === 303) {
      const headers = { ...previous.headers };
      delete headers["content-type"];
      delete headers["x-http-method-override"];
      return { method: "GET", url: next, headers, body: undefined };
    }
    return { ...previous, url: next };
  }

  #send(attempt: Attempt, signal: AbortSignal): Promise<RestResponse> {
    const { url, body } = attempt;
    const headers = { ...attempt.headers };
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    const send = url.protocol === "https:" ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const request = send(
        {
          agent: this.#agent,
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"), // an IPv6 literal without its brackets
          port: url.port,
          method: attempt.method,
          path: url.pathname + url.search,
          headers,
          signal: AbortSignal.any([signal, this.#closing.signal]),
        },
        (answer) => {
          const chunks: Buffer[] = [];
          let size = 0;
          answer.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
            else answer.destroy(tooLarge());
          });
          // cut off mid-answer (the server went away, the deadline, a close): Node errors the answer
          answer.on("error", reject);
          answer.on("end", () => resolve(this.#response(attempt, answer, Buffer.concat(chunks))));
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  }

  #response(attempt: Attempt, answer: http.IncomingMessage, raw: Buffer): RestResponse {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined) headers[name] = value;
    }
    const contentType = typeof headers["content-type"] === "string" ? headers["content-type"] : undefined;
    const response: RestResponse = {
      statusCode: answer.statusCode ?? 0,
      headers,
      body: decodeBody(raw, contentType),
      url: attempt.url.href,
    };
    const version = versionFromContentType(contentType);
    if (version !== undefined) response.version = version;
    return response;
  }

  #lowLevelError(error: unknown, attempt: Attempt, timedOut: boolean): CompassRestError {
    const method = attempt.method;
    const url = attempt.url.href;
    const where = `${method} ${pathOf(url)} failed`;
    const code = codeOf(error);
    if (timedOut) {
      return new CompassTimeoutError(
        `${where}: no complete answer within ${this.timeoutMs} ms`,
        this.timeoutMs,
        {
          method,
          url,
        },
      );
    }
    if (this.#closed) {
      return new CompassNetworkError(`${where}: the client was closed`, "CLIENT_CLOSED", { method, url });
    }
    const reason = redact(errorText(error), this.#secrets);
    const hint = isTlsCode(code) ? `: ${TLS_HINT}` : "";
    return new CompassNetworkError(
      `${where}: network error${code ? ` ${code}` : ""} (${reason})${hint}`,
      code || undefined,
      { method, url },
    );
  }
}

/** Node's bundled roots plus NODE_EXTRA_CA_CERTS plus the given CA: an explicit `ca` replaces defaults. */
function trustedCas(ca: string | Buffer | undefined): { ca?: (string | Buffer)[] } {
  if (ca === undefined) return {};
  if (typeof ca !== "string" && !Buffer.isBuffer(ca)) {
    throw new CompassConfigError("Compass REST ca must be a PEM string or Buffer");
  }
  const cas: (string | Buffer)[] = [...rootCertificates];
  const extraFile = process.env.NODE_EXTRA_CA_CERTS;
  if (extraFile) {
    try {
      cas.push(readFileSync(extraFile));
    } catch {
      // Node itself warns about an unreadable NODE_EXTRA_CA_CERTS; nothing to add here.
    }
  }
  cas.push(ca);
  return { ca: cas };
}

function tooLarge(): Error {
  return Object.assign(new Error(`the answer is larger than ${MAX_RESPONSE_BYTES} bytes`), {
    code: "RESPONSE_TOO_LARGE",
  });
}

function decodeBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return null;
  const type = (contentType ?? "").toLowerCase();
  const isJson = type.includes("json");
  const isText =
    type === "" || isJson || type.startsWith("text/") || /xml|javascript|x-www-form-urlencoded/.test(type);
  if (!isText) return raw;
  const text = raw.toString("utf8");
  if (text.trim() === "") return null;
  if (!isJson) return text;
  try {
    return JSON.parse(text);
  } catch {
    // A server that mislabels text as JSON: hand back the text rather than lose it.
    return text;
  }
}

function codeOf(error: unknown): string {
  if (error !== null && typeof error === "object") {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") return code;
    const cause = (error as { cause?: unknown }).cause;
    if (cause !== undefined && cause !== error) return codeOf(cause);
  }
  return "";
}

function isTlsCode(code: string): boolean {
  return /CERT|SELF_SIGNED|TLS|SSL|UNABLE_TO_VERIFY|ALTNAME/i.test(code);
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
