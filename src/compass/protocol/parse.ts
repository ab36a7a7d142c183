// Platform XML (as @xmpp/xml elements, the form xmpp.js hands us) -> typed objects.
// Rules: required ids missing -> ProtocolError naming the element; optional fields absent -> left out;
// present-but-empty text -> ""; unknown elements ignored; nothing but ProtocolError is ever thrown.
import type { Element } from "@xmpp/xml";
import { cut, errorText } from "../text";
import {
  attr,
  booleanOf,
  eachChild,
  expectElement,
  firstChild,
  firstChildNS,
  interned,
  localName,
  namespaceOf,
  numberOf,
  parseStrictNumber,
  requiredAttr,
  textOf,
  xsiType,
} from "./dom";
import { ProtocolError, QUOTED_MAX } from "./errors";
import {
  type Call,
  type Callpoint,
  COMPASS_NS,
  type CompassResult,
  type GetResult,
  type Notification,
  type PropertyChange,
  PUBSUB_EVENT_NS,
  PUBSUB_NS,
  type PubsubSubscription,
  type Queue,
  type QueueMember,
  type User,
  type WrapupState,
} from "./types";

/** Value used for a required enum-like text (state, updateType, endReason) that the platform left out. */
export const UNKNOWN_VALUE = "UNKNOWN";

/** Run a reader; anything but a ProtocolError (a bug or a non-element input) becomes one. */
function guard<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError(`cannot read <${what}>: ${cut(errorText(err), 200)}`, what, { cause: err });
  }
}

function expectShape(el: unknown, what: string): asserts el is Element {
  const candidate = el as Element | null | undefined;
  if (
    typeof candidate !== "object" ||
    candidate === null ||
    typeof candidate.name !== "string" ||
    typeof candidate.attrs !== "object" ||
    candidate.attrs === null ||
    !Array.isArray(candidate.children)
  ) {
    throw new ProtocolError(`expected a <${what}> element`, what);
  }
}

/** Text of a required child: present and non-empty, else ProtocolError. */
function requiredText(found: Element | undefined, name: string, owner: string): string {
  const text = found ? textOf(found) : "";
  if (!text) throw new ProtocolError(`${owner} has no <${name}>`, name);
  return text;
}

// ---- properties ---------------------------------------------------------------------------

/** `<properties>` (or `<identifiers>`): child element name -> trimmed text. */
export function parseProperties(el: Element): Record<string, string> {
  return guard("properties", () => {
    expectShape(el, "properties");
    return readProperties(el);
  });
}

/** What a call or callpoint without properties holds: one frozen object, not a fresh one each. */
const NO_PROPERTIES: Record<string, string> = Object.freeze({});

function readProperties(el: Element): Record<string, string> {
  if (el.children.length === 0) return NO_PROPERTIES;
  const result: Record<string, string> = {};
  eachChild(el, (child, name) => {
    // A plain object keeps deepEqual-friendly JSON; "__proto__" is the one key it cannot hold safely.
    if (name === "__proto__") return;
    result[name] = textOf(child);
  });
  return result;
}

// ---- callpoints and calls -----------------------------------------------------------------

const CALLPOINT_XSI_PREFIX = "callpoint";

function callpointType(el: Element): string {
  const type = attr(el, "type");
  if (type) return type;
  const schemaType = xsiType(el);
  if (schemaType) {
    return schemaType.startsWith(CALLPOINT_XSI_PREFIX) && schemaType.length > CALLPOINT_XSI_PREFIX.length
      ? schemaType.slice(CALLPOINT_XSI_PREFIX.length)
      : schemaType;
  }
  return "Unknown";
}

/** A `<source>`, `<destination>` or `<callpoint>` element. */
export function parseCallpoint(el: Element): Callpoint {
  return guard("callpoint", () => {
    expectShape(el, "callpoint");
    return readCallpoint(el);
  });
}

