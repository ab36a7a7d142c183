// What the call.summary tests share: the summaries a model gave, and a queue caller played the
// platform's way (docs/platform-notes.md: queue legs, re-offers).

import type { CallSummary } from "../../../src/compass/model/correlator";
import { cp, type Platform, type Recorder } from "../model/builders";

export const summaries = (rec: Recorder) => rec.payloads("call.summary") as unknown as CallSummary[];

/** An outside caller dials the company number and the dial plan puts them in queue 641. */
export function callerIntoQueue(p: Platform, id = "X"): void {
  p.start(id, cp.external("+31612345678", "Klant"), cp.dialplan("0201234567"));
  p.tick(500).route(id, "DESTINATION", cp.queue("641", "Support"));
  p.state(id, "ANSWERED"); // the queue picks up to play music: not a person answering
  p.queueEnter("641", id);
}

/** The queue rings one agent for the parent and nobody answers (a re-offer cycle). */
export function unansweredOffer(p: Platform, leg: string, agent: string, parent = "X"): void {
  p.start(leg, cp.queue("641", "Support"), cp.user(agent), parent, "RINGING");
  p.tick(20_000).end(leg, "SOURCE_HANGUP");
}
