// The live session's state as a node status: the same words under every node that uses it, with
// the reason when a connection cannot be made. Red where retrying cannot help, yellow while it retries.

import type { ConnectFailure } from "../compass/failure";
import { cut } from "../compass/text";
import type { SessionStatus } from "../compass/xmpp";
import { sharedText, translator } from "./i18n";
import type { NodeAPI, NodeStatus } from "./red";

/** At most this many certificate names in a status line; the log and Catch message carry them all. */
const MAX_NAMES_SHOWN = 4;

/** The session's state as a node status, the same under every node that uses the connection. */
export function statusFor(RED: NodeAPI, status: SessionStatus): NodeStatus {
  const reason = status.reason ? failureText(RED, status.reason) : undefined;
  switch (status.state) {
    case "connecting":
      return {
        fill: "yellow",
        shape: "ring",
        text: reason
          ? sharedText(RED, "status.connecting-because", { reason })
          : sharedText(RED, "status.connecting"),
      };
    case "connected":
      return { fill: "yellow", shape: "dot", text: sharedText(RED, "status.connected") };
    case "subscribed":
      return { fill: "green", shape: "dot", text: sharedText(RED, "status.subscribed") };
    case "reconnecting": {
      const seconds = Math.ceil((status.nextAttemptInMs ?? 0) / 1000);
      return {
        fill: "yellow",
        shape: "ring",
        text: reason
          ? sharedText(RED, "status.reconnecting-because", { seconds, reason })
          : sharedText(RED, "status.reconnecting", { seconds }),
      };
    }
    case "auth-failed":
      return { fill: "red", shape: "ring", text: sharedText(RED, "status.auth-failed") };
    case "error":
      return {
        fill: "red",
        shape: "ring",
        text: reason ?? sharedText(RED, "status.error", { error: status.error ?? "" }),
      };
    default:
      return { fill: "grey", shape: "ring", text: sharedText(RED, "status.stopped") };
  }
}

/** Whether the session is as it should be (a trigger node then shows its last event instead). */
export function isHealthy(status: SessionStatus): boolean {
  return status.state === "subscribed";
}

/**
 * A text still to be translated: a key of compass-config's catalog and its substitutions (which may
 * be texts themselves), or a literal. The runtime renders it for statuses and logs; the editor
 * renders the same message in its own language (the connection test's result line).
 */
export type Message = { key: string; with?: Record<string, string | number | Message> } | { literal: string };

/** A message in the runtime's language. */
export function render(RED: NodeAPI, message: Message): string {
  if ("literal" in message) return message.literal;
  const substitutions: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(message.with ?? {})) {
    substitutions[name] = typeof value === "object" ? render(RED, value) : value;
  }
  return translator(RED, "compass-config")(message.key, substitutions);
}

/** A failure in the runtime's language: "refused 127.0.0.1:5222", "certificate does not match …". */
export function failureText(RED: NodeAPI, failure: ConnectFailure): string {
  return render(RED, failureMessage(failure));
}

/** A failure as a message to translate. */
export function failureMessage(failure: ConnectFailure): Message {
  const host = failure.host ?? "";
  const key = `common.failure.${failure.kind}`;
  switch (failure.kind) {
    case "dns":
    case "timeout":
      return { key, with: { host } };
    case "refused":
      return { key, with: { address: failure.address ?? host } };
    case "certificate-mismatch": {
      const names = failure.certificateNames ?? [];
      const shown =
        names.slice(0, MAX_NAMES_SHOWN).join(", ") + (names.length > MAX_NAMES_SHOWN ? ", …" : "");
      return { key, with: { host, names: shown } };
    }
    case "certificate-untrusted":
      return {
        key,
        with: { host, because: { key: `common.failure.untrusted.${failure.untrustedBecause ?? "other"}` } },
      };
    case "login-rejected":
    case "connection-limit":
      return { key };
    case "stream-closed":
      return { key, with: { condition: failure.condition ?? "" } };
    default:
      return { key: "common.failure.other", with: { detail: cut(failure.detail, 99) } };
  }
}

/** "logged in · 14:02": a text with the runtime's local time of day. */
export function withTime(RED: NodeAPI, text: string, at: number = Date.now()): string {
  return sharedText(RED, "status.at", { text, time: clockTime(at) });
}

/** HH:MM in the runtime's local time. */
export function clockTime(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}
