// The platform operations the nodes and the editor's lists need, on top of the REST client: queue
// membership and pause, user status, dialling, dial-plan switches, and the company's users, queues
// and switches. Each knows its path, its API versions and its body shape, so a node only says what
// to do and to whom. No Node-RED here: tested against the simulator on its own.

import { ForbiddenError, type RestClient, type RestResponse } from "./rest";

/** Why an operation could not be asked for; `code` names the case, `params` what it was about. */
export class OperationError extends Error {
  override readonly name = "OperationError";
  constructor(
    readonly code: OperationErrorCode,
    readonly params: Record<string, string>,
    message: string,
  ) {
    super(message);
  }
}

/** The platform refused (403) because the user lacks a feature; says which one to enable. */
export class FeatureRequiredError extends OperationError {
  readonly statusCode = 403;
  constructor(
    readonly feature: string,
    readonly refusal: Error,
  ) {
    super(
      "feature-required",
      { feature },
      `the platform refused: enable the user feature "${feature}" for this user (${refusal.message})`,
    );
  }
}

export type OperationErrorCode =
  | "feature-required"
  | "no-company"
  | "no-identity"
  | "bad-priority"
  | "bad-receive-calls"
  | "unknown-switch"
  | "bad-setting";

/** One entry of the editor's lists: a user, queue or switch. */
export interface Choice {
  id: string;
  name: string;
  /** extra text for the list, e.g. the extension */
  detail?: string;
}

/** The answer of an operation: the platform's status code and body. */
export interface OperationAnswer<T = unknown> {
  statusCode: number;
  body: T;
}

/** v3 user status: which calls reach the user. */
export type ReceiveCalls = "ALL" | "ONLY_DIRECT" | "NONE";

// The platform spells these three ways (XMPP: ALL / ONLY_DIRECT / NONE; the migration guide:
// receiveAll / receiveOnlyDirect; report exports: all / only_direct / none): all are accepted.
const RECEIVE_CALLS_SPELLINGS: Record<string, ReceiveCalls> = {
  all: "ALL",
  receiveall: "ALL",
  onlydirect: "ONLY_DIRECT",
  receiveonlydirect: "ONLY_DIRECT",
  direct: "ONLY_DIRECT",
  none: "NONE",
  receivenone: "NONE",
};

/** A receive-calls state in any of the platform's spellings, or null. */
export function parseReceiveCalls(value: unknown): ReceiveCalls | null {
  if (typeof value !== "string") return null;
  return (
    RECEIVE_CALLS_SPELLINGS[
      value
        .trim()
        .replace(/[\s_-]/g, "")
        .toLowerCase()
    ] ?? null
  );
}

/**
 * The v3 status request body. The platform's schema for it is not published; this is the one place
 * that knows its shape, so a correction touches nothing else.
 */
export function userStatusBody(change: { receiveCalls?: ReceiveCalls; endWrapup?: boolean }): object {
  return {
    ...(change.receiveCalls ? { receiveCalls: change.receiveCalls } : {}),
    ...(change.endWrapup ? { endWrapup: true } : {}),
  };
}

export interface DialPlanSwitch {
  self?: string;
  name?: string;
  currentSetting?: number;
  settings?: Array<{ setting: number; name: string }>;
}

export interface DialAnswer extends OperationAnswer {
  /** the new call's id where the platform returns it (v3), else null */
  callId: string | null;
}

export class PlatformOperations {
  private companyUrlPromise: Promise<string> | null = null;

  constructor(readonly rest: RestClient) {}

  /** The own company's REST URL (its `self`), asked once; a failure is not remembered. */
  async companyUrl(): Promise<string> {
    this.companyUrlPromise ??= this.rest
      .getOwnCompany<{ self?: unknown }>({ noRedirect: true })
      .then((company) => {
        if (typeof company?.self !== "string")
          throw new OperationError(
            "no-company",
            {},
            "the platform did not say which company this user is in",
          );
        return company.self;
      });
    try {
      return await this.companyUrlPromise;
    } catch (err) {
      this.companyUrlPromise = null;
      throw err;
    }
  }

  // --- lists for the editor ---------------------------------------------------------------

  async users(): Promise<Choice[]> {
    const rows = await this.companyList("users");
    return byName(
      rows.map((row) => ({
        id: idFromSelf(row.self) ?? String(row.id ?? ""),
        name: String(row.name ?? row.username ?? ""),
        detail: Array.isArray(row.extensions) ? row.extensions.join(", ") : undefined,
      })),
    );
  }

  async queues(): Promise<Choice[]> {
    const rows = await this.companyList("queues");
    return byName(
      rows.map((row) => ({ id: idFromSelf(row.self) ?? String(row.id ?? ""), name: String(row.name ?? "") })),
    );
  }

