// The scenario engine's vocabulary: a scenario is data (a plan of timed steps, chosen from the
// company with a seeded generator) plus small step functions that call the state's primitives.

import type { CompanyState } from "../state/store";
import type { SimCall } from "../state/types";
import type { SeededRandom } from "./random";

export const SCENARIO_NAMES = [
  "inbound-answered",
  "inbound-missed",
  "inbound-busy",
  "inbound-voicemail",
  "ivr-menu",
  "outbound-answered",
  "internal-call",
  "hold-resume",
  "unattended-transfer",
  "attended-transfer",
  "queue-answered-after-reoffers",
  "queue-abandoned",
  "queue-timeout",
  "queue-exit-key",
  "agent-login-logout",
  "user-status-changes",
  "phone-login-logout",
] as const;

export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** What a correlating client reports as `call.summary` outcome (docs/message-contract.md, "Call summary"). */
export type SummaryOutcome = "answered" | "missed" | "abandoned" | "busy" | "voicemail" | "transferred";

/** What a client that correlates calls (the call.summary logic) should see for one run. */
export interface ScenarioExpectation {
  /** outcome of the scenario's main conversation; null when the scenario makes no call */
  summaryOutcome: SummaryOutcome | null;
  /** direction of the main conversation as the client derives it */
  direction: "inbound" | "outbound" | "internal" | null;
  /** queue legs (QueueCallForCall) that rang an agent for the main conversation */
  offers: number;
  /** completed transfers in the main conversation */
  transfers: number;
  /** call.summary messages in all (an attended transfer's consultation call is a conversation too) */
  summaries: number;
}

/** Tunables a scenario reads; each scenario documents the ones it uses. */
export interface ScenarioParams {
  /** queue scenarios: unanswered offer rounds before the answer (answered) or hang-up (abandoned) */
  reoffers?: number;
  /** queue scenarios: at most this many agents rung per round (default 3) */
  maxAgentsPerRound?: number;
}

export interface StepContext {
  readonly state: CompanyState;
  /** remember a call under a role name ("x", "y", "leg-0-1") and as one of the run's calls */
  adopt(role: string, call: SimCall): SimCall;
  /** the id of the call adopted under `role` */
  callId(role: string): string;
  /** the role's call id, or undefined when no call was adopted under it */
  maybeCallId(role: string): string | undefined;
  /** undo work the scenario would have undone itself, should it be cancelled or fail first */
  onAbort(undo: () => void): void;
}

export interface ScenarioStep {
  /** milliseconds after the previous step (scaled by timeScale) */
  after: number;
  /** what happens, for logs and tests */
  label: string;
  run(ctx: StepContext): void;
}

export interface ScenarioPlan {
  steps: ScenarioStep[];
  expected: ScenarioExpectation;
}

export interface PlanInput {
  state: CompanyState;
  random: SeededRandom;
  params: ScenarioParams;
}

export interface ScenarioDefinition {
  name: ScenarioName;
  description: string;
  /** what a correlating client sees when the scenario runs on the default seed with default params */
  expected: ScenarioExpectation;
  /** relative frequency in continuous traffic */
  trafficWeight: number;
  /** changes people rather than calls: continuous traffic never overlaps two runs of it */
  exclusive?: boolean;
  plan(input: PlanInput): ScenarioPlan;
}

/** A bad name or option, or a company in which the scenario cannot be played. */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
}

/** A step threw; the run was ended and its calls cleaned up. */
export class ScenarioStepError extends Error {
  override readonly name = "ScenarioStepError";
  constructor(
    readonly scenario: ScenarioName,
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`scenario ${scenario} failed at "${step}": ${(cause as Error)?.message ?? String(cause)}`);
  }
}
