// compass-user-event: phone login/logout, status (receive calls, display status, wrap-up) and
// user changes, filtered by kind and users.

import { USER_EVENTS } from "../compass/events";
import type { Node, NodeAPI, NodeDef } from "./red";
import { chosenEvents, idSet, runTrigger } from "./trigger";

interface UserEventDef extends NodeDef {
  events?: string | string[];
  users?: string;
  includeXml?: boolean;
}

export = function register(RED: NodeAPI): void {
  function CompassUserEvent(this: Node, def: UserEventDef): void {
    RED.nodes.createNode(this, def);
    const users = idSet(def.users);
    runTrigger(RED, this, def, {
      events: chosenEvents(def.events, USER_EVENTS),
      includeXml: def.includeXml === true,
      keys: { users },
    });
  }

  RED.nodes.registerType("compass-user-event", CompassUserEvent);
};
