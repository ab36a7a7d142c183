// Public API of the XMPP layer: the session with the platform.
export { Backoff, type BackoffOptions, DEFAULT_BACKOFF } from "./backoff";
export {
  CompassRequestError,
  LoginRefusedError,
  SessionUnavailableError,
  type UnavailableReason,
} from "./errors";
export { TlsRequiredError } from "./link";
export {
  CompassSession,
  type CompassSessionOptions,
  type SessionLog,
  type SessionReady,
  type SessionState,
  type SessionStatus,
} from "./session";
export { parseService } from "./transport";
