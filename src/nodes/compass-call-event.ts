// compass-call-event: call events and one call.summary per finished conversation, filtered by
// kind, direction, users, queues and number patterns.

import { CALL_EVENTS, eventConcerns, valuesOf } from "../compass/events";
import { withDefaults } from "./defaults";
import { migrated } from "./migrate";
import type { Node, NodeAPI, NodeDef } from "./red";
import { chosenEvents, idSet, numberMatcher, runTrigger } from "./trigger";

const NUMBER_KEYS = ["number", "exten", "digits", "dialled"] as const;

interface CallEventDef extends NodeDef {
  events?: string | string[];
  direction?: string;
  userIds?: string;
  queueIds?: string;
  numbers?: string;
  includeXml?: boolean;
}

export = function register(RED: NodeAPI): void {
  function CompassCallEvent(this: Node, saved: CallEventDef): void {
    const def = withDefaults("compass-call-event", migrated("compass-call-event", saved));
    RED.nodes.createNode(this, def);
    const direction = def.direction && def.direction !== "any" ? def.direction : null;
    const users = idSet(def.userIds);
    const queues = idSet(def.queueIds);
    const numbers = numberMatcher(def.numbers);

    runTrigger(RED, this, def, {
      events: chosenEvents(def.events, CALL_EVENTS),
      includeXml: def.includeXml === true,
      keys: { users, queues },
      accept: (event) => {
        if (direction && event.payload.direction !== direction) return false;
        // Users are matched by the connection's index; a queue filter beside them is checked here.
        if (users.size > 0 && queues.size > 0 && !eventConcerns(event).queues.some((id) => queues.has(id)))
          return false;
        if (numbers && !numbers(valuesOf(event.payload, NUMBER_KEYS))) return false;
        return true;
      },
    });
  }

  // The editor's event checkboxes come from here (RED.settings.compassCallEventEvents), so the two lists
  // cannot drift apart.
  RED.nodes.registerType("compass-call-event", CompassCallEvent, {
    settings: { compassCallEventEvents: { value: [...CALL_EVENTS], exportable: true } },
  });
};
