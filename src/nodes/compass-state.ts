// compass-state: answers from the live model without a round trip (company, users, queues with
// stats, active calls, one object by id), a forced reload, or the platform's call history.

import { asError } from "../compass/text";
import { evaluate } from "./action";
import { connectionOf, refuseInput } from "./connection-of";
import { withDefaults } from "./defaults";
import { translator } from "./i18n";
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, SendFn } from "./red";

const QUERIES = [
  "company",
  "users",
  "queues",
  "calls",
  "user",
  "queue",
  "call",
  "reload",
  "history",
] as const;
type Query = (typeof QUERIES)[number];

interface StateDef extends NodeDef {
  query?: string;
  objectId?: string;
  objectIdType?: string;
}

export = function register(RED: NodeAPI): void {
  function CompassState(this: Node, saved: StateDef): void {
    const def = withDefaults("compass-state", saved);
    RED.nodes.createNode(this, def);
    const node = this;
    const t = translator(RED, "compass-state");
    const reached = connectionOf(RED, node, def);
    if (!reached.config) {
      refuseInput(node, reached.reason);
      return;
    }
    const { config, connection } = reached;
    // The model is only current while the live session runs: this node keeps it open.
    config.acquire(node);

    node.on("input", (msg: NodeMessage, send: SendFn, done: DoneFn) => {
      answer(msg).then(
        (payload) => {
          msg.payload = payload;
          send(msg);
          done();
        },
        (err: unknown) => done(asError(err)),
      );
    });

    node.on("close", (_removed: boolean, done: () => void) => config.release(node, done));

    async function answer(msg: NodeMessage): Promise<unknown> {
      const live = connection;
      const query = queryOf(def.query === "msg" ? msg.query : def.query);
      if (!query)
        throw new Error(t("compass-state.errors.bad-query", { query: String(msg.query ?? def.query) }));
      if (query === "reload") {
        await live.reload();
        return snapshot();
      }
      if (query === "history") return live.callHistory();
      if (!live.modelLoaded) throw new Error(t("compass-state.errors.not-ready"));
      switch (query) {
        case "company":
          return live.model.company;
        case "users":
          return live.model.getUsers();
        case "queues":
          return live.model.getQueues();
        case "calls":
          return live.model.getCalls();
        default: {
          const id = String(
            (await evaluate(RED, node, msg, def.objectId ?? "", def.objectIdType)) ?? "",
          ).trim();
          if (!id) throw new Error(t("compass-state.errors.no-id", { query }));
          const found =
            query === "user"
              ? live.model.getUser(id)
              : query === "queue"
                ? live.model.getQueue(id)
                : live.model.getCall(id);
          if (!found) throw new Error(t("compass-state.errors.not-found", { query, id }));
          return found;
        }
      }

      function snapshot() {
        return {
          company: live.model.company,
          users: live.model.getUsers(),
          queues: live.model.getQueues(),
          calls: live.model.getCalls(),
        };
      }
    }
  }

  RED.nodes.registerType("compass-state", CompassState);
};

function queryOf(value: unknown): Query | null {
  const text = typeof value === "string" ? value.trim().toLowerCase() : "";
  return (QUERIES as readonly string[]).includes(text) ? (text as Query) : null;
}
