// The domain event names flows see as msg.topic (docs/product.md, "Node catalogue"), one list per
// trigger node. The live model emits exactly these.

export const CALL_EVENTS = [
  "call.started",
  "call.ringing",
  "call.answered",
  "call.held",
  "call.resumed",
  "call.transferred",
  "call.updated",
  "call.ended",
  "call.summary",
] as const;

export const QUEUE_EVENTS = [
  "queue.agent.login",
  "queue.agent.logout",
  "queue.agent.paused",
  "queue.agent.unpaused",
  "queue.agent.updated",
  "queue.caller.joined",
  "queue.caller.left",
  "queue.stats",
] as const;

export const USER_EVENTS = [
  "user.phone.login",
  "user.phone.logout",
  "user.status",
  "user.created",
  "user.updated",
  "user.removed",
] as const;

export type CallEventName = (typeof CALL_EVENTS)[number];
export type QueueEventName = (typeof QUEUE_EVENTS)[number];
export type UserEventName = (typeof USER_EVENTS)[number];
export type DomainEventName = CallEventName | QueueEventName | UserEventName;
