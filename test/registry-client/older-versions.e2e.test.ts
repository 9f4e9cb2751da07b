/**
 * End-to-end: the built `hsm` against the real registry service (NestJS on 127.0.0.1, real PostgreSQL) when the
 * stack needs versions older than the newest match of every range — backtracking over og-a's versions (3.0.0 asks
 * for an og-b that does not exist) and over og-b's (the newest ^1 conflicts with og-a, the next one is yanked).
 * The remote registry must choose what a folder registry with the same definitions chooses, and a plain stack must
 * still cost one POST /v1/resolve per level of `requires` (SPEC §12).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hsm, snapshot, tempDir } from '../support/hsm-cli.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

let service: TestRegistry;
let root: string;
let env: Record<string, string>;
let token: string;

const def = (name: string, version: string, extra: Record<string, unknown> = {}) => ({
  name,
  version,
  description: `${name} for the older-versions test`,
  services: { [name]: { image: `example/${name}:${version}` } },
  ...extra,
});

const DEFINITIONS = [
  def('og-a', '1.0.0', { requires: ['og-b@^1'] }),
  def('og-a', '2.0.0', { requires: ['og-b@^1'] }),
  def('og-a', '3.0.0', { requires: ['og-b@^3'] }), // no og-b 3.x: the resolver must go back to og-a 2.0.0
  def('og-b', '1.0.0'),
  def('og-b', '1.2.0'), // yanked below: never chosen
  def('og-b', '1.5.0', { conflicts: ['og-a'] }), // the newest ^1, unusable with og-a
  def('og-b', '2.0.0'),
  // a choice below the newest matches: og-x 1.9.0 (newest ^1) conflicts with og-z, and og-x 1.4.0 is held only
  // because og-y 2.0.0 (not chosen: og-q needs og-y ^1) asks for og-x <1.5 — the best og-x is 1.8.0, never fetched
  def('og-q', '1.0.0', { requires: ['og-y@^1'] }),
  def('og-y', '1.0.0', { requires: ['og-x@^1'] }),
  def('og-y', '2.0.0', { requires: ['og-x@<1.5'] }),
  def('og-x', '1.0.0'),
  def('og-x', '1.4.0'),
  def('og-x', '1.8.0'),
  def('og-x', '1.9.0', { conflicts: ['og-z'] }),
  def('og-x', '2.0.0'),
  def('og-z', '1.0.0'),
  // a plain stack: the newest matches resolve it
  def('og-app', '1.0.0', { requires: ['og-db@^1'] }),
  def('og-db', '1.0.0'),
  def('og-db', '1.1.0'),
  def('og-db', '2.0.0'),
];

async function call(method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status !== 200 && res.status !== 201) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

async function project(registry: string): Promise<string> {
  const dir = await tempDir('hsm-older-app-');
  await writeFile(join(dir, 'hsm.yaml'), `version: 1\nname: older-app\nregistries:\n  - name: team\n    ${registry}\ncomponents: {}\n`);
  return dir;
}

const run = (cwd: string, args: string[]) => hsm(args, { cwd, env });
const lines = () => service.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
/** The service logs a request when its response has finished, which can be just after the client has it. */
const settle = () => new Promise((r) => setTimeout(r, 100));
const locked = async (dir: string) => {
  const lock = JSON.parse(await readFile(join(dir, 'hsm.lock'), 'utf8')) as { components: Record<string, { version: string; registry: string }> };
  return Object.entries(lock.components).map(([name, c]) => `${name} ${c.version} ${c.registry}`);
};

beforeAll(async () => {
  service = await startRegistry();
  token = (await service.createToken(['publish'], 'older')).token;
  root = await tempDir('hsm-older-');
  env = { HOME: root, XDG_CACHE_HOME: join(root, 'cache'), XDG_CONFIG_HOME: join(root, 'config') };
  for (const d of DEFINITIONS) {
    await call('PUT', `/v1/components/${d.name}/versions/${d.version}`, d);
    // the same definitions as a folder registry, for comparison (folders cannot yank: 1.2.0 is left out there)
    if (d.name === 'og-b' && d.version === '1.2.0') continue;
    await mkdir(join(root, 'reg', d.name), { recursive: true });
    await writeFile(join(root, 'reg', d.name, `${d.version}.yaml`), JSON.stringify(d));
  }
  await call('POST', '/v1/components/og-b/versions/1.2.0/yank', { reason: 'broken' });
}, 60_000);

afterAll(async () => {
  await service?.close();
});

