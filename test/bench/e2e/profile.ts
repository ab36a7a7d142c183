// Summarises a V8 .cpuprofile (node --cpu-prof): the top self-time entries, and self time by
// where the code lives (a package under node_modules, this package, Node itself, GC, idle).

import * as fs from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function place(url: string): string {
  if (!url) return "(native/vm)";
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1] as string;
  if (url.includes("/dist/src/")) return "this package";
  if (url.startsWith("node:")) return "node";
  return url
    .replace(/^file:\/\//, "")
    .split("/")
    .slice(-2)
    .join("/");
}

export function summarise(file: string, top = 10): string {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") {
      idle += dt;
      return;
    }
    total += dt;
    const file = url ? url.split("/").slice(-1)[0] : "";
    const key = `${functionName || "(anonymous)"} ${file ? `${file}:${lineNumber + 1}` : ""} [${place(url)}]`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const where = functionName.startsWith("(") ? functionName : place(url);
    byPlace.set(where, (byPlace.get(where) ?? 0) + dt);
  });
  const pct = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)}%`;
  const lines = [
    `busy ${(total / 1e6).toFixed(2)} s (idle ${(idle / 1e6).toFixed(2)} s); top ${top} self time:`,
  ];
  for (const [key, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`  ${pct(v)}  ${key}`);
  lines.push("self time by place:");
  for (const [key, v] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, 12))
    lines.push(`  ${pct(v)}  ${key}`);
  return lines.join("\n");
}
