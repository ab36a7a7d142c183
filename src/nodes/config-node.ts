// The shape of a deployed compass-config node, as the nodes that use it see it.

import type { CompassConnection } from "../compass/connection";
import type { Endpoints } from "../compass/endpoints";
import type { Node, NodeDef, NodeStatus } from "./red";

export interface CompassConfigNode extends Node {
  endpoints?: Endpoints;
  /** REST client, live session and live model; absent when the configuration cannot work */
  connection?: CompassConnection;
  /** set when the configuration cannot work (bad domain, missing credentials): shown on every user */
  configError?: string;
  /**
   * The real-time nodes that use this config node, by id. The name must stay `users` (not holders,
   * like the rest of acquire/release): Node-RED routes the config node's errors and status to Catch
   * and Status nodes in the flows of the nodes listed under exactly this property.
   */
  users: Record<string, Node>;
  /**
   * A real-time node holds the shared live session (the connection's acquire): the first one opens
   * it. With `show`, the node is handed the session's status instead of having it set on it directly.
   */
  acquire(node: Node, show?: ShowSessionStatus): void;
  /** a real-time node lets go of the live session (the connection's release): the last one closes it */
  release(node: Node, done: () => void): void;
  /** the session's status as last pushed to users, so a node acquiring late shows it at once */
  lastStatus?: NodeStatus;
}

/** The session's status as a node status, and whether the session is healthy (subscribed). */
export type ShowSessionStatus = (status: NodeStatus, healthy: boolean) => void;

export interface CompassConfigDef extends NodeDef {
  domain?: string;
  restUrl?: string;
  /** the reports host (files.D) override */
  filesUrl?: string;
  xmppService?: string;
  jidDomain?: string;
  apiVersions?: string;
  /** REST request timeout in seconds */
  timeout?: string | number;
  /** seconds between liveness pings to the XMPP server and the phone service */
  liveness?: string | number;
}
