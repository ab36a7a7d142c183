// compass-user-status: read or set a user's status (API v3): receive all calls, only direct calls or
// none; end a wrap-up. Mixing this with queue pause (v2) in one company breaks call delivery on the
// platform, so a company should use one or the other.

import { runAction } from "./action";
import { NODE_DEFAULTS, withDefaults } from "./defaults";
import { localised, translator } from "./i18n";
import { type InputTable, readInputs } from "./inputs";
import type { Node, NodeAPI, NodeDef } from "./red";
import { requireId } from "./values";

/** Which input wins: the node's typed user; msg.action with "set by msg.action"; the status from
 * msg.payload when the node's is "set by msg.payload". */
const INPUTS = {
  action: {
    from: "choice",
    property: "action",
    msg: "action",
    fallback: NODE_DEFAULTS["compass-user-status"].action,
  },
  user: { from: "typed", property: "user" },
  receiveCalls: { from: "choice", property: "receiveCalls", msg: "payload" },
} satisfies InputTable;

/** beside its input table, what the node reads directly */
interface UserStatusDef extends NodeDef {
  receiveCalls?: string;
}

export = function register(RED: NodeAPI): void {
  function CompassUserStatus(this: Node, saved: UserStatusDef): void {
    const def = withDefaults("compass-user-status", saved);
    RED.nodes.createNode(this, def);
    const t = translator(RED, "compass-user-status");

    runAction(RED, this, def, async (msg, connection) => {
      const operations = connection.operations;
      // An older flow may hold no status at all: it was read from msg.payload then too.
      const input = await readInputs(
        RED,
        this,
        def.receiveCalls ? def : { ...def, receiveCalls: "msg" },
        msg,
        INPUTS,
      );
      const userId = requireId(input.user, t("compass-user-status.errors.no-user"));
      const action = String(input.action).toLowerCase();
      try {
        const answer =
          action === "get"
            ? await operations.userStatus(userId)
            : action === "set"
              ? await operations.setReceiveCalls(userId, input.receiveCalls)
              : action === "end-wrapup"
                ? await operations.endWrapup(userId)
                : null;
        if (!answer) throw new Error(t("compass-user-status.errors.bad-action", { action }));
        return { payload: answer.body, statusCode: answer.statusCode, summary: summaryOf(answer.body) };
      } catch (err) {
        throw localised(t, "compass-user-status", err);
      }
    });
  }

  RED.nodes.registerType("compass-user-status", CompassUserStatus);
};

function summaryOf(status: unknown): string {
  const s = status as { receiveCalls?: string; displayStatus?: string } | null;
  return [s?.receiveCalls, s?.displayStatus].filter(Boolean).join(" · ") || "ok";
}
