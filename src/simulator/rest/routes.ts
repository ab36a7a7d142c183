// The endpoints: a table of path patterns, the API versions that have them, and one handler per
// method. Handlers read and change state only through CompanyState and answer plain data; the
// server turns that into HTTP.
//
// Choices where the sources leave room (clients may rely on these against the simulator):
//   - rights: a user may always read and act on itself (log itself into a queue, dial, set its
//     status); reading others needs company right read or write; changing others, switches and
//     deleting users needs write. Otherwise 403 with a detail.
//   - dialNumber / dialUser / pickupQueueCall / listenIn answer `true` on v1/v2 and `{ "callId": "<id>" }`
//     on v3. pickupQueueCall takes an optional `queue` URL and `callId`; listenIn a `callId` or a
//     `user` URL (the platform publishes these bodies only in its online schema).
//   - dialUser takes the target user URL in `user` only (manual, "Resource URL's": "dialUser's user");
//     a body that names it `destination` is refused, so a client sending the wrong field fails here.
//   - loginQueue, logoutQueue, pauseQueue, unpauseQueue, DELETE /user answer 200 with an empty body
//     (as the manual's loginQueue example); PATCHes answer the changed object.
//   - a request that clashes with the state (already a member, not a member, nobody waiting,
//     user on no phone) answers 400 with `code: "conflict"`: the platform documents no 409.
//   - version gates: pauseQueue/unpauseQueue v1-v2; /user/{id}/status v3+; loginQueue, logoutQueue,
//     identities, extensions, rights, company lists and phones v2+; v1 has /company/{id}/fullUsers etc.
//     An endpoint missing from the served version answers 404 saying so.
//   - references in bodies: absolute URLs on this server from v2; v1 also takes a path or a bare id.

import { SimForbiddenError, SimNotFoundError, SimValidationError } from "../state/errors";
import type { CompanyState } from "../state/store";
import type { SimUser } from "../state/types";
import type { Urls, Views } from "./views";

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

export interface Context {
  state: CompanyState;
  caller: SimUser;
  version: number;
  urls: Urls;
  views: Views;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** parsed JSON body; undefined when the request had none */
  body: unknown;
}

export interface Reply {
  status: number;
  /** undefined = empty body */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: Context) => Reply;

export interface Route {
  /** e.g. "/user/:id/loginQueue"; literal segments match case-insensitively */
  pattern: string;
  /** API versions that have this endpoint; absent = all */
  versions?: readonly number[];
  methods: Partial<Record<Method, Handler>>;
}

const V2_UP = [2, 3, 4, 5, 6, 7, 8, 9];
const V1_V2 = [1, 2];
const V3_UP = [3, 4, 5, 6, 7, 8, 9];

// ---------------------------------------------------------------- helpers

const ok = (body?: unknown): Reply => ({ status: 200, body });

function canRead(u: SimUser): boolean {
  return u.companyRight === "read" || u.companyRight === "write";
}

function requireRead(ctx: Context, userId?: string): void {
  if (userId !== undefined && userId === ctx.caller.id) return;
  if (!canRead(ctx.caller)) throw new SimForbiddenError("read access on the company is required");
}

function requireWrite(ctx: Context, userId?: string): void {
  if (userId !== undefined && userId === ctx.caller.id) return;
  if (ctx.caller.companyRight !== "write") {
    throw new SimForbiddenError("write access on the company is required to change other users or resources");
  }
}

function userParam(ctx: Context): SimUser {
  const user = ctx.state.user(ctx.params.id ?? "");
  if (!user) throw new SimNotFoundError(`user ${ctx.params.id} does not exist`);
  return user;
}

function companyParam(ctx: Context): void {
  if (ctx.params.id !== ctx.state.company.id)
    throw new SimNotFoundError(`company ${ctx.params.id} does not exist`);
}

function identityParam(ctx: Context) {
  const found = ctx.state.identity(ctx.params.id ?? "");
  if (!found) throw new SimNotFoundError(`identity ${ctx.params.id} does not exist`);
  return found;
}

function bodyObject(ctx: Context): Record<string, unknown> {
  if (ctx.body === undefined) return {};
  if (ctx.body === null || typeof ctx.body !== "object" || Array.isArray(ctx.body)) {
    throw new SimValidationError("the request body must be a JSON object");
  }
  return ctx.body as Record<string, unknown>;
}

