// API version negotiation (manual "Versioning"; docs/platform-notes.md "REST"): offer every version the caller speaks
// in one Accept header with falling q-values, and read the served version back from Content-Type.

import { CompassConfigError } from "./errors";

export const DEFAULT_VERSIONS: readonly number[] = [3, 2];

export function validateVersions(versions: unknown): number[] {
  if (versions === undefined) return [...DEFAULT_VERSIONS];
  if (!Array.isArray(versions) || versions.length === 0) {
    throw new CompassConfigError("Compass REST versions must be a non-empty list such as [3, 2]");
  }
  const seen = new Set<number>();
  for (const version of versions) {
    if (!Number.isInteger(version) || version < 1) {
      throw new CompassConfigError(
        `Compass REST version must be a positive integer, got ${JSON.stringify(version)}`,
      );
    }
    if (seen.has(version)) throw new CompassConfigError(`Compass REST version v${version} is listed twice`);
    seen.add(version);
  }
  return [...versions] as number[];
}

export function mediaTypeFor(version: number): string {
  return `application/vnd.iperity.compass.v${version}+json`;
}

/** First preference gets q=1.0, each next one 0.1 less (never below 0.1). */
export function acceptHeader(versions: readonly number[]): string {
  return versions
    .map((version, index) => `${mediaTypeFor(version)}; q=${(Math.max(10 - index, 1) / 10).toFixed(1)}`)
    .join(", ");
}

const SERVED_VERSION = /vnd\.iperity\.compass\.v(\d+)\+json/i;

export function versionFromContentType(contentType: string | undefined): number | undefined {
  const match = contentType ? SERVED_VERSION.exec(contentType) : null;
  return match ? Number(match[1]) : undefined;
}
