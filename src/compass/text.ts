// The one string cutter: errors, logs and status lines quote text from outside (server replies,
// stanzas, messages), and each keeps only the first part of it.

/** The first `max` characters of `text`, with "…" after them when something was cut off. */
export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** How much of an error's text a log line, status or failure detail quotes. */
export const ERROR_TEXT_MAX = 300;

/**
 * The text of an error for a message, log or status: its message (its name when the message is
 * empty), the `message` of an error-like object, or the thrown value as a string. Never its other
 * properties, which can hold stanzas or request details.
 */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  const message = (err as { message?: unknown } | null | undefined)?.message;
  return typeof message === "string" ? message : String(err);
}

/** What was thrown, as an Error: itself when it is one, else an Error with its text. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(errorText(err));
}
