/**
 * events: the engine's event bus.
 * Glossary: an *event* is (type, action, actor ID, attributes, time in ns);
 * api/ turns it into Docker's JSON message.
 */
export { EventBus, type EngineEvent, type EventFilter, type EventType } from "./bus.js";
