// compass-api: any REST request on the configured REST host. The escape hatch for every endpoint
// that has no dedicated node; the REST client refuses any other origin, so credentials stay home.

import type { RestMethod } from "../compass/rest";
import { evaluate, runAction } from "./action";
import { withDefaults } from "./defaults";
import { translator } from "./i18n";
import { migrated } from "./migrate";
import type { Node, NodeAPI, NodeDef, NodeMessage } from "./red";

const METHODS = new Set<RestMethod>(["GET", "POST", "PUT", "PATCH", "DELETE"]);

interface CompassApiDef extends NodeDef {
  method?: string;
  path?: string;
  pathType?: string;
  body?: string;
  bodyType?: string;
  methodOverride?: boolean;
  /** send X-No-Redirect, so the platform follows bootstrap redirects itself */
  followRedirects?: boolean;
}

export = function register(RED: NodeAPI): void {
  function CompassApi(this: Node, saved: CompassApiDef): void {
    const def = withDefaults("compass-api", migrated("compass-api", saved));
    RED.nodes.createNode(this, def);
    const t = translator(RED, "compass-api");

    runAction(RED, this, def, async (msg, connection) => {
      const method = String(
        def.method === "msg" || !def.method ? (msg.method ?? "GET") : def.method,
      ).toUpperCase() as RestMethod;
      if (!METHODS.has(method)) throw new Error(t("compass-api.errors.bad-method", { method }));

      const target = await evaluate(RED, this, msg, def.path ?? "", def.pathType);
      const where = typeof target === "string" ? target.trim() : "";
      if (!where) throw new Error(t("compass-api.errors.no-path"));

      const body = await requestBody(RED, this, msg, def);
      const isAbsolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(where);
      const response = await connection.rest.request({
        method,
        ...(isAbsolute ? { url: where } : { path: where.startsWith("/") ? where : `/${where}` }),
        body: method === "GET" || method === "DELETE" ? undefined : body,
        methodOverride: def.methodOverride === true,
        noRedirect: def.followRedirects === true,
      });
      return {
        payload: response.body,
        statusCode: response.statusCode,
        headers: response.headers,
        summary: `${response.statusCode}${response.version ? ` · v${response.version}` : ""}`,
      };
    });
  }

  RED.nodes.registerType("compass-api", CompassApi);
};

async function requestBody(RED: NodeAPI, node: Node, msg: NodeMessage, def: CompassApiDef): Promise<unknown> {
  switch (def.bodyType) {
    case undefined:
    case "":
    case "payload":
      return msg.payload;
    case "none":
      return undefined;
    default:
      return evaluate(RED, node, msg, def.body ?? "", def.bodyType);
  }
}
