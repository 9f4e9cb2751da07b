import { fileURLToPath } from 'node:url';

// One jest configuration for the whole repo, in three tiers (below).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'es6' },
  },
];
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@hsm/core$': '<rootDir>/libs/core/src/index.ts',
    '^@hsm/core/errors$': '<rootDir>/libs/core/src/errors.ts',
    '^@hsm/core/registry-api$': '<rootDir>/libs/core/src/registry-api/index.ts',
    '^@hsm/core/modeline$': '<rootDir>/libs/core/src/manifest/schema-modeline.ts',
    '^@hsm/host/schema-copy$': '<rootDir>/libs/host/src/txn/schema-copy.ts',
    '^@hsm/core/project-files$': '<rootDir>/libs/core/src/plan/project-files.ts',
    '^@hsm/host/uv$': '<rootDir>/libs/host/src/uv/uv.ts',
    '^@hsm/host/dirs$': '<rootDir>/libs/host/src/dirs.ts',
    '^@hsm/host/sync-state$': '<rootDir>/libs/host/src/project/sync-state.ts',
    '^@hsm/host$': '<rootDir>/libs/host/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

// Three tiers (docs/spec.md §11, README "Tests"); every test file is in exactly one (test/test-tiers.test.ts checks).
// `npm test` runs them all; `npm run test:unit|test:medium|test:e2e` one each (jest --selectProjects).
/** End to end: the built `hsm` binary, Docker stacks, a browser, installation, the service as its own process. */
const E2E = [
  '<rootDir>/test/cli/**/*.test.ts',
  '<rootDir>/test/install/**/*.test.ts',
  '<rootDir>/test/real-projects/**/*.test.ts',
  '<rootDir>/**/*.e2e.test.ts',
  '<rootDir>/apps/registry/test/{web-browser,start-command,schemathesis}.test.ts',
];
/** Medium: adapters against the real thing — uv, git, PostgreSQL, Docker, sockets, the transaction on disk. */
const MEDIUM = ['<rootDir>/libs/host/src/compose/host-ports.test.ts', '<rootDir>/test/{txn,uv,docker,registry-client}/**/*.test.ts', '<rootDir>/apps/registry/test/**/*.test.ts'];
/** Unit: pure functions next to their code (no process, no network), and static checks of the repository. */
const UNIT = ['<rootDir>/{libs,apps}/*/src/**/*.test.ts', '<rootDir>/test/*.test.ts'];
// negations need the path itself: jest replaces <rootDir> only at the start of a pattern
const ROOT = fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, '');
const not = (globs) => globs.map((g) => `!${g.replace('<rootDir>', ROOT)}`);

export default {
  maxWorkers: 2,
  testTimeout: 120000, // a global option: jest ignores it inside a project
  projects: [
    { ...base, displayName: 'unit', testMatch: [...UNIT, ...not(MEDIUM), ...not(E2E)] },
    { ...base, displayName: 'medium', testMatch: [...MEDIUM, ...not(E2E)] },
    { ...base, displayName: 'e2e', testMatch: E2E },
  ],
};