/**
 * The id in a reference to another object. From v2 a reference must be the absolute URL of that
 * object on this server; v1 also took a relative path or the bare id.
 */
function reference(ctx: Context, value: unknown, type: string, field: string): string {
  const wrong = () =>
    new SimValidationError(
      `${field} must be the absolute URL of a ${type} on this server (${ctx.urls.base}/${type}/...)`,
    );
  if (
    ctx.version < 2 &&
    (typeof value === "number" || (typeof value === "string" && /^[^/:]+$/.test(value)))
  ) {
    return String(value);
  }
  if (typeof value !== "string" || value === "") throw wrong();
  let url: URL;
  try {
    url = ctx.version < 2 ? new URL(value, ctx.urls.base) : new URL(value);
  } catch {
    throw wrong();
  }
  if (url.origin !== new URL(ctx.urls.base).origin) throw wrong();
  const segments = url.pathname.split("/").filter((s) => s !== "");
  if (segments.length !== 2 || segments[0]?.toLowerCase() !== type.toLowerCase()) throw wrong();
  return decodeURIComponent(segments[1] ?? "");
}

function priority(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  // the manual's own example sends "2"
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n))
    throw new SimValidationError("priority must be an integer");
  return n;
}

function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new SimValidationError(`${field} must be true or false`);
  return value;
}

/** v1/v2 answer dial actions with a boolean, v3 with the new call's id. */
function optionalCallId(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw new SimValidationError("callId must be a call's id");
  return value;
}

function callAnswer(ctx: Context, callId: string): Reply {
  return ok(ctx.version >= 3 ? { callId } : true);
}

/** X-No-Redirect: follow the bootstrap redirect internally. */
function bootstrap(ctx: Context, location: string, view: () => unknown): Reply {
  const header = ctx.headers["x-no-redirect"];
  if (typeof header === "string" && header.toLowerCase() === "true") return ok(view());
  return { status: 303, headers: { Location: location } };
}

const COMPANY_LISTS: Record<string, (ctx: Context) => unknown[]> = {
  users: (ctx) => ctx.state.users().map((u) => ctx.views.user(u)),
  queues: (ctx) => ctx.state.queues().map((q) => ctx.views.queue(q)),
  externalNumbers: (ctx) => ctx.state.externalNumbers().map((n) => ctx.views.externalNumber(n)),
  dpSwitches: (ctx) => ctx.state.dpSwitches().map((s) => ctx.views.dpSwitch(s)),
  forwards: () => [],
};

function resources(ctx: Context): Record<string, unknown[]> {
  const { state, urls, views } = ctx;
  const extensions = state.users().flatMap((u) => u.extensions);
  return {
    queue: state.queues().map((q) => views.base("queue", urls.queue(q.id), q.name)),
    dpSwitch: state.dpSwitches().map((s) => views.base("dpSwitch", urls.dpSwitch(s.id), s.name)),
    externalNumber: state
      .externalNumbers()
      .map((n) => views.base("externalNumber", urls.externalNumber(n.id), n.name)),
    phone: state.phones().map((p) => views.base("phone", urls.phone(p.id), p.name)),
    extension: extensions.map((e) => views.base("extension", urls.extension(e), e)),
  };
}

function filtered(ctx: Context, all: Record<string, unknown[]>): Reply {
  companyParam(ctx);
  requireRead(ctx);
  const filter = ctx.query.get("filter");
  if (filter === null || filter === "") return ok(Object.values(all).flat());
  const key = Object.keys(all).find((k) => k.toLowerCase() === filter.toLowerCase());
  if (!key) throw new SimValidationError(`filter must be one of ${Object.keys(all).join(", ")}`);
  return ok(all[key]);
}

// ---------------------------------------------------------------- the table

