// One call starts the whole simulated platform: the company state and its REST API (and, once the
// lead wires it in, the XMPP side) on loopback.

import { type RestServerOptions, startRestServer } from "./rest/server";
import { defaultSeed, type SeedData } from "./state/seed";
import { CompanyState } from "./state/store";

export { type RestServer, type RestServerOptions, startRestServer } from "./rest/server";
export {
  SimConflictError,
  SimError,
  SimForbiddenError,
  SimNotFoundError,
  SimValidationError,
} from "./state/errors";
export { defaultPassword, defaultSeed, type SeedData } from "./state/seed";
export { CompanyState, type CompanyStateOptions } from "./state/store";

export interface SimulatorOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** REST port; default 0 (any free port) */
  restPort?: number;
  seed?: SeedData;
  clock?: () => number;
  rest?: Omit<RestServerOptions, "host" | "port">;
}

export interface SimulatorCredential {
  username: string;
  password: string;
  name: string;
}

export interface Simulator {
  state: CompanyState;
  rest: { url: string; port: number; failNext(status: number, body?: unknown, times?: number): void };
  credentials: SimulatorCredential[];
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? "127.0.0.1";
  const state = new CompanyState({ seed: options.seed ?? defaultSeed(), clock: options.clock });
  const rest = await startRestServer(state, { ...options.rest, host, port: options.restPort ?? 0 });

  // ---- XMPP side: the lead adds it here (start the XMPP endpoints on `state`, add them to
  // ---- the returned object, and close them in close() below, before the REST server).

  let closed = false;
  return {
    state,
    rest: { url: rest.url, port: rest.port, failNext: rest.failNext },
    credentials: state.users().map((u) => ({ username: u.username, password: u.password, name: u.name })),
    async close() {
      if (closed) return;
      closed = true;
      await rest.close();
      state.removeAllListeners();
    },
  };
}
