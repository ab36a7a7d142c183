// compass-dial: start a call for a user, to a number or to another user. The user's phone rings
// first; when they pick up, the platform calls the destination. API v3 answers the new call's id.

import { evaluate, runAction } from "./action";
import { translator } from "./i18n";
import type { Node, NodeAPI, NodeDef } from "./red";
import { requireId, requireText } from "./values";

interface DialDef extends NodeDef {
  user?: string;
  userType?: string;
  mode?: string;
  destination?: string;
  destinationType?: string;
}

export = function register(RED: NodeAPI): void {
  function CompassDial(this: Node, def: DialDef): void {
    RED.nodes.createNode(this, def);
    const t = translator(RED, "compass-dial");

    runAction(RED, this, def, async (msg, config) => {
      const rest = config.connection!.rest;
      const userId = requireId(
        await evaluate(RED, this, msg, def.user, def.userType),
        t("compass-dial.errors.no-user"),
      );
      const target = requireText(
        await evaluate(RED, this, msg, def.destination, def.destinationType),
        t("compass-dial.errors.no-destination"),
      );
      const toUser = def.mode === "user";
      const answer = await rest.request<unknown>({
        method: "POST",
        path: `/user/${encodeURIComponent(userId)}/${toUser ? "dialUser" : "dialNumber"}`,
        // References in bodies are absolute URLs; the field name for dialUser differs between
        // sources, so both are sent.
        body: toUser
          ? { user: rest.urlFor("user", requireId(target, t("compass-dial.errors.no-destination"))) }
          : { destination: target },
      });
      const callId = callIdOf(answer.body);
      return {
        payload: { callId, userId, destination: target, answer: answer.body },
        statusCode: answer.statusCode,
        summary: callId ? `call ${callId.slice(0, 12)}…` : `dialling ${target}`,
      };
    });
  }

  RED.nodes.registerType("compass-dial", CompassDial);
};

/** v3 answers the new call's id (as a string or inside an object); v1/v2 answer a boolean. */
function callIdOf(body: unknown): string | null {
  if (typeof body === "string" && body.trim()) return body.trim();
  if (body && typeof body === "object") {
    const id = (body as Record<string, unknown>).callId ?? (body as Record<string, unknown>).id;
    if (typeof id === "string" && id) return id;
  }
  return null;
}
