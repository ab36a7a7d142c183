// What each node takes for a property its saved definition leaves out: one table per node type, the
// values a new node starts with in the editor. The runtime applies them (withDefaults) before a node
// reads its definition, so a hand-written or partial flow behaves like one saved by the editor.
// The editor declares the same values literally in each nodes/*.html registerType `defaults` (what
// the flow library's scorecard and readers see); test/editor/defaults.test.ts checks, in the real
// editor, that every value here is the editor's and that the editor has no default missing here.
// Not here: name and config (no default to take) and version (absent means 0, see migrate.ts).

import { DEFAULT_PLATFORM_DOMAIN } from "../compass/endpoints";
import { DEFAULT_TIMEOUT_MS } from "../compass/rest";
import { DEFAULT_PING_INTERVAL_MS } from "../compass/xmpp/session";
import type { NodeDef } from "./red";

export const NODE_DEFAULTS = {
  "compass-config": {
    domain: DEFAULT_PLATFORM_DOMAIN,
    restUrl: "",
    filesUrl: "",
    xmppService: "",
    jidDomain: "",
    apiVersions: "3,2",
    timeout: DEFAULT_TIMEOUT_MS / 1000,
    liveness: DEFAULT_PING_INTERVAL_MS / 1000,
  },
  "compass-api": {
    method: "GET",
    path: "/company",
    pathType: "str",
    body: "",
    bodyType: "payload",
    methodOverride: false,
    followRedirects: true,
  },
  "compass-call-control": {
    action: "pickup",
    user: "",
    userType: "str",
    queue: "",
    queueType: "str",
    callId: "",
    callIdType: "str",
    listenTo: "",
    listenToType: "str",
  },
  "compass-call-event": {
    events: [],
    direction: "any",
    userIds: "",
    queueIds: "",
    numbers: "",
    includeXml: false,
  },
  "compass-cdr": {
    report: "company-cdr",
    from: "yesterday",
    fromType: "str",
    to: "",
    toType: "str",
    output: "all",
  },
  "compass-dial": {
    user: "",
    userType: "str",
    mode: "number",
    destination: "payload",
    destinationType: "msg",
  },
  "compass-dpswitch": { action: "get", switch: "", switchType: "str", setting: "1", settingType: "num" },
  "compass-queue-agent": {
    action: "login",
    user: "",
    userType: "str",
    queue: "",
    queueType: "str",
    priority: 1,
    callForward: false,
  },
  "compass-queue-event": { events: [], queueIds: "", statsInterval: 2, includeXml: false },
  "compass-state": { query: "users", objectId: "", objectIdType: "str" },
  "compass-user-event": { events: [], userIds: "", includeXml: false },
  "compass-user-status": { action: "get", user: "", userType: "str", receiveCalls: "ALL" },
} satisfies Record<string, Record<string, unknown>>;

export type NodeType = keyof typeof NODE_DEFAULTS;

/**
 * Where a property left out means something else than a new node's value: flows saved before the
 * property existed keep doing what they did.
 */
export const WHEN_ABSENT: Partial<Record<NodeType, Record<string, unknown>>> = {
  // before receiveCalls was a field, a status to set was always read from msg.payload
  "compass-user-status": { receiveCalls: "msg" },
};

/**
 * A copy of `def` with each property of its type's table that `def` leaves out (undefined) set to
 * the table's value (or WHEN_ABSENT's); `def` itself is left untouched. Keeps Node-RED's non-enumerable properties
 * (_flow, _module, _path), which createNode needs.
 */
export function withDefaults<T extends NodeDef>(type: NodeType, def: T): T {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(def)) as Record<string, unknown>;
  for (const [property, value] of Object.entries({ ...NODE_DEFAULTS[type], ...WHEN_ABSENT[type] })) {
    if (copy[property] === undefined) copy[property] = Array.isArray(value) ? [...value] : value;
  }
  return copy as T;
}
