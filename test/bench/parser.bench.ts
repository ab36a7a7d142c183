// SAX parsers on the stream the client actually receives (pubsub notification stanzas, in 64 KiB
// chunks), counting elements only, so the figure is the parser's own cost. ltx's parser is what
// xmpp.js uses; a faster one would only be worth adopting if it wins clearly here.
// Bounded; stops by itself:   node dist/test/bench/parser.bench.js [stanzas=50000]

import * as os from "node:os";
import { notificationStanzas } from "./e2e/company";

const STANZAS = Math.min(Number(process.argv[2] ?? 50_000) || 50_000, 500_000);
const CHUNK = 65_536;

const stream = notificationStanzas(Math.ceil(STANZAS / 5)).join("");
const chunks: string[] = [];
for (let i = 0; i < stream.length; i += CHUNK) chunks.push(stream.slice(i, i + CHUNK));
const opening = `<stream:stream xmlns="jabber:client" xmlns:stream="http://etherx.jabber.org/streams">`;

interface Candidate {
  name: string;
  /** feeds every chunk, returns the number of elements opened */
  run(): number;
}

const candidates: Candidate[] = [
  {
    name: "ltx (xmpp.js's parser)",
    run() {
      const LtxSax = require("ltx/lib/parsers/ltx.js");
      const parser = new LtxSax();
      let n = 0;
      parser.on("startElement", () => n++);
      parser.write(opening);
      for (const c of chunks) parser.write(c);
      return n;
    },
  },
  {
    name: "saxes",
    run() {
      const { SaxesParser } = require("saxes");
      const parser = new SaxesParser({ fragment: false });
      let n = 0;
      parser.on("opentag", () => n++);
      parser.write(opening);
      for (const c of chunks) parser.write(c);
      return n;
    },
  },
  {
    name: "sax (sax-js)",
    run() {
      const sax = require("sax");
      const parser = sax.parser(true, {});
      let n = 0;
      parser.onopentag = () => n++;
      parser.write(opening);
      for (const c of chunks) parser.write(c);
      return n;
    },
  },
];

console.log(
  `parser bench: ${STANZAS} stanzas (${(stream.length / 2 ** 20).toFixed(1)} MiB), ${os.cpus()[0]?.model} x${os.availableParallelism()}, node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}`,
);
for (const c of candidates) c.run(); // warm-up
const ROUNDS = 5;
const times = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
let elements = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const c of candidates) {
    const t0 = process.hrtime.bigint();
    elements = c.run();
    times.get(c.name)?.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const base = median(times.get(candidates[0]!.name)!);
for (const c of candidates) {
  const ms = median(times.get(c.name)!);
  console.log(
    `${c.name.padEnd(24)} ${ms.toFixed(0).padStart(6)} ms  ${Math.round((STANZAS * 1000) / ms)
      .toString()
      .padStart(8)} stanzas/s  ratio ${(base / ms).toFixed(2)}  (${elements} elements)`,
  );
}
