export * from './port-scheme.js';
export * from './port-variables.js';
export * from './plan-instance.js';
