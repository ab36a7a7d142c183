// Admin endpoints that fill the editor's dropdowns (users, queues) from the live platform. They sit
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

type Kind = "users" | "queues";

export function registerAdminRoutes(RED: NodeAPI): void {
  // Called once per load of compass-config's module, i.e. once per admin app.
  const permission = RED.auth.needsPermission("compass-config.read");
  for (const kind of ["users", "queues"] as const) {
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

/** From the live model when it is loaded, otherwise one REST round trip. */
async function choices(config: CompassConfigNode, kind: Kind): Promise<Choice[]> {
  const connection = config.connection!;
  if (connection.ready) {
    const list =
      kind === "users"
        ? connection.model
            .getUsers()
            .map((u) => ({ id: u.id, name: u.name, detail: u.extensions ?? undefined }))
        : connection.model.getQueues().map((q) => ({ id: q.id, name: q.name }));
    return sortByName(list);
  }
  const company = await connection.rest.getOwnCompany<{ self?: string }>({ noRedirect: true });
  if (!company?.self) throw new Error("the platform did not say which company this user belongs to");
  const answer = await connection.rest.request<Array<Record<string, unknown>>>({
    url: `${company.self}/${kind}`,
  });
  const rows = Array.isArray(answer.body) ? answer.body : [];
  return sortByName(
    rows.map((row) => ({
      id: idFromSelf(row.self) ?? String(row.id ?? ""),
      name: String(row.name ?? row.username ?? ""),
      detail: Array.isArray(row.extensions) ? row.extensions.join(", ") : undefined,
    })),
  );
}

function sortByName(list: Choice[]): Choice[] {
  return list.filter((c) => c.id).sort((a, b) => a.name.localeCompare(b.name));
}
