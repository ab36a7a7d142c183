// Scenarios of ordinary calls: inbound (answered, missed, busy, voicemail, through an IVR menu), outbound, internal,
// hold, and the manual's two transfers ("Interpreting Call Data").

import {
  answer,
  delay,
  dialplanForUser,
  hangUp,
  inboundToUser,
  outsideCaller,
  outsideNumber,
  pickUsers,
  StepList,
} from "./parts";
import type { ScenarioDefinition, ScenarioExpectation } from "./types";

const ANSWERED_INBOUND: ScenarioExpectation = {
  summaryOutcome: "answered",
  direction: "inbound",
  offers: 0,
  transfers: 0,
  summaries: 1,
};

export const inboundAnswered: ScenarioDefinition = {
  name: "inbound-answered",
  description:
    "An outside caller dials a user's number; it rings, the user answers, later one side hangs up.",
  expected: ANSWERED_INBOUND,
  trafficWeight: 5,
  plan({ state, random }) {
    const [user] = pickUsers(state, random, 1, "inbound-answered");
    const list = new StepList();
    inboundToUser(list, random, state, { role: "x", caller: outsideCaller(random), user });
    answer(list, random, "x");
    hangUp(list, random, "x");
    return { steps: list.steps, expected: ANSWERED_INBOUND };
  },
};

export const inboundMissed: ScenarioDefinition = {
  name: "inbound-missed",
  description: "An outside caller dials a user; it rings and the caller gives up before anyone answers.",
  expected: { ...ANSWERED_INBOUND, summaryOutcome: "missed" },
  trafficWeight: 2,
  plan({ state, random }) {
    const [user] = pickUsers(state, random, 1, "inbound-missed");
    const list = new StepList();
    inboundToUser(list, random, state, { role: "x", caller: outsideCaller(random), user });
    hangUp(list, random, "x", [8_000, 25_000], "SOURCE_HANGUP");
    return { steps: list.steps, expected: this.expected };
  },
};

export const inboundBusy: ScenarioDefinition = {
  name: "inbound-busy",
  description:
    "An outside caller dials a user who cannot take it: the call ends DESTINATION_BUSY without ringing.",
  expected: { ...ANSWERED_INBOUND, summaryOutcome: "busy" },
  trafficWeight: 1,
  plan({ state, random }) {
    const [user] = pickUsers(state, random, 1, "inbound-busy");
    const list = new StepList();
    inboundToUser(list, random, state, { role: "x", caller: outsideCaller(random), user, ring: false });
    list.add(delay(random, 300, 1500), "x: destination busy", (ctx) => {
      ctx.state.endCall(ctx.callId("x"), "DESTINATION_BUSY");
    });
    return { steps: list.steps, expected: this.expected };
  },
};

export const inboundVoicemail: ScenarioDefinition = {
  name: "inbound-voicemail",
  description:
    "An outside caller dials a user; nobody answers, the dial plan sends the call to the user's voicemail box, the caller leaves a message and hangs up.",
  expected: { ...ANSWERED_INBOUND, summaryOutcome: "voicemail" },
  trafficWeight: 2,
  plan({ state, random }) {
    const [user] = pickUsers(state, random, 1, "inbound-voicemail");
    const list = new StepList();
    inboundToUser(list, random, state, { role: "x", caller: outsideCaller(random), user });
    const box = state.resourceCallpoint("voicemail", `7${user.id}`, `Voicemail ${user.name}`);
    list.add(delay(random, 15_000, 25_000), "x: no answer, to voicemail", (ctx) => {
      ctx.state.routeCall(ctx.callId("x"), "DESTINATION", box);
    });
    // The voicemail box picks up to record; not a person answering.
    answer(list, random, "x", 300, 1000);
    hangUp(list, random, "x", [10_000, 40_000], "SOURCE_HANGUP");
    return { steps: list.steps, expected: this.expected };
  },
};

