// Test helper: read stanza fixtures from test/fixtures (the sources, not dist/).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Element } from "@xmpp/xml";
import { parseStanzaString } from "../../../src/compass/protocol";

/** Repo root, found from dist/test/unit/protocol at run time. */
export const FIXTURES = resolve(__dirname, "../../../../test/fixtures");

export function fixtureText(relativePath: string): string {
  return readFileSync(resolve(FIXTURES, relativePath), "utf8");
}

export function loadFixture(relativePath: string): Element {
  return parseStanzaString(fixtureText(relativePath));
}

/** Drop the leading comment line and the whitespace between tags, for comparing with toString(). */
export function normaliseXml(text: string): string {
  return text
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/>\s+</g, "><")
    .replace(/\s+\/>/g, "/>")
    .trim();
}