function readCallpoint(el: Element): Callpoint {
  const callpoint: Callpoint = {
    id: requiredAttr(el, "id"),
    type: interned(callpointType(el)),
    state: UNKNOWN_VALUE,
    properties: NO_PROPERTIES,
  };
  eachChild(el, (child, name) => {
    switch (name) {
      case "state":
        callpoint.state = interned(textOf(child)) || UNKNOWN_VALUE;
        break;
      case "properties":
        callpoint.properties = readProperties(child);
        break;
      case "timeCreated":
      case "timeStarted":
      case "timeEnded": {
        const value = numberOf(child);
        if (value !== undefined) callpoint[name] = value;
        break;
      }
      case "userId":
      case "userName":
      case "identityId":
      case "queueId":
      case "queueName":
      case "exten":
      case "digits":
      case "description":
      case "number":
      case "name":
      case "resourceType":
      case "resourceId":
      case "listenedToCallId":
        callpoint[name] = textOf(child);
        break;
    }
  });
  return callpoint;
}

export function parseCall(el: Element): Call {
  return guard("call", () => {
    expectShape(el, "call");
    return readCall(el);
  });
}

function readCall(el: Element): Call {
  const id = requiredAttr(el, "id");
  let source: Callpoint | undefined;
  let destination: Callpoint | undefined;
  let state = UNKNOWN_VALUE;
  let properties = NO_PROPERTIES;
  eachChild(el, (child, name) => {
    switch (name) {
      case "source":
        source ??= readCallpoint(child);
        break;
      case "destination":
        destination ??= readCallpoint(child);
        break;
      case "state":
        state = interned(textOf(child)) || UNKNOWN_VALUE;
        break;
      case "properties":
        properties = readProperties(child);
        break;
    }
  });
  if (!source) throw new ProtocolError(`<call id="${cut(id, QUOTED_MAX)}"> has no <source>`, "source");
  if (!destination)
    throw new ProtocolError(`<call id="${cut(id, QUOTED_MAX)}"> has no <destination>`, "destination");
  const call: Call = { id, source, destination, state, properties };
  const parent = properties.QueueCallForCall;
  if (parent) call.queueCallForCall = parent;
  return call;
}

// ---- users, queues, members --------------------------------------------------------------

/** An `<entry>` / `<member>`; ids missing in the element may come from the enclosing user or queue. */
export function parseQueueMember(
  el: Element,
  defaults: { queueId?: string; userId?: string } = {},
): QueueMember {
  return guard("queueMember", () => {
    expectShape(el, "queueMember");
    return readQueueMember(el, defaults);
  });
}

function readQueueMember(el: Element, defaults: { queueId?: string; userId?: string }): QueueMember {
  let queueId = "";
  let userId = "";
  let priority = 0;
  let pausedSince = 0;
  eachChild(el, (child, name) => {
    switch (name) {
      case "queueId":
        queueId = textOf(child);
        break;
      case "userId":
        userId = textOf(child);
        break;
      case "priority":
        priority = numberOf(child) ?? 0;
        break;
      case "pausedSince":
        pausedSince = numberOf(child) ?? 0;
        break;
    }
  });
  queueId ||= defaults.queueId ?? "";
  userId ||= defaults.userId ?? "";
  const owner = localName(el);
  if (!queueId) throw new ProtocolError(`<${owner}> has no <queueId>`, "queueId");
  if (!userId) throw new ProtocolError(`<${owner}> has no <userId>`, "userId");
  return { queueId, userId, priority, pausedSince };
}

function readMemberList(el: Element, defaults: { queueId?: string; userId?: string }): QueueMember[] {
  const members: QueueMember[] = [];
  eachChild(el, (child, name) => {
    if (name === "entry") members.push(readQueueMember(child, defaults));
  });
  return members;
}

function readWrapupState(el: Element): WrapupState {
  const wrapup: WrapupState = {};
  eachChild(el, (child, name) => {
    if (name === "callId") wrapup.callId = textOf(child);
    else if (name === "endTime") {
      const value = numberOf(child);
      if (value !== undefined) wrapup.endTime = value;
    }
  });
  return wrapup;
}

export function parseUser(el: Element): User {
  return guard("user", () => {
    expectShape(el, "user");
    return readUser(el);
  });
}

