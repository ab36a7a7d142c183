// The one loopback check: plain http (REST) and XMPP without TLS are allowed only to hosts that cannot
// leave this machine, and the simulator's CLI listens without --public only on such a host.

import { isIPv4, isIPv6 } from "node:net";

/**
 * True for 127.0.0.0/8, ::1 (in any IPv6 spelling, bracketed or not) and the name localhost, in any
 * case. A name that merely starts like one ("localhost.evil.com", "127.0.0.1.example.com") is not.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (host === "localhost") return true;
  if (isIPv4(host)) return host.startsWith("127.");
  if (isIPv6(host)) return new URL(`http://[${host}]/`).hostname === "[::1]";
  return false;
}
