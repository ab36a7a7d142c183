// What the end-to-end bench's feed serves: a company snapshot (small or large) as the platform's
// GET results, and a ring of pre-built pubsub notification stanzas. Each conversation is five
// notifications (start, routed to an agent, ringing, answered, ended), each of which becomes exactly
// one call event, so every case delivers one message per notification to the counting node.

export const DOMAIN = "bench.test";
export const JID_DOMAIN = `uc.${DOMAIN}`;
export const PUBSUB = `pubsub.${JID_DOMAIN}`;
export const PHONE = `phone.${JID_DOMAIN}`;
export const COMPANY_ID = "1";
export const USERNAME = "bench";
export const PASSWORD = "bench-password";

export interface CompanySize {
  users: number;
  queues: number;
  /** members per queue (users are spread over the queues round-robin) */
  membersPerQueue: number;
  activeCalls: number;
}

export const SMALL: CompanySize = { users: 40, queues: 4, membersPerQueue: 10, activeCalls: 0 };
export const LARGE: CompanySize = { users: 10_000, queues: 1_000, membersPerQueue: 10, activeCalls: 5_000 };

/** The agents the notifications ring: the same 40 in both companies, so only the model's size differs. */
const AGENTS = 40;
const NS = 'xmlns="http://iperity.com/compass" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

function resultIq(id: string, to: string, inner: string): string {
  return `<iq type="result" id="${id}" from="${PHONE}" to="${to}"><result ${NS} xsi:type="getResult">${inner}</result></iq>`;
}

function entry(queueId: number, userId: number): string {
  return `<entry><queueId>q${queueId}</queueId><userId>u${userId}</userId><priority>1</priority></entry>`;
}

/** Users of queue `q`: membersPerQueue users, spread so that every user is in about the same number of queues. */
function membersOf(size: CompanySize, q: number): number[] {
  return Array.from({ length: size.membersPerQueue }, (_, k) => (q + k * size.queues) % size.users);
}

export function usersResult(size: CompanySize, id: string, to: string): string {
  const queuesOf = new Map<number, number[]>();
  for (let q = 0; q < size.queues; q++)
    for (const u of membersOf(size, q)) queuesOf.set(u, [...(queuesOf.get(u) ?? []), q]);
  let inner = "";
  for (let u = 0; u < size.users; u++) {
    const entries = (queuesOf.get(u) ?? []).map((q) => entry(q, u)).join("");
    inner += `<user id="u${u}"><identifiers><xmppJid>user${u}@${JID_DOMAIN}</xmppJid></identifiers><queueEntries>${entries}</queueEntries><name>Agent ${u}</name><loggedIn>true</loggedIn><location>1</location><extensions>${200 + u}</extensions></user>`;
  }
  return resultIq(id, to, inner);
}

export function queuesResult(size: CompanySize, id: string, to: string): string {
  let inner = "";
  for (let q = 0; q < size.queues; q++) {
    const entries = membersOf(size, q)
      .map((u) => entry(q, u))
      .join("");
    inner += `<queue id="q${q}"><name>Queue ${q}</name><userEntries>${entries}</userEntries><callIds/></queue>`;
  }
  return resultIq(id, to, inner);
}

function callpoint(tag: string, id: string, type: string, body: string, state: string): string {
  return `<${tag} id="${id}" type="${type}" xsi:type="callpoint${type}"><timeCreated>1700000000</timeCreated><properties/>${body}<state>${state}</state></${tag}>`;
}

const external = (n: number, state: string) =>
  callpoint("source", `s${n}`, "External", `<number>+3120${n}</number><name>Caller ${n}</name>`, state);
const agent = (call: string, u: number, state: string) =>
  callpoint(
    "destination",
    `d${call}`,
    "User",
    `<userId>u${u}</userId><userName>Agent ${u}</userName>`,
    state,
  );
const dialplan = (call: string) =>
  callpoint("destination", `p${call}`, "Dialplan", "<exten>020</exten>", "CONNECTING");

function call(id: string, source: string, destination: string, state: string): string {
  return `<call id="${id}">${source}${destination}<state>${state}</state><properties/></call>`;
}

/** Calls in progress when the snapshot is taken: between outside callers and users past the agents. */
export function callsResult(size: CompanySize, id: string, to: string): string {
  let inner = "";
  for (let i = 0; i < size.activeCalls; i++) {
    const u = AGENTS + (i % Math.max(1, size.users - AGENTS));
    inner += call(`a${i}`, external(900_000 + i, "ANSWERED"), agent(`a${i}`, u, "ANSWERED"), "ANSWERED");
  }
  return resultIq(id, to, inner);
}

export function companyResult(id: string, to: string): string {
  return `<iq type="result" id="${id}" from="${PHONE}" to="${to}"><result ${NS} xsi:type="getCompanyResult"><id>${COMPANY_ID}</id><name>Bench</name></result></iq>`;
}

function message(item: number, type: string, schemaType: string, body: string): string {
  return `<message from="${PUBSUB}" to="${USERNAME}@${JID_DOMAIN}" type="headline"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="${COMPANY_ID}"><item id="n${item}"><notification ${NS} timestamp="1700000000" type="${type}" xsi:type="${schemaType}">${body}</notification></item></items></event></message>`;
}

/**
 * `conversations` conversations, five stanzas each, in order. Call ids repeat only after
 * `conversations` calls, far beyond the model's memory of ended calls.
 */
export function notificationStanzas(conversations: number): string[] {
  const out: string[] = [];
  let item = 0;
  for (let i = 0; i < conversations; i++) {
    const id = `b${i}`;
    const u = i % AGENTS;
    const update = (state: string, updateType: string) =>
      message(
        ++item,
        "notification.call.update",
        "callUpdateNotification",
        `<callId>${id}</callId>${call(id, external(i, "CONNECTING"), agent(id, u, state), state)}<updateType>${updateType}</updateType>`,
      );
    out.push(
      message(
        ++item,
        "notification.call.start",
        "callStartNotification",
        call(id, external(i, "CONNECTING"), dialplan(id), "CONNECTING"),
      ),
      update("CONNECTING", "DESTINATION"),
      update("RINGING", "STATE"),
      update("ANSWERED", "STATE"),
      message(
        ++item,
        "notification.call.end",
        "callEndNotification",
        `<callId>${id}</callId><endReason>SOURCE_HANGUP</endReason>`,
      ),
    );
  }
  return out;
}