function readUser(el: Element): User {
  const id = requiredAttr(el, "id");
  const user: User = { id, name: "", loggedIn: false, identifiers: {}, queueEntries: [] };
  eachChild(el, (child, name) => {
    switch (name) {
      case "identifiers":
        user.identifiers = readProperties(child);
        break;
      case "queueEntries":
        user.queueEntries = readMemberList(child, { userId: id });
        break;
      case "name":
        user.name = textOf(child);
        break;
      case "loggedIn":
        user.loggedIn = booleanOf(child);
        break;
      case "contact":
      case "shortname":
      case "language":
      case "extensions":
      case "address":
      case "location":
      case "receiveCalls":
      case "displayStatus":
        user[name] = textOf(child);
        break;
      case "wrapupState":
        user.wrapupState = readWrapupState(child);
        break;
    }
  });
  return user;
}

export function parseQueue(el: Element): Queue {
  return guard("queue", () => {
    expectShape(el, "queue");
    return readQueue(el);
  });
}

function readQueue(el: Element): Queue {
  const id = requiredAttr(el, "id");
  const queue: Queue = { id, name: "", userEntries: [], callIds: [] };
  eachChild(el, (child, name) => {
    switch (name) {
      case "name":
        queue.name = textOf(child);
        break;
      case "userEntries":
        queue.userEntries = readMemberList(child, { queueId: id });
        break;
      case "callIds": {
        const ids: string[] = [];
        eachChild(child, (idElement, idName) => {
          if (idName !== "id") return;
          const callId = textOf(idElement);
          if (callId) ids.push(callId);
        });
        queue.callIds = ids;
        break;
      }
      case "xmppJid":
        queue.xmppJid = textOf(child);
        break;
      case "averageWait":
      case "totalWait":
      case "maxWait":
      case "totalCalls":
      case "handledCalls": {
        const value = numberOf(child);
        if (value !== undefined) queue[name] = value;
        break;
      }
    }
  });
  return queue;
}

/** All `<propertyChange>` children of an update notification; entries without a name are skipped. */
export function parsePropertyChanges(el: Element): PropertyChange[] {
  return guard("propertyChange", () => {
    expectShape(el, "propertyChange");
    return readPropertyChanges(el);
  });
}

function readPropertyChanges(el: Element): PropertyChange[] {
  const changes: PropertyChange[] = [];
  eachChild(el, (child, name) => {
    if (name !== "propertyChange") return;
    const change: PropertyChange = { name: "" };
    eachChild(child, (field, fieldName) => {
      if (fieldName === "name") change.name = textOf(field);
      else if (fieldName === "oldValue") change.oldValue = textOf(field);
      else if (fieldName === "newValue") change.newValue = textOf(field);
    });
    if (change.name) changes.push(change);
  });
  return changes;
}

// ---- notifications ------------------------------------------------------------------------

/** A `<notification xmlns="http://iperity.com/compass">`; dispatches on `type`, never on xsi:type. */
export function parseNotification(el: Element): Notification {
  return guard("notification", () => {
    expectElement(el, "notification", COMPASS_NS);
    return readNotification(el);
  });
}

