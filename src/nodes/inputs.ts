// Where each input of an action node comes from, and which wins when the node and the message both
// say something: one declared table per node type, read by one function, so the rule is the same
// for every field and can be read off the table (docs/nodes.md lists them).
//
//   typed:     a typed input on the node; its type decides (a plain value, msg.x, flow.x, env ...)
//   choice:    a select on the node; its "msg" option takes the value from msg[msg]
//   msg-first: msg[msg] wins when the message has it (not null), otherwise the node's value

import { evaluate } from "./action";
import type { Node, NodeAPI, NodeDef, NodeMessage } from "./red";

export type InputSource =
  | { from: "typed"; property: string }
  | { from: "choice"; property: string; msg: string; fallback?: string }
  | { from: "msg-first"; property: string; msg: string };

export type InputTable = Record<string, InputSource>;

export type Inputs<T extends InputTable> = { [K in keyof T]: unknown };

/** The node's inputs for one message, each read as its table entry says. */
export async function readInputs<T extends InputTable>(
  RED: NodeAPI,
  node: Node,
  def: NodeDef,
  msg: NodeMessage,
  table: T,
): Promise<Inputs<T>> {
  const config = def as unknown as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  for (const [name, source] of Object.entries(table)) {
    const own = config[source.property];
    switch (source.from) {
      case "typed":
        values[name] = await evaluate(RED, node, msg, own, config[`${source.property}Type`]);
        break;
      case "choice":
        values[name] =
          own === "msg" ? msg[source.msg] : own === undefined || own === "" ? source.fallback : own;
        break;
      case "msg-first":
        values[name] = msg[source.msg] ?? own;
        break;
    }
  }
  return values as Inputs<T>;
}
