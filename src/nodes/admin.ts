// Admin endpoints that fill the editor's pickers (users, queues, dial-plan switches) from the live platform. They sit
// behind Node-RED's own permissions, and answer 503 with a clear message while the chosen
// connection is not deployed (the editor then lets the user type an id instead).

import type { Choice } from "../compass/operations";
import { errorText } from "../compass/text";
import type { CompassConfigNode } from "./config-node";
import { sharedText } from "./i18n";
import type { AdminRequest, AdminResponse, NodeAPI } from "./red";

const KINDS = ["users", "queues", "switches"] as const;
type Kind = (typeof KINDS)[number];

export function registerAdminRoutes(RED: NodeAPI): void {
  // Called once per load of compass-config's module, i.e. once per admin app.
  const permission = RED.auth.needsPermission("compass-config.read");
  for (const kind of KINDS) {
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
        (err: unknown) => res.status(502).json({ error: errorText(err) }),
      );
    });
  }
}

/** Users and queues from the live model when it is loaded; otherwise (and switches always) over REST. */
async function choices(config: CompassConfigNode, kind: Kind): Promise<Choice[]> {
  const connection = config.connection!;
  if (connection.modelLoaded && kind === "users")
    return byName(
      connection.model.getUsers().map((u) => ({ id: u.id, name: u.name, detail: u.extensions ?? undefined })),
    );
  if (connection.modelLoaded && kind === "queues")
    return byName(connection.model.getQueues().map((q) => ({ id: q.id, name: q.name })));
  return connection.operations[kind]();
}

function byName(list: Choice[]): Choice[] {
  return list.filter((c) => c.id).sort((a, b) => a.name.localeCompare(b.name));
}
