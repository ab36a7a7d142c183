// Errors the session hands to callers. None of them carries credentials or raw stanzas.

import { cut } from "../text";

/** The platform answered a request with an IQ error (`condition` is the RFC 6120 stanza error). */
export class CompassRequestError extends Error {
  constructor(
    readonly condition: string,
    /** RFC 6120 error type: cancel, modify, auth, wait, continue */
    readonly errorType: string | undefined,
    /** the server's human-readable text, if any (clipped) */
    readonly text: string | undefined,
  ) {
    super(`request failed: ${condition}${text ? ` (${text})` : ""}`);
    this.name = "CompassRequestError";
  }
}

export type UnavailableReason = "not-connected" | "connection-lost" | "timeout" | "stopped";

/** A request could not be answered because of the link, not because the platform refused it. */
export class SessionUnavailableError extends Error {
  constructor(
    readonly reason: UnavailableReason,
    message: string,
  ) {
    super(message);
    this.name = "SessionUnavailableError";
  }
}

/**
 * The XMPP server refused our credentials at SASL login; retrying would only count towards the
 * platform's IP lock. (The REST counterpart, an HTTP 401, is rest/errors.ts UnauthorizedError.)
 */
export class LoginRefusedError extends Error {
  constructor(
    readonly condition: string,
    message: string,
  ) {
    super(message);
    this.name = "LoginRefusedError";
  }
}

/** SASL conditions that mean "these credentials will not work", as opposed to a passing problem. */
const FINAL_SASL_CONDITIONS = new Set([
  "not-authorized",
  "account-disabled",
  "credentials-expired",
  "invalid-authzid",
  "encryption-required",
]);

/** Map an xmpp.js SASL error to LoginRefusedError; anything else is returned as it is. */
export function classifyLoginError(err: unknown): unknown {
  const e = err as { name?: string; condition?: string; text?: string } | undefined;
  if (e?.name === "SASLError" && typeof e.condition === "string" && FINAL_SASL_CONDITIONS.has(e.condition)) {
    return new LoginRefusedError(
      e.condition,
      `login refused: ${e.condition}${e.text ? ` (${cut(e.text, 120)})` : ""}`,
    );
  }
  return err;
}
