// compass-dial: start a call for a user, to a number or to another user. The user's phone rings
// first; when they pick up, the platform calls the destination. API v3 answers the new call's id.

import { runAction } from "./action";
import { withDefaults } from "./defaults";
import { translator } from "./i18n";
import { type InputTable, readInputs } from "./inputs";
import type { Node, NodeAPI, NodeDef } from "./red";
import { requireId, requireText } from "./values";

/** Which input wins: the node's typed caller and destination (each may point into the message). */
const INPUTS = {
  user: { from: "typed", property: "user" },
  destination: { from: "typed", property: "destination" },
} satisfies InputTable;

/** beside its input table, what the node reads directly */
interface DialDef extends NodeDef {
  mode?: string;
}

export = function register(RED: NodeAPI): void {
  function CompassDial(this: Node, saved: DialDef): void {
    const def = withDefaults("compass-dial", saved);
    RED.nodes.createNode(this, def);
    const t = translator(RED, "compass-dial");

    runAction(RED, this, def, async (msg, connection) => {
      const operations = connection.operations;
      const input = await readInputs(RED, this, def, msg, INPUTS);
      const userId = requireId(input.user, t("compass-dial.errors.no-user"));
      const target = requireText(input.destination, t("compass-dial.errors.no-destination"));
      const answer =
        def.mode === "user"
          ? await operations.dialUser(userId, requireId(target, t("compass-dial.errors.no-destination")))
          : await operations.dialNumber(userId, target);
      const { callId } = answer;
      return {
        payload: { callId, userId, destination: target, answer: answer.body },
        statusCode: answer.statusCode,
        summary: callId ? `call ${callId.slice(0, 12)}…` : `dialling ${target}`,
      };
    });
  }

  RED.nodes.registerType("compass-dial", CompassDial);
};
