export * from './resolve.js';
export { explainWhy, describeReason, interfaceCandidates } from './describe.js';
export * from './lock-from-resolution.js';
export * from './search-catalog.js';
export * from './builtin-catalog.js';
export { isValidRange, parsedRange, satisfies, sortVersionsDesc } from './versions.js';
export * from './outdated.js';
