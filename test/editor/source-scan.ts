// Plain-string readers for the editor files (nodes/*.html, locale catalogues, examples), so the
// editor side can be checked without a browser or a parser dependency. They understand just the
// shapes our files use: an inline object literal after `defaults:`, data-i18n attributes, <code> spans.

import * as fs from "node:fs";
import * as path from "node:path";

/** The package folder: the nearest parent of this file with our package.json. */
export function packageRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (
      fs.existsSync(manifest) &&
      readJson<{ name?: string }>(manifest).name === "@compass-flows/node-red-compass"
    ) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package root above ${from}`);
    dir = parent;
  }
}

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

/**
 * The top-level keys of the object literal that follows `label:` (e.g. "defaults:"), or null when
 * there is none. Skips strings and nested brackets, so `validate: function (v) { ... }` is one key.
 */
export function objectLiteralKeys(source: string, label: string): string[] | null {
  const at = new RegExp(`\\b${label}\\s*:\\s*\\{`).exec(source);
  if (!at) return null;
  const keys: string[] = [];
  let depth = 0;
  let expectKey = true;
  for (let i = at.index + at[0].length - 1; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '"' || ch === "'" || ch === "`") {
      i = endOfString(source, i);
      continue;
    }
    if (ch === "{" || ch === "[" || ch === "(") {
      depth++;
      if (depth === 1) expectKey = true;
      continue;
    }
    if (ch === "}" || ch === "]" || ch === ")") {
      depth--;
      if (depth === 0) return keys;
      continue;
    }
    if (depth !== 1) continue;
    if (ch === ",") {
      expectKey = true;
      continue;
    }
    if (expectKey && /[A-Za-z_$]/.test(ch)) {
      const key = /^[A-Za-z_$][\w$]*/.exec(source.slice(i))![0];
      keys.push(key);
      i += key.length - 1;
      expectKey = false;
    }
  }
  throw new Error(`unterminated ${label} object`);
}

function endOfString(source: string, start: number): number {
  const quote = source[start];
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === "\\") i++;
    else if (source[i] === quote) return i;
  }
  throw new Error("unterminated string");
}

/** Keys named in data-i18n attributes, without their [attribute] prefixes: "[placeholder]a.b;c.d" -> a.b, c.d. */
export function i18nKeys(html: string): string[] {
  const keys: string[] = [];
  for (const match of html.matchAll(/data-i18n="([^"]*)"/g)) {
    for (const part of match[1]!.split(";")) {
      const key = part.replace(/^\s*\[[^\]]*\]/, "").trim();
      if (key) keys.push(key);
    }
  }
  return keys;
}

/** A dotted key's text in a catalogue, or undefined. */
export function lookup(catalogue: unknown, key: string): string | undefined {
  let at: unknown = catalogue;
  for (const part of key.split(".")) {
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return typeof at === "string" ? at : undefined;
}

/** Every dotted key that leads to a text in a catalogue. */
export function leafKeys(catalogue: unknown, prefix = ""): string[] {
  if (typeof catalogue !== "object" || catalogue === null) return prefix ? [prefix] : [];
  return Object.entries(catalogue as Record<string, unknown>).flatMap(([k, v]) =>
    leafKeys(v, prefix ? `${prefix}.${k}` : k),
  );
}

/** The __name__ placeholders a text uses, sorted. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/__(\w+)__/g)].map((m) => m[1]!))].sort();
}

/** The <script ... data-help-name="type"> section of an html file, or null. */
export function helpSection(html: string, type: string): string | null {
  const match = new RegExp(`<script[^>]* data-help-name="${type}"[^>]*>([\\s\\S]*?)</script>`).exec(html);
  return match ? match[1]! : null;
}

/** The distinct texts in <code> spans: what a translation must carry over unchanged. */
export function codeSpans(html: string): string[] {
  return [...new Set([...html.matchAll(/<code>([\s\S]*?)<\/code>/g)].map((m) => m[1]!.trim()))].sort();
}

/**
 * Properties a node implementation reads from its definition: `def.key`, and the entries of its input
 * table (src/nodes/inputs.ts: `{ from: "typed", property: "user" }` reads `user` and `userType`).
 */
export function defReads(source: string): string[] {
  const direct = [...source.matchAll(/\bdef\.(\w+)/g)].map((m) => m[1]!);
  const tabled = [...source.matchAll(/\{\s*from:\s*"([\w-]+)",\s*property:\s*"(\w+)"/g)].flatMap((m) =>
    m[1] === "typed" ? [m[2]!, `${m[2]}Type`] : [m[2]!],
  );
  return [...new Set([...direct, ...tabled])].sort();
}

/**
 * What the shared-row placeholders of a template stand for (resources/compass-editor.js expandRows,
 * which the browser tests run for real): the properties whose #node-input-<prop> they make, and the
 * data-i18n keys their labels use. `<div data-compass-row="typed" data-property="user">` is `user`
 * and `userType`, labelled `<type>.label.user`.
 */
export function sharedRows(html: string, type: string): { fields: string[]; keys: string[] } {
  const fields: string[] = [];
  const keys: string[] = [];
  for (const match of html.matchAll(/<div ([^>]*\bdata-compass-row="(\w+)"[^>]*)>/g)) {
    const attr = (name: string) => new RegExp(`\\bdata-${name}(?:="([^"]*)")?`).exec(match[1]!);
    const property = attr("property")?.[1];
    const label = attr("label")?.[1] ?? property;
    switch (match[2]) {
      case "config":
      case "name":
        fields.push(match[2]);
        keys.push(`${type}.label.${match[2]}`);
        break;
      case "typed": {
        fields.push(property!, `${property}Type`);
        keys.push(`${type}.label.${label}`);
        const placeholder = attr("placeholder");
        if (placeholder) keys.push(`${type}.placeholder.${placeholder[1] || property}`);
        break;
      }
      case "ids":
        fields.push(property!);
        keys.push(`${type}.label.${label}`, `${type}.placeholder.any`);
        break;
      case "select":
        fields.push(property!);
        keys.push(`${type}.label.${property}`);
        for (const value of attr("options")![1]!.split(/\s+/)) keys.push(`${type}.${property}.${value}`);
        break;
      case "checkbox":
        fields.push(property!);
        keys.push(`${type}.label.${property}`);
        break;
      case "events":
        keys.push(`${type}.label.events`);
        break;
      default:
        throw new Error(`${type}: no shared row ${match[2]}`);
    }
  }
  return { fields, keys };
}
