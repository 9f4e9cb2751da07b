export { CAPABILITIES, CAPABILITY_MEANING, isCapability } from './capabilities.js';
export type { Capability } from './capabilities.js';
export { definitionFindings, definitionCapabilities, publishesOnAllInterfaces } from './definition-capabilities.js';
export type { CapabilityFinding } from './definition-capabilities.js';
export { checkServiceSafety, unsafeFindings } from './check-service-safety.js';
export type { Refusal } from './check-service-safety.js';
