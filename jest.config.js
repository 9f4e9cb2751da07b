// One jest run for the whole repo: pure units next to their code, medium/e2e tiers under test/.
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
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@hsm/core$': '<rootDir>/libs/core/src/index.ts',
    '^@hsm/core/errors$': '<rootDir>/libs/core/src/errors.ts',
    '^@hsm/core/project-files$': '<rootDir>/libs/core/src/plan/project-files.ts',
    '^@hsm/host/uv$': '<rootDir>/libs/host/src/uv/uv.ts',
    '^@hsm/host/sync-state$': '<rootDir>/libs/host/src/project/sync-state.ts',
    '^@hsm/host$': '<rootDir>/libs/host/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['**/?(*.)test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 120000,
  maxWorkers: 2,
};
