// `compass-simulator`: run the simulated platform from a shell.

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
// The simulator shares no protocol code with the client it tests; a host check is not protocol code.
import { isLoopbackHost } from "../compass/loopback";
import { startSimulator } from "./index";
import type { SeedData } from "./state/seed";

/**
 * The fixed loopback addresses the examples' connection ("Compass simulator") and `npm start` use,
 * so an imported example connects to a simulator started with no options.
 */
export const DEFAULT_PORTS = { rest: 8780, xmpp: 8722, websocket: 8781, files: 8782 } as const;

const USAGE = `Usage: compass-simulator [--host 127.0.0.1] [--port 8780] [--xmpp-port 8722] [--ws-port 8781]
                         [--files-port 8782] [--traffic 6] [--seed company.json] [--public]

  --host       address to listen on (default 127.0.0.1)
  --port       REST port (default ${DEFAULT_PORTS.rest}; 0: any free port)
  --xmpp-port  XMPP (TCP) port (default ${DEFAULT_PORTS.xmpp}; 0: any free port)
  --ws-port    XMPP over WebSocket port (default ${DEFAULT_PORTS.websocket}; 0: any free port; "off": none)
  --files-port reports (files) port: CDR and Events API (default ${DEFAULT_PORTS.files}; 0: any free port)
  --traffic    demo calls per minute, played continuously (default 0: none)
  --seed       JSON file with the company to simulate (default: the built-in company)
  --public     allow a non-loopback --host`;

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
    "files-port"?: string;
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
        "files-port": { type: "string" },
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
  if (!isLoopbackHost(host) && !values.public) {
    console.error(
      `Refusing to listen on ${host}: the simulator serves plain HTTP with well-known passwords, ` +
        "so anyone who can reach it can log in. Pass --public if you really mean it.",
    );
    return 2;
  }
  const port = portOption(values.port, "--port", DEFAULT_PORTS.rest);
  const xmppPort = portOption(values["xmpp-port"], "--xmpp-port", DEFAULT_PORTS.xmpp);
  const websocketPort =
    values["ws-port"] === "off"
      ? undefined
      : portOption(values["ws-port"], "--ws-port", DEFAULT_PORTS.websocket);
  const filesPort = portOption(values["files-port"], "--files-port", DEFAULT_PORTS.files);
  if (port === null || xmppPort === null || websocketPort === null || filesPort === null) return 2;
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

  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator({
      host,
      restPort: port,
      xmppPort,
      websocketPort,
      filesPort,
      seed,
      traffic: callsPerMinute > 0 ? { callsPerMinute } : undefined,
    });
  } catch (err) {
    const taken = portTakenMessage(err, {
      "--port": port,
      "--xmpp-port": xmppPort,
      "--ws-port": websocketPort,
      "--files-port": filesPort,
    });
    if (!taken) throw err;
    console.error(taken);
    return 3;
  }
  // listen for the signals before saying we run: a signal that comes right after "Press Ctrl+C"
  // would otherwise kill the process before the handler exists
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
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

  await stopped;
  await sim.close();
  console.log("Compass simulator stopped");
  return 0;
}

/** A port number from the command line (or its default), or null after saying what is wrong. */
function portOption(value: string | undefined, name: string, fallback: number): number | null {
  const port = value === undefined ? fallback : Number(value);
  if (Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  console.error(`${name} must be a number from 0 to 65535\n\n${USAGE}`);
  return null;
}

/** For a listen error on a port that is in use: which flag picks another one. */
function portTakenMessage(err: unknown, flags: Record<string, number | undefined>): string | null {
  const e = err as NodeJS.ErrnoException & { port?: number };
  if (e?.code !== "EADDRINUSE") return null;
  const flag =
    Object.keys(flags).find((f) => flags[f] === e.port) ?? "--port / --xmpp-port / --ws-port / --files-port";
  return (
    `Port ${e.port} is already in use (another compass-simulator, or npm start, may be running).\n` +
    `Stop it, or pick a free port with ${flag} N — then set the same port in the connection's ` +
    `REST URL / files URL / XMPP service, which point at ${DEFAULT_PORTS.rest} / ${DEFAULT_PORTS.files} / ` +
    `${DEFAULT_PORTS.xmpp} by default.`
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      // exit at once: after a failed listen a half-started endpoint may still hold a socket
      process.exit(code);
    },
    (err: unknown) => {
      console.error(`compass-simulator failed: ${(err as Error)?.message ?? err}`);
      process.exitCode = 1;
    },
  );
}
