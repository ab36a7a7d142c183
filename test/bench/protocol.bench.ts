// Protocol parse throughput, as ratios within one run (absolute numbers vary by machine).
//   node dist/test/bench/protocol.bench.js
// Compares, for the manual's call.start pubsub message:
//   element   findNotifications on the Element xmpp.js already hands us (the client's hot path)
//   string    parseStanzaString + findNotifications (what a client parsing text itself would pay)
//   ltx-only  parseStanzaString alone (how much of "string" is the XML parse)
//   fxp       fast-xml-parser XMLParser.parse from the string, processEntities: false; this yields
//             only a generic object tree, with no mapping to typed notifications, so it is a lower
//             bound for a fast-xml-parser-based client.
// Bounded: each case runs for ~TIME_MS or MAX_ITERATIONS, three rounds, median reported.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { findNotifications, parseStanzaString } from "../../src/compass/protocol";

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 700);
const MAX_ITERATIONS = 2_000_000;
const ROUNDS = 3;

const fixture = resolve(__dirname, "../../../test/fixtures/manual/a-call-start-message.xml");
const text = readFileSync(fixture, "utf8").replace(/^<!--.*-->\n/, "");
const element = parseStanzaString(text);
const fxp = new XMLParser({ ignoreAttributes: false, processEntities: false, attributeNamePrefix: "@" });

let sink = 0;
const cases: Record<string, () => void> = {
  element: () => {
    sink += findNotifications(element).length;
  },
  string: () => {
    sink += findNotifications(parseStanzaString(text)).length;
  },
  "ltx-only": () => {
    sink += parseStanzaString(text).children.length;
  },
  fxp: () => {
    sink += Object.keys(fxp.parse(text)).length;
  },
};

function measure(run: () => void): number {
  for (let i = 0; i < 2000; i++) run(); // warm-up
  const deadline = process.hrtime.bigint() + BigInt(TIME_MS) * 1_000_000n;
  const started = process.hrtime.bigint();
  let iterations = 0;
  while (iterations < MAX_ITERATIONS) {
    for (let i = 0; i < 200; i++) run();
    iterations += 200;
    if (process.hrtime.bigint() >= deadline) break;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return iterations / seconds;
}

const results: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(cases)) {
    const perSecond = measure(run);
    results[name] = [...(results[name] ?? []), perSecond];
  }
}
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const base = median(results.element!);
console.log(`protocol parse throughput (call.start message, ${text.length} chars), node ${process.version}`);
for (const [name, values] of Object.entries(results)) {
  const perSecond = median(values);
  console.log(
    `${name.padEnd(9)} ${Math.round(perSecond).toLocaleString("en").padStart(12)} notifications/s` +
      `   ratio to element: ${(perSecond / base).toFixed(3)}`,
  );
}
if (sink === 0) console.log("(sink)");
