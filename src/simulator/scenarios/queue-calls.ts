// Queue scenarios (manual "Queue calls"; docs/platform-notes.md): the caller waits in a queue while
// the queue rings agents on child legs (QueueCallForCall = the caller's call). Every 15-25 s an
// unanswered round ends (its legs end SOURCE_HANGUP) and the queue offers the caller again.

import type { CompanyState } from "../state/store";
import type { SimQueue, SimUser } from "../state/types";
import {
  availableAgents,
  delay,
  dialplanForQueue,
  hangUp,
  type OutsideParty,
  outsideCaller,
  StepList,
} from "./parts";
import type { SeededRandom } from "./random";
import { type ScenarioDefinition, ScenarioError, type ScenarioParams, type StepContext } from "./types";

const DEFAULT_REOFFERS = 3;
const DEFAULT_ABANDON_REOFFERS = 2;
const MAX_REOFFERS = 50;

function reoffersParam(params: ScenarioParams, fallback: number): number {
  const value = params.reoffers ?? fallback;
  if (!Number.isInteger(value) || value < 0 || value > MAX_REOFFERS) {
    throw new ScenarioError(`reoffers must be an integer from 0 to ${MAX_REOFFERS}`);
  }
  return value;
}

function agentsParam(params: ScenarioParams): number {
  const value = params.maxAgentsPerRound ?? 3;
  if (!Number.isInteger(value) || value < 1 || value > 20) {
    throw new ScenarioError("maxAgentsPerRound must be an integer from 1 to 20");
  }
  return value;
}

/** A queue with at least one agent it can ring, and the agents it rings each round. */
function chooseQueue(
  state: CompanyState,
  random: SeededRandom,
  maxAgents: number,
  scenario: string,
): { queue: SimQueue; agents: SimUser[] } {
  const candidates = state.queues().filter((q) => availableAgents(state, q).length > 0);
  if (candidates.length === 0) {
    throw new ScenarioError(`${scenario} needs a queue with an unpaused member logged in on a phone`);
  }
  const queue = random.pick(candidates);
  return { queue, agents: availableAgents(state, queue).slice(0, maxAgents) };
}

/** The caller dials in, the dial plan sends the call to the queue, the queue picks up and queues it. */
function callerIntoQueue(
  list: StepList,
  random: SeededRandom,
  state: CompanyState,
  caller: OutsideParty,
  queue: SimQueue,
) {
  const source = state.externalCallpoint(caller.number, caller.name);
  const entry = dialplanForQueue(state, queue);
  const queuePoint = state.queueCallpoint(queue.id);
  list.add(0, `x: ${caller.number} calls ${queue.name}`, (ctx) => {
    ctx.adopt("x", ctx.state.startCall(source, entry));
  });
  list.add(delay(random, 200, 800), `x: dial plan routes to queue ${queue.name}`, (ctx) => {
    ctx.state.routeCall(ctx.callId("x"), "DESTINATION", queuePoint);
  });
  // The queue answers to play its music; that is not a person answering.
  list.add(delay(random, 100, 300), "x: queue picks up", (ctx) => {
    ctx.state.setCallState(ctx.callId("x"), "ANSWERED");
  });
  list.add(0, `x: enters queue ${queue.name}`, (ctx) => {
    ctx.state.queueCallEnter(queue.id, ctx.callId("x"));
  });
}

const legRole = (round: number, agent: SimUser) => `leg-${round}-${agent.id}`;

/** One offer round: a child leg per agent, each ringing. */
function offerRound(
  list: StepList,
  random: SeededRandom,
  state: CompanyState,
  queue: SimQueue,
  agents: SimUser[],
  round: number,
) {
  const queuePoint = state.queueCallpoint(queue.id);
  agents.forEach((agent, i) => {
    const agentPoint = state.userCallpoint(agent.id);
    const role = legRole(round, agent);
    const after = i === 0 ? (round === 0 ? delay(random, 1000, 3000) : delay(random, 300, 1500)) : 0;
    list.add(after, `${role}: queue rings ${agent.name}`, (ctx) => {
      const leg = ctx.state.startCall(queuePoint, agentPoint, { queueCallForCall: ctx.callId("x") });
      ctx.adopt(role, leg);
      ctx.state.setCallState(leg.id, "RINGING");
    });
  });
}

function endRound(ctx: StepContext, agents: SimUser[], round: number, except?: SimUser): void {
  for (const agent of agents) {
    if (agent === except) continue;
    const id = ctx.maybeCallId(legRole(round, agent));
    if (id !== undefined && ctx.state.call(id)?.endedAt === undefined) ctx.state.endCall(id, "SOURCE_HANGUP");
  }
}

/** `rounds` offer rounds that nobody answers, each lasting the queue's 15-25 s re-offer time. */
function unansweredRounds(
  list: StepList,
  random: SeededRandom,
  state: CompanyState,
  queue: SimQueue,
  agents: SimUser[],
  rounds: number,
) {
  for (let round = 0; round < rounds; round++) {
    offerRound(list, random, state, queue, agents, round);
    list.add(delay(random, 15_000, 25_000), `round ${round}: nobody answers, legs end`, (ctx) => {
      endRound(ctx, agents, round);
    });
  }
}

