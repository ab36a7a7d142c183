// The one way a node reaches its config node's connection, or learns why it cannot: no config node
// selected, or one whose configuration cannot work. Either way the red status is set here, once.

import type { CompassConnection } from "../compass/connection";
import type { CompassConfigNode } from "./config-node";
import { sharedText } from "./i18n";
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, SendFn } from "./red";

export type ConnectionOf =
  | { config: CompassConfigNode; connection: CompassConnection; reason?: undefined }
  | { config?: undefined; connection?: undefined; reason: string };

export function connectionOf(RED: NodeAPI, node: Node, def: NodeDef): ConnectionOf {
  const id = typeof def.config === "string" ? def.config : "";
  const config = id ? (RED.nodes.getNode(id) as CompassConfigNode | null) : null;
  if (!config) {
    node.status({ fill: "red", shape: "ring", text: sharedText(RED, "status.no-config") });
    return { reason: sharedText(RED, "errors.no-config") };
  }
  const connection = config.connection;
  if (config.configError || !connection) {
    const reason = config.configError ?? sharedText(RED, "errors.no-config");
    node.status({ fill: "red", shape: "ring", text: reason });
    return { reason };
  }
  return { config, connection };
}

/** A node without a connection answers every message with the reason, for Catch nodes. */
export function refuseInput(node: Node, reason: string): void {
  node.on("input", (_msg: NodeMessage, _send: SendFn, done: DoneFn) => done(new Error(reason)));
}
