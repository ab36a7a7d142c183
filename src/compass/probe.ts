// One try of a connection's settings, for the editor's "Test connection": the REST bootstrap
// (GET /user, which also says which API version is served), then the XMPP session (TLS, login,
// GET_COMPANY) and the company's user count. Exactly one attempt of each, no retries and no
// reconnects: a wrong password must count once towards the platform's IP lock, not several times.

import type { ConnectionOptions } from "./connection";
import { type ConnectFailure, classifyFailure } from "./failure";
import type { Company } from "./protocol";
import { RestClient } from "./rest";
import { CompassSession, type SessionReady, type SessionStatus } from "./xmpp";

/** The connection's own settings (REST versions, timeout as the bound for each of REST and XMPP, CA). */
export type ProbeOptions = Pick<
  ConnectionOptions,
  "endpoints" | "username" | "password" | "versions" | "timeoutMs" | "ca"
>;

export type RestProbe = { ok: true; version?: number } | { ok: false; failure: ConnectFailure };
export type XmppProbe =
  | { ok: true; company: Company; users: number }
  | { ok: false; failure: ConnectFailure }
  /** not tried: REST rejected the login, and a second rejected login would only count towards the lock */
  | { ok: false; skipped: true };

export interface ProbeResult {
  rest: RestProbe;
  xmpp: XmppProbe;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export async function probeConnection(options: ProbeOptions): Promise<ProbeResult> {
  const rest = await probeRest(options);
  if (!rest.ok && rest.failure.kind === "login-rejected") {
    return { rest, xmpp: { ok: false, skipped: true } };
  }
  return { rest, xmpp: await probeXmpp(options) };
}

async function probeRest(options: ProbeOptions): Promise<RestProbe> {
  let client: RestClient | undefined;
  try {
    // inside the try: an unusable URL (plain http to a remote host, …) is a result, not a crash
    client = new RestClient({
      baseUrl: options.endpoints.restUrl,
      username: options.username,
      password: options.password,
      versions: options.versions,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ca: options.ca,
      retry: false,
    });
    const response = await client.request({ method: "GET", path: "/user", noRedirect: true });
    return response.version !== undefined ? { ok: true, version: response.version } : { ok: true };
  } catch (err) {
    return { ok: false, failure: classifyFailure(err) };
  } finally {
    await client?.close();
  }
}

async function probeXmpp(options: ProbeOptions): Promise<XmppProbe> {
  const { endpoints } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let session: CompassSession;
  try {
    session = new CompassSession({
      service: endpoints.xmppService,
      jidDomain: endpoints.jidDomain,
      username: options.username,
      password: options.password,
      phoneService: endpoints.phoneService,
      pubsubService: endpoints.pubsubService,
      resourcePrefix: "node-red-test",
      ca: options.ca,
      // as CompassConnection: the simulator on loopback may run without TLS
      allowPlaintextOnLoopback: true,
      connectTimeoutMs: timeoutMs,
      requestTimeoutMs: timeoutMs,
      reconnect: false,
    });
  } catch (err) {
    return { ok: false, failure: classifyFailure(err) };
  }
  try {
    const outcome = await new Promise<SessionReady | ConnectFailure>((resolve) => {
      session.once("ready", (ready: SessionReady) => resolve(ready));
      session.on("status", (status: SessionStatus) => {
        if (status.state === "error" || status.state === "auth-failed") {
          resolve(status.reason ?? classifyFailure(new Error(status.error ?? status.state)));
        }
      });
      session.start();
    });
    if ("kind" in outcome) return { ok: false, failure: outcome };
    const users = await session.request({ type: "GET", filter: { type: "user" } });
    const count = users.kind === "getResult" ? users.users.length : 0;
    return { ok: true, company: outcome.company, users: count };
  } catch (err) {
    return { ok: false, failure: classifyFailure(err) };
  } finally {
    session.removeAllListeners();
    await session.stop();
  }
}