export const queueAnsweredAfterReoffers: ScenarioDefinition = {
  name: "queue-answered-after-reoffers",
  description:
    "An outside caller waits in a queue; the queue rings its agents in rounds (child legs, re-offered every 15-25 s) until, after `reoffers` (default 3) unanswered rounds, an agent answers.",
  // Default seed: both seeded queues have two agents, so 4 rounds ring 2 legs each.
  expected: { summaryOutcome: "answered", direction: "inbound", offers: 8, transfers: 0, summaries: 1 },
  trafficWeight: 4,
  plan({ state, random, params }) {
    const reoffers = reoffersParam(params, DEFAULT_REOFFERS);
    const { queue, agents } = chooseQueue(state, random, agentsParam(params), this.name);
    const list = new StepList();
    callerIntoQueue(list, random, state, outsideCaller(random), queue);
    unansweredRounds(list, random, state, queue, agents, reoffers);
    offerRound(list, random, state, queue, agents, reoffers);
    const answerer = random.pick(agents);
    const answering = legRole(reoffers, answerer);
    const agentPoint = state.userCallpoint(answerer.id);
    list.add(delay(random, 2000, 10_000), `${answering}: ${answerer.name} answers`, (ctx) => {
      ctx.state.setCallState(ctx.callId(answering), "ANSWERED");
    });
    list.add(0, `x: connected to ${answerer.name}; other legs end; leaves the queue handled`, (ctx) => {
      const x = ctx.callId("x");
      ctx.state.routeCall(x, "DESTINATION", agentPoint);
      endRound(ctx, agents, reoffers, answerer);
      ctx.state.queueCallLeave(queue.id, x, { handled: true });
      // The answered leg is bridged into the caller's call and ends as replaced by it.
      ctx.state.endCall(ctx.callId(answering), "REPLACE");
    });
    hangUp(list, random, "x", [20_000, 120_000]);
    return {
      steps: list.steps,
      expected: { ...this.expected, offers: (reoffers + 1) * agents.length },
    };
  },
};

export const queueAbandoned: ScenarioDefinition = {
  name: "queue-abandoned",
  description:
    "An outside caller waits in a queue through `reoffers` (default 2) unanswered rounds and hangs up while the next round rings: the legs end, the caller leaves the queue unhandled.",
  expected: { summaryOutcome: "abandoned", direction: "inbound", offers: 6, transfers: 0, summaries: 1 },
  trafficWeight: 2,
  plan({ state, random, params }) {
    const reoffers = reoffersParam(params, DEFAULT_ABANDON_REOFFERS);
    const { queue, agents } = chooseQueue(state, random, agentsParam(params), this.name);
    const list = new StepList();
    callerIntoQueue(list, random, state, outsideCaller(random), queue);
    unansweredRounds(list, random, state, queue, agents, reoffers);
    offerRound(list, random, state, queue, agents, reoffers);
    // The state ends the ringing legs and takes the caller out of the queue, in the platform's order.
    hangUp(list, random, "x", [3000, 12_000], "SOURCE_HANGUP");
    return {
      steps: list.steps,
      expected: { ...this.expected, offers: (reoffers + 1) * agents.length },
    };
  },
};

/**
 * The caller leaves the queue for the platform's `queueExit` reason, to the queue's own voicemail
 * box (a Resource callpoint of type voicemail), leaves a message and hangs up.
 */
function exitToVoicemail(
  list: StepList,
  random: SeededRandom,
  state: CompanyState,
  queue: SimQueue,
  exit: { queueExit: string; after: number; label: string },
) {
  const box = state.resourceCallpoint("voicemail", `8${queue.id}`, `Voicemail ${queue.name}`);
  list.add(exit.after, `x: ${exit.label}, leaves the queue to voicemail`, (ctx) => {
    const x = ctx.callId("x");
    ctx.state.announceQueueExit(x, exit.queueExit);
    ctx.state.queueCallLeave(queue.id, x, { handled: false });
    ctx.state.routeCall(x, "DESTINATION", box);
  });
  hangUp(list, random, "x", [10_000, 40_000], "SOURCE_HANGUP");
}

export const queueTimeout: ScenarioDefinition = {
  name: "queue-timeout",
  description:
    "An outside caller waits in a queue through `reoffers` (default 2) unanswered rounds until the queue's maximum wait runs out (call.queueExit max_waittime); the queue sends the caller to its voicemail box, where the caller leaves a message.",
  expected: { summaryOutcome: "voicemail", direction: "inbound", offers: 4, transfers: 0, summaries: 1 },
  trafficWeight: 1,
  plan({ state, random, params }) {
    const reoffers = reoffersParam(params, DEFAULT_ABANDON_REOFFERS);
    const { queue, agents } = chooseQueue(state, random, agentsParam(params), this.name);
    const list = new StepList();
    callerIntoQueue(list, random, state, outsideCaller(random), queue);
    unansweredRounds(list, random, state, queue, agents, reoffers);
    exitToVoicemail(list, random, state, queue, {
      queueExit: "max_waittime",
      after: delay(random, 100, 500),
      label: "maximum wait reached",
    });
    return {
      steps: list.steps,
      expected: { ...this.expected, offers: reoffers * agents.length },
    };
  },
};

export const queueExitKey: ScenarioDefinition = {
  name: "queue-exit-key",
  description:
    "An outside caller waits in a queue through one unanswered round, then presses 1 to leave a message instead (call.queueExit key_1); the queue sends the call to its voicemail box, where the caller leaves a message.",
  expected: { summaryOutcome: "voicemail", direction: "inbound", offers: 2, transfers: 0, summaries: 1 },
  trafficWeight: 1,
  plan({ state, random, params }) {
    const { queue, agents } = chooseQueue(state, random, agentsParam(params), this.name);
    const list = new StepList();
    callerIntoQueue(list, random, state, outsideCaller(random), queue);
    unansweredRounds(list, random, state, queue, agents, 1);
    exitToVoicemail(list, random, state, queue, {
      queueExit: "key_1",
      after: delay(random, 500, 3000),
      label: "caller presses 1",
    });
    return { steps: list.steps, expected: { ...this.expected, offers: agents.length } };
  },
};
