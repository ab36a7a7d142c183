// Small conversions shared by the action nodes.

import type { NodeMessage } from "./red";

/** The id at the end of a resource URL: https://rest.example/queue/2001 -> "2001". */
export function idFromSelf(self: unknown): string | undefined {
  if (typeof self !== "string") return undefined;
  const last = self.split("/").filter(Boolean).pop();
  return last ? decodeURIComponent(last) : undefined;
}

/** A non-empty trimmed string from a typed input (numbers allowed), or an error with `message`. */
export function requireText(value: unknown, message: string): string {
  const text = typeof value === "string" || typeof value === "number" ? String(value).trim() : "";
  if (!text) throw new Error(message);
  return text;
}

/** An id typed by a user or taken from a message: a bare id, or a `self` URL of the platform. */
export function requireId(value: unknown, message: string): string {
  const text = requireText(value, message);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? (idFromSelf(text) ?? text) : text;
}

/** The node's action, or msg.action where the node is set to take it from the message. */
export function actionOf(configured: string | undefined, msg: NodeMessage, fallback: string): string {
  return String(configured === "msg" ? msg.action : (configured ?? fallback)).toLowerCase();
}