export const ROUTES: Route[] = [
  {
    pattern: "/user",
    methods: {
      GET: (ctx) => bootstrap(ctx, ctx.urls.user(ctx.caller.id), () => ctx.views.user(ctx.caller)),
    },
  },
  {
    pattern: "/company",
    methods: {
      GET: (ctx) =>
        bootstrap(ctx, ctx.urls.company(ctx.state.company.id), () => ctx.views.company(ctx.state.company)),
    },
  },
  {
    pattern: "/user/:id",
    methods: {
      GET: (ctx) => {
        const user = userParam(ctx);
        requireRead(ctx, user.id);
        return ok(ctx.views.user(user));
      },
      PATCH: (ctx) => {
        const user = userParam(ctx);
        requireWrite(ctx, user.id);
        const body = bodyObject(ctx);
        const fields: { name?: string; contact?: string; language?: string } = {};
        for (const key of ["name", "contact", "language"] as const) {
          if (!(key in body)) continue;
          const value = body[key];
          if (value === null && key === "contact") fields.contact = "";
          else if (typeof value === "string") fields[key] = value;
          else throw new SimValidationError(`${key} must be a string${key === "contact" ? " or null" : ""}`);
        }
        return ok(ctx.views.user(ctx.state.updateUser(user.id, fields)));
      },
      DELETE: (ctx) => {
        const user = userParam(ctx);
        if (user.id === ctx.caller.id) throw new SimValidationError("a user cannot delete itself");
        requireWrite(ctx);
        ctx.state.removeUser(user.id);
        return ok();
      },
    },
  },
  {
    pattern: "/user/:id/identities",
    versions: V2_UP,
    methods: {
      GET: (ctx) => {
        const user = userParam(ctx);
        requireRead(ctx, user.id);
        return ok(user.identities.map((i) => ctx.views.identity(user, i)));
      },
    },
  },
  {
    pattern: "/user/:id/extensions",
    versions: V2_UP,
    methods: {
      GET: (ctx) => {
        const user = userParam(ctx);
        requireRead(ctx, user.id);
        return ok(user.extensions.map((e) => ctx.views.extension(e, user)));
      },
    },
  },
  {
    pattern: "/user/:id/rights",
    versions: V2_UP,
    methods: {
      GET: (ctx) => {
        const user = userParam(ctx);
        requireRead(ctx, user.id);
        return ok(ctx.views.right(user));
      },
    },
  },
  {
    pattern: "/user/:id/loginQueue",
    versions: V2_UP,
    methods: {
      POST: (ctx) => {
        const user = userParam(ctx);
        requireWrite(ctx, user.id);
        const body = bodyObject(ctx);
        const queueId = reference(ctx, body.queue, "queue", "queue");
        ctx.state.loginQueue(user.id, queueId, {
          priority: priority(body.priority),
          callForward: optionalBoolean(body.callForward, "callForward"),
        });
        return ok();
      },
    },
  },
  {
    pattern: "/user/:id/logoutQueue",
    versions: V2_UP,
    methods: {
      POST: (ctx) => {
        const user = userParam(ctx);
        requireWrite(ctx, user.id);
        ctx.state.logoutQueue(user.id, reference(ctx, bodyObject(ctx).queue, "queue", "queue"));
        return ok();
      },
    },
  },
  {
    pattern: "/user/:id/status",
    versions: V3_UP,
    methods: {
      GET: (ctx) => {
        const user = userParam(ctx);
        requireRead(ctx, user.id);
        return ok(ctx.views.status(user));
      },
      POST: (ctx) => {
        const user = userParam(ctx);
        requireWrite(ctx, user.id);
        const body = bodyObject(ctx);
        const { receiveCalls, displayStatus } = body;
        if (receiveCalls !== undefined && typeof receiveCalls !== "string") {
          throw new SimValidationError("receiveCalls must be ALL, ONLY_DIRECT or NONE");
        }
        if (displayStatus !== undefined && typeof displayStatus !== "string") {
          throw new SimValidationError("displayStatus must be a string");
        }
        ctx.state.setUserStatus(user.id, {
          receiveCalls: receiveCalls as SimUser["receiveCalls"] | undefined,
          displayStatus: displayStatus as string | undefined,
          endWrapup: optionalBoolean(body.endWrapup, "endWrapup"),
        });
        return ok(ctx.views.status(user));
      },
    },
  },
  {
    pattern: "/user/:id/dialNumber",
    methods: {
      POST: (ctx) => {
        const user = userParam(ctx);
        requireWrite(ctx, user.id);
        const { destination } = bodyObject(ctx);
        if (typeof destination !== "string")
          throw new SimValidationError("destination must be a phone number string");
        return callAnswer(ctx, ctx.state.dialNumber(user.id, destination).id);
      },
    },
  },
  {
    pattern: "/user/:id/dialUser",
    methods: {
      POST: (ctx) => {
        const user = userParam(ctx);
        requireWrite(ctx, user.id);
        const body = bodyObject(ctx);
        const targetId = reference(ctx, body.user, "user", "user");
        if (!ctx.state.user(targetId)) throw new SimValidationError("user names a user that does not exist");
        return callAnswer(ctx, ctx.state.dialUser(user.id, targetId).id);
      },
    },
  },
  {
    pattern: "/user/:id/pickupQueueCall",
    methods: {
      POST: (ctx) => {
        const user = userParam(ctx);
        requireWrite(ctx, user.id);
        const body = bodyObject(ctx);
        const queueId = body.queue === undefined ? undefined : reference(ctx, body.queue, "queue", "queue");
        const callId = optionalCallId(body.callId);
        return callAnswer(ctx, ctx.state.pickupQueueCall(user.id, { queueId, callId }).id);
      },
    },
  },
  {
    // Listen in on a call (`callId`) or on the call a user is in (`user`, a user URL).
    pattern: "/user/:id/listenIn",
    methods: {
      POST: (ctx) => {
        const user = userParam(ctx);
        requireWrite(ctx, user.id);
        const body = bodyObject(ctx);
        const callId = optionalCallId(body.callId);
        const userId = body.user === undefined ? undefined : reference(ctx, body.user, "user", "user");
        return callAnswer(ctx, ctx.state.listenIn(user.id, { callId, userId }).id);
      },
    },
  },
  {
    pattern: "/identity/:id",
    methods: {
      GET: (ctx) => {
        const { user, identity } = identityParam(ctx);
        requireRead(ctx, user.id);
        return ok(ctx.views.identity(user, identity));
      },
      PATCH: (ctx) => {
        const { user, identity } = identityParam(ctx);
        requireWrite(ctx, user.id);
        const body = bodyObject(ctx);
        if ("cli" in body) {
          // from v2 only null clears; v1 also took an empty string
          const clears = body.cli === null || (ctx.version < 2 && body.cli === "");
          const numberId = clears ? null : reference(ctx, body.cli, "externalNumber", "cli");
          ctx.state.setIdentityCli(identity.id, numberId);
        }
        return ok(ctx.views.identity(user, identity));
      },
    },
  },
  {
    pattern: "/identity/:id/queueMemberships",
    methods: {
      GET: (ctx) => {
        const { user } = identityParam(ctx);
        requireRead(ctx, user.id);
        return ok(ctx.state.membershipsOf(user.id).map((m) => ctx.views.membership(m)));
      },
    },
  },
  {
    pattern: "/identity/:id/pauseQueue",
    versions: V1_V2,
    methods: {
      POST: (ctx) => {
        const { user } = identityParam(ctx);
        requireWrite(ctx, user.id);
        ctx.state.pauseQueue(user.id, reference(ctx, bodyObject(ctx).queue, "queue", "queue"));
        return ok();
      },
    },
  },
  {
    pattern: "/identity/:id/unpauseQueue",
    versions: V1_V2,
    methods: {
      POST: (ctx) => {
        const { user } = identityParam(ctx);
        requireWrite(ctx, user.id);
        ctx.state.unpauseQueue(user.id, reference(ctx, bodyObject(ctx).queue, "queue", "queue"));
        return ok();
      },
    },
  },
  {
    pattern: "/dpSwitch/:id",
    methods: {
      GET: (ctx) => {
        requireRead(ctx);
        const sw = ctx.state.dpSwitch(ctx.params.id ?? "");
        if (!sw) throw new SimNotFoundError(`dial plan switch ${ctx.params.id} does not exist`);
        return ok(ctx.views.dpSwitch(sw));
      },
      PATCH: (ctx) => {
        const sw = ctx.state.dpSwitch(ctx.params.id ?? "");
        if (!sw) throw new SimNotFoundError(`dial plan switch ${ctx.params.id} does not exist`);
        requireWrite(ctx);
        const body = bodyObject(ctx);
        if ("currentSetting" in body) {
          if (body.currentSetting === null) throw new SimValidationError("currentSetting cannot be cleared");
          const setting = body.currentSetting;
          const n = typeof setting === "string" && /^\d+$/.test(setting) ? Number(setting) : setting;
          if (typeof n !== "number") throw new SimValidationError("currentSetting must be an integer");
          ctx.state.setDpSwitch(sw.id, n);
        }
        return ok(ctx.views.dpSwitch(sw));
      },
    },
  },
  {
    pattern: "/company/:id",
    methods: {
      GET: (ctx) => {
        companyParam(ctx);
        return ok(ctx.views.company(ctx.state.company));
      },
    },
  },
  ...Object.entries(COMPANY_LISTS).flatMap(([name, list]): Route[] => {
    const handler: Handler = (ctx) => {
      companyParam(ctx);
      requireRead(ctx);
      return ok(list(ctx));
    };
    const full = `full${name[0]?.toUpperCase()}${name.slice(1)}`;
    // v2 renamed v1's "full" lists (fullUsers -> users)
    return [
      { pattern: `/company/:id/${name}`, versions: V2_UP, methods: { GET: handler } },
      { pattern: `/company/:id/${full}`, versions: [1], methods: { GET: handler } },
    ];
  }),
  {
    pattern: "/company/:id/resourcesFiltered",
    methods: { GET: (ctx) => filtered(ctx, resources(ctx)) },
  },
  {
    pattern: "/company/:id/entitiesFiltered",
    methods: {
      GET: (ctx) =>
        filtered(ctx, {
          user: ctx.state.users().map((u) => ctx.views.base("user", ctx.urls.user(u.id), u.name)),
          company: [
            ctx.views.base("company", ctx.urls.company(ctx.state.company.id), ctx.state.company.name),
          ],
        }),
    },
  },
  {
    pattern: "/queue/:id",
    methods: {
      GET: (ctx) => {
        requireRead(ctx);
        const q = ctx.state.queue(ctx.params.id ?? "");
        if (!q) throw new SimNotFoundError(`queue ${ctx.params.id} does not exist`);
        return ok(ctx.views.queue(q));
      },
    },
  },
  {
    pattern: "/externalNumber/:id",
    methods: {
      GET: (ctx) => {
        requireRead(ctx);
        const n = ctx.state.externalNumber(ctx.params.id ?? "");
        if (!n) throw new SimNotFoundError(`external number ${ctx.params.id} does not exist`);
        return ok(ctx.views.externalNumber(n));
      },
    },
  },
  {
    pattern: "/extension/:id",
    methods: {
      GET: (ctx) => {
        const number = ctx.params.id ?? "";
        const owner = ctx.state.userByExtension(number);
        if (!owner) throw new SimNotFoundError(`extension ${number} does not exist`);
        requireRead(ctx, owner.id);
        return ok(ctx.views.extension(number, owner));
      },
    },
  },
  {
    pattern: "/phone/:id",
    versions: V2_UP,
    methods: {
      GET: (ctx) => {
        requireRead(ctx);
        const p = ctx.state.phone(ctx.params.id ?? "");
        if (!p) throw new SimNotFoundError(`phone ${ctx.params.id} does not exist`);
        return ok(ctx.views.phone(p));
      },
    },
  },
  {
    pattern: "/phone/:id/phoneStatus",
    versions: V2_UP,
    methods: {
      GET: (ctx) => {
        requireRead(ctx);
        const p = ctx.state.phone(ctx.params.id ?? "");
        if (!p) throw new SimNotFoundError(`phone ${ctx.params.id} does not exist`);
        return ok(ctx.views.phoneStatus(p));
      },
    },
  },
];

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** The route for a path, or undefined. Literal segments compare case-insensitively (dpSwitch/dpswitch). */
export function matchRoute(pathname: string): RouteMatch | undefined {
  const segments = pathname.split("/").filter((s) => s !== "");
  for (const route of ROUTES) {
    const pattern = route.pattern.split("/").filter((s) => s !== "");
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let matched = true;
    for (let i = 0; i < pattern.length; i++) {
      const p = pattern[i] as string;
      const s = segments[i] as string;
      if (p.startsWith(":")) {
        try {
          params[p.slice(1)] = decodeURIComponent(s);
        } catch {
          matched = false;
        }
      } else if (p.toLowerCase() !== s.toLowerCase()) matched = false;
      if (!matched) break;
    }
    if (matched) return { route, params };
  }
  return undefined;
}