  async switches(): Promise<Choice[]> {
    const rows = (await this.companyList("dpSwitches")) as DialPlanSwitch[];
    return byName(
      rows.map((row) => ({
        id: idFromSelf(row.self) ?? "",
        name: String(row.name ?? ""),
        detail: settingName(row) ?? undefined,
      })),
    );
  }

  // --- queues (v2 pause, see docs: mixing it with v3 status breaks call delivery) -------------

  async loginQueue(
    userId: string,
    queueId: string,
    options: { priority?: number; callForward?: boolean } = {},
  ): Promise<OperationAnswer> {
    const priority = options.priority ?? 1;
    if (!Number.isInteger(priority) || priority < 0)
      throw new OperationError(
        "bad-priority",
        { priority: String(priority) },
        `priority must be a whole number of 0 or more, not ${priority}`,
      );
    return this.send("POST", `${userPath(userId)}/loginQueue`, {
      queue: this.rest.urlFor("queue", queueId),
      priority,
      callForward: options.callForward === true,
    });
  }

  logoutQueue(userId: string, queueId: string): Promise<OperationAnswer> {
    return this.send("POST", `${userPath(userId)}/logoutQueue`, {
      queue: this.rest.urlFor("queue", queueId),
    });
  }

  /** Pause or unpause a user in a queue: API v2, per identity (the user's first one takes queue calls). */
  async setQueuePause(userId: string, queueId: string, paused: boolean): Promise<OperationAnswer> {
    const identities = await this.rest.request<unknown[]>({
      path: `${userPath(userId)}/identities`,
      versions: [2],
    });
    const first = Array.isArray(identities.body) ? identities.body[0] : undefined;
    const identity = typeof first === "string" ? first : (first as { self?: unknown } | undefined)?.self;
    if (typeof identity !== "string")
      throw new OperationError("no-identity", { user: userId }, `user ${userId} has no identity to pause`);
    const answer = await this.rest.request({
      method: "POST",
      url: `${identity}/${paused ? "pauseQueue" : "unpauseQueue"}`,
      body: { queue: this.rest.urlFor("queue", queueId) },
      versions: [2],
    });
    return { statusCode: answer.statusCode, body: answer.body };
  }

  // --- user status (v3) ---------------------------------------------------------------------

  userStatus(userId: string): Promise<OperationAnswer> {
    return this.send("GET", statusPath(userId), undefined, [3]);
  }

  /** `receiveCalls` in any of the platform's spellings. */
  async setReceiveCalls(userId: string, receiveCalls: unknown): Promise<OperationAnswer> {
    const wanted = parseReceiveCalls(receiveCalls);
    if (!wanted)
      throw new OperationError(
        "bad-receive-calls",
        { value: String(receiveCalls) },
        `receive calls must be ALL, ONLY_DIRECT or NONE, not ${String(receiveCalls)}`,
      );
    return this.send("POST", statusPath(userId), userStatusBody({ receiveCalls: wanted }), [3]);
  }

  endWrapup(userId: string): Promise<OperationAnswer> {
    return this.send("POST", statusPath(userId), userStatusBody({ endWrapup: true }), [3]);
  }

  // --- dialling -------------------------------------------------------------------------------

  async dialNumber(userId: string, number: string): Promise<DialAnswer> {
    const answer = await this.send("POST", `${userPath(userId)}/dialNumber`, { destination: number });
    return { ...answer, callId: callIdOf(answer.body) };
  }

  /** The platform takes the colleague as an absolute user URL in `user` (manual, "Resource URL's"). */
  async dialUser(userId: string, targetUserId: string): Promise<DialAnswer> {
    const answer = await this.send("POST", `${userPath(userId)}/dialUser`, {
      user: this.rest.urlFor("user", targetUserId),
    });
    return { ...answer, callId: callIdOf(answer.body) };
  }

  // --- call control (each needs a user feature: a 403 names it) ------------------------------

  /** Answer a waiting queue caller on the user's phone: the one with `callId`, else the longest waiting. */
  async pickupQueueCall(
    userId: string,
    target: { queueId?: string; callId?: string } = {},
  ): Promise<DialAnswer> {
    const answer = await this.withFeature("Queue pickup API", () =>
      this.send("POST", `${userPath(userId)}/pickupQueueCall`, {
        ...(target.queueId ? { queue: this.rest.urlFor("queue", target.queueId) } : {}),
        ...(target.callId ? { callId: target.callId } : {}),
      }),
    );
    return { ...answer, callId: callIdOf(answer.body) };
  }

