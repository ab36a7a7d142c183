// The scenario engine: named, deterministic call and people scenarios played through the company
// state's primitives, a runner (real time, faster, or instant), and continuous demo traffic.

export {
  isScenarioName,
  type ScenarioCatalogueEntry,
  scenarioCatalogue,
} from "./catalogue";
export { VirtualClock } from "./clock";
export { DEFAULT_SCENARIO_SEED, type ScenarioSeed, SeededRandom } from "./random";
export {
  planScenario,
  type RunScenarioOptions,
  runScenario,
  type ScenarioRun,
  type ScenarioRunHandle,
  type ScenarioStatus,
} from "./runner";
export { startTraffic, type Traffic, type TrafficOptions, type TrafficStats } from "./traffic";
export {
  SCENARIO_NAMES,
  ScenarioError,
  type ScenarioExpectation,
  type ScenarioName,
  type ScenarioParams,
  type ScenarioPlan,
  type ScenarioStep,
  ScenarioStepError,
  type SummaryOutcome,
} from "./types";