export const ivrMenu: ScenarioDefinition = {
  name: "ivr-menu",
  description:
    "An outside caller dials in and reaches an IVR menu (a Resource callpoint of type ivr); the caller presses 1 (call.stepresult), the menu sends the call to a user, who answers; later one side hangs up.",
  expected: ANSWERED_INBOUND,
  trafficWeight: 1,
  plan({ state, random }) {
    const [user] = pickUsers(state, random, 1, "ivr-menu");
    const caller = outsideCaller(random);
    const list = new StepList();
    const source = state.externalCallpoint(caller.number, caller.name);
    const entry = dialplanForUser(state, user);
    const menu = state.resourceCallpoint("ivr", "900", "Main menu");
    const target = state.userCallpoint(user.id);
    list.add(0, `x: ${caller.number} calls in`, (ctx) => {
      ctx.adopt("x", ctx.state.startCall(source, entry));
    });
    list.add(delay(random, 200, 800), "x: dial plan routes to the IVR menu", (ctx) => {
      ctx.state.routeCall(ctx.callId("x"), "DESTINATION", menu);
    });
    // The menu picks up to play its prompt; not a person answering.
    answer(list, random, "x", 100, 300);
    list.add(delay(random, 3000, 8000), "x: caller presses 1", (ctx) => {
      ctx.state.announceStepResult(ctx.callId("x"), "DESTINATION", "1");
    });
    list.add(delay(random, 100, 300), `x: menu rings ${user.name}`, (ctx) => {
      ctx.state.setCallState(ctx.callId("x"), "RINGING");
      ctx.state.routeCall(ctx.callId("x"), "DESTINATION", target);
    });
    answer(list, random, "x");
    hangUp(list, random, "x");
    return { steps: list.steps, expected: this.expected };
  },
};

export const outboundAnswered: ScenarioDefinition = {
  name: "outbound-answered",
  description: "A user dials an outside number; it rings, the far end answers, later one side hangs up.",
  expected: { ...ANSWERED_INBOUND, direction: "outbound" },
  trafficWeight: 3,
  plan({ state, random }) {
    const [user] = pickUsers(state, random, 1, "outbound-answered");
    const number = outsideNumber(random);
    const list = new StepList();
    list.add(0, `x: ${user.name} dials ${number}`, (ctx) => {
      ctx.adopt("x", ctx.state.dialNumber(user.id, number));
    });
    list.add(delay(random, 1000, 2500), "x: far end rings", (ctx) => {
      ctx.state.setCallState(ctx.callId("x"), "RINGING");
    });
    answer(list, random, "x", 3000, 12_000);
    hangUp(list, random, "x");
    return { steps: list.steps, expected: this.expected };
  },
};

export const internalCall: ScenarioDefinition = {
  name: "internal-call",
  description: "One user calls a colleague's extension; it rings, the colleague answers, later one hangs up.",
  expected: { ...ANSWERED_INBOUND, direction: "internal" },
  trafficWeight: 2,
  plan({ state, random }) {
    const [caller, callee] = pickUsers(state, random, 2, "internal-call");
    const list = new StepList();
    list.add(0, `x: ${caller.name} calls ${callee.name}`, (ctx) => {
      ctx.adopt("x", ctx.state.dialUser(caller.id, callee.id));
    });
    list.add(delay(random, 200, 600), "x: rings", (ctx) => {
      ctx.state.setCallState(ctx.callId("x"), "RINGING");
    });
    answer(list, random, "x");
    hangUp(list, random, "x", [10_000, 60_000]);
    return { steps: list.steps, expected: this.expected };
  },
};