function readNotification(el: Element): Notification {
  const type = requiredAttr(el, "type");
  const base: { type: string; timestamp: number; xsiType?: string } = {
    type,
    // 0 = the platform sent no usable timestamp; callers substitute their receive time.
    timestamp: parseStrictNumber(attr(el, "timestamp")?.trim()) ?? 0,
  };
  const schemaType = xsiType(el);
  if (schemaType !== undefined) base.xsiType = schemaType;

  // A notification has a handful of children: a scan for the first of a name costs less than
  // indexing them all first (this runs for every notification).
  const text = (name: string): string | undefined => {
    const child = firstChild(el, name);
    return child ? textOf(child) : undefined;
  };
  const required = (name: string): string => requiredText(firstChild(el, name), name, type);
  const need = (name: string): Element => {
    const child = firstChild(el, name);
    if (!child) throw new ProtocolError(`${type} has no <${name}>`, name);
    return child;
  };

  switch (type) {
    case "notification.call.start":
      return { ...base, type, call: readCall(need("call")) };
    case "notification.call.update": {
      const n = {
        ...base,
        type,
        call: readCall(need("call")),
        updateType: text("updateType") || UNKNOWN_VALUE,
      };
      const callId = text("callId");
      return callId ? { ...n, callId } : n;
    }
    case "notification.call.end":
      return { ...base, type, callId: required("callId"), endReason: text("endReason") || UNKNOWN_VALUE };
    case "notification.call.stepresult": {
      const n: Extract<Notification, { type: "notification.call.stepresult" }> = {
        ...base,
        type,
        callId: required("callId"),
      };
      const result = text("result");
      if (result !== undefined) n.result = result;
      const side = text("side");
      if (side !== undefined) n.side = side;
      const callpoint = firstChild(el, "callpoint");
      if (callpoint) n.callpoint = readCallpoint(callpoint);
      return n;
    }
    case "notification.call.queueExit": {
      const n = { ...base, type, callId: required("callId") };
      const queueExit = text("queueExit");
      return queueExit !== undefined ? { ...n, queueExit } : n;
    }
    case "notification.queue.create": {
      const queue = readQueue(need("queue"));
      return { ...base, type, queueId: text("queueId") || queue.id, queue };
    }
    case "notification.queue.update":
      return { ...base, type, queueId: required("queueId"), changes: readPropertyChanges(el) };
    case "notification.queue.destroy":
      return { ...base, type, queueId: required("queueId") };
    case "notification.queue.call.enter":
    case "notification.queue.call.leave": {
      const queueCall = firstChild(el, "queueCall");
      const callId = (queueCall && firstChildText(queueCall, "callId")) || text("callId");
      if (!callId) throw new ProtocolError(`${type} has no <queueCall><callId>`, "callId");
      const queueId = required("queueId");
      return type === "notification.queue.call.enter"
        ? { ...base, type, queueId, callId }
        : { ...base, type, queueId, callId };
    }
    case "notification.queueMember.enter":
    case "notification.queueMember.leave": {
      const member = readQueueMember(need("member"), {});
      return type === "notification.queueMember.enter"
        ? { ...base, type, member }
        : { ...base, type, member };
    }
    case "notification.queueMember.update":
      return { ...base, type, member: readQueueMember(need("member"), {}), changes: readPropertyChanges(el) };
    case "notification.user.create": {
      const userElement = firstChild(el, "user");
      const user = userElement ? readUser(userElement) : undefined;
      const userId = text("userId") || user?.id;
      if (!userId) throw new ProtocolError(`${type} has no <userId>`, "userId");
      return user ? { ...base, type, userId, user } : { ...base, type, userId };
    }
    case "notification.user.update":
      return { ...base, type, userId: required("userId"), changes: readPropertyChanges(el) };
    case "notification.user.destroy":
      return { ...base, type, userId: required("userId") };
    case "notification.user.status": {
      const n: Extract<Notification, { type: "notification.user.status" }> = {
        ...base,
        type,
        userId: required("userId"),
      };
      const receiveCalls = text("receiveCalls");
      if (receiveCalls !== undefined) n.receiveCalls = receiveCalls;
      const displayStatus = text("displayStatus");
      if (displayStatus !== undefined) n.displayStatus = displayStatus;
      const wrapup = firstChild(el, "wrapupState");
      if (wrapup) n.wrapupState = readWrapupState(wrapup);
      return n;
    }
    default:
      return { ...base, unknown: true };
  }
}

function firstChildText(el: Element, name: string): string | undefined {
  const child = firstChild(el, name);
  return child ? textOf(child) : undefined;
}

/**
 * Every Compass notification in a pubsub message (`message/event/items/item/notification`).
 * Items carrying other payloads are skipped. A notification that cannot be read throws, unless
 * `onError` is given: then it is reported there and the other items are still returned.
 */
