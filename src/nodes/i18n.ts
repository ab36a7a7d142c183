// Message texts. Each node file has its catalog in nodes/locales/<lang>/<file>.json; texts shared by
// every node (status, common errors) live once, under "common" in compass-config's catalog. A key
// with ":" is taken by Node-RED as fully qualified, which is how one node reads another's catalog.
// Where no catalog is loaded (test harnesses answer the key itself), the bundled en-US text is used,
// so a user or a Catch node never sees a bare key.

import * as fs from "node:fs";
import * as path from "node:path";
import { OperationError } from "../compass/operations";
import type { NodeAPI } from "./red";

type Substitutions = Record<string, string | number>;

const PACKAGE_ROOT = path.resolve(__dirname, "..", "..", "..");
const PACKAGE_NAME: string = JSON.parse(
  fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8"),
).name;
const fallbackCatalogs = new Map<string, Record<string, unknown>>();

export type Translate = (key: string, substitutions?: Substitutions) => string;

/** Texts of one node file's catalog, e.g. translator(RED, "compass-api")("compass-api.errors.no-path"). */
export function translator(RED: NodeAPI, file: string): Translate {
  const namespace = `${PACKAGE_NAME}/${file}`;
  return (key, substitutions) => {
    const qualified = `${namespace}:${key}`;
    const text = RED._(qualified, substitutions);
    if (text !== qualified && text !== key) return text;
    return substitute(lookup(fallbackCatalog(file), key) ?? key, substitutions);
  };
}

/** Texts shared by every node: status and common errors. */
export function sharedText(RED: NodeAPI, key: string, substitutions?: Substitutions): string {
  return translator(RED, "compass-config")(`common.${key}`, substitutions);
}

function fallbackCatalog(file: string): Record<string, unknown> {
  let catalog = fallbackCatalogs.get(file);
  if (!catalog) {
    try {
      const source = path.join(PACKAGE_ROOT, "nodes", "locales", "en-US", `${file}.json`);
      catalog = JSON.parse(fs.readFileSync(source, "utf8")) as Record<string, unknown>;
    } catch {
      catalog = {};
    }
    fallbackCatalogs.set(file, catalog);
  }
  return catalog;
}

function lookup(catalog: Record<string, unknown>, key: string): string | undefined {
  let at: unknown = catalog;
  for (const part of key.split(".")) {
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return typeof at === "string" ? at : undefined;
}

function substitute(text: string, substitutions?: Substitutions): string {
  if (!substitutions) return text;
  return text.replace(/__(\w+)__/g, (whole, name: string) =>
    name in substitutions ? String(substitutions[name]) : whole,
  );
}

/**
 * A platform operation's refusal in the node's language: its code names a text under
 * "<file>.errors"; an error without such a text keeps its own message.
 */
export function localised(t: Translate, file: string, err: unknown): unknown {
  if (!(err instanceof OperationError)) return err;
  const key = `${file}.errors.${err.code}`;
  const text = t(key, err.params);
  if (text !== key) err.message = text; // the same error, so a status code on it still reaches msg
  return err;
}
