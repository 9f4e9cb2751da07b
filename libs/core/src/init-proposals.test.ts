import { describe, expect, test } from '@jest/globals';
import { initProposals, imageRepo } from './init-proposals.js';
import { digestOf } from './canonical-json.js';
import type { CatalogEntry, RegistrySnapshot } from './model.js';
import type { ComponentDefinition } from './schema/definition.js';

function entry(d: Partial<ComponentDefinition> & { name: string }): CatalogEntry {
  const definition = { version: '1.0.0', ...d } as ComponentDefinition;
  return { name: d.name, version: definition.version, digest: digestOf(definition), yanked: false, definition };
}
const catalog: RegistrySnapshot = {
  name: 'builtin',
  kind: 'builtin',
  complete: true,
  interfaces: new Map(),
  components: new Map(
    [
      entry({ name: 'minio', services: { minio: { image: 'minio/minio:RELEASE.2024' } } }),
      entry({ name: 'postgres', services: { postgres: { image: 'postgres:17.2-alpine' } } }),
      entry({ name: 'redis', services: { redis: { image: 'redis:7.4-alpine' } }, python: { package: 'redis' } }),
    ].map((e) => [e.name, [e]]),
  ),
};

describe('hsm init suggestions (issue 9 item 10)', () => {
  test('images in include:d files, from other publishers, with interpolated tags', () => {
    const composeFiles = [
      { file: 'docker-compose.yml', text: 'include:\n  - ./base.yml\nservices:\n  db:\n    image: postgres:${POSTGRES_VERSION:-17}\n' },
      { file: 'base.yml', text: 'services:\n  s3:\n    image: bitnamilegacy/minio:2025\n  s3b:\n    image: cgr.dev/chainguard/minio\n  cache:\n    image: docker.io/library/redis:${REDIS_TAG}\n' },
    ];
    expect(initProposals(catalog, { pyproject: null, composeFiles, env: {} })).toEqual([
      { component: 'postgres', because: 'docker-compose.yml runs postgres:17 as `db`' },
      { component: 'minio', because: 'base.yml runs bitnamilegacy/minio:2025 as `s3`' },
      { component: 'redis', because: 'base.yml runs docker.io/library/redis: as `cache`' },
    ]);
  });
  test('pyproject dependencies first, each component once', () => {
    const out = initProposals(catalog, { pyproject: '[project]\nname = "x"\ndependencies = ["redis>=5"]\n', composeFiles: [{ file: 'compose.yml', text: 'services:\n  r:\n    image: redis\n' }], env: {} });
    expect(out).toEqual([{ component: 'redis', because: 'pyproject.toml depends on redis' }]);
  });
  test('imageRepo', () => {
    expect(imageRepo('docker.io/library/postgres:17@sha256:abc')).toBe('postgres');
    expect(imageRepo('localhost:5000/team/app')).toBe('localhost:5000/team/app');
  });
});
