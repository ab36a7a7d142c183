// compass-call-control: call actions gated by a user feature on the platform: pick up a waiting
// queue caller on a user's phone (the longest waiting, or one by call id), or listen in on a call
// or on the call a colleague is in. A 403 says which feature to enable.

import { runAction } from "./action";
import { NODE_DEFAULTS, withDefaults } from "./defaults";
import { localised, translator } from "./i18n";
import { type InputTable, readInputs } from "./inputs";
import type { Node, NodeAPI, NodeDef } from "./red";
import { requireId } from "./values";

const ACTIONS = new Set(["pickup", "listen-in"]);

/** Which input wins: the node's typed inputs (each may point into the message); msg.action with
 * "set by msg.action". */
const INPUTS = {
  action: {
    from: "choice",
    property: "action",
    msg: "action",
    fallback: NODE_DEFAULTS["compass-call-control"].action,
  },
  user: { from: "typed", property: "user" },
  queue: { from: "typed", property: "queue" },
  callId: { from: "typed", property: "callId" },
  listenTo: { from: "typed", property: "listenTo" },
} satisfies InputTable;

export = function register(RED: NodeAPI): void {
  function CompassCallControl(this: Node, saved: NodeDef): void {
    const def = withDefaults("compass-call-control", saved);
    RED.nodes.createNode(this, def);
    const t = translator(RED, "compass-call-control");

    runAction(RED, this, def, async (msg, connection) => {
      const operations = connection.operations;
      const input = await readInputs(RED, this, def, msg, INPUTS);
      const action = String(input.action).toLowerCase();
      if (!ACTIONS.has(action)) throw new Error(t("compass-call-control.errors.bad-action", { action }));
      const userId = requireId(input.user, t("compass-call-control.errors.no-user"));
      const callId = optional(input.callId);
      try {
        if (action === "pickup") {
          const queueId = optional(input.queue);
          const answer = await operations.pickupQueueCall(userId, {
            queueId: queueId && requireId(queueId, ""),
            callId,
          });
          return {
            payload: { action, userId, queueId: queueId ?? null, callId: answer.callId ?? callId ?? null },
            statusCode: answer.statusCode,
            summary: t("compass-call-control.status.picked-up", { user: userId }),
          };
        }
        const listenTo = optional(input.listenTo);
        if (!callId && !listenTo) throw new Error(t("compass-call-control.errors.no-target"));
        const answer = await operations.listenIn(userId, {
          callId,
          userId: listenTo && requireId(listenTo, ""),
        });
        return {
          payload: { action, userId, listenedTo: callId ?? listenTo, callId: answer.callId },
          statusCode: answer.statusCode,
          summary: t("compass-call-control.status.listening", { user: userId }),
        };
      } catch (err) {
        throw localised(t, "compass-call-control", err);
      }
    });
  }

  RED.nodes.registerType("compass-call-control", CompassCallControl);
};

function optional(value: unknown): string | undefined {
  const text = typeof value === "string" || typeof value === "number" ? String(value).trim() : "";
  return text || undefined;
}
