// The small part of Node-RED's runtime API that these nodes use. Declared here (rather than pulling
// in @types/node-red, which lags the 4.x runtime) so the adapters state exactly what they rely on.

export interface NodeMessage {
  _msgid?: string;
  topic?: string;
  payload?: unknown;
  [key: string]: unknown;
}

export type NodeStatusFill = "red" | "green" | "yellow" | "blue" | "grey";
export interface NodeStatus {
  fill?: NodeStatusFill;
  shape?: "ring" | "dot";
  text?: string;
}

export type SendFn = (msg: NodeMessage | Array<NodeMessage | null>) => void;
export type DoneFn = (err?: Error) => void;

export interface Node {
  id: string;
  type: string;
  name?: string;
  z?: string;
  credentials: Record<string, string | undefined>;
  on(event: "input", listener: (msg: NodeMessage, send: SendFn, done: DoneFn) => void): void;
  on(event: "close", listener: (removed: boolean, done: () => void) => void): void;
  send(msg: NodeMessage | Array<NodeMessage | null>): void;
  status(status: NodeStatus | Record<string, never>): void;
  log(msg: string): void;
  warn(msg: string): void;
  error(msg: string | Error, errMsg?: NodeMessage): void;
  debug(msg: string): void;
}

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
  [key: string]: unknown;
}

export interface NodeAPI {
  nodes: {
    createNode(node: Node, def: NodeDef): void;
    getNode(id: string): Node | null;
    registerType<N extends Node, D extends NodeDef>(
      type: string,
      ctor: (this: N, def: D) => void,
      opts?: {
        credentials?: Record<string, { type: "text" | "password" }>;
        settings?: Record<string, unknown>;
      },
    ): void;
  };
  util: {
    evaluateNodeProperty(
      value: string,
      type: string,
      node: Node,
      msg: NodeMessage,
      callback: (err: Error | null, result: unknown) => void,
    ): void;
    evaluateNodeProperty(value: string, type: string, node: Node, msg: NodeMessage): unknown;
    getMessageProperty(msg: NodeMessage, expr: string): unknown;
  };
  httpAdmin: {
    get(
      path: string,
      ...handlers: Array<(req: AdminRequest, res: AdminResponse, next: () => void) => void>
    ): void;
  };
  auth: {
    needsPermission(permission: string): (req: AdminRequest, res: AdminResponse, next: () => void) => void;
  };
  _(key: string, substitutions?: Record<string, string | number>): string;
  log: {
    info(msg: string): void;
    warn(msg: string): void;
    error(msg: string): void;
    debug(msg: string): void;
  };
}

export interface AdminRequest {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
}
export interface AdminResponse {
  status(code: number): AdminResponse;
  json(body: unknown): void;
  send(body: unknown): void;
}
