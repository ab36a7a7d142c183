// `npm run bench`: every benchmark in this folder, one after the other, each in its own process so
// one cannot warm or slow another. Each prints ratios against a baseline measured in its own run.
// Bounded: each bench stops by itself; this runner gives each at most five minutes.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const here = __dirname;
const benches = fs
  .readdirSync(here)
  .filter((f) => f.endsWith(".bench.js"))
  .sort();
console.log(
  `${benches.length} benchmarks on ${os.cpus()[0]?.model ?? "?"} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
);
let failed = 0;
for (const file of benches) {
  console.log(`\n== ${file}`);
  const result = spawnSync(process.execPath, [path.join(here, file)], { stdio: "inherit", timeout: 300_000 });
  if (result.status !== 0) {
    failed++;
    console.log(`${file} failed (${result.signal ?? `exit ${result.status}`})`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
