// Building blocks shared by the scenarios: choosing parties from the company, and the call
// fragments every scenario repeats (an outside caller through the dial plan, ringing, answering,
// hanging up). All choices and delays are made at plan time, so a plan is plain data.

import type { CompanyState } from "../state/store";
import type { SimCallpointSpec, SimQueue, SimUser } from "../state/types";
import type { SeededRandom } from "./random";
import { ScenarioError, type ScenarioStep, type StepContext } from "./types";

/** Ordered steps with delays relative to the previous step. */
export class StepList {
  readonly steps: ScenarioStep[] = [];

  add(after: number, label: string, run: (ctx: StepContext) => void): this {
    this.steps.push({ after: Math.max(0, Math.round(after)), label, run });
    return this;
  }
}

/** A delay in ms between min and max, in whole 100 ms (platform timestamps are seconds anyway). */
export function delay(random: SeededRandom, minMs: number, maxMs: number): number {
  return random.int(Math.round(minMs / 100), Math.round(maxMs / 100)) * 100;
}

const CALLER_NAMES = ["", "", "", "J. de Boer", "Gemeente Utrecht", "P. Mulder", "Bakkerij Hendriks"];

export interface OutsideParty {
  number: string;
  name: string;
}

/** A Dutch mobile caller, sometimes with a name the network supplied. */
export function outsideCaller(random: SeededRandom): OutsideParty {
  return { number: `+316${random.digits(8)}`, name: random.pick(CALLER_NAMES) };
}

/** A Dutch landline to dial out to. */
export function outsideNumber(random: SeededRandom): string {
  return `+3130${random.digits(7)}`;
}

function usersOnCalls(state: CompanyState): Set<string> {
  const busy = new Set<string>();
  for (const call of state.activeCalls()) {
    for (const cp of [call.source, call.destination]) if (cp.kind === "User") busy.add(cp.userId);
  }
  return busy;
}

/** Users logged in on a phone, preferring those not on a call (overlapping traffic). */
export function reachableUsers(state: CompanyState, wanted = 1): SimUser[] {
  const onPhone = state.users().filter((u) => u.location !== -1);
  const busy = usersOnCalls(state);
  const idle = onPhone.filter((u) => !busy.has(u.id));
  return idle.length >= wanted ? idle : onPhone;
}

/** `count` different reachable users, chosen by the generator. */
export function pickUsers(
  state: CompanyState,
  random: SeededRandom,
  count: number,
  scenario: string,
): SimUser[] {
  const pool = [...reachableUsers(state, count)];
  if (pool.length < count) {
    throw new ScenarioError(
      `${scenario} needs ${count} users logged in on a phone; the company has ${pool.length}`,
    );
  }
  const chosen: SimUser[] = [];
  for (let i = 0; i < count; i++) chosen.push(pool.splice(random.int(0, pool.length - 1), 1)[0] as SimUser);
  return chosen;
}

/** Where an outside call for this user enters the dial plan: its own number, else its extension. */
export function dialplanForUser(state: CompanyState, user: SimUser): SimCallpointSpec {
  const number = state.externalNumbers().find((n) => n.destination === `user:${user.id}`);
  if (number) return state.dialplanCallpoint(number.number, number.number, number.name);
  const exten = user.extensions[0] ?? user.id;
  return state.dialplanCallpoint(exten, exten, `Direct dial ${user.name}`);
}

export function dialplanForQueue(state: CompanyState, queue: SimQueue): SimCallpointSpec {
  const number = state.externalNumbers().find((n) => n.destination === `queue:${queue.id}`);
  if (number) return state.dialplanCallpoint(number.number, number.number, number.name);
  const exten = queue.extension ?? queue.id;
  return state.dialplanCallpoint(exten, exten, queue.name);
}

/** Queue members the queue can ring now: not paused, logged in on a phone. */
export function availableAgents(state: CompanyState, queue: SimQueue): SimUser[] {
  const agents: SimUser[] = [];
  for (const member of queue.members) {
    const user = state.user(member.userId);
    if (user && member.pausedSince === 0 && user.location !== -1) agents.push(user);
  }
  return agents;
}

/**
 * An outside caller reaches a user: call.start (External -> Dialplan), call.update DESTINATION
 * (the user), and, unless `ring` is false, call.update STATE RINGING.
 */
export function inboundToUser(
  list: StepList,
  random: SeededRandom,
  state: CompanyState,
  options: { role: string; caller: OutsideParty; user: SimUser; ring?: boolean },
): void {
  const { role, caller, user } = options;
  const source = state.externalCallpoint(caller.number, caller.name);
  const entry = dialplanForUser(state, user);
  const target = state.userCallpoint(user.id);
  list.add(0, `${role}: ${caller.number} calls ${entry.kind === "Dialplan" ? entry.exten : ""}`, (ctx) => {
    ctx.adopt(role, ctx.state.startCall(source, entry));
  });
  list.add(delay(random, 200, 800), `${role}: dial plan routes to ${user.name}`, (ctx) => {
    ctx.state.routeCall(ctx.callId(role), "DESTINATION", target);
  });
  if (options.ring !== false) {
    list.add(delay(random, 100, 300), `${role}: ${user.name}'s phone rings`, (ctx) => {
      ctx.state.setCallState(ctx.callId(role), "RINGING");
    });
  }
}

/** The call is answered after ringing a while. */
export function answer(list: StepList, random: SeededRandom, role: string, minMs = 2000, maxMs = 8000): void {
  list.add(delay(random, minMs, maxMs), `${role}: answered`, (ctx) => {
    ctx.state.setCallState(ctx.callId(role), "ANSWERED");
  });
}

/** After talking a while one side hangs up (chosen by the generator unless given). */
export function hangUp(
  list: StepList,
  random: SeededRandom,
  role: string,
  talk: [number, number] = [15_000, 90_000],
  reason: "SOURCE_HANGUP" | "DESTINATION_HANGUP" = random.pick([
    "SOURCE_HANGUP",
    "DESTINATION_HANGUP",
  ] as const),
): void {
  list.add(delay(random, talk[0], talk[1]), `${role}: ${reason.toLowerCase().replace("_", " ")}`, (ctx) => {
    ctx.state.endCall(ctx.callId(role), reason);
  });
}
