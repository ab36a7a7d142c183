// Basic auth as the platform checks it, shared by the simulator's REST and reports hosts: lockout
// per source address first, then the credentials (401 with WWW-Authenticate). The password is
// compared by digest, so the time taken says nothing about it.

import { createHash, timingSafeEqual } from "node:crypto";
import type * as http from "node:http";
import type { CompanyStateReader, SimUser } from "../state/types";
import type { LoginGuard } from "./login-guard";

const REALM = 'Basic realm="Compass"';

export type BasicAuthAnswer =
  | { user: SimUser }
  | { status: 401 | 403; detail: string; headers: Record<string, string> };

export function checkBasicAuth(
  state: CompanyStateReader,
  guard: LoginGuard,
  req: http.IncomingMessage,
): BasicAuthAnswer {
  const address = req.socket.remoteAddress ?? "unknown";
  const locked = guard.lockedFor(address);
  if (locked > 0) {
    return {
      status: 403,
      detail: "too many failed logins from this address; try again later",
      headers: { "Retry-After": String(Math.ceil(locked / 1000)) },
    };
  }
  const raw = req.headers.authorization;
  const auth = Array.isArray(raw) ? raw.join(", ") : raw;
  if (!auth)
    return { status: 401, detail: "authentication required", headers: { "WWW-Authenticate": REALM } };
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth);
  const decoded = m ? Buffer.from(m[1] ?? "", "base64").toString("utf8") : "";
  const colon = decoded.indexOf(":");
  const user = colon > 0 ? state.userByUsername(decoded.slice(0, colon)) : undefined;
  const given = colon > 0 ? decoded.slice(colon + 1) : "";
  if (!user || !timingSafeEqual(digest(given), digest(user.password))) {
    guard.recordFailure(address);
    return { status: 401, detail: "invalid credentials", headers: { "WWW-Authenticate": REALM } };
  }
  return { user };
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}
