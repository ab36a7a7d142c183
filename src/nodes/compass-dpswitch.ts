// compass-dpswitch: read or set a dial-plan switch (day/night, holiday...) by id or by name.

import { evaluate, runAction } from "./action";
import { translator } from "./i18n";
import type { Node, NodeAPI, NodeDef } from "./red";
import { actionOf, idFromSelf, requireText } from "./values";

interface DpSwitchDef extends NodeDef {
  action?: string;
  switch?: string;
  switchType?: string;
  setting?: string;
  settingType?: string;
}

interface DpSwitch {
  self?: string;
  name?: string;
  currentSetting?: number;
  settings?: Array<{ setting: number; name: string }>;
}

export = function register(RED: NodeAPI): void {
  function CompassDpSwitch(this: Node, def: DpSwitchDef): void {
    RED.nodes.createNode(this, def);
    const t = translator(RED, "compass-dpswitch");

    runAction(RED, this, def, async (msg, config) => {
      const connection = config.connection!;
      const action = actionOf(def.action, msg, "get");
      if (action !== "get" && action !== "set")
        throw new Error(t("compass-dpswitch.errors.bad-action", { action }));
      const wanted = requireText(
        await evaluate(RED, this, msg, def.switch, def.switchType),
        t("compass-dpswitch.errors.no-switch"),
      );

      // By id first; a name is looked up in the company's list.
      const list = await connection.rest.request<DpSwitch[]>({
        url: `${await connection.companyUrl()}/dpSwitches`,
      });
      const switches = Array.isArray(list.body) ? list.body : [];
      const found =
        switches.find((s) => idFromSelf(s.self) === wanted) ??
        switches.find((s) => s.name?.toLowerCase() === wanted.toLowerCase());
      if (!found?.self) throw new Error(t("compass-dpswitch.errors.unknown-switch", { switch: wanted }));

      if (action === "get") {
        const answer = await connection.rest.request<DpSwitch>({ url: found.self });
        return { payload: answer.body, statusCode: answer.statusCode, summary: describe(answer.body) };
      }
      const raw = await evaluate(RED, this, msg, def.setting, def.settingType);
      const setting = settingNumber(raw, found);
      if (setting === null)
        throw new Error(t("compass-dpswitch.errors.bad-setting", { setting: String(raw) }));
      const answer = await connection.rest.request<DpSwitch>({
        method: "PATCH",
        url: found.self,
        body: { currentSetting: setting },
      });
      return { payload: answer.body, statusCode: answer.statusCode, summary: describe(answer.body) };
    });
  }

  RED.nodes.registerType("compass-dpswitch", CompassDpSwitch);
};

/** A setting is its number (1-100), or one of the switch's setting names where it lists them. */
function settingNumber(value: unknown, sw: DpSwitch): number | null {
  const n = typeof value === "number" ? value : Number(String(value ?? "").trim());
  if (Number.isInteger(n) && n >= 1 && n <= 100) return n;
  const name = String(value ?? "")
    .trim()
    .toLowerCase();
  return sw.settings?.find((s) => s.name.toLowerCase() === name)?.setting ?? null;
}

function describe(sw: DpSwitch | null): string {
  if (!sw) return "ok";
  const named = sw.settings?.find((s) => s.setting === sw.currentSetting)?.name;
  return `${sw.name ?? "switch"}: ${named ?? sw.currentSetting}`;
}
