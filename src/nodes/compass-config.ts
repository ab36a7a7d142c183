// compass-config: credentials in Node-RED's credential store, the platform's addresses, one REST
// client and (for real-time nodes) one shared XMPP session for every node that uses it.

import { DEFAULT_PLATFORM_DOMAIN, deriveEndpoints, parseVersionPreference } from "../compass/endpoints";
import { RestClient } from "../compass/rest";
import type { CompassConfigDef, CompassConfigNode } from "./config-node";
import { sharedText } from "./i18n";
import type { Node, NodeAPI } from "./red";

export = function register(RED: NodeAPI): void {
  function CompassConfig(this: CompassConfigNode, def: CompassConfigDef): void {
    RED.nodes.createNode(this, def);
    this.users = {};

    const username = this.credentials?.username?.trim();
    const password = this.credentials?.password;
    try {
      this.endpoints = deriveEndpoints(def.domain || DEFAULT_PLATFORM_DOMAIN, {
        restUrl: def.restUrl,
        xmppService: def.xmppService,
        jidDomain: def.jidDomain,
      });
      if (!username || !password) throw new Error(sharedText(RED, "errors.no-credentials"));
      this.rest = new RestClient({
        baseUrl: this.endpoints.restUrl,
        username,
        password,
        versions: parseVersionPreference(def.apiVersions),
        timeoutMs: requestTimeoutMs(def.timeout),
      });
    } catch (err) {
      this.configError = err instanceof Error ? err.message : String(err);
      this.error(this.configError);
    }

    this.register = (user: Node) => {
      this.users[user.id] = user;
      if (this.lastStatus) user.status(this.lastStatus);
    };
    this.deregister = (user: Node, done: () => void) => {
      delete this.users[user.id];
      done();
    };

    this.on("close", (_removed: boolean, done: () => void) => {
      const rest = this.rest;
      this.rest = undefined;
      Promise.resolve(rest?.close()).then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType("compass-config", CompassConfig, {
    credentials: { username: { type: "text" }, password: { type: "password" } },
  });
};

/** The editor takes seconds; anything unusable falls back to the REST client's default. */
function requestTimeoutMs(seconds: unknown): number | undefined {
  const n = Number(seconds);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 600) * 1000 : undefined;
}
