/**
 * End-to-end: the built `hsm` against the real registry service (NestJS on 127.0.0.1, real PostgreSQL) with real
 * uv installing locally built wheels. login → publish a folder registry → add + sync from it (one POST /v1/resolve
 * per level of `requires`) → a warm sync sends no request at all (and takes the no-op fast path); --refresh
 * revalidates → outdated reports a yanked locked version in one request → service stopped: a warm sync and
 * --offline work, --refresh fails clearly and writes nothing → a definition changed in the database: the next
 * --refresh (or cold-cache) sync refuses (HSM_DIGEST_MISMATCH).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { digestOf } from '@hsm/core';
import { buildWheel, uvTestEnv } from '../support/python-fixtures.js';
import { errorCode, hsm, snapshot, tempDir } from '../support/hsm-cli.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

let service: TestRegistry;
let root: string;
let env: Record<string, string>;
let project: string;
let publishToken: string;

const DEFINITIONS: Record<string, string> = {
  'tr-lib/1.0.0.yaml': 'name: tr-lib\nversion: 1.0.0\ndescription: team library\npython:\n  package: demo-lib\n',
  'tr-lib/1.1.0.yaml': 'name: tr-lib\nversion: 1.1.0\ndescription: team library\npython:\n  package: demo-lib\n',
  'tr-db/1.0.0.yaml': 'name: tr-db\nversion: 1.0.0\ndescription: team database\nservices:\n  tr-db:\n    image: example/tr-db:1.0.0\n',
  'tr-db/1.2.0.yaml': 'name: tr-db\nversion: 1.2.0\ndescription: team database\nservices:\n  tr-db:\n    image: example/tr-db:1.2.0\n',
  'tr-app/1.0.0.yaml': 'name: tr-app\nversion: 1.0.0\ndescription: team app\nrequires: ["tr-db@^1"]\nservices:\n  tr-app:\n    image: example/tr-app:1.0.0\n',
};

const run = (args: string[], extra: { input?: string; env?: Record<string, string> } = {}) => hsm(args, { cwd: project, env: { ...env, ...extra.env }, input: extra.input });

const count = (method: string, prefix: string) => service.requests.filter((r) => r.method === method && r.path.startsWith(prefix)).length;

beforeAll(async () => {
  service = await startRegistry();
  publishToken = (await service.createToken(['publish'], 'platform')).token;
  root = await tempDir('hsm-team-');
  const wheels = join(root, 'wheels');
  await buildWheel(wheels, { name: 'demo-lib', version: '1.0.0' });
  await buildWheel(wheels, { name: 'demo-lib', version: '1.1.0' });
  env = {
    ...uvTestEnv(wheels, join(root, 'uv-cache')),
    HOME: root,
    XDG_CACHE_HOME: join(root, 'cache'),
    XDG_CONFIG_HOME: join(root, 'config'),
  };
  for (const [file, text] of Object.entries(DEFINITIONS)) {
    await mkdir(join(root, 'reg', file.split('/')[0]), { recursive: true });
    await writeFile(join(root, 'reg', file), text);
  }
  project = join(root, 'app');
  await mkdir(project);
  await writeFile(join(project, 'hsm.yaml'), `version: 1\nname: team-app\nregistries:\n  - name: team\n    url: ${service.url}\ncomponents: {}\n`);
}, 60_000);

afterAll(async () => {
  await service?.close();
});

describe('hsm against a team registry', () => {
  test('login stores the token 0600 and never prints it; a wrong token is refused and not stored', async () => {
    const bad = await run(['login', 'team'], { input: 'hsm_not_a_real_token_000000000000\n' });
    expect(bad.code).toBe(1);
    expect(errorCode(bad)).toBe('HSM_AUTH');
    expect(bad.stdout + bad.stderr).not.toContain('hsm_not_a_real_token');

    const ok = await run(['login', 'team', '--json'], { input: `${publishToken}\n` });
    expect(ok.code).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain(publishToken);
    const file = join(root, 'config', 'hsm', 'credentials.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toContain(publishToken);
  });

  test('publish validates locally, publishes a folder registry, is idempotent, and shows the server error', async () => {
    const first = await run(['publish', join(root, 'reg'), '--registry', 'team', '--json']);
    expect(first.code).toBe(0);
    expect(first.json.published.map((p: { name: string; version: string; created: boolean }) => `${p.name}@${p.version}:${p.created}`)).toEqual([
      'tr-app@1.0.0:true',
      'tr-db@1.0.0:true',
      'tr-db@1.2.0:true',
      'tr-lib@1.0.0:true',
      'tr-lib@1.1.0:true',
    ]);
    const again = await run(['publish', join(root, 'reg'), '--registry', 'team', '--json']);
    expect(again.code).toBe(0);
    expect(again.json.published.every((p: { created: boolean }) => !p.created)).toBe(true);

    // same version, different bytes: the service's 409 code and message come through
    const changed = join(root, 'changed.yaml');
    await writeFile(changed, DEFINITIONS['tr-db/1.0.0.yaml'].replace('team database', 'changed'));
    const conflict = await run(['publish', changed, '--registry', 'team']);
    expect(conflict.code).toBe(1);
    expect(errorCode(conflict)).toBe('HSM_VERSION_EXISTS');
    expect(conflict.stderr).toContain(service.url);

    // invalid locally: nothing is sent
    const invalid = join(root, 'invalid.yaml');
    await writeFile(invalid, 'name: tr-bad\nversion: 1.0.0\n');
    service.requests.length = 0;
    const bad = await run(['publish', invalid, '--registry', 'team']);
    expect(bad.code).toBe(2);
    expect(errorCode(bad)).toBe('HSM_DEFINITION_INVALID');
    expect(service.requests).toEqual([]);
  });

  test('add + sync from the registry: one POST /v1/resolve per level of requires; a warm sync sends nothing, --refresh revalidates', async () => {
    service.requests.length = 0;
    const add = await run(['add', 'tr-app', 'tr-lib', '--json']);
    expect(add.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(add.code).toBe(0);
    expect(add.json.added.sort()).toEqual(['tr-app 1.0.0', 'tr-db 1.2.0', 'tr-lib 1.1.0']);
    expect(count('POST', '/v1/resolve')).toBe(2); // tr-app + tr-lib, then tr-db
    expect(service.requests.length).toBe(2);
    const lock = JSON.parse(await readFile(join(project, 'hsm.lock'), 'utf8'));
    expect(lock.components['tr-lib']).toMatchObject({ version: '1.1.0', registry: 'team' });
    expect(lock.components['tr-db']).toMatchObject({ version: '1.2.0', registry: 'team' });
    expect(await readFile(join(project, 'pyproject.toml'), 'utf8')).toContain('"demo-lib==1.1.0"');
    expect(await readFile(join(project, 'docker-compose.hsm.yml'), 'utf8')).toContain('example/tr-db:1.2.0');

    service.requests.length = 0;
    const before = snapshot(project);
    const warm = await run(['sync', '--json']);
    expect(warm.code).toBe(0);
    expect(warm.json.written).toEqual([]);
    expect(snapshot(project)).toEqual(before);
    expect(service.requests).toEqual([]); // every locked version is in the cache: nothing to ask
    expect(existsSync(join(project, '.hsm', 'state.json'))).toBe(true); // and the next one takes the no-op fast path
    const fast = await run(['sync', '--json']);
    expect(fast.json).toEqual({ written: [], added: [], removed: [], changed: [], recovered: [], ranUv: true });
    expect(service.requests).toEqual([]);

    const refreshed = await run(['sync', '--refresh', '--json']);
    expect(refreshed.code).toBe(0);
    expect(snapshot(project)).toEqual(before);
    expect(count('POST', '/v1/resolve')).toBe(0);
    expect(service.requests.map((r) => `${r.method} ${r.path} ${r.status}`).sort()).toEqual([
      'GET /v1/components/tr-app/versions/1.0.0 304',
      'GET /v1/components/tr-db/versions/1.2.0 304',
      'GET /v1/components/tr-lib/versions/1.1.0 304',
    ]);
  });

  test('search and info answer from the registry service and say which registry answered', async () => {
    const search = await run(['search', 'tr-', '--json']);
    expect(search.code).toBe(0);
    expect(search.json.filter((h: { name: string }) => h.name.startsWith('tr-')).map((h: { name: string; registry: string }) => `${h.name}:${h.registry}`)).toEqual(['tr-app:team', 'tr-db:team', 'tr-lib:team']);
    const info = await run(['info', 'tr-db', '--json']);
    expect(info.code).toBe(0);
    expect(info.json).toMatchObject({ registry: 'team', version: '1.2.0', versions: ['1.2.0', '1.0.0'] });
    const text = await run(['info', 'tr-db@1.0.0']);
    expect(text.stdout).toContain('# tr-db 1.0.0 from registry `team`');
  });

  test('outdated: one batch request; a yanked locked version is reported (not sought by every sync); cache info and clean', async () => {
    service.requests.length = 0;
    const before = await run(['outdated', '--json']);
    expect(before.code).toBe(0);
    expect(service.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/resolve']);
    const row = (r: typeof before, name: string) => r.json.components.find((c: { name: string }) => c.name === name);
    expect(row(before, 'tr-lib')).toEqual({ name: 'tr-lib', range: '*', locked: '1.1.0', wanted: '1.1.0', latest: '1.1.0', yanked: false, registry: 'team' });
    expect(row(before, 'tr-db')).toMatchObject({ locked: '1.2.0', latest: '1.2.0', yanked: false });
    const yank = (v: string, how: 'yank' | 'unyank') => fetch(`${service.url}/v1/components/tr-lib/versions/${v}/${how}`, { method: 'POST', headers: { authorization: `Bearer ${publishToken}` } });
    expect((await yank('1.1.0', 'yank')).status).toBe(200);
    try {
      const after = await run(['outdated', '--json']);
      expect(row(after, 'tr-lib')).toEqual({ name: 'tr-lib', range: '*', locked: '1.1.0', wanted: '1.0.0', latest: '1.0.0', yanked: true, registry: 'team' });
      const text = await run(['outdated']);
      expect(text.stdout).toMatch(/tr-lib\s+1\.1\.0\s+1\.0\.0\s+1\.0\.0\s+team\s+locked version yanked/);
    } finally {
      expect((await yank('1.1.0', 'unyank')).status).toBe(200);
    }

    // the first `hsm cache` writes the code cache of its own files at its exit (code-cache.ts): the second counts them
    await run(['cache', '--json']);
    const info = await run(['cache', '--json']);
    expect(info.json.files - info.json.code.files).toBeGreaterThan(0);
    const cleaned = await run(['cache', 'clean', '--json']);
    expect(cleaned.json).toMatchObject({ removedFiles: info.json.files, removedBytes: info.json.bytes });
    expect((await run(['cache', '--json'])).json).toMatchObject({ files: 0, bytes: 0 });
    // the next sync fetches what it needs again (the locked versions: one GET each, in one round)
    service.requests.length = 0;
    expect((await run(['sync', '--no-install', '--json'])).code).toBe(0);
    expect(count('POST', '/v1/resolve')).toBe(0);
    expect(count('GET', '/v1/components/')).toBe(3);
  });

  test('service stopped: --offline syncs from the cache + hsm.lock; online fails naming the registry; nothing written', async () => {
    await service.stop();
    try {
      const before = snapshot(project);
      const offline = await run(['sync', '--offline', '--json']);
      expect(offline.stderr).not.toMatch(/at .*\.js:\d+/);
      expect(offline.code).toBe(0);
      expect(snapshot(project)).toEqual(before);

      // a warm sync needs the service for nothing
      const warm = await run(['sync', '--json']);
      expect(warm.code).toBe(0);
      expect(snapshot(project)).toEqual(before);

      const online = await run(['sync', '--refresh']);
      expect(online.code).toBe(1);
      expect(errorCode(online)).toBe('HSM_NETWORK');
      expect(online.stderr).toContain(`registry team (${service.url}`);
      expect(snapshot(project)).toEqual(before);

      // a component never fetched is not in the cache: named, exit 1
      const missing = await run(['add', 'tr-other', '--offline']);
      expect(missing.code).toBe(1);
      expect(errorCode(missing)).toBe('HSM_OFFLINE_MISSING');
      expect(missing.stderr).toContain('tr-other');
      expect(snapshot(project)).toEqual(before);
    } finally {
      await service.start();
    }
  });

  test('a definition changed in the database: the next --refresh sync refuses with HSM_DIGEST_MISMATCH, nothing written', async () => {
    const before = snapshot(project);
    const db = new pg.Client({ connectionString: service.db.url });
    await db.connect();
    try {
      // 1. different bytes under the same version, digest column updated too (a re-publish behind the API)
      const tampered = { name: 'tr-lib', version: '1.1.0', description: 'team library', python: { package: 'demo-lib', requirement: 'demo-lib==1.0.0' } };
      await db.query(`UPDATE versions SET definition = $1, digest = $2 WHERE version = '1.1.0' AND component_id = (SELECT id FROM components WHERE name = 'tr-lib')`, [JSON.stringify(tampered), digestOf(tampered)]);
      await service.stop();
      await service.start(); // the service caches immutable documents in memory
      const warm = await run(['sync', '--refresh']);
      expect(warm.code).toBe(1);
      expect(errorCode(warm)).toBe('HSM_DIGEST_MISMATCH');
      expect(warm.stderr).toContain('tr-lib 1.1.0');
      expect(snapshot(project)).toEqual(before);

      // 2. only the definition changed (the stated digest no longer matches): caught on a cold cache too
      await db.query(`UPDATE versions SET digest = $1 WHERE version = '1.1.0' AND component_id = (SELECT id FROM components WHERE name = 'tr-lib')`, [
        JSON.parse(await readFile(join(project, 'hsm.lock'), 'utf8')).components['tr-lib'].digest,
      ]);
      await service.stop();
      await service.start();
      // a fresh clone on another machine: no cache, no fast-path state (.hsm/ is not committed)
      await rm(join(project, '.hsm', 'state.json'), { force: true });
      const cold = await run(['sync'], { env: { XDG_CACHE_HOME: join(root, 'cold-cache') } });
      expect(cold.code).toBe(1);
      expect(errorCode(cold)).toBe('HSM_DIGEST_MISMATCH');
      expect(snapshot(project)).toEqual(before);
    } finally {
      await db.end();
    }
  });
});
