// Every platform address derives from one platform domain (docs/platform.md, "Hosts"). Resellers run
// the same platform under other domains, so the domain is configuration, never a constant.

export const DEFAULT_PLATFORM_DOMAIN = "apollo.compass-stack.com";

export interface EndpointOverrides {
  /** REST base URL, e.g. http://127.0.0.1:8080 for the simulator */
  restUrl?: string;
  /** reports (CDR and Events API) base URL, e.g. http://127.0.0.1:8781 for the simulator */
  filesUrl?: string;
  /** XMPP service: xmpp://host:port (TCP + STARTTLS) or ws(s)://host/path (WebSocket) */
  xmppService?: string;
  /** the company's own JID domain, where it has one */
  jidDomain?: string;
}

export interface Endpoints {
  restUrl: string;
  /** the reports host: https://files.D, a second origin that gets the same credentials */
  filesUrl?: string;
  xmppService: string;
  /** domain of the user's JID: uc.D, or the company's own domain */
  jidDomain: string;
  /** where requests go (IQ `to`) */
  phoneService: string;
  /** where the company's pubsub node lives */
  pubsubService: string;
}

const DOMAIN =
  /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function isValidDomain(domain: string): boolean {
  return DOMAIN.test(domain);
}

export function deriveEndpoints(platformDomain: string, overrides: EndpointOverrides = {}): Endpoints {
  const domain = platformDomain.trim() || DEFAULT_PLATFORM_DOMAIN;
  if (!isValidDomain(domain)) throw new Error(`"${domain}" is not a valid platform domain`);
  const uc = `uc.${domain}`;
  const jidDomain = overrides.jidDomain?.trim() || uc;
  if (!isValidDomain(jidDomain)) throw new Error(`"${jidDomain}" is not a valid JID domain`);
  return {
    restUrl: trimSlash(overrides.restUrl?.trim() || `https://rest.${domain}`),
    filesUrl: trimSlash(overrides.filesUrl?.trim() || `https://files.${domain}`),
    xmppService: overrides.xmppService?.trim() || `xmpp://${uc}:5222`,
    jidDomain,
    phoneService: `phone.${uc}`,
    pubsubService: `pubsub.${uc}`,
  };
}

function trimSlash(url: string): string {
  return url.endsWith("/") ? url.slice(0, -1) : url;
}

/** "3,2" -> [3, 2]: the REST API versions to offer, most preferred first. */
export function parseVersionPreference(text: string | undefined): number[] {
  const versions = (text ?? "")
    .split(/[\s,]+/)
    .map((v) => Number.parseInt(v.replace(/^v/i, ""), 10))
    .filter((v) => Number.isInteger(v) && v >= 1 && v <= 9);
  return versions.length > 0 ? [...new Set(versions)] : [3, 2];
}
