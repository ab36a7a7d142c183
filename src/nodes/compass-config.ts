// compass-config: credentials in Node-RED's credential store, the platform's addresses, one REST
// client and (for real-time nodes) one shared XMPP session for every node that uses it.

import {
  DEFAULT_PLATFORM_DOMAIN,
  deriveEndpoints,
  type Endpoints,
  parseVersionPreference,
} from "../compass/endpoints";
import { RestClient } from "../compass/rest";
import { sharedText } from "./i18n";
import type { Node, NodeAPI, NodeDef, NodeStatus } from "./red";

export interface CompassConfigNode extends Node {
  endpoints?: Endpoints;
  rest?: RestClient;
  /** set when the configuration cannot work (bad domain, missing credentials): shown on every user */
  configError?: string;
  /** the nodes that use this config node, by id (the name Node-RED routes status and errors by) */
  users: Record<string, Node>;
  register(node: Node): void;
  deregister(node: Node, done: () => void): void;
  /** last status pushed to users, so a node registering late shows it at once */
  lastStatus?: NodeStatus;
}

export interface CompassConfigDef extends NodeDef {
  domain?: string;
  restUrl?: string;
  xmppService?: string;
  jidDomain?: string;
  apiVersions?: string;
}

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