  /** Listen in on a call, or on the call a colleague is in, from the user's phone. */
  async listenIn(userId: string, target: { callId?: string; userId?: string }): Promise<DialAnswer> {
    const answer = await this.withFeature("Listen in API", () =>
      this.send("POST", `${userPath(userId)}/listenIn`, {
        ...(target.callId ? { callId: target.callId } : {}),
        ...(target.userId ? { user: this.rest.urlFor("user", target.userId) } : {}),
      }),
    );
    return { ...answer, callId: callIdOf(answer.body) };
  }

  // --- dial-plan switches --------------------------------------------------------------------

  /** A switch by id, or else by name (case-insensitive), from the company's list. */
  async findSwitch(idOrName: string): Promise<DialPlanSwitch & { self: string }> {
    const switches = (await this.companyList("dpSwitches")) as DialPlanSwitch[];
    const wanted = idOrName.trim();
    const found =
      switches.find((s) => idFromSelf(s.self) === wanted) ??
      switches.find((s) => s.name?.toLowerCase() === wanted.toLowerCase());
    if (typeof found?.self !== "string")
      throw new OperationError("unknown-switch", { switch: wanted }, `no dial-plan switch ${wanted}`);
    return found as DialPlanSwitch & { self: string };
  }

  async switchState(idOrName: string): Promise<OperationAnswer<DialPlanSwitch>> {
    const found = await this.findSwitch(idOrName);
    return this.send("GET", found.self) as Promise<OperationAnswer<DialPlanSwitch>>;
  }

  /** `setting` is a number 1-100, or one of the switch's setting names where it lists them. */
  async setSwitch(idOrName: string, setting: unknown): Promise<OperationAnswer<DialPlanSwitch>> {
    const found = await this.findSwitch(idOrName);
    const number = settingNumber(setting, found);
    if (number === null)
      throw new OperationError(
        "bad-setting",
        { setting: String(setting) },
        `${String(setting)} is not a setting of ${found.name ?? "this switch"}`,
      );
    return this.send("PATCH", found.self, { currentSetting: number }) as Promise<
      OperationAnswer<DialPlanSwitch>
    >;
  }

  // --- helpers --------------------------------------------------------------------------------

  /** A 403 from an endpoint a user feature gates says which feature to enable. */
  private async withFeature<T>(feature: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof ForbiddenError) throw new FeatureRequiredError(feature, err);
      throw err;
    }
  }

  private async companyList(
    kind: "users" | "queues" | "dpSwitches",
  ): Promise<Array<Record<string, unknown>>> {
    const answer = await this.rest.request<unknown>({ url: `${await this.companyUrl()}/${kind}` });
    return Array.isArray(answer.body) ? (answer.body as Array<Record<string, unknown>>) : [];
  }

  private async send(
    method: "GET" | "POST" | "PATCH",
    pathOrUrl: string,
    body?: unknown,
    versions?: number[],
  ): Promise<OperationAnswer> {
    const target = /^https?:\/\//.test(pathOrUrl) ? { url: pathOrUrl } : { path: pathOrUrl };
    const answer: RestResponse = await this.rest.request({ method, ...target, body, versions });
    return { statusCode: answer.statusCode, body: answer.body };
  }
}

/** The id at the end of a resource URL: https://rest.example/queue/2001 -> "2001". */
export function idFromSelf(self: unknown): string | undefined {
  if (typeof self !== "string") return undefined;
  const last = self.split("/").filter(Boolean).pop();
  return last ? decodeURIComponent(last) : undefined;
}

/** The switch's current setting by name where the switch names its settings. */
export function settingName(sw: DialPlanSwitch | null | undefined): string | null {
  if (!sw) return null;
  return sw.settings?.find((s) => s.setting === sw.currentSetting)?.name ?? null;
}

function settingNumber(value: unknown, sw: DialPlanSwitch): number | null {
  const n = typeof value === "number" ? value : Number(String(value ?? "").trim());
  if (Number.isInteger(n) && n >= 1 && n <= 100) return n;
  const name = String(value ?? "")
    .trim()
    .toLowerCase();
  return sw.settings?.find((s) => s.name.toLowerCase() === name)?.setting ?? null;
}

/** v3 answers the new call's id (as a string or inside an object); v1/v2 answer a boolean. */
function callIdOf(body: unknown): string | null {
  if (typeof body === "string" && body.trim()) return body.trim();
  if (body && typeof body === "object") {
    const id = (body as Record<string, unknown>).callId ?? (body as Record<string, unknown>).id;
    if (typeof id === "string" && id) return id;
  }
  return null;
}

function userPath(userId: string): string {
  return `/user/${encodeURIComponent(userId)}`;
}

function statusPath(userId: string): string {
  return `${userPath(userId)}/status`;
}

function byName(list: Choice[]): Choice[] {
  return list.filter((c) => c.id).sort((a, b) => a.name.localeCompare(b.name));
}
