// Numbers in E.164 form beside the platform's own spelling, for look-ups (a CRM keyed by +316...).
// The protocol's company carries no country, so numbers without a country code are read as Dutch
// (the platform's home; DEFAULT_REGION). Parsing is cached: the same callers recur on every update.

import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js/min";

export const DEFAULT_REGION: CountryCode = "NL";
const CACHE_SIZE = 2000;
const cache = new Map<string, string | null>();

/** The number in E.164 (+31201234567), or null when it is not a possible phone number. */
export function toE164(number: string | null | undefined): string | null {
  if (!number) return null;
  const known = cache.get(number);
  if (known !== undefined) return known;
  let e164: string | null = null;
  try {
    const parsed = parsePhoneNumberFromString(number, DEFAULT_REGION);
    e164 = parsed?.isPossible() ? parsed.number : null;
  } catch {
    e164 = null; // never let a strange number break the model
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(number, e164);
  return e164;
}