export function findNotifications(
  message: Element,
  onError?: (error: ProtocolError, item: Element) => void,
): Notification[] {
  return guard("message", () => {
    expectShape(message, "message");
    const found: Notification[] = [];
    const event = firstChildNS(message, "event", PUBSUB_EVENT_NS);
    if (!event) return found;
    eachChild(event, (items, itemsName) => {
      if (itemsName !== "items") return;
      eachChild(items, (item, itemName) => {
        if (itemName !== "item") return;
        eachChild(item, (payload, payloadName) => {
          if (payloadName !== "notification" || namespaceOf(payload) !== COMPASS_NS) return;
          if (!onError) {
            found.push(readNotification(payload));
            return;
          }
          try {
            found.push(readNotification(payload));
          } catch (err) {
            const error =
              err instanceof ProtocolError
                ? err
                : new ProtocolError(
                    `cannot read <notification>: ${cut(errorText(err), 200)}`,
                    "notification",
                    {
                      cause: err,
                    },
                  );
            onError(error, payload);
          }
        });
      });
    });
    return found;
  });
}

/**
 * The pubsub subscription state carried by a subscribe result (`iq/pubsub/subscription`) or a
 * `message/event/subscription` (pubsub#event); undefined when the stanza carries none.
 */
export function findSubscriptionState(stanza: Element): PubsubSubscription | undefined {
  return guard("subscription", () => {
    expectShape(stanza, "stanza");
    const container =
      firstChildNS(stanza, "event", PUBSUB_EVENT_NS) ??
      firstChildNS(stanza, "pubsub", PUBSUB_NS) ??
      (localName(stanza) === "pubsub" || localName(stanza) === "event" ? stanza : undefined);
    if (!container) return undefined;
    let subscription = firstChild(container, "subscription");
    if (!subscription) {
      const list = firstChild(container, "subscriptions");
      subscription = list ? firstChild(list, "subscription") : undefined;
    }
    if (!subscription) return undefined;
    const result: PubsubSubscription = { state: attr(subscription, "subscription") ?? "none" };
    const node = attr(subscription, "node");
    if (node !== undefined) result.node = node;
    const jid = attr(subscription, "jid");
    if (jid !== undefined) result.jid = jid;
    const subid = attr(subscription, "subid");
    if (subid !== undefined) result.subid = subid;
    return result;
  });
}

// ---- request results ----------------------------------------------------------------------

/**
 * The `<result xmlns="http://iperity.com/compass">` of an IQ result (the IQ itself is accepted too).
 * Kind from xsi:type (by namespace); without one, a result holding `<id>` is a company.
 */
export function parseResult(el: Element): CompassResult {
  return guard("result", () => {
    expectShape(el, "result");
    let result = el;
    if (localName(el) === "iq") {
      const inner = firstChildNS(el, "result", COMPASS_NS);
      if (!inner) throw new ProtocolError("<iq> holds no Compass <result>", "result");
      result = inner;
    }
    expectElement(result, "result", COMPASS_NS);
    const schemaType = xsiType(result);
    const isCompany =
      schemaType === "getCompanyResult" ||
      (schemaType === undefined && firstChild(result, "id") !== undefined);
    if (isCompany) {
      const id = requiredText(firstChild(result, "id"), "id", "getCompanyResult");
      return { kind: "getCompanyResult", company: { id, name: firstChildText(result, "name") ?? "" } };
    }
    return readGetResult(result);
  });
}

function readGetResult(el: Element): GetResult {
  const result: GetResult = { kind: "getResult", users: [], queues: [], calls: [], unknown: [] };
  const invalid: string[] = [];
  // One bad object must not lose a whole reload: skip it and say why.
  const tryRead = (read: () => void): void => {
    try {
      read();
    } catch (err) {
      invalid.push(err instanceof Error ? cut(err.message, 200) : "unreadable element");
    }
  };
  const truncated = eachChild(el, (child, name) => {
    switch (name) {
      case "user":
        tryRead(() => result.users.push(readUser(child)));
        break;
      case "queue":
        tryRead(() => result.queues.push(readQueue(child)));
        break;
      case "call":
        tryRead(() => result.calls.push(readCall(child)));
        break;
      default:
        result.unknown.push(cut(name, QUOTED_MAX));
    }
  });
  if (invalid.length > 0) result.invalid = invalid;
  if (truncated) result.truncated = true;
  return result;
}
