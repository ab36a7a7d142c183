// One call starts the whole simulated platform on loopback: the company state, its REST API, and
// its XMPP API (the phone. and pubsub. services behind an embedded XMPP endpoint).

import { type RestServerOptions, startRestServer } from "./rest/server";
import { startTraffic, type Traffic, type TrafficOptions } from "./scenarios";
import { defaultSeed, type SeedData } from "./state/seed";
import { CompanyState } from "./state/store";
import { startXmppEndpoint, type XmppEndpoint, type XmppEndpointOptions } from "./xmpp/server";

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
  const rest = await startRestServer(state, { ...options.rest, host, port: options.restPort ?? 0 });

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
      await rest.close();
      throw err;
    }
  }

  const traffic = options.traffic ? startTraffic(state, options.traffic) : undefined;

  let closed = false;
  return {
    state,
    rest: { url: rest.url, port: rest.port, failNext: rest.failNext },
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
      await rest.close();
      state.removeAllListeners();
    },
  };
}
