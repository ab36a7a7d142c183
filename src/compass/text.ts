// The one string cutter: errors, logs and status lines quote text from outside (server replies,
// stanzas, messages), and each keeps only the first part of it.

/** The first `max` characters of `text`, with "…" after them when something was cut off. */
export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
