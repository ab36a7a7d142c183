// compass-queue-event: agents logging in/out and pausing, callers joining/leaving, and queue.stats
// snapshots rate-limited per queue.

import { QUEUE_EVENTS } from "../compass/events";
import { NODE_DEFAULTS, withDefaults } from "./defaults";
import { migrated } from "./migrate";
import type { Node, NodeAPI, NodeDef } from "./red";
import { StatsThrottle } from "./throttle";
import { chosenEvents, idSet, runTrigger } from "./trigger";

const DEFAULT_STATS_INTERVAL_S = NODE_DEFAULTS["compass-queue-event"].statsInterval;

interface QueueEventDef extends NodeDef {
  events?: string | string[];
  queueIds?: string;
  statsInterval?: string | number;
  includeXml?: boolean;
}

export = function register(RED: NodeAPI): void {
  function CompassQueueEvent(this: Node, saved: QueueEventDef): void {
    const def = withDefaults("compass-queue-event", migrated("compass-queue-event", saved));
    RED.nodes.createNode(this, def);
    const queues = idSet(def.queueIds);
    const seconds = Number(def.statsInterval ?? DEFAULT_STATS_INTERVAL_S);
    const throttle = new StatsThrottle(
      Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_STATS_INTERVAL_S * 1000,
    );

    runTrigger(RED, this, def, {
      events: chosenEvents(def.events, QUEUE_EVENTS),
      includeXml: def.includeXml === true,
      keys: { queues },
      deliver: (event, send, xml) =>
        event.event === "queue.stats" ? throttle.offer(event, send) : send(event, xml),
      close: () => throttle.close(),
    });
  }

  // The editor's event checkboxes come from here (RED.settings.compassQueueEventEvents), so the two lists
  // cannot drift apart.
  RED.nodes.registerType("compass-queue-event", CompassQueueEvent, {
    settings: { compassQueueEventEvents: { value: [...QUEUE_EVENTS], exportable: true } },
  });
};
