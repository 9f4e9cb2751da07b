export * from './run-process.js';
export * from './txn/index.js';
export * from './uv/uv.js';
export * from './registries/index.js';
export * from './compose/compose.js';
export * from './compose/compose-files.js';
export * from './remote/index.js';
export * from './uv/workspace.js';
