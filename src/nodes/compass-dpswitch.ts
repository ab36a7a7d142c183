// compass-dpswitch: read or set a dial-plan switch (day/night, holiday...) by id or by name.

import type { DialPlanSwitch } from "../compass/operations";
import { settingName } from "../compass/operations";
import { runAction } from "./action";
import { NODE_DEFAULTS, withDefaults } from "./defaults";
import { localised, translator } from "./i18n";
import { type InputTable, readInputs } from "./inputs";
import type { Node, NodeAPI, NodeDef } from "./red";
import { requireText } from "./values";

/** Which input wins: the node's typed switch and setting; msg.action with "set by msg.action". */
const INPUTS = {
  action: {
    from: "choice",
    property: "action",
    msg: "action",
    fallback: NODE_DEFAULTS["compass-dpswitch"].action,
  },
  switch: { from: "typed", property: "switch" },
  setting: { from: "typed", property: "setting" },
} satisfies InputTable;

export = function register(RED: NodeAPI): void {
  function CompassDpSwitch(this: Node, saved: NodeDef): void {
    const def = withDefaults("compass-dpswitch", saved);
    RED.nodes.createNode(this, def);
    const t = translator(RED, "compass-dpswitch");

    runAction(RED, this, def, async (msg, connection) => {
      const operations = connection.operations;
      const input = await readInputs(RED, this, def, msg, INPUTS);
      const action = String(input.action).toLowerCase();
      if (action !== "get" && action !== "set")
        throw new Error(t("compass-dpswitch.errors.bad-action", { action }));
      const wanted = requireText(input.switch, t("compass-dpswitch.errors.no-switch"));
      try {
        const answer =
          action === "get"
            ? await operations.switchState(wanted)
            : await operations.setSwitch(wanted, input.setting);
        return { payload: answer.body, statusCode: answer.statusCode, summary: describe(answer.body) };
      } catch (err) {
        throw localised(t, "compass-dpswitch", err);
      }
    });
  }

  RED.nodes.registerType("compass-dpswitch", CompassDpSwitch);
};

function describe(sw: DialPlanSwitch | null): string {
  if (!sw) return "ok";
  return `${sw.name ?? "switch"}: ${settingName(sw) ?? sw.currentSetting}`;
}
