// compass-user-event: phone login/logout, status (receive calls, display status, wrap-up) and
// user changes, filtered by kind and users.

import { USER_EVENTS } from "../compass/events";
import { withDefaults } from "./defaults";
import { migrated } from "./migrate";
import type { Node, NodeAPI, NodeDef } from "./red";
import { chosenEvents, idSet, runTrigger } from "./trigger";

interface UserEventDef extends NodeDef {
  events?: string | string[];
  userIds?: string;
  includeXml?: boolean;
}

export = function register(RED: NodeAPI): void {
  function CompassUserEvent(this: Node, saved: UserEventDef): void {
    const def = withDefaults("compass-user-event", migrated("compass-user-event", saved));
    RED.nodes.createNode(this, def);
    const users = idSet(def.userIds);
    runTrigger(RED, this, def, {
      events: chosenEvents(def.events, USER_EVENTS),
      includeXml: def.includeXml === true,
      keys: { users },
    });
  }

  // The editor's event checkboxes come from here (RED.settings.compassUserEventEvents), so the two lists
  // cannot drift apart.
  RED.nodes.registerType("compass-user-event", CompassUserEvent, {
    settings: { compassUserEventEvents: { value: [...USER_EVENTS], exportable: true } },
  });
};
