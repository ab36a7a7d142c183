// compass-call-control in real flows against the simulator: a pickup answers exactly the chosen
// waiting caller on the chosen user's phone, listening in starts a listen-in call on the right
// call, and a user without the feature gets a 403 that names it. The effect is read where a user
// would see it: a compass call event node on the same connection.

import { strict as assert } from "node:assert";
import { type Simulator, startSimulator } from "../../src/simulator";
import {
  catchAll,
  credentialsOf,
  type FlowNode,
  type LoadedFlow,
  loadFlow,
  modelLoaded,
  simulatorConfig,
  startServer,
  stopServer,
  unload,
} from "../support/node-red";
import { waitFor } from "../support/wait";

const TAB = "tab1";

describe("compass-call-control (real flows, simulator over loopback)", () => {
  let sim: Simulator;

  before(startServer);
  after(stopServer);
  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(async () => {
    await unload();
    await sim.close();
  });

  async function flowWith(props: Record<string, unknown>): Promise<LoadedFlow> {
    const nodes: FlowNode[] = [
      { id: TAB, type: "tab" },
      simulatorConfig(sim),
      { id: "control", type: "compass-call-control", z: TAB, config: "cfg", wires: [["out"]], ...props },
      { id: "out", type: "helper", z: TAB },
      { id: "calls", type: "compass-call-event", z: TAB, config: "cfg", wires: [["events"]] },
      { id: "events", type: "helper", z: TAB },
      ...catchAll(TAB, "caught"),
    ];
    const flow = await loadFlow(
      ["compass-config", "compass-call-control", "compass-call-event"],
      nodes,
      credentialsOf(),
    );
    await modelLoaded(flow);
    return flow;
  }

  /** An outside caller waiting in queue 2002 (Alice, 1001, is one of its agents). */
  function waitingCaller(number: string): string {
    const call = sim.state.startCall(
      sim.state.externalCallpoint(number),
      sim.state.dialplanCallpoint("+31851234501"),
    );
    sim.state.routeCall(call.id, "DESTINATION", sim.state.queueCallpoint("2002"));
    sim.state.queueCallEnter("2002", call.id);
    return call.id;
  }

  type Msg = { topic: string; payload: Record<string, unknown> & { destination?: Record<string, unknown> } };

  async function answeredBy(flow: LoadedFlow, callId: string): Promise<unknown> {
    const answered = () =>
      (flow.received("events") as Msg[]).find((m) => m.topic === "call.answered" && m.payload.id === callId);
    await waitFor(() => answered() !== undefined, 5000, `call.answered for ${callId}`);
    return answered()?.payload.destination?.userId;
  }

  it("picks up exactly the waiting call chosen by id, then the longest waiting, on the user's phone", async () => {
    const flow = await flowWith({
      action: "pickup",
      user: "1001",
      userType: "str",
      callId: "callId",
      callIdType: "msg",
    });
    const first = waitingCaller("+31201110001");
    const second = waitingCaller("+31201110002");
    const third = waitingCaller("+31201110003");

    flow.node("control").receive({ callId: third });
    const [picked] = (await flow.waitFor("out")) as Msg[];
    assert.equal(picked.payload.callId, third);
    assert.equal(await answeredBy(flow, third), "1001");
    assert.deepEqual(
      sim.state.queue("2002")?.waitingCallIds,
      [first, second],
      "the others still wait, in order",
    );

    flow.node("control").receive({});
    await flow.waitFor("out", 2);
    assert.equal(await answeredBy(flow, first), "1001", "then the longest waiting");
    assert.deepEqual(sim.state.queue("2002")?.waitingCallIds, [second]);
  });

  it("listens in on a call by id, and on the call a colleague is in", async () => {
    const flow = await flowWith({
      action: "msg",
      user: "1001",
      userType: "str",
      callId: "callId",
      callIdType: "msg",
      listenTo: "listenTo",
      listenToType: "msg",
    });
    const talk = sim.state.dialNumber("1002", "+31207654321");
    sim.state.setCallState(talk.id, "ANSWERED");

    flow.node("control").receive({ action: "listen-in", callId: talk.id });
    const [byCall] = (await flow.waitFor("out")) as Msg[];
    flow.node("control").receive({ action: "listen-in", listenTo: "1002" });
    const [, byUser] = (await flow.waitFor("out", 2)) as Msg[];

    for (const listening of [byCall, byUser]) {
      const call = sim.state.call(String(listening.payload.callId));
      assert.ok(call, "a listening call exists");
      assert.deepEqual(
        [
          call.source.kind === "User" && call.source.userId,
          call.destination.kind === "ListenIn" && call.destination.listenedToCallId,
        ],
        ["1001", talk.id],
      );
    }
    const listenIns = () =>
      (flow.received("events") as Msg[]).filter(
        (m) => m.topic === "call.started" && m.payload.destination?.type === "listenin",
      );
    await waitFor(() => listenIns().length >= 2, 5000, "two listen-in calls");
    assert.deepEqual(
      listenIns().map((m) => m.payload.destination?.listenedToCallId),
      [talk.id, talk.id],
    );
  });

  it("a user without the feature gets a 403 that names it, at a Catch node", async () => {
    const flow = await flowWith({ action: "pickup", user: "1002", userType: "str" });
    waitingCaller("+31201110009");
    flow.node("control").receive({});
    const [caught] = (await flow.waitFor("caught")) as Array<{
      statusCode: number;
      error: { message: string };
    }>;
    assert.equal(caught.statusCode, 403);
    assert.match(caught.error.message, /Queue pickup API/);
    await unload();

    const listen = await flowWith({ action: "listen-in", user: "1002", userType: "str", listenTo: "1001" });
    listen.node("control").receive({});
    const [refused] = (await listen.waitFor("caught")) as Array<{
      statusCode: number;
      error: { message: string };
    }>;
    assert.equal(refused.statusCode, 403);
    assert.match(refused.error.message, /Listen in API/);
  });

  it("listening in without a call or a colleague is a clear error before anything is sent", async () => {
    const flow = await flowWith({ action: "listen-in", user: "1001", userType: "str" });
    flow.node("control").receive({});
    const [caught] = (await flow.waitFor("caught")) as Array<{ error: { message: string } }>;
    assert.match(caught.error.message, /Nothing to listen in on/);
  });
});