export const holdResume: ScenarioDefinition = {
  name: "hold-resume",
  description:
    "An answered inbound call is put on hold by the user (callpoint INACTIVE, call ON_HOLD) and resumed, then ends.",
  expected: ANSWERED_INBOUND,
  trafficWeight: 2,
  plan({ state, random }) {
    const [user] = pickUsers(state, random, 1, "hold-resume");
    const list = new StepList();
    inboundToUser(list, random, state, { role: "x", caller: outsideCaller(random), user });
    answer(list, random, "x");
    list.add(delay(random, 10_000, 30_000), "x: user holds", (ctx) => {
      ctx.state.setCallpointState(ctx.callId("x"), "DESTINATION", "INACTIVE");
    });
    list.add(delay(random, 5000, 20_000), "x: user resumes", (ctx) => {
      ctx.state.setCallpointState(ctx.callId("x"), "DESTINATION", "ANSWERED");
    });
    hangUp(list, random, "x", [10_000, 40_000]);
    return { steps: list.steps, expected: this.expected };
  },
};

export const unattendedTransfer: ScenarioDefinition = {
  name: "unattended-transfer",
  description:
    "Caller A talks to user B (call X); B transfers blind to C: new call Y from A rings C, C answers, X ends with REPLACE.",
  expected: { ...ANSWERED_INBOUND, summaryOutcome: "transferred", transfers: 1 },
  trafficWeight: 2,
  plan({ state, random }) {
    const [b, c] = pickUsers(state, random, 2, "unattended-transfer");
    const caller = outsideCaller(random);
    const list = new StepList();
    inboundToUser(list, random, state, { role: "x", caller, user: b });
    answer(list, random, "x");
    const a = state.externalCallpoint(caller.number, caller.name);
    const toC = state.dialplanCallpoint(c.extensions[0] ?? c.id, c.extensions[0] ?? c.id);
    const cPoint = state.userCallpoint(c.id);
    list.add(delay(random, 10_000, 30_000), `y: ${b.name} transfers the caller to ${c.name}`, (ctx) => {
      ctx.adopt("y", ctx.state.startCall(a, toC));
    });
    list.add(delay(random, 100, 400), "y: dial plan routes to C", (ctx) => {
      ctx.state.routeCall(ctx.callId("y"), "DESTINATION", cPoint);
    });
    list.add(delay(random, 100, 300), "y: C rings", (ctx) => {
      ctx.state.setCallState(ctx.callId("y"), "RINGING");
    });
    answer(list, random, "y", 3000, 8000);
    list.add(0, "x: replaced by y", (ctx) => {
      ctx.state.endCall(ctx.callId("x"), "REPLACE");
    });
    hangUp(list, random, "y");
    return { steps: list.steps, expected: this.expected };
  },
};

export const attendedTransfer: ScenarioDefinition = {
  name: "attended-transfer",
  description:
    "Caller A talks to user B (call X); B calls C (call Y), they talk, B hangs up Y and X's destination becomes C.",
  // The consultation call B -> C is a conversation of its own: a second, answered, internal summary.
  expected: { ...ANSWERED_INBOUND, summaryOutcome: "transferred", transfers: 1, summaries: 2 },
  trafficWeight: 2,
  plan({ state, random }) {
    const [b, c] = pickUsers(state, random, 2, "attended-transfer");
    const list = new StepList();
    inboundToUser(list, random, state, { role: "x", caller: outsideCaller(random), user: b });
    answer(list, random, "x");
    const cPoint = state.userCallpoint(c.id);
    list.add(delay(random, 10_000, 30_000), `y: ${b.name} calls ${c.name} to consult`, (ctx) => {
      ctx.adopt("y", ctx.state.dialUser(b.id, c.id));
    });
    list.add(delay(random, 200, 600), "y: C rings", (ctx) => {
      ctx.state.setCallState(ctx.callId("y"), "RINGING");
    });
    answer(list, random, "y", 2000, 6000);
    hangUp(list, random, "y", [5000, 20_000], "SOURCE_HANGUP");
    list.add(delay(random, 100, 500), "x: destination becomes C", (ctx) => {
      ctx.state.routeCall(ctx.callId("x"), "DESTINATION", cPoint);
    });
    hangUp(list, random, "x");
    return { steps: list.steps, expected: this.expected };
  },
};
