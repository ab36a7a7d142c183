// The shared shape of every action node: evaluate typed inputs, do one REST operation, answer in
// msg.payload / msg.statusCode, call done() once, and on failure done(err) so a Catch node gets a
// clear message. Status under the node says what the last operation did.

import type { CompassConnection } from "../compass/connection";
import { classifyFailure } from "../compass/failure";
import { asError, cut } from "../compass/text";
import { connectionOf, refuseInput } from "./connection-of";
import { sharedText } from "./i18n";
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, SendFn } from "./red";
import { failureText, withTime } from "./status";

export interface ActionResult {
  payload: unknown;
  statusCode?: number;
  headers?: Record<string, string | string[]>;
  /** short text for the node status, e.g. "logged in" */
  summary: string;
}

export type ActionHandler = (msg: NodeMessage, connection: CompassConnection) => Promise<ActionResult>;

export function evaluate(
  RED: NodeAPI,
  node: Node,
  msg: NodeMessage,
  value: unknown,
  type: unknown,
): Promise<unknown> {
  const t = typeof type === "string" && type ? type : "str";
  const v = typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  return new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(v, t, node, msg, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** Wire an action node: one handler per message, status and errors handled the same way everywhere. */
export function runAction(RED: NodeAPI, node: Node, def: NodeDef, handler: ActionHandler): void {
  const { connection, reason } = connectionOf(RED, node, def);
  if (!connection) {
    refuseInput(node, reason);
    return;
  }
  node.on("input", (msg: NodeMessage, send: SendFn, done: DoneFn) => {
    // replaces whatever the last request left, a stale error included
    node.status({ fill: "blue", shape: "dot", text: sharedText(RED, "status.requesting") });
    handler(msg, connection).then(
      (result) => {
        msg.payload = result.payload;
        if (result.statusCode !== undefined) msg.statusCode = result.statusCode;
        if (result.headers) msg.headers = result.headers;
        node.status({ fill: "green", shape: "dot", text: withTime(RED, result.summary) });
        send(msg);
        done();
      },
      (err: unknown) => {
        const error = asError(err);
        const statusCode = (error as { statusCode?: unknown }).statusCode;
        if (typeof statusCode === "number") msg.statusCode = statusCode;
        node.status({
          fill: "red",
          shape: "ring",
          text: withTime(RED, cut(reasonOf(RED, error), STATUS_REASON_LENGTH)),
        });
        done(error);
      },
    );
  });
}

/** A connection failure in the words the session's status uses; any other error by its message. */
function reasonOf(RED: NodeAPI, error: Error): string {
  const failure = classifyFailure(error);
  return failure.kind === "other" ? error.message : failureText(RED, failure);
}

/** A red status reason keeps 59 characters and the ellipsis: a status line of at most 60. */
export const STATUS_REASON_LENGTH = 59;
