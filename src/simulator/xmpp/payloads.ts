// The platform's XML shapes (manual Appendix B, plus the live platform's extra fields in
// docs/platform-notes.md) written with fast-xml-parser's builder. Element order follows the schemas'
// sequences.

import type {
  CompanyStateReader,
  SimCall,
  SimCallpoint,
  SimNotification,
  SimPropertyChange,
  SimQueue,
  SimQueueMember,
  SimUser,
} from "../state/types";
import type { XmlTree } from "./xml";

// the payload builders' writer (the simulator has one, in xml.ts)
export { buildXml } from "./xml";

export const NS_COMPASS = "http://iperity.com/compass";
export const NS_XSI = "http://www.w3.org/2001/XMLSchema-instance";

type Node = XmlTree;

/**
 * xsi:type per notification type. The live platform's names differ from the schema's
 * (docs/platform-notes.md, "Notifications and data": `createUserNotification` where the schema says
 * `userCreateNotification`); we send the live names so a client that dispatches on xsi:type instead
 * of `type` fails its tests.
 */
export const XSI_TYPE_BY_NOTIFICATION: Record<SimNotification["type"], string> = {
  "notification.call.start": "callStartNotification",
  "notification.call.update": "callUpdateNotification",
  "notification.call.end": "callEndNotification",
  "notification.call.queueExit": "callQueueExitNotification",
  "notification.call.stepresult": "callStepResultNotification",
  "notification.queue.update": "updateQueueNotification",
  "notification.queue.call.enter": "queueCallEnterNotification",
  "notification.queue.call.leave": "queueCallLeaveNotification",
  "notification.queueMember.enter": "queueMemberEnterNotification",
  "notification.queueMember.leave": "queueMemberLeaveNotification",
  "notification.queueMember.update": "queueMemberUpdateNotification",
  "notification.user.create": "createUserNotification",
  "notification.user.update": "updateUserNotification",
  "notification.user.destroy": "destroyUserNotification",
  "notification.user.status": "userStatusNotification",
};

function memberNode(m: SimQueueMember): Node {
  return { queueId: m.queueId, userId: m.userId, priority: m.priority, pausedSince: m.pausedSince };
}

function membershipsOf(state: CompanyStateReader, userId: string): SimQueueMember[] {
  const out: SimQueueMember[] = [];
  for (const q of state.queues()) for (const m of q.members) if (m.userId === userId) out.push(m);
  return out;
}

export function userNode(state: CompanyStateReader, user: SimUser, userDomain: string): Node {
  const node: Node = {
    "@_id": user.id,
    identifiers: {
      lisaId: user.id,
      // a company with its own domain logs its users in there (manual, Authentication)
      xmppJid: `${user.username}@${state.company.domain ?? userDomain}`,
      compassId: user.username,
    },
    queueEntries: { entry: membershipsOf(state, user.id).map(memberNode) },
    name: user.name,
    loggedIn: user.location !== -1,
    location: user.location,
    shortname: "",
    language: user.language,
    contact: user.contact ?? "",
    extensions: user.extensions.join(","),
    receiveCalls: user.receiveCalls,
    displayStatus: user.displayStatus,
  };
  if (user.wrapupState) node.wrapupState = { ...user.wrapupState };
  return node;
}

export function queueNode(queue: SimQueue): Node {
  return {
    "@_id": queue.id,
    name: queue.name,
    userEntries: { entry: queue.members.map(memberNode) },
    callIds: { id: [...queue.waitingCallIds] },
    xmppJid: `queue-${queue.id}`,
    averageWait: queue.stats.averageWait,
    totalWait: queue.stats.totalWait,
    maxWait: queue.stats.maxWait,
    totalCalls: queue.stats.totalCalls,
    handledCalls: queue.stats.handledCalls,
  };
}

export function callpointNode(cp: SimCallpoint): Node {
  const head: Node = {
    "@_id": cp.id,
    "@_type": cp.kind,
    "@_xsi:type": `callpoint${cp.kind}`,
    timeCreated: cp.timeCreated,
    properties: "",
  };
  let fields: Node;
  switch (cp.kind) {
    case "User":
      fields = { userId: cp.userId, userName: cp.userName, identityId: cp.identityId };
      break;
    case "Queue":
      fields = { queueId: cp.queueId, queueName: cp.queueName };
      break;
    case "Dialplan":
      fields = { exten: cp.exten, digits: cp.digits ?? "", description: cp.description ?? "" };
      break;
    case "External":
      fields = { number: cp.number, name: cp.name };
      break;
    case "Resource":
      fields = { resourceType: cp.resourceType, resourceId: cp.resourceId, name: cp.name };
      break;
    case "ListenIn":
      fields = { listenedToCallId: cp.listenedToCallId };
      break;
  }
  return { ...head, ...fields, state: cp.state };
}

export function callNode(call: SimCall): Node {
  return {
    "@_id": call.id,
    source: callpointNode(call.source),
    destination: callpointNode(call.destination),
    state: call.state,
    properties: call.queueCallForCall !== undefined ? { QueueCallForCall: call.queueCallForCall } : "",
  };
}

function changesNode(changes: SimPropertyChange[]): Node[] {
  return changes.map((c) => ({ name: c.name, oldValue: c.oldValue, newValue: c.newValue }));
}

/** The payload of one notification, without the <notification> wrapper. */
function notificationBody(state: CompanyStateReader, n: SimNotification, userDomain: string): Node {
  switch (n.type) {
    case "notification.call.start":
      return { call: callNode(n.call) };
    case "notification.call.update":
      return { callId: n.call.id, call: callNode(n.call), updateType: n.updateType };
    case "notification.call.end":
      return { callId: n.callId, endReason: n.endReason };
    case "notification.call.queueExit":
      return { callId: n.callId, queueExit: n.queueExit };
    case "notification.call.stepresult":
      return { callId: n.callId, result: n.result, side: n.side, callpoint: callpointNode(n.callpoint) };
    case "notification.queue.update":
      return { queueId: n.queueId, propertyChange: changesNode(n.changes) };
    case "notification.queue.call.enter":
    case "notification.queue.call.leave":
      return { queueId: n.queueId, queueCall: { callId: n.callId } };
    case "notification.queueMember.enter":
    case "notification.queueMember.leave":
      return { member: memberNode(n.member) };
    case "notification.queueMember.update":
      return { member: memberNode(n.member), propertyChange: changesNode(n.changes) };
    case "notification.user.create":
      return { userId: n.userId, user: userNode(state, n.user, userDomain) };
    case "notification.user.update":
      return { userId: n.userId, propertyChange: changesNode(n.changes) };
    case "notification.user.destroy":
      return { userId: n.userId };
    case "notification.user.status": {
      const body: Node = { userId: n.userId, receiveCalls: n.receiveCalls, displayStatus: n.displayStatus };
      if (n.wrapupState) body.wrapupState = { ...n.wrapupState };
      return body;
    }
  }
}

export function notificationNode(state: CompanyStateReader, n: SimNotification, userDomain: string): Node {
  return {
    "@_xmlns": NS_COMPASS,
    "@_xmlns:xsi": NS_XSI,
    "@_timestamp": String(n.timestamp),
    "@_type": n.type,
    "@_xsi:type": XSI_TYPE_BY_NOTIFICATION[n.type] ?? "notification",
    ...notificationBody(state, n, userDomain),
  };
}
