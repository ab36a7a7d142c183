// compass-config: credentials in Node-RED's credential store, the platform's addresses, and one
// connection (REST client, shared XMPP session, live model) for every node that uses it.

import { CompassConnection } from "../compass/connection";
import { DEFAULT_PLATFORM_DOMAIN, deriveEndpoints, parseVersionPreference } from "../compass/endpoints";
import { failureKey } from "../compass/failure";
import { errorText } from "../compass/text";
import type { SessionStatus } from "../compass/xmpp";
import { registerAdminRoutes } from "./admin";
import { registerTestConnectionRoute } from "./admin-test";
import type { CompassConfigDef, CompassConfigNode, ShowSessionStatus } from "./config-node";
import { withDefaults } from "./defaults";
import { sharedText } from "./i18n";
import type { Node, NodeAPI } from "./red";
import { failureText, isHealthy, statusFor } from "./status";

export = function register(RED: NodeAPI): void {
  function CompassConfig(this: CompassConfigNode, saved: CompassConfigDef): void {
    const def = withDefaults("compass-config", saved);
    RED.nodes.createNode(this, def);
    this.users = {}; // Node-RED reads this name to route our status and errors (see config-node.ts)

    const username = this.credentials?.username?.trim();
    const password = this.credentials?.password;
    try {
      this.endpoints = deriveEndpoints(def.domain || DEFAULT_PLATFORM_DOMAIN, {
        restUrl: def.restUrl,
        filesUrl: def.filesUrl,
        xmppService: def.xmppService,
        jidDomain: def.jidDomain,
      });
      if (!username || !password) throw new Error(sharedText(RED, "errors.no-credentials"));
      this.connection = new CompassConnection({
        endpoints: this.endpoints,
        username,
        password,
        versions: parseVersionPreference(def.apiVersions),
        timeoutMs: requestTimeoutMs(def.timeout),
        ...trustedCa(this.credentials?.ca),
        pingIntervalMs: livenessIntervalMs(def.liveness),
        resourcePrefix: `node-red-${this.id}`,
        log: { debug: (m) => this.debug(m), warn: (m) => this.warn(m) },
      });
    } catch (err) {
      this.configError = errorText(err);
      this.error(this.configError);
    }

    const connection = this.connection;
    /** nodes that show the session state their own way (trigger nodes: their last event when healthy) */
    const shows = new Map<string, ShowSessionStatus>();
    const showTo = (user: Node, status: SessionStatus) => {
      const nodeStatus = statusFor(RED, status);
      const show = shows.get(user.id);
      if (show) show(nodeStatus, isHealthy(status));
      else user.status(nodeStatus);
    };
    /** the reason last sent to Catch nodes: once per change, not once per retry */
    let reportedReason: string | undefined;
    connection?.on("status", (status: SessionStatus) => {
      this.lastStatus = statusFor(RED, status);
      for (const user of Object.values(this.users)) showTo(user, status);
      if (status.state === "subscribed") reportedReason = undefined;
      const failed =
        status.state === "reconnecting" || status.state === "error" || status.state === "auth-failed";
      if (!failed) return;
      const key = status.reason ? failureKey(status.reason) : `${status.state}|${status.error ?? ""}`;
      if (key === reportedReason) return;
      reportedReason = key;
      const problem = status.reason
        ? failureText(RED, status.reason)
        : status.state === "auth-failed"
          ? sharedText(RED, "status.auth-failed")
          : (status.error ?? status.state);
      // once per change of reason: a warning in the log (with the underlying error), and with a
      // message Node-RED routes a config node's error to Catch nodes in its users' flows
      this.warn(status.error && status.error !== problem ? `${problem} (${status.error})` : problem);
      this.error(problem, {
        topic: `session.${status.state}`,
        payload: { ...status, retrying: status.state === "reconnecting" },
      });
    });

    this.acquire = (user: Node, show?: ShowSessionStatus) => {
      if (!connection) {
        user.status({ fill: "red", shape: "ring", text: this.configError ?? "" });
        return;
      }
      this.users[user.id] = user;
      if (show) shows.set(user.id, show);
      // acquire first: the first node's session is then already "connecting", not "stopped"
      connection.acquire(user.id);
      showTo(user, connection.status);
    };
    this.release = (user: Node, done: () => void) => {
      delete this.users[user.id];
      shows.delete(user.id);
      if (!connection) return done();
      connection.release(user.id).then(
        () => done(),
        () => done(),
      );
    };

    this.on("close", (_removed: boolean, done: () => void) => {
      this.connection = undefined;
      if (!connection) return done();
      connection.close().then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType("compass-config", CompassConfig, {
    // the CA is a public certificate, so the editor may show it back; it sits with the credentials
    // because it belongs to the same trust decision and stays out of exported flows
    credentials: { username: { type: "text" }, password: { type: "password" }, ca: { type: "text" } },
  });
  registerAdminRoutes(RED);
  registerTestConnectionRoute(RED);
};

/** The editor takes seconds; anything unusable falls back to the REST client's default. */
function requestTimeoutMs(seconds: unknown): number | undefined {
  const n = Number(seconds);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 600) * 1000 : undefined;
}

/** Seconds between liveness pings; anything unusable falls back to the session's default (15 s). */
function livenessIntervalMs(seconds: unknown): number | undefined {
  const n = Number(seconds);
  return Number.isFinite(n) && n > 0 ? Math.min(Math.max(n, 1), 3600) * 1000 : undefined;
}

/** A pasted CA certificate (PEM), trusted besides Node's roots; blank means none. */
function trustedCa(pem: unknown): { ca?: string } {
  return typeof pem === "string" && pem.trim() ? { ca: pem.trim() } : {};
}
