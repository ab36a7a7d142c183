// Scenarios about people rather than calls: agents in queues, user status (v3), phone login.
// Each one puts back what it changed, also when cancelled half-way (onAbort).

import {
  answer,
  delay,
  hangUp,
  inboundToUser,
  outsideCaller,
  pickUsers,
  reachableUsers,
  StepList,
} from "./parts";
import { type ScenarioDefinition, ScenarioError, type ScenarioExpectation } from "./types";

const NO_CALL: ScenarioExpectation = {
  summaryOutcome: null,
  direction: null,
  offers: 0,
  transfers: 0,
  summaries: 0,
};

export const agentLoginLogout: ScenarioDefinition = {
  name: "agent-login-logout",
  description: "A user logs in to a queue it is not in, pauses, unpauses and logs out again.",
  expected: NO_CALL,
  trafficWeight: 1,
  exclusive: true,
  plan({ state, random }) {
    const pairs: { userId: string; userName: string; queueId: string; queueName: string }[] = [];
    for (const queue of state.queues()) {
      for (const user of state.users()) {
        if (user.location !== -1 && !queue.members.some((m) => m.userId === user.id)) {
          pairs.push({ userId: user.id, userName: user.name, queueId: queue.id, queueName: queue.name });
        }
      }
    }
    if (pairs.length === 0) {
      throw new ScenarioError("agent-login-logout needs a user on a phone who is not in some queue");
    }
    const { userId, userName, queueId, queueName } = random.pick(pairs);
    const priority = random.int(1, 3);
    const list = new StepList();
    list.add(0, `${userName} logs in to ${queueName}`, (ctx) => {
      ctx.state.loginQueue(userId, queueId, { priority });
      ctx.onAbort(() => {
        if (ctx.state.queue(queueId)?.members.some((m) => m.userId === userId)) {
          ctx.state.logoutQueue(userId, queueId);
        }
      });
    });
    list.add(delay(random, 10_000, 30_000), `${userName} pauses in ${queueName}`, (ctx) => {
      ctx.state.pauseQueue(userId, queueId);
    });
    list.add(delay(random, 20_000, 60_000), `${userName} unpauses in ${queueName}`, (ctx) => {
      ctx.state.unpauseQueue(userId, queueId);
    });
    list.add(delay(random, 30_000, 90_000), `${userName} logs out of ${queueName}`, (ctx) => {
      ctx.state.logoutQueue(userId, queueId);
    });
    return { steps: list.steps, expected: NO_CALL };
  },
};

const DISPLAY_STATUSES = ["In a meeting", "At lunch", "Back at 14:00", "Working from home"];

export const userStatusChanges: ScenarioDefinition = {
  name: "user-status-changes",
  description:
    "A user's status goes receive ALL -> ONLY_DIRECT -> NONE -> ALL, a display status is set, the user takes a call and is in wrap-up after it until the wrap-up ends; the display status is put back.",
  expected: { summaryOutcome: "answered", direction: "inbound", offers: 0, transfers: 0, summaries: 1 },
  trafficWeight: 1,
  exclusive: true,
  plan({ state, random }) {
    const [user] = pickUsers(state, random, 1, "user-status-changes");
    const originalDisplay = user.displayStatus;
    const display = random.pick(DISPLAY_STATUSES);
    const wrapupSeconds = random.int(10, 30);
    const list = new StepList();
    list.add(0, `${user.name}: only direct calls`, (ctx) => {
      ctx.state.setUserStatus(user.id, { receiveCalls: "ONLY_DIRECT" });
      ctx.onAbort(() => {
        ctx.state.setUserStatus(user.id, {
          receiveCalls: "ALL",
          displayStatus: originalDisplay,
          endWrapup: true,
        });
      });
    });
    list.add(delay(random, 5000, 15_000), `${user.name}: no calls`, (ctx) => {
      ctx.state.setUserStatus(user.id, { receiveCalls: "NONE" });
    });
    list.add(delay(random, 5000, 15_000), `${user.name}: all calls`, (ctx) => {
      ctx.state.setUserStatus(user.id, { receiveCalls: "ALL" });
    });
    list.add(delay(random, 2000, 5000), `${user.name}: display status "${display}"`, (ctx) => {
      ctx.state.setUserStatus(user.id, { displayStatus: display });
    });
    inboundToUser(list, random, state, { role: "x", caller: outsideCaller(random), user });
    answer(list, random, "x");
    hangUp(list, random, "x", [15_000, 60_000]);
    list.add(0, `${user.name}: wrap-up for ${wrapupSeconds} s`, (ctx) => {
      const ended = ctx.state.call(ctx.callId("x"))?.endedAt ?? 0;
      ctx.state.startWrapup(user.id, ctx.callId("x"), ended + wrapupSeconds);
    });
    list.add(wrapupSeconds * 1000, `${user.name}: wrap-up ends`, (ctx) => {
      ctx.state.setUserStatus(user.id, { endWrapup: true });
    });
    list.add(delay(random, 1000, 3000), `${user.name}: display status cleared`, (ctx) => {
      ctx.state.setUserStatus(user.id, { displayStatus: originalDisplay });
    });
    return { steps: list.steps, expected: this.expected };
  },
};

export const phoneLoginLogout: ScenarioDefinition = {
  name: "phone-login-logout",
  description:
    "A user without a phone logs in on a free phone and later logs out (or, when nobody is free, a logged-in user logs out and back in).",
  expected: NO_CALL,
  trafficWeight: 1,
  exclusive: true,
  plan({ state, random }) {
    const users = state.users();
    const taken = new Set(users.map((u) => String(u.location)));
    const freePhones = state.phones().filter((p) => !taken.has(p.id));
    const offPhone = users.filter((u) => u.location === -1);
    const list = new StepList();
    if (freePhones.length > 0 && offPhone.length > 0) {
      const user = random.pick(offPhone);
      const phone = random.pick(freePhones);
      list.add(0, `${user.name} logs in on ${phone.name}`, (ctx) => {
        ctx.state.phoneLogin(user.id, phone.id);
        ctx.onAbort(() => {
          if (ctx.state.user(user.id)?.location === Number(phone.id)) ctx.state.phoneLogout(user.id);
        });
      });
      list.add(delay(random, 30_000, 90_000), `${user.name} logs out`, (ctx) => {
        ctx.state.phoneLogout(user.id);
      });
      return { steps: list.steps, expected: NO_CALL };
    }
    // Nobody is free to log in: someone on a phone (preferably not on a call) logs out and back in.
    const onPhone = reachableUsers(state);
    if (onPhone.length === 0) throw new ScenarioError("phone-login-logout needs a user or a phone");
    const user = random.pick(onPhone);
    const phoneId = String(user.location);
    list.add(0, `${user.name} logs out`, (ctx) => {
      ctx.state.phoneLogout(user.id);
      ctx.onAbort(() => {
        if (ctx.state.user(user.id)?.location === -1) ctx.state.phoneLogin(user.id, phoneId);
      });
    });
    list.add(delay(random, 30_000, 90_000), `${user.name} logs back in`, (ctx) => {
      ctx.state.phoneLogin(user.id, phoneId);
    });
    return { steps: list.steps, expected: NO_CALL };
  },
};
