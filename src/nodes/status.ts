// The live session's state as a node status: the same words under every node that uses it.

import type { SessionStatus } from "../compass/xmpp";
import { sharedText } from "./i18n";
import type { NodeAPI, NodeStatus } from "./red";

/** The session's state as a node status, the same under every node that uses the connection. */
export function statusFor(RED: NodeAPI, status: SessionStatus): NodeStatus {
  switch (status.state) {
    case "connecting":
      return { fill: "yellow", shape: "ring", text: sharedText(RED, "status.connecting") };
    case "connected":
      return { fill: "yellow", shape: "dot", text: sharedText(RED, "status.connected") };
    case "subscribed":
      return { fill: "green", shape: "dot", text: sharedText(RED, "status.subscribed") };
    case "reconnecting":
      return {
        fill: "yellow",
        shape: "ring",
        text: sharedText(RED, "status.reconnecting", {
          seconds: Math.ceil((status.nextAttemptInMs ?? 0) / 1000),
        }),
      };
    case "auth-failed":
      return { fill: "red", shape: "ring", text: sharedText(RED, "status.auth-failed") };
    case "error":
      return {
        fill: "red",
        shape: "ring",
        text: sharedText(RED, "status.error", { error: status.error ?? "" }),
      };
    default:
      return { fill: "grey", shape: "ring", text: sharedText(RED, "status.stopped") };
  }
}
