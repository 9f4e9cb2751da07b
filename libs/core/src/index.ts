export * from './errors.js';
export * from './did-you-mean.js';
export * from './yaml-source.js';
export * from './validate.js';
export * from './canonical-json.js';
export * from './load.js';
export * from './schema/common.js';
export * from './schema/definition.js';
export * from './schema/manifest.js';
export * from './schema/lock.js';
export * from './model.js';
export * from './manifest/edit-yaml.js';
export * from './resolver/index.js';
export * from './pyproject/render-pyproject.js';
export * from './compose/index.js';
export * from './plan/plan-sync.js';
export * from './plan/plan-compose.js';
export * from './init-proposals.js';
export * from './pyproject/uv-workspace.js';
export * from './graph/index.js';
export * from './manifest/schema-modeline.js';
export * from './options/index.js';
export * from './instance/index.js';
export * from './safety/index.js';
export * from './parse-probe.js';
// the registry service's API schemas: `@hsm/core/registry-api` (kept out of this barrel, so a command that never
// talks to a service does not build them at start; issue 15 item 6)
