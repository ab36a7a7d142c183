// The editor's "Test connection": POST /compass/test-connection with the dialog's current values.
// A password the user typed is used; an unchanged one (the editor sends its placeholder) is taken from
// the credential store of the deployed node with that id, so it never passes through the browser.
// One attempt per request, one request per connection at a time; the answer never holds the password.

import { deriveEndpoints, parseVersionPreference } from "../compass/endpoints";
import { type ProbeResult, probeConnection } from "../compass/probe";
import { errorText } from "../compass/text";
import type { AdminRequest, AdminResponse, NodeAPI } from "./red";
import { failureMessage, type Message, render } from "./status";

/** What Node-RED's editor sends for a password field the user did not change. */
const UNCHANGED_PASSWORD = "__PWRD__";

/** The parts of Node-RED's admin API this route needs beyond what the other nodes use. */
interface TestRouteAPI {
  httpAdmin: {
    post(
      path: string,
      ...handlers: Array<
        (req: AdminRequest & { body?: unknown }, res: AdminResponse, next: () => void) => void
      >
    ): void;
  };
  nodes: { getCredentials(id: string): Record<string, unknown> | undefined };
}

export interface TestConnectionAnswer {
  ok: boolean;
  /** the result line in the runtime's language, e.g. "REST v3 ok · XMPP ok · My Company · 12 users" */
  text: string;
  /** the same, for the editor to render in its language */
  line?: ResultLine;
  result?: ProbeResult;
}

export function registerTestConnectionRoute(RED: NodeAPI): void {
  const api = RED as unknown as NodeAPI & TestRouteAPI;
  const running = new Set<string>();
  /** An answer that is one message: the text in the runtime's language, the line for the editor. */
  const refuse = (res: AdminResponse, status: number, message: Message) => {
    const line: ResultLine = { parts: [message] };
    res.status(status).json({ ok: false, text: renderLine(RED, line), line } satisfies TestConnectionAnswer);
  };
  api.httpAdmin.post(
    "/compass/test-connection",
    RED.auth.needsPermission("compass-config.write"),
    (req, res) => {
      const body = (typeof req.body === "object" && req.body !== null ? req.body : {}) as Record<
        string,
        unknown
      >;
      const id = typeof body.id === "string" ? body.id : "";
      // stored credentials only of a deployed compass-config: never another node's secrets
      const deployed = id ? RED.nodes.getNode(id) : null;
      const stored = deployed?.type === "compass-config" ? (api.nodes.getCredentials(id) ?? {}) : {};
      const username = stringOr(body.username, stored.username).trim();
      // a secret typed in the dialog, else the stored one (also for a CA kept as a password credential)
      const password = typedSecret(body.password) || stringOr(stored.password);
      const ca = typedSecret(body.ca) || stringOr(stored.ca);
      if (!username || !password) {
        refuse(res, 400, { key: "compass-config.test.no-password" });
        return;
      }
      let endpoints: ReturnType<typeof deriveEndpoints>;
      try {
        endpoints = deriveEndpoints(stringOr(body.domain), {
          restUrl: stringOr(body.restUrl),
          xmppService: stringOr(body.xmppService),
          jidDomain: stringOr(body.jidDomain),
        });
      } catch (err) {
        const error = errorText(err);
        refuse(res, 400, { key: "compass-config.test.bad-request", with: { error } });
        return;
      }
      const key = id || `${username}@${endpoints.restUrl}`;
      if (running.has(key)) {
        refuse(res, 409, { key: "compass-config.test.busy" });
        return;
      }
      running.add(key);
      probeConnection({
        endpoints,
        username,
        password,
        versions: parseVersionPreference(stringOr(body.apiVersions)),
        timeoutMs: timeoutMs(body.timeout),
        ...(ca ? { ca } : {}),
      })
        .then(
          (result) => {
            const line = resultLine(result);
            const answer: TestConnectionAnswer = {
              ok: result.rest.ok && result.xmpp.ok,
              text: renderLine(RED, line),
              line,
              result,
            };
            res.json(JSON.parse(redact(JSON.stringify(answer), password)));
          },
          (err: unknown) => {
            const error = redact(errorText(err), password);
            refuse(res, 500, { key: "compass-config.test.failed", with: { error } });
          },
        )
        .finally(() => running.delete(key));
    },
  );
}

/**
 * The result line as messages: parts joined by " · ", and after a rejected login the lock warning.
 * The editor renders the same messages in its own language.
 */
export interface ResultLine {
  parts: Message[];
  warning?: Message;
}

/** "REST v3 ok · XMPP ok · My Company · 12 users", or what failed, with the lock warning after a rejected login. */
export function resultLine(result: ProbeResult): ResultLine {
  const parts: Message[] = [];
  const { rest, xmpp } = result;
  if (rest.ok) {
    parts.push(
      rest.version !== undefined
        ? { key: "compass-config.test.rest-ok", with: { version: rest.version } }
        : { key: "compass-config.test.rest-ok-unversioned" },
    );
  } else {
    parts.push({ key: "compass-config.test.rest-failed", with: { reason: failureMessage(rest.failure) } });
  }
  if (xmpp.ok) {
    parts.push(
      { key: "compass-config.test.xmpp-ok" },
      { literal: xmpp.company.name },
      { key: "compass-config.test.users", with: { count: xmpp.users } },
    );
  } else if ("skipped" in xmpp) {
    parts.push({ key: "compass-config.test.xmpp-skipped" });
  } else {
    parts.push({ key: "compass-config.test.xmpp-failed", with: { reason: failureMessage(xmpp.failure) } });
  }
  const rejected =
    (!rest.ok && rest.failure.kind === "login-rejected") ||
    (!xmpp.ok && "failure" in xmpp && xmpp.failure.kind === "login-rejected");
  return rejected ? { parts, warning: { key: "compass-config.test.lock-warning" } } : { parts };
}

/** The line in the runtime's language (the editor does the same in its own: nodes/compass-config.html). */
export function renderLine(RED: NodeAPI, line: ResultLine): string {
  const text = line.parts.map((part) => render(RED, part)).join(" · ");
  return line.warning ? `${text}. ${render(RED, line.warning)}` : text;
}

/** What the user typed into a credential field: not the editor's placeholder for "unchanged", not empty. */
function typedSecret(value: unknown): string {
  return typeof value === "string" && value !== UNCHANGED_PASSWORD ? value : "";
}

function stringOr(...values: unknown[]): string {
  for (const v of values) if (typeof v === "string") return v;
  return "";
}

/** The dialog's timeout in seconds, bounded; the probe's own default otherwise. */
function timeoutMs(seconds: unknown): number | undefined {
  const n = Number(seconds);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 60) * 1000 : undefined;
}

/** The password out of a JSON text, as it is and as JSON escapes it. */
function redact(json: string, secret: string): string {
  if (secret.length < 3) return json;
  let out = json;
  for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)]))
    out = out.split(form).join("***");
  return out;
}
