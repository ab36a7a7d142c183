// API version negotiation from the Accept header (RFC 7231 section 5.3.2), the platform's way:
// `application/vnd.iperity.compass.vN+json`, with q-values; generic JSON and wildcards accept any
// version. For each version the most specific matching range decides its q; the highest q wins and a
// tie goes to the newer version.

const VENDOR = /^application\/vnd\.iperity\.compass\.v(\d+)\+json$/;

export function mediaTypeFor(version: number): string {
  return `application/vnd.iperity.compass.v${version}+json`;
}

interface Range {
  version?: number;
  /** 3 = exact vendor type, 2 = application/json, 1 = application/*, 0 = any */
  specificity: number;
  q: number;
}

function parseRange(part: string): Range | undefined {
  const [rawType, ...params] = part.split(";");
  const type = rawType?.trim().toLowerCase() ?? "";
  let q = 1;
  for (const p of params) {
    const [k, v] = p.split("=").map((s) => s.trim());
    if (k?.toLowerCase() === "q") {
      const parsed = Number(v);
      q = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0;
    }
  }
  const vendor = VENDOR.exec(type);
  if (vendor) return { version: Number(vendor[1]), specificity: 3, q };
  if (type === "application/json") return { specificity: 2, q };
  if (type === "application/*") return { specificity: 1, q };
  if (type === "*/*") return { specificity: 0, q };
  return undefined;
}

/**
 * The version to serve, or undefined when none of `supported` is acceptable (answer 406).
 * A request without Accept gets the newest version, as HTTP reads a missing Accept as "anything".
 */
export function negotiateVersion(
  accept: string | undefined,
  supported: readonly number[],
): number | undefined {
  const newestFirst = [...supported].sort((a, b) => b - a);
  if (accept === undefined || accept.trim() === "") return newestFirst[0];
  const ranges = accept
    .split(",")
    .map(parseRange)
    .filter((r): r is Range => r !== undefined);
  let best: { version: number; q: number } | undefined;
  for (const version of newestFirst) {
    let match: Range | undefined;
    for (const r of ranges) {
      if (r.version !== undefined && r.version !== version) continue;
      if (!match || r.specificity > match.specificity) match = r;
    }
    if (match && match.q > 0 && (!best || match.q > best.q)) best = { version, q: match.q };
  }
  return best?.version;
}
