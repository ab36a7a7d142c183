// The simulator's XMPP stream reading (saxes plus its own caps, src/simulator/xmpp/xml.ts), as a
// ratio to ltx's stream parser (what xmpp.js clients use) on the same input in the same run.
//   node dist/test/bench/simulator-xml.bench.js
// Input: what clients send the simulator (requests, a subscribe with its options form, pings,
// presence), as one TCP stream cut into 1400-character chunks. Bounded: each case runs for ~TIME_MS
// or MAX_ROUNDS streams, three rounds, median reported.
import { NS_CLIENT, NS_STREAM, XmlStreamParser } from "../../src/simulator/xmpp/xml";

interface LtxStreamParser {
  on(event: "element", listener: (el: unknown) => void): void;
  on(event: "error", listener: (err: Error) => void): void;
  write(data: string): void;
}
const { Parser: LtxParser } = require("@xmpp/xml") as { Parser: new () => LtxStreamParser };

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 700);
const MAX_ROUNDS = 100_000;
const ROUNDS = 3;
const CHUNK = 1400;

const stanzas = [
  `<iq type="get" id="r1" to="phone.uc.compass.test"><request xmlns="http://iperity.com/compass" type="GET"><filter type="user" id="1001"/></request></iq>`,
  `<iq type="set" id="s1" to="pubsub.uc.compass.test"><pubsub xmlns="http://jabber.org/protocol/pubsub"><subscribe node="c1" jid="bob@uc.compass.test/r"/><options><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE" type="hidden"><value>http://jabber.org/protocol/pubsub#subscribe_options</value></field><field var="pubsub#expire"><value>presence</value></field></x></options></pubsub></iq>`,
  `<iq type="get" id="p1"><ping xmlns="urn:xmpp:ping"/></iq>`,
  `<presence><priority>1</priority><status>caf\u00e9 &amp; co</status></presence>`,
];
const header = `<?xml version='1.0'?><stream:stream xmlns="${NS_CLIENT}" xmlns:stream="${NS_STREAM}" to="uc.compass.test" version="1.0">`;
const body = Array.from({ length: 50 }, (_, i) => stanzas[i % stanzas.length]).join("");
const stream = header + body;
const chunks: string[] = [];
for (let i = 0; i < stream.length; i += CHUNK) chunks.push(stream.slice(i, i + CHUNK));
const PER_STREAM = 50;

let sink = 0;
const cases: Record<string, () => void> = {
  ltx: () => {
    const parser = new LtxParser();
    parser.on("element", () => sink++);
    parser.on("error", (err) => {
      throw err;
    });
    for (const c of chunks) parser.write(c);
  },
  simulator: () => {
    const parser = new XmlStreamParser({ mode: "stream" });
    parser.on("element", () => sink++);
    parser.on("error", (err: Error) => {
      throw err;
    });
    for (const c of chunks) parser.write(c);
  },
};

function measure(run: () => void): number {
  for (let i = 0; i < 50; i++) run(); // warm-up
  const deadline = process.hrtime.bigint() + BigInt(TIME_MS) * 1_000_000n;
  const started = process.hrtime.bigint();
  let streams = 0;
  while (streams < MAX_ROUNDS) {
    for (let i = 0; i < 10; i++) run();
    streams += 10;
    if (process.hrtime.bigint() >= deadline) break;
  }
  return (streams * PER_STREAM) / (Number(process.hrtime.bigint() - started) / 1e9);
}

const results: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(cases)) results[name] = [...(results[name] ?? []), measure(run)];
}
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const base = median(results.ltx ?? []);
console.log(
  `simulator stream reading (${stream.length} chars, ${PER_STREAM} stanzas a stream), node ${process.version}`,
);
for (const [name, values] of Object.entries(results)) {
  const perSecond = median(values);
  console.log(
    `${name.padEnd(10)} ${Math.round(perSecond).toLocaleString("en").padStart(12)} stanzas/s   ratio to ltx: ${(perSecond / base).toFixed(3)}`,
  );
}
if (sink === 0) console.log("(sink)");
