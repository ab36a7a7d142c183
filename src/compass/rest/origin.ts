// The same-origin guard. Credentials go with every request, so the client only ever talks to the
// one origin (scheme + host + port) it was configured with; anything else is refused before sending.

import { isLoopbackHost } from "../loopback";
import { CompassConfigError, CompassOriginError } from "./errors";

/** Parses and checks the configured base URL. */
export function parseBaseUrl(baseUrl: unknown): URL {
  if (typeof baseUrl !== "string" || baseUrl.trim() === "") {
    throw new CompassConfigError(
      "Compass REST baseUrl is required, e.g. https://rest.apollo.compass-stack.com",
    );
  }
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new CompassConfigError(`Compass REST baseUrl is not a valid URL: ${JSON.stringify(baseUrl)}`);
  }
  if (url.username !== "" || url.password !== "") {
    // Said without echoing the URL: it holds a secret.
    throw new CompassConfigError(
      "Compass REST baseUrl must not contain credentials; use the username and password options",
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new CompassConfigError(`Compass REST baseUrl must use https, not ${url.protocol}`);
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new CompassConfigError(
      `Compass REST baseUrl must use https: plain http would send the password in clear text to ${url.host}` +
        " (http is accepted only for loopback hosts such as 127.0.0.1)",
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw new CompassConfigError("Compass REST baseUrl must not contain a query or fragment");
  }
  return url;
}

/** The base URL's path without its trailing slash ("" for an origin-only base). */
export function basePathOf(base: URL): string {
  return base.pathname.replace(/\/+$/, "");
}

const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Turns a `self` URL, an absolute URL or a path into an absolute URL on the base origin.
 * Paths are joined under the base path; absolute URLs (and protocol-relative ones) must be same origin.
 */
export function resolveOnOrigin(base: URL, selfOrPath: string): URL {
  if (typeof selfOrPath !== "string" || selfOrPath === "") {
    throw new CompassConfigError("A REST path or URL is required");
  }
  if (ABSOLUTE_URL.test(selfOrPath) || selfOrPath.startsWith("//")) {
    let target: URL;
    try {
      target = new URL(selfOrPath, base);
    } catch {
      throw new CompassOriginError(`Not a valid URL: ${JSON.stringify(selfOrPath)}`);
    }
    assertSameOrigin(base, target);
    return target;
  }
  // A path: kept under the base path, so "../x" or "//host" tricks cannot leave the origin.
  const [pathPart, queryPart] = splitQuery(selfOrPath);
  const target = new URL(base.href);
  target.pathname = `${basePathOf(base)}/${pathPart.replace(/^\/+/, "")}`;
  target.search = queryPart;
  assertSameOrigin(base, target);
  return target;
}

export function assertSameOrigin(base: URL, target: URL, context = "URL"): void {
  if (target.username !== "" || target.password !== "") {
    throw new CompassOriginError(`Refused ${context} with embedded credentials`);
  }
  if (target.origin !== base.origin) {
    throw new CompassOriginError(
      `Refused ${context} ${target.origin}${target.pathname}: it is not on the configured Compass origin ` +
        `${base.origin}, and the credentials are only ever sent there`,
      { url: target.origin + target.pathname },
    );
  }
}

function splitQuery(path: string): [string, string] {
  const hash = path.indexOf("#");
  const withoutHash = hash >= 0 ? path.slice(0, hash) : path;
  const q = withoutHash.indexOf("?");
  return q >= 0 ? [withoutHash.slice(0, q), withoutHash.slice(q)] : [withoutHash, ""];
}
