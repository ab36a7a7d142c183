// compass-call-event: call events and one call.summary per finished conversation, filtered by
// kind, direction, users, queues and number patterns.

import { CALL_EVENTS, eventConcerns, valuesOf } from "../compass/events";
import type { Node, NodeAPI, NodeDef } from "./red";
import { chosenEvents, idSet, numberMatcher, runTrigger } from "./trigger";

const NUMBER_KEYS = ["number", "exten", "digits", "dialled"] as const;

interface CallEventDef extends NodeDef {
  events?: string | string[];
  direction?: string;
  users?: string;
  queues?: string;
  numbers?: string;
  includeXml?: boolean;
}

export = function register(RED: NodeAPI): void {
  function CompassCallEvent(this: Node, def: CallEventDef): void {
    RED.nodes.createNode(this, def);
    const direction = def.direction && def.direction !== "any" ? def.direction : null;
    const users = idSet(def.users);
    const queues = idSet(def.queues);
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

  RED.nodes.registerType("compass-call-event", CompassCallEvent);
};
