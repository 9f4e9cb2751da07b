import { describe, expect, test, beforeEach, afterEach } from '@jest/globals';
import { mkdir, readFile, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HsmError, digestOf, loadBuiltinCatalog } from '@hsm/core';
import { loadFolderRegistry } from './load-folder-registry.js';
import { buildCatalogJson } from './build-catalog.js';
import { rejected } from '../../../../test/support/hsm-errors.js';
import { tempDir } from '../../../../test/support/files.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir('hsm-folder-registry-');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(path: string, text: string): Promise<void> {
  await mkdir(join(dir, path, '..'), { recursive: true });
  await writeFile(join(dir, path), text);
}

/** The files as if written an hour ago: older than the racy window, so their stat may key the cache. */
async function age(...paths: string[]): Promise<void> {
  const then = new Date(Date.now() - 3600_000);
  for (const p of paths) await utimes(join(dir, p), then, then);
}

const redis = (version: string) => `name: redis\nversion: ${version}\nprovides: [cache]\nservices:\n  redis:\n    image: redis:7.4-alpine\n    ports: ["6379:6379"]\n`;

describe('loadFolderRegistry', () => {
  test('reads every version and the interfaces, with digests of the parsed definition', async () => {
    await put('redis/7.4.0.yaml', redis('7.4.0'));
    await put('redis/7.2.0.yaml', redis('7.2.0'));
    await put('redis/notes.txt', 'ignored');
    await put('groups/cache.yaml', 'name: cache\ndescription: a cache\n');
    const r = await loadFolderRegistry('local', dir);
    expect(r).toMatchObject({ name: 'local', kind: 'folder', complete: true });
    expect(r.components.get('redis')!.map((e) => e.version)).toEqual(['7.2.0', '7.4.0']);
    const e = r.components.get('redis')![1];
    expect(e.digest).toBe(digestOf(e.definition));
    expect(e.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.interfaces.get('cache')).toEqual({ name: 'cache', description: 'a cache' });
  });

  test('symlinked component folders and files are followed', async () => {
    await put('shared/redis/7.4.0.yaml', redis('7.4.0'));
    await mkdir(join(dir, 'reg'));
    await symlink(join(dir, 'shared', 'redis'), join(dir, 'reg', 'redis'));
    const r = await loadFolderRegistry('local', join(dir, 'reg'));
    expect(r.components.get('redis')!.map((e) => e.version)).toEqual(['7.4.0']);
  });

  test('a missing folder → REGISTRY_NOT_FOUND with a hint', async () => {
    const e = await rejected(loadFolderRegistry('local', join(dir, 'nope')));
    expect(e.code).toBe('HSM_REGISTRY_NOT_FOUND');
    expect(e.hint).toBeTruthy();
  });

  test('a version that does not match the file name → DEFINITION_INVALID naming the file', async () => {
    await put('redis/7.4.1.yaml', redis('7.4.0'));
    const e = await rejected(loadFolderRegistry('local', dir));
    expect(e.code).toBe('HSM_DEFINITION_INVALID');
    expect(e.message).toContain(join('redis', '7.4.1.yaml'));
  });

  test('a name that does not match the folder → DEFINITION_INVALID', async () => {
    await put('valkey/7.4.0.yaml', redis('7.4.0'));
    expect((await rejected(loadFolderRegistry('local', dir))).code).toBe('HSM_DEFINITION_INVALID');
  });

  test('an invalid definition is located in its file', async () => {
    await put('redis/7.4.0.yaml', 'name: redis\nversion: 7.4.0\nprovides: [Cache]\nservices:\n  redis:\n    image: redis\n');
    const e = await rejected(loadFolderRegistry('local', dir));
    expect(e.code).toBe('HSM_DEFINITION_INVALID');
    await put('redis/7.4.0.yaml', 'name: redis\nversion: 7.4.0\n');
    const e2 = await rejected(loadFolderRegistry('local', dir));
    expect(e2.code).toBe('HSM_DEFINITION_INVALID');
    expect(e2.location).toContain(join('redis', '7.4.0.yaml'));
  });

  test('with a cache: parsed once per state of the files (and salt); an edit, a new file or a new build parses again', async () => {
    await put('redis/7.4.0.yaml', redis('7.4.0'));
    await put('groups/cache.yaml', 'name: cache\n');
    await age('redis/7.4.0.yaml', 'groups/cache.yaml');
    const cache = { dir: join(dir, '.cache'), salt: 'build-1' };
    const first = await loadFolderRegistry('local', dir, cache);
    expect(await loadFolderRegistry('local', dir)).toEqual(first);
    const [file] = await readdir(cache.dir);
    // a hit returns what the cache holds without parsing: shown by editing the cache file behind its back
    const marked = (await readFile(join(cache.dir, file), 'utf8')).replace('redis:7.4-alpine', 'from-the-cache');
    await writeFile(join(cache.dir, file), marked);
    expect(JSON.stringify([...(await loadFolderRegistry('local', dir, cache)).components])).toContain('from-the-cache');
    expect(JSON.stringify([...(await loadFolderRegistry('local', dir, { ...cache, salt: 'build-2' })).components])).not.toContain('from-the-cache');
    await writeFile(join(cache.dir, file), marked);
    await put('redis/7.4.0.yaml', redis('7.4.0').replace('7.4-alpine', '7.4.1-alpine'));
    const edited = await loadFolderRegistry('local', dir, cache);
    expect(edited.components.get('redis')![0].definition.services!.redis.image).toBe('redis:7.4.1-alpine');
    await put('redis/7.2.0.yaml', redis('7.2.0'));
    expect((await loadFolderRegistry('local', dir, cache)).components.get('redis')!.map((e) => e.version)).toEqual(['7.2.0', '7.4.0']);
    // an invalid file is reported every time (a failed load is never cached)
    await put('redis/7.5.0.yaml', 'name: redis\nversion: 7.5.0\n');
    expect((await rejected(loadFolderRegistry('local', dir, cache))).code).toBe('HSM_DEFINITION_INVALID');
    expect((await rejected(loadFolderRegistry('local', dir, cache))).code).toBe('HSM_DEFINITION_INVALID');
  });

  test('with a cache: files modified in the last seconds are parsed but not cached (a second write could keep their stat)', async () => {
    await put('redis/7.4.0.yaml', redis('7.4.0'));
    await put('redis/7.2.0.yaml', redis('7.2.0'));
    await age('redis/7.4.0.yaml');
    const cache = { dir: join(dir, '.cache'), salt: 'build-1' };
    expect((await loadFolderRegistry('local', dir, cache)).components.get('redis')!.map((e) => e.version)).toEqual(['7.2.0', '7.4.0']);
    expect(await readdir(cache.dir).catch(() => [])).toEqual([]);
    // the same size, the same second: only the stat could tell, and it is not trusted yet
    await put('redis/7.2.0.yaml', redis('7.2.0').replace('7.4-alpine', '7.4-alpinf'));
    expect((await loadFolderRegistry('local', dir, cache)).components.get('redis')![0].definition.services!.redis.image).toBe('redis:7.4-alpinf');
    await age('redis/7.2.0.yaml');
    await loadFolderRegistry('local', dir, cache);
    expect(await readdir(cache.dir)).toHaveLength(1);
  });

  test('a bad interface file is rejected', async () => {
    await put('groups/cache.yaml', 'name: kash\n');
    expect((await rejected(loadFolderRegistry('local', dir))).code).toBe('HSM_DEFINITION_INVALID');
  });
});

