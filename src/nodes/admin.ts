// Admin endpoints that fill the editor's pickers (users, queues, dial-plan switches) from the live platform. They sit
// behind Node-RED's own permissions, and answer 503 with a clear message while the chosen
// connection is not deployed (the editor then lets the user type an id instead).

import type { CompassConfigNode } from "./config-node";
import { sharedText } from "./i18n";
import type { AdminRequest, AdminResponse, NodeAPI } from "./red";
import { idFromSelf } from "./values";

export interface Choice {
  id: string;
  name: string;
  /** extra text for the dropdown, e.g. the extension */
  detail?: string;
}

/** picker kind -> the company's REST list it is read from */
const LISTS = { users: "users", queues: "queues", switches: "dpSwitches" } as const;
type Kind = keyof typeof LISTS;

export function registerAdminRoutes(RED: NodeAPI): void {
  // Called once per load of compass-config's module, i.e. once per admin app.
  const permission = RED.auth.needsPermission("compass-config.read");
  for (const kind of Object.keys(LISTS) as Kind[]) {
    RED.httpAdmin.get(`/compass/:id/${kind}`, permission, (req: AdminRequest, res: AdminResponse) => {
      const config = RED.nodes.getNode(req.params.id ?? "") as CompassConfigNode | null;
      if (config?.type !== "compass-config") {
        res.status(503).json({ error: sharedText(RED, "errors.not-deployed") });
        return;
      }
      if (!config.connection) {
        res.status(503).json({ error: config.configError ?? sharedText(RED, "errors.not-deployed") });
        return;
      }
      choices(config, kind).then(
        (list) => res.json(list),
        (err: unknown) => res.status(502).json({ error: err instanceof Error ? err.message : String(err) }),
      );
    });
  }
}

/** Users and queues from the live model when it is loaded; otherwise (and switches always) over REST. */
async function choices(config: CompassConfigNode, kind: Kind): Promise<Choice[]> {
  const connection = config.connection!;
  if (connection.ready && kind !== "switches") {
    const list =
      kind === "users"
        ? connection.model
            .getUsers()
            .map((u) => ({ id: u.id, name: u.name, detail: u.extensions ?? undefined }))
        : connection.model.getQueues().map((q) => ({ id: q.id, name: q.name }));
    return sortByName(list);
  }
  const answer = await connection.rest.request<Array<Record<string, unknown>>>({
    url: `${await connection.companyUrl()}/${LISTS[kind]}`,
  });
  const rows = Array.isArray(answer.body) ? answer.body : [];
  return sortByName(
    rows.map((row) => ({
      id: idFromSelf(row.self) ?? String(row.id ?? ""),
      name: String(row.name ?? row.username ?? ""),
      detail: detailOf(row),
    })),
  );
}

/** A user's extensions, or a switch's settings ("1 Day, 2 Night"). */
function detailOf(row: Record<string, unknown>): string | undefined {
  if (Array.isArray(row.extensions)) return row.extensions.join(", ");
  if (Array.isArray(row.settings))
    return (row.settings as Array<{ setting?: unknown; name?: unknown }>)
      .map((s) => `${s.setting} ${s.name}`)
      .join(", ");
  return undefined;
}

function sortByName(list: Choice[]): Choice[] {
  return list.filter((c) => c.id).sort((a, b) => a.name.localeCompare(b.name));
}
