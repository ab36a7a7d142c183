// The live model's public surface: the model, its plain-JSON views and the call summary.
export type { CallOutcome, CallSummary } from "./correlator";
export { LiveModel, type Snapshot } from "./live-model";
export { type HistoryCallView, historyCallView } from "./normalise";
export type * from "./types";
