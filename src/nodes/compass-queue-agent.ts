// compass-queue-agent: log a user into or out of a queue (priority, call forward), or pause and
// unpause them in it. Pausing is API v2 (per identity); it must not be mixed with v3 user status in
// one company, so this node says which model it uses in its help.

import { runAction } from "./action";
import { NODE_DEFAULTS, withDefaults } from "./defaults";
import { localised, translator } from "./i18n";
import { type InputTable, readInputs } from "./inputs";
import type { Node, NodeAPI, NodeDef } from "./red";
import { requireId } from "./values";

const ACTIONS = new Set(["login", "logout", "pause", "unpause"]);

/** Which input wins: the node's typed inputs; msg.action with "set by msg.action"; msg.priority and
 * msg.callForward over the node's values when the message has them. */
const INPUTS = {
  action: {
    from: "choice",
    property: "action",
    msg: "action",
    fallback: NODE_DEFAULTS["compass-queue-agent"].action,
  },
  user: { from: "typed", property: "user" },
  queue: { from: "typed", property: "queue" },
  priority: { from: "msg-first", property: "priority", msg: "priority" },
  callForward: { from: "msg-first", property: "callForward", msg: "callForward" },
} satisfies InputTable;

export = function register(RED: NodeAPI): void {
  function CompassQueueAgent(this: Node, saved: NodeDef): void {
    const def = withDefaults("compass-queue-agent", saved);
    RED.nodes.createNode(this, def);
    const t = translator(RED, "compass-queue-agent");

    runAction(RED, this, def, async (msg, connection) => {
      const operations = connection.operations;
      const input = await readInputs(RED, this, def, msg, INPUTS);
      const action = String(input.action).toLowerCase();
      if (!ACTIONS.has(action)) throw new Error(t("compass-queue-agent.errors.bad-action", { action }));
      const userId = requireId(input.user, t("compass-queue-agent.errors.no-user"));
      const queueId = requireId(input.queue, t("compass-queue-agent.errors.no-queue"));
      try {
        const answer =
          action === "login"
            ? await operations.loginQueue(userId, queueId, {
                priority: Number(input.priority ?? NODE_DEFAULTS["compass-queue-agent"].priority),
                callForward: input.callForward === true,
              })
            : action === "logout"
              ? await operations.logoutQueue(userId, queueId)
              : await operations.setQueuePause(userId, queueId, action === "pause");
        return {
          payload: { action, userId, queueId, answer: answer.body },
          statusCode: answer.statusCode,
          summary: `${action}: ${userId} @ ${queueId}`,
        };
      } catch (err) {
        throw localised(t, "compass-queue-agent", err);
      }
    });
  }

  RED.nodes.registerType("compass-queue-agent", CompassQueueAgent);
};
