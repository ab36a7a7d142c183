// Typed errors of the REST client. Every one carries only what is safe to show a user or write to a
// log: method, URL (never with credentials), status and the server's detail. Secrets are redacted
// before they can reach a message, and toJSON lists the safe fields explicitly.

import { STATUS_CODES } from "node:http";
import { cut } from "../text";

/** Longest server detail kept on an error: enough to explain, too short to flood a log. */
export const MAX_DETAIL_LENGTH = 500;

export interface CompassRestErrorInit {
  statusCode?: number;
  method?: string;
  url?: string;
  detail?: string;
}

export interface CompassRestErrorJSON {
  name: string;
  code: string;
  message: string;
  statusCode?: number;
  method?: string;
  url?: string;
  detail?: string;
}

export class CompassRestError extends Error {
  override name = "CompassRestError";
  /** Stable machine-readable kind, for flows that branch on the failure. */
  readonly code: string = "COMPASS_REST";
  readonly statusCode: number | undefined;
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly detail: string | undefined;

  constructor(message: string, init: CompassRestErrorInit = {}) {
    super(message);
    this.statusCode = init.statusCode;
    this.method = init.method;
    this.url = init.url;
    this.detail = init.detail;
  }

  toJSON(): CompassRestErrorJSON {
    const json: CompassRestErrorJSON = { name: this.name, code: this.code, message: this.message };
    if (this.statusCode !== undefined) json.statusCode = this.statusCode;
    if (this.method !== undefined) json.method = this.method;
    if (this.url !== undefined) json.url = this.url;
    if (this.detail !== undefined) json.detail = this.detail;
    return json;
  }
}

/** The client's options are unusable (bad URL, plain http to a remote host, bad versions...). */
export class CompassConfigError extends CompassRestError {
  override name = "CompassConfigError";
  override readonly code: string = "COMPASS_CONFIG";
}

/** A URL or redirect points outside the configured origin: refused before any credentials are sent. */
export class CompassOriginError extends CompassRestError {
  override name = "CompassOriginError";
  override readonly code: string = "COMPASS_ORIGIN";
}

export class BadRequestError extends CompassRestError {
  override name = "BadRequestError";
  override readonly code: string = "COMPASS_BAD_REQUEST";
}

/** HTTP 401: the platform rejected the REST credentials (the XMPP counterpart is LoginRefusedError). */
export class UnauthorizedError extends CompassRestError {
  override name = "UnauthorizedError";
  override readonly code: string = "COMPASS_AUTHENTICATION";
}

export class ForbiddenError extends CompassRestError {
  override name = "ForbiddenError";
  override readonly code: string = "COMPASS_FORBIDDEN";
}

export class NotFoundError extends CompassRestError {
  override name = "NotFoundError";
  override readonly code: string = "COMPASS_NOT_FOUND";
}

export class MethodNotAllowedError extends CompassRestError {
  override name = "MethodNotAllowedError";
  override readonly code: string = "COMPASS_METHOD_NOT_ALLOWED";
}

export class NotAcceptableError extends CompassRestError {
  override name = "NotAcceptableError";
  override readonly code: string = "COMPASS_NOT_ACCEPTABLE";
}

export class ServerError extends CompassRestError {
  override name = "ServerError";
  override readonly code: string = "COMPASS_SERVER";
}

export class CompassTimeoutError extends CompassRestError {
  override name = "CompassTimeoutError";
  override readonly code: string = "COMPASS_TIMEOUT";
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number, init: CompassRestErrorInit = {}) {
    super(message, init);
    this.timeoutMs = timeoutMs;
  }
}

/** The exchange failed below HTTP: refused connection, reset, DNS, TLS certificate rejected. */
export class CompassNetworkError extends CompassRestError {
  override name = "CompassNetworkError";
  override readonly code: string = "COMPASS_NETWORK";
  /** The system error code, e.g. ECONNREFUSED or DEPTH_ZERO_SELF_SIGNED_CERT (CLIENT_CLOSED: closed while in flight). */
  readonly causeCode: string | undefined;

  constructor(message: string, causeCode: string | undefined, init: CompassRestErrorInit = {}) {
    super(message, init);
    this.causeCode = causeCode;
  }
}

export function isCompassRestError(value: unknown): value is CompassRestError {
  return value instanceof CompassRestError;
}

/** Replaces every occurrence of the given secrets; short secrets are skipped to keep text readable. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 3) out = out.split(secret).join("***");
  }
  return out;
}

/** Pulls a short human-readable detail out of an error body (JSON message field, or the text). */
export function detailFromBody(body: unknown, secrets: readonly string[]): string | undefined {
  let text: string | undefined;
  if (typeof body === "string") {
    text = body.trim();
  } else if (Buffer.isBuffer(body)) {
    text = undefined;
  } else if (body !== null && typeof body === "object") {
    const record = body as Record<string, unknown>;
    const field = ["message", "detail", "error", "errorMessage", "description", "reason"].find(
      (key) => typeof record[key] === "string" && (record[key] as string).trim() !== "",
    );
    text = field ? (record[field] as string).trim() : JSON.stringify(body);
  } else if (body !== null && body !== undefined) {
    text = String(body);
  }
  if (!text) return undefined;
  const safe = redact(text.replace(/\s+/g, " "), secrets);
  return cut(safe, MAX_DETAIL_LENGTH);
}

export interface ResponseFailure {
  statusCode: number;
  method: string;
  url: string;
  body: unknown;
  username: string;
  versions: readonly number[];
  secrets: readonly string[];
}

/** Builds the typed error for a non-success HTTP status. */
export function errorForStatus(failure: ResponseFailure): CompassRestError {
  const { statusCode, method, url } = failure;
  const detail = detailFromBody(failure.body, failure.secrets);
  const reason = STATUS_CODES[statusCode] ?? "HTTP error";
  const where = `${method} ${pathOf(url)} failed: ${statusCode} ${reason}`;
  const init: CompassRestErrorInit = { statusCode, method, url, detail };
  const withDetail = (explanation?: string) =>
    [where, explanation, detail].filter((part) => part !== undefined && part !== "").join(": ");

  switch (statusCode) {
    case 400:
      return new BadRequestError(withDetail(), init);
    case 401:
      return new UnauthorizedError(
        withDetail(
          `the platform rejected the credentials of user "${failure.username}". Not retried: the platform ` +
            "blocks the source IP address for 10 minutes after 20 failed logins",
        ),
        init,
      );
    case 403:
      return new ForbiddenError(withDetail(), init);
    case 404:
      return new NotFoundError(withDetail(), init);
    case 405:
      return new MethodNotAllowedError(withDetail(), init);
    case 406:
      return new NotAcceptableError(
        withDetail(
          `the server serves none of the offered API versions (${failure.versions.map((v) => `v${v}`).join(", ")})`,
        ),
        init,
      );
    default:
      if (statusCode >= 500) return new ServerError(withDetail(), init);
      return new CompassRestError(withDetail(), init);
  }
}

/** Path and query of a URL, for short messages. */
export function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}
