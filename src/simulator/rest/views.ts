// How state objects look in JSON, per API version. Every object carries `theType` and `self`
// (absolute URL on this server); references to other objects are absolute URLs too.

import type { CompanyState } from "../state/store";
import type {
  SimCompany,
  SimDpSwitch,
  SimExternalNumber,
  SimIdentity,
  SimPhone,
  SimQueue,
  SimQueueMember,
  SimUser,
} from "../state/types";

export class Urls {
  constructor(readonly base: string) {}
  of(type: string, id: string): string {
    return `${this.base}/${type}/${encodeURIComponent(id)}`;
  }
  user(id: string) {
    return this.of("user", id);
  }
  company(id: string) {
    return this.of("company", id);
  }
  queue(id: string) {
    return this.of("queue", id);
  }
  dpSwitch(id: string) {
    return this.of("dpSwitch", id);
  }
  externalNumber(id: string) {
    return this.of("externalNumber", id);
  }
  identity(id: string) {
    return this.of("identity", id);
  }
  extension(id: string) {
    return this.of("extension", id);
  }
  phone(id: string) {
    return this.of("phone", id);
  }
}

export class Views {
  constructor(
    private readonly state: CompanyState,
    private readonly urls: Urls,
    private readonly version: number,
  ) {}

  company(c: SimCompany) {
    return {
      theType: "company",
      self: this.urls.company(c.id),
      name: c.name,
      ...(c.domain ? { domain: c.domain } : {}),
    };
  }

  user(u: SimUser) {
    return {
      theType: "user",
      self: this.urls.user(u.id),
      username: u.username,
      name: u.name,
      contact: u.contact ?? null,
      language: u.language,
      extensions: [...u.extensions],
      company: this.urls.company(this.state.company.id),
      identities: u.identities.map((i) => this.urls.identity(i.id)),
    };
  }

  identity(user: SimUser, i: SimIdentity) {
    return {
      theType: "identity",
      self: this.urls.identity(i.id),
      name: i.name,
      user: this.urls.user(user.id),
      cli: i.cliExternalNumberId ? this.urls.externalNumber(i.cliExternalNumberId) : null,
    };
  }

  extension(number: string, owner: SimUser | undefined) {
    return {
      theType: "extension",
      self: this.urls.extension(number),
      extension: number,
      company: this.urls.company(this.state.company.id),
      user: owner ? this.urls.user(owner.id) : null,
    };
  }

  right(u: SimUser) {
    if (u.companyRight === "none") return [];
    return [{ theType: "right", access: u.companyRight, target: this.urls.company(this.state.company.id) }];
  }

  queue(q: SimQueue) {
    return {
      theType: "queue",
      self: this.urls.queue(q.id),
      name: q.name,
      company: this.urls.company(this.state.company.id),
      ...(q.extension ? { extension: q.extension } : {}),
    };
  }

  membership(m: SimQueueMember) {
    return {
      queue: this.urls.queue(m.queueId),
      priority: m.priority,
      callForward: m.callForward,
      // v3 replaced queue pausing by the user status model
      ...(this.version < 3 ? { paused: m.pausedSince > 0 } : {}),
    };
  }

  status(u: SimUser) {
    return {
      receiveCalls: u.receiveCalls,
      displayStatus: u.displayStatus,
      ...(u.wrapupState
        ? { wrapupState: { callId: u.wrapupState.callId, endTime: u.wrapupState.endTime } }
        : {}),
    };
  }

  dpSwitch(s: SimDpSwitch) {
    return {
      theType: "dpSwitch",
      self: this.urls.dpSwitch(s.id),
      name: s.name,
      company: this.urls.company(this.state.company.id),
      currentSetting: s.currentSetting,
      settings: s.settings.map((name, i) => ({ setting: i + 1, name })),
    };
  }

  externalNumber(n: SimExternalNumber) {
    return {
      theType: "externalNumber",
      self: this.urls.externalNumber(n.id),
      number: n.number,
      name: n.name,
      company: this.urls.company(this.state.company.id),
      destination: this.destination(n.destination),
    };
  }

  phone(p: SimPhone) {
    return {
      theType: "phone",
      self: this.urls.phone(p.id),
      name: p.name,
      company: this.urls.company(this.state.company.id),
    };
  }

  phoneStatus(p: SimPhone) {
    const user = this.state.users().find((u) => String(u.location) === p.id);
    return {
      phone: this.urls.phone(p.id),
      loggedIn: user !== undefined,
      user: user ? this.urls.user(user.id) : null,
    };
  }

  /** base info only, for /resourcesFiltered and /entitiesFiltered */
  base(theType: string, self: string, name: string) {
    return { theType, self, name };
  }

  private destination(target: string): string | null {
    const [kind, id] = target.split(":");
    if (!id) return null;
    if (kind === "user") return this.urls.user(id);
    if (kind === "queue") return this.urls.queue(id);
    if (kind === "dpSwitch") return this.urls.dpSwitch(id);
    return null;
  }
}
