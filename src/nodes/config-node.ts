// The shape of a deployed compass-config node, as the nodes that use it see it.

import type { Endpoints } from "../compass/endpoints";
import type { RestClient } from "../compass/rest";
import type { Node, NodeDef, NodeStatus } from "./red";

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
  /** REST request timeout in seconds */
  timeout?: string | number;
}
