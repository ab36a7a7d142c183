// Every scenario by name, with its one-line description and what a correlating client should see.

import {
  attendedTransfer,
  holdResume,
  inboundAnswered,
  inboundBusy,
  inboundMissed,
  inboundVoicemail,
  internalCall,
  ivrMenu,
  outboundAnswered,
  unattendedTransfer,
} from "./calls";
import { agentLoginLogout, phoneLoginLogout, userStatusChanges } from "./people";
import { queueAbandoned, queueAnsweredAfterReoffers, queueExitKey, queueTimeout } from "./queue-calls";
import {
  SCENARIO_NAMES,
  type ScenarioDefinition,
  type ScenarioExpectation,
  type ScenarioName,
} from "./types";

const DEFINITIONS: Record<ScenarioName, ScenarioDefinition> = {
  "inbound-answered": inboundAnswered,
  "inbound-missed": inboundMissed,
  "inbound-busy": inboundBusy,
  "inbound-voicemail": inboundVoicemail,
  "ivr-menu": ivrMenu,
  "outbound-answered": outboundAnswered,
  "internal-call": internalCall,
  "hold-resume": holdResume,
  "unattended-transfer": unattendedTransfer,
  "attended-transfer": attendedTransfer,
  "queue-answered-after-reoffers": queueAnsweredAfterReoffers,
  "queue-abandoned": queueAbandoned,
  "queue-timeout": queueTimeout,
  "queue-exit-key": queueExitKey,
  "agent-login-logout": agentLoginLogout,
  "user-status-changes": userStatusChanges,
  "phone-login-logout": phoneLoginLogout,
};

export interface ScenarioCatalogueEntry {
  name: ScenarioName;
  description: string;
  /** on the default seed with default params */
  expected: ScenarioExpectation;
}

/** The catalogue, in a stable order; copies, so a caller cannot change the engine's data. */
export function scenarioCatalogue(): ScenarioCatalogueEntry[] {
  return SCENARIO_NAMES.map((name) => {
    const d = DEFINITIONS[name];
    return { name, description: d.description, expected: { ...d.expected } };
  });
}

export function isScenarioName(name: unknown): name is ScenarioName {
  return typeof name === "string" && Object.hasOwn(DEFINITIONS, name);
}

export function scenarioDefinition(name: ScenarioName): ScenarioDefinition {
  return DEFINITIONS[name];
}
