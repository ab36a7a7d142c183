// The session's own costs through the simulator's embedded endpoint on loopback: IQ round trip
// (GET_COMPANY, one at a time) and notifications received per second, over plain TCP and over
// STARTTLS. Bounded; stops by itself:
//   node dist/test/bench/session.bench.js [requests=2000] [notifications=20000]
import os from "node:os";
import { CompassSession } from "../../src/compass/xmpp";
import { defaultPassword } from "../../src/simulator/state/seed";
import { CompanyState } from "../../src/simulator/state/store";
import { startXmppEndpoint, type XmppEndpoint } from "../../src/simulator/xmpp/server";
import { createTestCertificates } from "../support/tls";

const DOMAIN = "uc.compass.test";
const requests = Math.min(Number(process.argv[2] ?? 2000) || 2000, 20_000);
const notifications = Math.min(Number(process.argv[3] ?? 20_000) || 20_000, 200_000);
const TIME_LIMIT_MS = 60_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] as number;
}

async function run(label: string, endpoint: XmppEndpoint, state: CompanyState, ca?: string): Promise<void> {
  const session = new CompassSession({
    service: `xmpp://127.0.0.1:${endpoint.port}`,
    jidDomain: DOMAIN,
    username: "bob",
    password: defaultPassword("bob"),
    allowPlaintextOnLoopback: ca === undefined,
    ...(ca ? { ca } : {}),
  });
  const ready = new Promise((resolve) => session.once("ready", resolve));
  session.start();
  await ready;
  try {
    for (let i = 0; i < 100; i++) await session.request({ type: "GET_COMPANY" }); // warm-up
    const times: number[] = [];
    const deadline = Date.now() + TIME_LIMIT_MS / 2;
    for (let i = 0; i < requests && Date.now() < deadline; i++) {
      const t0 = process.hrtime.bigint();
      await session.request({ type: "GET_COMPANY" });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(
      `${label}: IQ round trip over ${times.length} requests: p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${percentile(times, 99).toFixed(3)} ms`,
    );

    const user = state.users()[0];
    if (!user) throw new Error("the seed has no users");
    let received = 0;
    let done: () => void = () => undefined;
    const all = new Promise<void>((resolve) => {
      done = resolve;
    });
    session.on("notification", () => {
      if (++received === notifications) done();
    });
    const t0 = process.hrtime.bigint();
    const timeout = setTimeout(done, TIME_LIMIT_MS / 2);
    for (let sent = 0; sent < notifications; ) {
      // produce in batches and yield, so the endpoint can write while we produce
      for (let i = 0; i < 500 && sent < notifications; i++, sent++) {
        state.setUserStatus(user.id, { displayStatus: `status ${sent}` });
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await all;
    clearTimeout(timeout);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(
      `${label}: ${received} of ${notifications} notifications in ${seconds.toFixed(2)} s = ${Math.round(received / seconds)} notifications/s (producer, endpoint and session share one process)`,
    );
  } finally {
    await session.stop();
  }
}

async function main(): Promise<void> {
  console.log(
    `machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, nproc ${os.availableParallelism()}, Node ${process.version}`,
  );
  {
    const state = new CompanyState();
    const endpoint = await startXmppEndpoint(state, { port: 0, userDomain: DOMAIN });
    try {
      await run("plain TCP", endpoint, state);
    } finally {
      await endpoint.close();
    }
  }
  const certs = await createTestCertificates([DOMAIN]);
  try {
    const state = new CompanyState();
    const endpoint = await startXmppEndpoint(state, {
      port: 0,
      userDomain: DOMAIN,
      tls: { key: certs.key, cert: certs.cert },
    });
    try {
      await run("STARTTLS", endpoint, state, certs.caCert);
    } finally {
      await endpoint.close();
    }
  } finally {
    await certs.cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
