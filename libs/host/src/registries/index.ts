export * from './load-folder-registry.js';
export * from './build-catalog.js';
export * from './resolve-with-registries.js';
export * from './load-registries.js';
