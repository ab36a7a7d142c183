// compass-user-status: read or set a user's status (API v3): receive all calls, only direct calls or
// none; end a wrap-up. Mixing this with queue pause (v2) in one company breaks call delivery on the
// platform, so a company should use one or the other.

import { evaluate, runAction } from "./action";
import { translator } from "./i18n";
import type { Node, NodeAPI, NodeDef } from "./red";
import { actionOf, requireId } from "./values";

const RECEIVE_CALLS = new Set(["ALL", "ONLY_DIRECT", "NONE"]);

interface UserStatusDef extends NodeDef {
  action?: string;
  user?: string;
  userType?: string;
  receiveCalls?: string;
}

export = function register(RED: NodeAPI): void {
  function CompassUserStatus(this: Node, def: UserStatusDef): void {
    RED.nodes.createNode(this, def);
    const t = translator(RED, "compass-user-status");

    runAction(RED, this, def, async (msg, config) => {
      const rest = config.connection!.rest;
      const userId = requireId(
        await evaluate(RED, this, msg, def.user, def.userType),
        t("compass-user-status.errors.no-user"),
      );
      const path = `/user/${encodeURIComponent(userId)}/status`;
      const action = actionOf(def.action, msg, "get");
      let body: Record<string, unknown>;
      switch (action) {
        case "get": {
          const answer = await rest.request({ path, versions: [3] });
          return { payload: answer.body, statusCode: answer.statusCode, summary: summaryOf(answer.body) };
        }
        case "set": {
          const wanted = String(
            def.receiveCalls === "msg" || !def.receiveCalls ? msg.payload : def.receiveCalls,
          )
            .trim()
            .toUpperCase();
          if (!RECEIVE_CALLS.has(wanted))
            throw new Error(t("compass-user-status.errors.bad-receive-calls", { value: wanted }));
          body = { receiveCalls: wanted };
          break;
        }
        case "end-wrapup":
          body = { endWrapup: true };
          break;
        default:
          throw new Error(t("compass-user-status.errors.bad-action", { action }));
      }
      const answer = await rest.request({ method: "POST", path, body, versions: [3] });
      return { payload: answer.body, statusCode: answer.statusCode, summary: summaryOf(answer.body) };
    });
  }

  RED.nodes.registerType("compass-user-status", CompassUserStatus);
};

function summaryOf(status: unknown): string {
  const s = status as { receiveCalls?: string; displayStatus?: string } | null;
  return [s?.receiveCalls, s?.displayStatus].filter(Boolean).join(" · ") || "ok";
}
