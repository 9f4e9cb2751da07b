export * from './option-spec.js';
export * from './references.js';
export * from './configure.js';
export * from './bind-ports.js';
export * from './stack-ports.js';
export * from './secret-variables.js';
