// Typed errors of the simulated platform. The REST server maps each kind to an HTTP status, so a
// state method only has to say what went wrong, never how to answer it.

export type SimErrorKind = "not-found" | "conflict" | "validation" | "forbidden";

export abstract class SimError extends Error {
  abstract readonly kind: SimErrorKind;
}

/** An id that names nothing (404). */
export class SimNotFoundError extends SimError {
  readonly kind = "not-found" as const;
  override readonly name = "SimNotFoundError";
}

/** The request is well formed but clashes with the current state, e.g. already a queue member. */
export class SimConflictError extends SimError {
  readonly kind = "conflict" as const;
  override readonly name = "SimConflictError";
}

/** A value outside what the platform accepts (400). */
export class SimValidationError extends SimError {
  readonly kind = "validation" as const;
  override readonly name = "SimValidationError";
}

/** The user lacks a right or a feature for this action (403). */
export class SimForbiddenError extends SimError {
  readonly kind = "forbidden" as const;
  override readonly name = "SimForbiddenError";
}