describe('built-in catalog JSON', () => {
  test('build → load round-trips, byte-stable', async () => {
    await put('redis/7.4.0.yaml', redis('7.4.0'));
    await put('groups/cache.yaml', 'name: cache\n');
    const json = await buildCatalogJson(dir);
    expect(await buildCatalogJson(dir)).toBe(json);
    const snapshot = loadBuiltinCatalog(json);
    const folder = await loadFolderRegistry('x', dir);
    expect(snapshot).toMatchObject({ name: 'builtin', kind: 'builtin', complete: true });
    // a folder entry also knows its file and lines (for messages); the catalog ships without them
    const withoutOrigin = new Map([...folder.components].map(([k, list]) => [k, list.map(({ origin: _origin, ...e }) => e)]));
    expect(folder.components.get('redis')![0].origin?.file).toBe(join(dir, 'redis', '7.4.0.yaml'));
    expect(snapshot.components).toEqual(withoutOrigin);
    expect(snapshot.interfaces).toEqual(folder.interfaces);
  });

  test('a tampered catalog is refused', async () => {
    await put('redis/7.4.0.yaml', redis('7.4.0'));
    const json = await buildCatalogJson(dir);
    expect(() => loadBuiltinCatalog(json.replace('redis:7.4-alpine', 'evil:latest'))).toThrow(HsmError);
    expect(() => loadBuiltinCatalog('{')).toThrow(HsmError);
  });
});
