// `compass-simulator`: run the simulated platform from a shell.

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startSimulator } from "./index";
import type { SeedData } from "./state/seed";

const USAGE = `Usage: compass-simulator [--host 127.0.0.1] [--port 0] [--xmpp-port 0] [--ws-port N]
                         [--traffic 6] [--seed company.json] [--public]

  --host       address to listen on (default 127.0.0.1)
  --port       REST port (default 0: any free port)
  --xmpp-port  XMPP (TCP) port (default 0: any free port)
  --ws-port    XMPP over WebSocket port (default: no WebSocket)
  --traffic    demo calls per minute, played continuously (default 0: none)
  --seed       JSON file with the company to simulate (default: the built-in company)
  --public     allow a non-loopback --host`;

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

function loadSeed(path: string): SeedData {
  const data = JSON.parse(readFileSync(path, "utf8")) as SeedData;
  for (const key of ["company", "users", "queues", "dpSwitches", "externalNumbers", "phones"] as const) {
    if (!(key in data)) throw new Error(`${path}: the seed has no "${key}"`);
  }
  return data;
}

export async function main(argv: string[]): Promise<number> {
  let values: {
    host?: string;
    port?: string;
    "xmpp-port"?: string;
    "ws-port"?: string;
    traffic?: string;
    seed?: string;
    public?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        "xmpp-port": { type: "string" },
        "ws-port": { type: "string" },
        traffic: { type: "string" },
        seed: { type: "string" },
        public: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const host = values.host ?? "127.0.0.1";
  if (!isLoopback(host) && !values.public) {
    console.error(
      `Refusing to listen on ${host}: the simulator serves plain HTTP with well-known passwords, ` +
        "so anyone who can reach it can log in. Pass --public if you really mean it.",
    );
    return 2;
  }
  const port = portOption(values.port, "--port");
  const xmppPort = portOption(values["xmpp-port"], "--xmpp-port");
  const websocketPort =
    values["ws-port"] === undefined ? undefined : portOption(values["ws-port"], "--ws-port");
  if (port === null || xmppPort === null || websocketPort === null) return 2;
  const callsPerMinute = values.traffic === undefined ? 0 : Number(values.traffic);
  if (!Number.isFinite(callsPerMinute) || callsPerMinute < 0 || callsPerMinute > 600) {
    console.error(`--traffic must be a number of calls per minute from 0 to 600\n\n${USAGE}`);
    return 2;
  }
  let seed: SeedData | undefined;
  try {
    seed = values.seed ? loadSeed(values.seed) : undefined;
  } catch (err) {
    console.error(`Cannot read the seed: ${(err as Error).message}`);
    return 2;
  }

  const sim = await startSimulator({
    host,
    restPort: port,
    xmppPort,
    websocketPort,
    seed,
    traffic: callsPerMinute > 0 ? { callsPerMinute } : undefined,
  });
  console.log(`Compass simulator running`);
  console.log(`  platform domain: ${sim.domain}   (set it in the compass-config node)`);
  console.log(`  REST API:   ${sim.rest.url}`);
  console.log(`  reports:    ${sim.files.url}   (the files URL: CDR and Events API)`);
  if (sim.xmpp) {
    console.log(`  XMPP:       ${sim.xmpp.service}   (users log in as username@${sim.xmpp.jidDomain})`);
    if (sim.xmpp.websocketUrl) console.log(`  WebSocket:  ${sim.xmpp.websocketUrl}`);
  }
  console.log(`  company:    ${sim.state.company.name} (id ${sim.state.company.id})`);
  if (callsPerMinute > 0) console.log(`  traffic:    about ${callsPerMinute} demo calls a minute`);
  console.log(`  users (username / password):`);
  for (const c of sim.credentials)
    console.log(`    ${c.username.padEnd(12)} ${c.password.padEnd(20)} ${c.name}`);
  console.log(`Press Ctrl+C to stop.`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await sim.close();
  console.log("Compass simulator stopped");
  return 0;
}

/** A port number from the command line, or null after saying what is wrong. */
function portOption(value: string | undefined, name: string): number | null {
  const port = value === undefined ? 0 : Number(value);
  if (Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  console.error(`${name} must be a number from 0 to 65535\n\n${USAGE}`);
  return null;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`compass-simulator failed: ${(err as Error)?.message ?? err}`);
      process.exitCode = 1;
    },
  );
}
