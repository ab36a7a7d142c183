// One call starts the whole simulated platform on loopback: the company state, its REST API, its
// XMPP API (the phone. and pubsub. services behind an embedded XMPP endpoint), and its reports host
// (CDR and Events API, a second origin on its own port).

import { type FilesServer, type FilesServerOptions, startFilesServer } from "./files/server";
import { LoginGuard } from "./rest/login-guard";
import { type RestServerOptions, startRestServer } from "./rest/server";
import { startTraffic, type Traffic, type TrafficOptions } from "./scenarios";
import { defaultSeed, type SeedData } from "./state/seed";
import { CompanyState } from "./state/store";
import { startXmppEndpoint, type XmppEndpoint, type XmppEndpointOptions } from "./xmpp/server";

export { type FilesServer, type FilesServerOptions, startFilesServer } from "./files/server";
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
export { startXmppEndpoint, type XmppEndpoint, type XmppEndpointOptions } from "./xmpp/server";

/** The simulator's platform domain: REST and XMPP names derive from it as on the live platform. */
export const SIMULATOR_DOMAIN = "compass.test";

export interface SimulatorOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** REST port; default 0 (any free port) */
  restPort?: number;
  seed?: SeedData;
  clock?: () => number;
  rest?: Omit<RestServerOptions, "host" | "port">;
  /** reports host (CDR and Events API) port; default 0 (any free port) */
  filesPort?: number;
  files?: Omit<FilesServerOptions, "host" | "port" | "clock">;
  /** XMPP TCP port; default 0 (any free port); false = no XMPP side */
  xmppPort?: number | false;
  /** XMPP over WebSocket port; default: none */
  websocketPort?: number;
  xmpp?: Omit<XmppEndpointOptions, "host" | "port" | "websocketPort" | "userDomain">;
  /** continuous randomised calls for a demo; default none (tests run scenarios on demand) */
  traffic?: TrafficOptions;
}

export interface SimulatorCredential {
  username: string;
  password: string;
  name: string;
}

export interface Simulator {
  state: CompanyState;
  rest: { url: string; port: number; failNext(status: number, body?: unknown, times?: number): void };
  /** the reports host: what a compass-config's "files URL" takes */
  files: { url: string; port: number };
  /** absent when started with xmppPort: false */
  xmpp?: {
    /** what a compass-config's "XMPP service" takes: xmpp://127.0.0.1:PORT */
    service: string;
    websocketUrl?: string;
    /** the JID domain: users log in as username@jidDomain */
    jidDomain: string;
    endpoint: XmppEndpoint;
  };
  /** running demo traffic, when started with `traffic` */
  traffic?: Traffic;
  /** the platform domain to configure (compass.test) */
  domain: string;
  credentials: SimulatorCredential[];
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? "127.0.0.1";
  const state = new CompanyState({ seed: options.seed ?? defaultSeed(), clock: options.clock });
  // one failed-login lockout for the REST and reports hosts: the platform blocks an address
  const guard = new LoginGuard(options.rest?.lockout, options.rest?.now);
  const rest = await startRestServer(state, { ...options.rest, guard, host, port: options.restPort ?? 0 });
  let files: FilesServer;
  try {
    files = await startFilesServer(state, {
      ...options.files,
      guard,
      host,
      port: options.filesPort ?? 0,
      clock: options.clock,
    });
  } catch (err) {
    await rest.close();
    throw err;
  }

  let endpoint: XmppEndpoint | undefined;
  if (options.xmppPort !== false) {
    try {
      endpoint = await startXmppEndpoint(state, {
        ...options.xmpp,
        host,
        port: options.xmppPort ?? 0,
        websocketPort: options.websocketPort,
        userDomain: `uc.${SIMULATOR_DOMAIN}`,
      });
    } catch (err) {
      await files.close();
      await rest.close();
      throw err;
    }
  }

  const traffic = options.traffic ? startTraffic(state, options.traffic) : undefined;

  let closed = false;
  return {
    state,
    rest: { url: rest.url, port: rest.port, failNext: rest.failNext },
    files: { url: files.url, port: files.port },
    xmpp: endpoint && {
      service: `xmpp://${host}:${endpoint.port}`,
      websocketUrl: endpoint.websocketUrl,
      jidDomain: endpoint.domains.userDomain,
      endpoint,
    },
    domain: SIMULATOR_DOMAIN,
    traffic,
    credentials: state.users().map((u) => ({ username: u.username, password: u.password, name: u.name })),
    async close() {
      if (closed) return;
      closed = true;
      await traffic?.stop();
      await endpoint?.close();
      await files.close();
      await rest.close();
      state.removeAllListeners();
    },
  };
}
