export { createEventLimits, eventLimitSpecs, type EventLimits, type EventLimitSpecs } from "./limits";
