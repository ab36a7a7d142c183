// compass-queue-agent: log a user into or out of a queue (priority, call forward), or pause and
// unpause them in it. Pausing is API v2 (per identity); it must not be mixed with v3 user status in
// one company, so this node says which model it uses in its help.

import { evaluate, runAction } from "./action";
import { translator } from "./i18n";
import type { Node, NodeAPI, NodeDef } from "./red";
import { actionOf, requireId } from "./values";

const ACTIONS = new Set(["login", "logout", "pause", "unpause"]);

interface QueueAgentDef extends NodeDef {
  action?: string;
  user?: string;
  userType?: string;
  queue?: string;
  queueType?: string;
  priority?: string | number;
  callForward?: boolean;
}

export = function register(RED: NodeAPI): void {
  function CompassQueueAgent(this: Node, def: QueueAgentDef): void {
    RED.nodes.createNode(this, def);
    const t = translator(RED, "compass-queue-agent");

    runAction(RED, this, def, async (msg, config) => {
      const rest = config.connection!.rest;
      const action = actionOf(def.action, msg, "login");
      if (!ACTIONS.has(action)) throw new Error(t("compass-queue-agent.errors.bad-action", { action }));
      const userId = requireId(
        await evaluate(RED, this, msg, def.user, def.userType),
        t("compass-queue-agent.errors.no-user"),
      );
      const queueId = requireId(
        await evaluate(RED, this, msg, def.queue, def.queueType),
        t("compass-queue-agent.errors.no-queue"),
      );
      const queue = rest.urlFor("queue", queueId);
      const user = `/user/${encodeURIComponent(userId)}`;

      let answer: { statusCode: number; body: unknown };
      if (action === "login") {
        const priority = Number(msg.priority ?? def.priority ?? 1);
        if (!Number.isInteger(priority) || priority < 0) {
          throw new Error(t("compass-queue-agent.errors.bad-priority", { priority: String(priority) }));
        }
        const callForward = typeof msg.callForward === "boolean" ? msg.callForward : def.callForward === true;
        answer = await rest.request({
          method: "POST",
          path: `${user}/loginQueue`,
          body: { queue, priority, callForward },
        });
      } else if (action === "logout") {
        answer = await rest.request({ method: "POST", path: `${user}/logoutQueue`, body: { queue } });
      } else {
        // v2 pauses per identity: the user's first identity is the one that takes queue calls.
        const identities = await rest.request<unknown[]>({ path: `${user}/identities`, versions: [2] });
        const first = Array.isArray(identities.body) ? identities.body[0] : undefined;
        const identity = typeof first === "string" ? first : (first as { self?: string } | undefined)?.self;
        if (!identity) throw new Error(t("compass-queue-agent.errors.no-identity", { user: userId }));
        answer = await rest.request({
          method: "POST",
          url: `${identity}/${action === "pause" ? "pauseQueue" : "unpauseQueue"}`,
          body: { queue },
          versions: [2],
        });
      }
      return {
        payload: { action, userId, queueId, answer: answer.body },
        statusCode: answer.statusCode,
        summary: `${action}: ${userId} @ ${queueId}`,
      };
    });
  }

  RED.nodes.registerType("compass-queue-agent", CompassQueueAgent);
};
