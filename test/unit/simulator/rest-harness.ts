// A real simulator REST server on loopback and a small fetch wrapper for the tests.

import { type RestServer, type RestServerOptions, startRestServer } from "../../../src/simulator/rest/server";
import { CompanyState } from "../../../src/simulator/state/store";
import type { SimNotification } from "../../../src/simulator/state/types";

export const V1 = "application/vnd.iperity.compass.v1+json";
export const V2 = "application/vnd.iperity.compass.v2+json";
export const V3 = "application/vnd.iperity.compass.v3+json";

export interface Harness {
  state: CompanyState;
  server: RestServer;
  base: string;
  notifications: SimNotification[];
  call(path: string, init?: CallInit): Promise<Answer>;
  close(): Promise<void>;
}

export interface CallInit {
  method?: string;
  /** username; password is the seed's unless `password` is given; null = no Authorization */
  as?: string | null;
  password?: string;
  accept?: string | null;
  body?: unknown;
  /** sent as is, not JSON-encoded */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** parsed JSON, or undefined for an empty body */
  body: unknown;
  text: string;
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

export async function startHarness(options: RestServerOptions = {}): Promise<Harness> {
  const state = new CompanyState();
  const notifications: SimNotification[] = [];
  state.on("notification", (n) => notifications.push(n));
  const server = await startRestServer(state, { host: "127.0.0.1", port: 0, ...options });
  const base = server.url;
  return {
    state,
    server,
    base,
    notifications,
    async call(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      const as = init.as === undefined ? "alice" : init.as;
      if (as !== null) headers.Authorization = basic(as, init.password ?? `compass-${as}`);
      if (init.accept !== null) headers.Accept = init.accept ?? V2;
      let body: string | undefined = init.rawBody;
      if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers["Content-Type"] = "application/json";
      }
      const res = await fetch(path.startsWith("http") ? path : `${base}${path}`, {
        method: init.method ?? (body !== undefined ? "POST" : "GET"),
        headers,
        body,
        redirect: "manual",
      });
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        text,
        body: text === "" ? undefined : JSON.parse(text),
      };
    },
    close: () => server.close(),
  };
}
