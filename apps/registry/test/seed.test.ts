/** registry:seed publishes the catalog into a fresh service, idempotently. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ErrorCodes } from '@hsm/core';
import { readSeed, seedRegistry } from '../src/seed.js';
import { SEED_DIR } from '../src/paths.js';
import { ADMIN_TOKEN, startRegistry, type TestRegistry } from '../../../test/support/registry.js';

let reg: TestRegistry;
let dir: string;

beforeAll(async () => {
  reg = await startRegistry();
  dir = await mkdtemp(join(tmpdir(), 'hsm-seed-'));
  await mkdir(join(dir, 'redis'));
  await mkdir(join(dir, 'groups'));
  await writeFile(join(dir, 'redis', '7.0.0.yaml'), 'name: redis\nversion: 7.0.0\nprovides: [cache]\nservices:\n  redis:\n    image: redis:7.0.0\n');
  await writeFile(join(dir, 'redis', '7.2.0.yaml'), 'name: redis\nversion: 7.2.0\nprovides: [cache]\nservices:\n  redis:\n    image: redis:7.2.0\n');
  await writeFile(join(dir, 'groups', 'cache.yaml'), 'name: cache\ndescription: a cache\n');
});
afterAll(async () => {
  await reg?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('registry:seed', () => {
  test('publishes every <name>/<version>.yaml, then is a no-op', async () => {
    const first = await seedRegistry({ registryUrl: reg.url, token: ADMIN_TOKEN, dir });
    expect(first).toEqual({ published: ['redis@7.0.0', 'redis@7.2.0'], unchanged: [], failed: [] });
    const second = await seedRegistry({ registryUrl: reg.url, token: ADMIN_TOKEN, dir });
    expect(second).toEqual({ published: [], unchanged: ['redis@7.0.0', 'redis@7.2.0'], failed: [] });
    const doc = await reg.request('GET', '/v1/components/redis');
    expect(doc.json.versions.map((v: any) => v.version)).toEqual(['7.2.0', '7.0.0']);
  });

  test('changed content for a published version is reported, not overwritten', async () => {
    await writeFile(join(dir, 'redis', '7.0.0.yaml'), 'name: redis\nversion: 7.0.0\nservices:\n  redis:\n    image: redis:changed\n');
    const r = await seedRegistry({ registryUrl: reg.url, token: ADMIN_TOKEN, dir });
    expect(r.failed).toEqual([{ id: 'redis@7.0.0', status: 409, code: ErrorCodes.VERSION_EXISTS, message: expect.any(String) }]);
  });

  test('without a valid token it stops with an auth error', async () => {
    await expect(seedRegistry({ registryUrl: reg.url, token: 'hsm_wrong_token_value', dir })).rejects.toMatchObject({ code: ErrorCodes.AUTH });
  });

  test('a misplaced file fails before anything is published', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'hsm-seed-bad-'));
    try {
      await mkdir(join(bad, 'redis'));
      await writeFile(join(bad, 'redis', '1.0.0.yaml'), 'name: redis\nversion: 2.0.0\nservices:\n  redis:\n    image: redis:2\n');
      await expect(readSeed(bad)).rejects.toMatchObject({ code: ErrorCodes.DEFINITION_INVALID });
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });

  test('the shipped catalog (registry-seed/) publishes cleanly and idempotently', async () => {
    const defs = await readSeed(SEED_DIR);
    const fresh = await startRegistry();
    try {
      const first = await seedRegistry({ registryUrl: fresh.url, token: ADMIN_TOKEN, dir: SEED_DIR });
      expect(first.failed).toEqual([]);
      expect(first.published).toHaveLength(defs.length);
      const second = await seedRegistry({ registryUrl: fresh.url, token: ADMIN_TOKEN, dir: SEED_DIR });
      expect(second.published).toEqual([]);
      expect(second.unchanged).toHaveLength(defs.length);
      // the CLI takes the digests of its sealed catalog.json as they are (issue 15): they must be the registry's
      const shipped = JSON.parse(await readFile(join(SEED_DIR, '..', 'apps', 'cli', 'dist', 'catalog.json'), 'utf8')) as { components: { name: string; version: string; digest: string }[] };
      expect(shipped.components).toHaveLength(defs.length);
      for (const c of shipped.components) {
        const doc = await fresh.request('GET', `/v1/components/${c.name}/versions/${c.version}`);
        expect(`${c.name}@${c.version} ${doc.json.digest}`).toBe(`${c.name}@${c.version} ${c.digest}`);
      }
    } finally {
      await fresh.close();
    }
  });
});
