/**
 * Bounds applied while reading stanzas, so a hostile or broken peer cannot make the client build
 * huge objects or spin on huge element lists. xmpp.js has already parsed the stanza by the time we
 * see it; these caps bound what we copy out of it and how long we walk it.
 */
export const LIMITS = Object.freeze({
  /** Characters kept per text field or attribute value (longer values are cut). */
  maxText: 4096,
  /** Child nodes examined per element (the rest are ignored; results mark `truncated`). */
  maxChildren: 10_000,
  /** Attributes examined when looking for a namespaced attribute such as xsi:type. */
  maxAttrs: 64,
  /** Ancestors walked when resolving a namespace prefix. */
  maxAncestors: 256,
  /** Characters of a number's text; longer is not a number we accept. */
  maxNumberText: 32,
});