describe('hsm against a registry service, with stacks that need older versions', () => {
  test('backtracking over both names chooses what a folder registry chooses; yanked stays out; a warm sync asks nothing, --refresh revalidates', async () => {
    const folder = await project(`path: ${join(root, 'reg')}`);
    const local = await run(folder, ['add', 'og-a', 'og-b', '--json']);
    expect(local.code).toBe(0);
    expect(local.json.added.sort()).toEqual(['og-a 2.0.0', 'og-b 1.0.0']);

    const dir = await project(`url: ${service.url}`);
    service.requests.length = 0;
    const add = await run(dir, ['add', 'og-a', 'og-b', '--json']);
    await settle();
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.json.added.sort()).toEqual(['og-a 2.0.0', 'og-b 1.0.0']);
    expect(await locked(dir)).toEqual(['og-a 2.0.0 team', 'og-b 1.0.0 team']);
    expect(await readFile(join(dir, 'docker-compose.hsm.yml'), 'utf8')).toContain('example/og-b:1.0.0');
    // the newest matches first (og-a `*`, og-b `*`, then og-b ^3 asked by og-a 3.0.0); the dead end then asks for
    // the component documents and, in parallel, the non-yanked versions they list that fit the ranges
    expect(lines().sort()).toEqual([
      'GET /v1/components/og-a 200',
      'GET /v1/components/og-a/versions/1.0.0 200',
      'GET /v1/components/og-a/versions/2.0.0 200',
      'GET /v1/components/og-b 200',
      'GET /v1/components/og-b/versions/1.0.0 200',
      'GET /v1/components/og-b/versions/1.5.0 200',
      'POST /v1/resolve 200',
      'POST /v1/resolve 200',
    ]);

    // warm: the locked versions are kept from the cache, nothing is asked; --refresh revalidates them (304)
    service.requests.length = 0;
    const before = snapshot(dir);
    const warm = await run(dir, ['sync', '--json']);
    await settle();
    expect(warm.code).toBe(0);
    expect(warm.json.written).toEqual([]);
    expect(snapshot(dir)).toEqual(before);
    expect(lines()).toEqual([]);
    const refreshed = await run(dir, ['sync', '--refresh', '--json']);
    await settle();
    expect(refreshed.code).toBe(0);
    expect(snapshot(dir)).toEqual(before);
    expect(lines().sort()).toEqual(['GET /v1/components/og-a/versions/2.0.0 304', 'GET /v1/components/og-b/versions/1.0.0 304']);

    // a second project on the same cache: versions are immutable, so cached ones are not downloaded again
    const again = await project(`url: ${service.url}`);
    service.requests.length = 0;
    const second = await run(again, ['add', 'og-a', 'og-b', '--json']);
    await settle();
    expect(second.code).toBe(0);
    expect(await locked(again)).toEqual(['og-a 2.0.0 team', 'og-b 1.0.0 team']);
    expect(lines().sort()).toEqual(['GET /v1/components/og-a 304', 'GET /v1/components/og-b 304', 'POST /v1/resolve 200', 'POST /v1/resolve 200']);
  });

  test('a resolution that settles below the newest matches is completed first, so it is the one a folder registry gives', async () => {
    const folder = await project(`path: ${join(root, 'reg')}`);
    const local = await run(folder, ['add', 'og-q', 'og-x', 'og-z', '--json']);
    expect(local.code).toBe(0);
    expect(local.json.added.sort()).toEqual(['og-q 1.0.0', 'og-x 1.8.0', 'og-y 1.0.0', 'og-z 1.0.0']);

    const dir = await project(`url: ${service.url}`);
    service.requests.length = 0;
    const add = await run(dir, ['add', 'og-q', 'og-x', 'og-z', '--json']);
    await settle();
    expect(add.code).toBe(0);
    expect(add.json.added.sort()).toEqual(['og-q 1.0.0', 'og-x 1.8.0', 'og-y 1.0.0', 'og-z 1.0.0']);
    // the newest matches first (three levels), then only og-x is completed
    expect(lines().sort()).toEqual([
      'GET /v1/components/og-x 200',
      'GET /v1/components/og-x/versions/1.0.0 200',
      'GET /v1/components/og-x/versions/1.8.0 200',
      'POST /v1/resolve 200',
      'POST /v1/resolve 200',
      'POST /v1/resolve 200',
    ]);
  });

  test('a plain stack costs one POST /v1/resolve per level of requires, as before; a warm sync asks nothing, --refresh revalidates', async () => {
    const dir = await project(`url: ${service.url}`);
    service.requests.length = 0;
    const add = await run(dir, ['add', 'og-app', '--json']);
    await settle();
    expect(add.code).toBe(0);
    // og-db 1.1.0 is not the newest og-db, but the newest ^1: no older version can be better, nothing more is asked
    expect(add.json.added.sort()).toEqual(['og-app 1.0.0', 'og-db 1.1.0']);
    expect(lines()).toEqual(['POST /v1/resolve 200', 'POST /v1/resolve 200']);

    service.requests.length = 0;
    const warm = await run(dir, ['sync', '--json']);
    await settle();
    expect(warm.code).toBe(0);
    expect(warm.json.written).toEqual([]);
    expect(lines()).toEqual([]);
    const refreshed = await run(dir, ['sync', '--refresh', '--json']);
    await settle();
    expect(refreshed.code).toBe(0);
    expect(lines().sort()).toEqual(['GET /v1/components/og-app/versions/1.0.0 304', 'GET /v1/components/og-db/versions/1.1.0 304']);
  });
});
