// The package declares what its code imports, pinned to one xmpp.js release, and what is installed is
// what is pinned. Without this, a package reached only through npm's hoisting (or an internal `lib/`
// path of another release) breaks under pnpm, Yarn or an xmpp.js bump, and nothing says so.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "../../..");

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

const manifest = readJson<Manifest>(join(ROOT, "package.json"));
const dependencies = manifest.dependencies ?? {};
const devDependencies = manifest.devDependencies ?? {};

/**
 * Test-only, from an older xmpp.js line: @xmpp/component was last published as 0.13.x, and only the
 * Prosody tests use it (test/support/components.ts). It must never reach `dependencies`.
 */
const OTHER_RELEASE_TEST_ONLY = ["@xmpp/component"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Bare specifiers of `import ... from`, `import(...)`, `export ... from` and `require(...)`. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  const pattern = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;
  for (const match of text.matchAll(pattern)) {
    const specifier = match[1] as string;
    if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
    if (builtinModules.includes(specifier)) continue;
    found.push(specifier);
  }
  return found;
}

function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
}

const EXACT = /^\d+\.\d+\.\d+$/;

describe("dependencies", () => {
  const srcImports = sourceFiles(join(ROOT, "src")).flatMap((file) =>
    importsOf(file).map((specifier) => ({ file: file.slice(ROOT.length + 1), specifier })),
  );

  it("finds the imports it checks (the scan is not blind)", () => {
    const packages = new Set(srcImports.map((i) => packageOf(i.specifier)));
    for (const known of ["@xmpp/xml", "@xmpp/client-core", "saxes", "ws"])
      assert.ok(packages.has(known), known);
  });

  it("every package src/ imports is a declared dependency, and resolves from the package root", () => {
    const missing = srcImports.filter((i) => !(packageOf(i.specifier) in dependencies));
    assert.deepEqual(missing, [], "imported by src/ but not in dependencies");
    for (const { file, specifier } of srcImports) {
      assert.doesNotThrow(() => require.resolve(specifier, { paths: [ROOT] }), `${file}: ${specifier}`);
    }
  });

  it("declares no runtime dependency that src/ does not import", () => {
    const used = new Set(srcImports.map((i) => packageOf(i.specifier)));
    assert.deepEqual(
      Object.keys(dependencies).filter((name) => !used.has(name)),
      [],
    );
  });

  it("keeps test-only xmpp.js packages out of the runtime dependencies", () => {
    for (const name of ["@xmpp/client", ...OTHER_RELEASE_TEST_ONLY]) {
      assert.ok(!(name in dependencies), `${name} is test-only`);
      assert.ok(name in devDependencies, `${name} is declared for the tests`);
      assert.ok(!srcImports.some((i) => packageOf(i.specifier) === name), `${name} is not imported by src/`);
    }
  });

  it("pins every xmpp.js package exactly, all to one release", () => {
    const pins = Object.entries({ ...dependencies, ...devDependencies }).filter(
      ([name]) => name.startsWith("@xmpp/") && !OTHER_RELEASE_TEST_ONLY.includes(name),
    );
    assert.ok(pins.length >= 10, "the xmpp.js packages are declared");
    for (const [name, pin] of pins) assert.match(pin, EXACT, `${name} is pinned exactly, not "${pin}"`);
    const releases = new Set(pins.map(([, pin]) => pin));
    assert.equal(releases.size, 1, `one xmpp.js release, not ${[...releases].join(", ")}`);
    // and it is the release @xmpp/client itself asks for (xmpp.js publishes them together)
    const client = readJson<Manifest>(join(ROOT, "node_modules/@xmpp/client/package.json"));
    for (const [name, pin] of pins) {
      const wanted = client.dependencies?.[name];
      if (wanted !== undefined)
        assert.equal(wanted.replace(/^\^/, ""), pin, `@xmpp/client asks ${name}@${wanted}`);
    }
    for (const name of OTHER_RELEASE_TEST_ONLY) {
      assert.match(devDependencies[name] ?? "", EXACT, `${name} is pinned exactly`);
    }
  });

  it("what is installed is what is pinned", () => {
    const exact = Object.entries({ ...dependencies, ...devDependencies }).filter(([, pin]) =>
      EXACT.test(pin),
    );
    assert.ok(exact.length > 0);
    for (const [name, pin] of exact) {
      const installed = readJson<Manifest>(join(ROOT, "node_modules", name, "package.json"));
      assert.equal(installed.version, pin, `${name}: installed ${installed.version}, pinned ${pin}`);
    }
    const lock = readJson<{ packages: Record<string, { version?: string; dependencies?: object }> }>(
      join(ROOT, "package-lock.json"),
    );
    assert.deepEqual(lock.packages[""]?.dependencies, dependencies, "package-lock.json matches package.json");
    for (const [name, pin] of exact) {
      assert.equal(lock.packages[`node_modules/${name}`]?.version, pin, `${name} in package-lock.json`);
    }
  });
});
