// Public API of the protocol layer: platform XML <-> typed objects.
export {
  buildActivatePrivacyList,
  buildIq,
  buildPresence,
  buildPrivacyList,
  buildRequest,
  buildSubscribe,
  CLIENT_NS,
  DATA_FORM_NS,
  INVISIBLE_LIST,
  PRIVACY_NS,
  SUBSCRIBE_OPTIONS_FORM,
} from "./build";
export { ProtocolError } from "./errors";
export { LIMITS } from "./limits";
export {
  findNotifications,
  findSubscriptionState,
  parseCall,
  parseCallpoint,
  parseNotification,
  parseProperties,
  parsePropertyChanges,
  parseQueue,
  parseQueueMember,
  parseResult,
  parseUser,
  UNKNOWN_VALUE,
} from "./parse";
export * from "./types";
export { parseStanzaString, type StringParseOptions } from "./xml-string";
