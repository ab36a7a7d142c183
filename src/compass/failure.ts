// Why a connection to the platform could not be made or was lost, as one typed reason. The node
// status, the log, Catch nodes and the editor's connection test all speak from this, so every failure
// reads the same everywhere. Nothing here holds credentials or raw stanzas.

import { CompassNetworkError, CompassRestError, CompassTimeoutError } from "./rest/errors";
import { cut, ERROR_TEXT_MAX, errorText } from "./text";

export type FailureKind =
  | "dns"
  | "refused"
  | "timeout"
  | "certificate-mismatch"
  | "certificate-untrusted"
  | "login-rejected"
  | "connection-limit"
  | "stream-closed"
  | "other";

/** Why a certificate was not trusted, in words a user can act on. */
export type UntrustedBecause = "self-signed" | "unknown-ca" | "expired" | "not-yet-valid" | "other";

export interface ConnectFailure {
  kind: FailureKind;
  /**
   * Whether trying again can help. False for a certificate that does not match or is not trusted
   * (it will not change by itself) and for rejected credentials (every retry counts towards the
   * platform's IP lock). True for the connection limit: it is shared with the user's phones and
   * other clients and frees as soon as one of them leaves; the login itself succeeded, so a retry
   * does not count towards the lock.
   */
  retryable: boolean;
  /** the host asked for: the name that did not resolve, the certificate's expected name, … */
  host?: string;
  /** "host:port" that refused */
  address?: string;
  /** certificate-mismatch: the names the certificate holds (subjectAltName, else the CN) */
  certificateNames?: string[];
  /** certificate-untrusted: why */
  untrustedBecause?: UntrustedBecause;
  /** login-rejected (SASL or HTTP) and stream-closed: the server's condition */
  condition?: string;
  /** the underlying error's message (clipped), for logs and the "other" case */
  detail: string;
}

