// Small conversions shared by the action nodes.

import { idFromSelf } from "../compass/operations";

// the editor's list routes read ids from `self` URLs the same way
export { idFromSelf };

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