export interface FailureContext {
  /** the host this attempt connected to */
  host?: string;
  /** the name the server's certificate must hold, when that is not `host` (XMPP: the JID domain) */
  certificateHost?: string;
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_NODATA", "EAI_FAIL"]);
const TIMEOUT_CODES = new Set(["ETIMEDOUT"]);
const UNTRUSTED_CODES: Record<string, UntrustedBecause> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "self-signed",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "unknown-ca",
  UNABLE_TO_GET_ISSUER_CERT: "unknown-ca",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "unknown-ca",
  CERT_UNTRUSTED: "unknown-ca",
  CERT_HAS_EXPIRED: "expired",
  CERT_NOT_YET_VALID: "not-yet-valid",
  CERT_REJECTED: "other",
  CERT_REVOKED: "other",
  CERT_SIGNATURE_FAILURE: "other",
  INVALID_CA: "other",
  INVALID_PURPOSE: "other",
};
/** Stream errors that mean "too many connections" when their text says so (the platform's wording varies). */
const LIMIT_CONDITIONS = new Set(["policy-violation", "resource-constraint"]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  condition?: unknown;
  text?: unknown;
  message?: unknown;
  hostname?: unknown;
  address?: unknown;
  port?: unknown;
  host?: unknown;
  cert?: { subjectaltname?: unknown; subject?: { CN?: unknown } };
  reason?: unknown;
  statusCode?: unknown;
  url?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** Turn what a connection attempt failed with into a typed reason. */
export function classifyFailure(err: unknown, context: FailureContext = {}): ConnectFailure {
  const chain = causes(err);
  const detail = cut(errorText(err), ERROR_TEXT_MAX);
  const host = context.host ?? restHost(err);
  const withHost = (f: Omit<ConnectFailure, "detail">): ConnectFailure => ({
    ...(host !== undefined ? { host } : {}),
    ...f,
    detail,
  });

  for (const e of chain) {
    const rest = e instanceof CompassRestError ? e : undefined;
    const name = typeof e.name === "string" ? e.name : "";
    const code = typeof e.code === "string" ? e.code : "";
    const condition = typeof e.condition === "string" ? e.condition : undefined;
    const text = typeof e.text === "string" ? e.text : "";

    // XMPP SASL refusal (session's LoginRefusedError, or xmpp.js's SASLError) and REST 401
    if ((name === "LoginRefusedError" || name === "SASLError") && condition !== undefined) {
      return withHost({ kind: "login-rejected", retryable: false, condition });
    }
    if (rest?.statusCode === 401) {
      return withHost({ kind: "login-rejected", retryable: false, condition: "401" });
    }
    // the platform's connection limit: refused at bind (IQ error) or with a stream error saying so
    if (condition === "resource-constraint" && name === "CompassRequestError") {
      return withHost({ kind: "connection-limit", retryable: true, condition });
    }
    if (name === "StreamError" && condition !== undefined) {
      if (LIMIT_CONDITIONS.has(condition) && /connection/i.test(text)) {
        return withHost({ kind: "connection-limit", retryable: true, condition });
      }
      return withHost({ kind: "stream-closed", retryable: true, condition });
    }
    if (
      code === "ERR_TLS_CERT_ALTNAME_INVALID" ||
      /does not match certificate's altnames/.test(errorText(e))
    ) {
      // prefer Node's own error (it holds the peer certificate) over a wrapper quoting its message
      const source = chain.find((c) => c.code === "ERR_TLS_CERT_ALTNAME_INVALID") ?? e;
      const asked = typeof source.host === "string" ? source.host : (context.certificateHost ?? host);
      return {
        kind: "certificate-mismatch",
        retryable: false,
        ...(asked !== undefined ? { host: asked } : {}),
        certificateNames: certificateNames(source),
        detail,
      };
    }
    const untrusted = UNTRUSTED_CODES[code] ?? (/CERT/.test(code) && code !== "" ? "other" : undefined);
    if (untrusted) {
      const named = context.certificateHost ?? host;
      return {
        kind: "certificate-untrusted",
        retryable: false,
        ...(named !== undefined ? { host: named } : {}),
        untrustedBecause: untrusted,
        detail,
      };
    }
    if (DNS_CODES.has(code)) {
      const hostname = typeof e.hostname === "string" ? e.hostname : host;
      return { kind: "dns", retryable: true, ...(hostname !== undefined ? { host: hostname } : {}), detail };
    }
    if (code === "ECONNREFUSED") {
      const address =
        typeof e.address === "string" && e.port !== undefined ? joinHostPort(e.address, e.port) : undefined;
      const at = address ?? host;
      return withHost({ kind: "refused", retryable: true, ...(at ? { address: at } : {}) });
    }
    if (
      TIMEOUT_CODES.has(code) ||
      rest instanceof CompassTimeoutError ||
      (name === "SessionUnavailableError" && (e as { reason?: unknown }).reason === "timeout")
    ) {
      return withHost({ kind: "timeout", retryable: true });
    }
    if (name === "TlsRequiredError") return withHost({ kind: "other", retryable: false });
    if (rest instanceof CompassNetworkError && rest.causeCode) {
      // the REST client keeps the code of what failed below HTTP, not the error itself
      const again = classifyFailure(Object.assign(new Error(rest.message), { code: rest.causeCode }), {
        ...context,
        ...(host !== undefined ? { host } : {}),
      });
      if (again.kind !== "other") return { ...again, detail };
    }
  }
  return withHost({ kind: "other", retryable: true });
}

/** Equal keys mean the same reason: logged and sent to Catch nodes once, not once per retry. */
export function failureKey(failure: ConnectFailure): string {
  return [
    failure.kind,
    failure.host ?? "",
    failure.address ?? "",
    failure.condition ?? "",
    failure.untrustedBecause ?? "",
    (failure.certificateNames ?? []).join(","),
    failure.kind === "other" ? failure.detail : "",
  ].join("|");
}

/** The error, its causes, and an AggregateError's members (Node's happy-eyeballs connect), in order. */
function causes(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number) => {
    if (depth > 6 || e === null || typeof e !== "object" || seen.has(e)) return;
    seen.add(e);
    const like = e as ErrorLike;
    out.push(like);
    if (Array.isArray(like.errors)) for (const member of like.errors) visit(member, depth + 1);
    visit(like.cause, depth + 1);
  };
  visit(err, 0);
  return out;
}

/** subjectAltName entries without their type ("DNS:a, IP Address:1.2.3.4" -> a, 1.2.3.4), else the CN. */
function certificateNames(e: ErrorLike): string[] {
  const san = e.cert?.subjectaltname;
  let text = typeof san === "string" ? san : "";
  if (!text) {
    // the REST client keeps only the message: Node's own wording ends with the altnames
    text = /cert's altnames: (.*)$/.exec(errorText(e))?.[1] ?? "";
  }
  const names = text
    .split(",")
    .map((part) => part.trim().replace(/^[A-Za-z ]+:/, ""))
    .filter(Boolean);
  if (names.length > 0) return names;
  const cn = e.cert?.subject?.CN;
  return typeof cn === "string" ? [cn] : [];
}

/** A REST error names its URL: its host (with port) is where the failure happened. */
function restHost(err: unknown): string | undefined {
  if (!(err instanceof CompassRestError) || !err.url) return undefined;
  try {
    return new URL(err.url).host;
  } catch {
    return undefined;
  }
}

function joinHostPort(host: string, port: unknown): string {
  return host.includes(":") ? `[${host}]:${String(port)}` : `${host}:${String(port)}`;
}
