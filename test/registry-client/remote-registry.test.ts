/**
 * Medium tier: the remote registry client (libs/host/src/remote) against the real service on a real PostgreSQL,
 * and — for failures the real service cannot be made to produce (refused, silent, 5xx, 429, malformed or oversized
 * bodies) — against a misbehaving HTTP server on 127.0.0.1, a test double named as such.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestOf, resolve, type HsmError, type Manifest, type Lockfile, type RegistrySnapshot } from '@hsm/core';
import { RemoteRegistry, RegistryHttp, resolveWithRegistries, storeToken, tokenFor, cacheFolderName, cacheSize, cleanCache } from '@hsm/host';
import { ADMIN_TOKEN, startRegistry, type TestRegistry } from '../support/registry.js';
import { tempDir } from '../support/files.js';

let service: TestRegistry;
let cacheRoot: string;

const def = (name: string, version: string, extra: Record<string, unknown> = {}) => ({
  name,
  version,
  description: `${name} for client tests`,
  services: { [name]: { image: `example/${name}:${version}` } },
  ...extra,
});

async function put(d: ReturnType<typeof def>): Promise<void> {
  const res = await fetch(`${service.url}/v1/components/${d.name}/versions/${d.version}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(d),
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`publish failed: ${res.status} ${await res.text()}`);
}

/** The service logs a request when its response has finished, which can be just after the client has it. */
const settle = () => new Promise((r) => setTimeout(r, 100));

const remote = (extra: Partial<ConstructorParameters<typeof RemoteRegistry>[0]> = {}) => new RemoteRegistry({ name: 'team', url: service.url, cacheRoot, ...extra });

const manifestWith = (components: Record<string, { version?: string; registry?: string }>, registries: Manifest['registries'] = [{ name: 'team', url: 'http://x' }]): Manifest =>
  ({ version: 1, name: 'client-test', registries, components }) as Manifest;

beforeAll(async () => {
  service = await startRegistry();
  cacheRoot = await tempDir('hsm-client-cache-');
  for (const d of [def('rc-a', '1.0.0', { requires: ['rc-b@^1'] }), def('rc-a', '2.0.0', { requires: ['rc-b@^2'] }), def('rc-b', '1.0.0'), def('rc-b', '1.5.0'), def('rc-b', '2.0.0'), def('rc-c', '1.0.0')]) await put(d);
}, 60_000);

afterAll(async () => {
  await service?.close();
});

describe('fetch against the real service', () => {
  test('one POST /v1/resolve per round; ranges from hsm.yaml and requires are asked; absent names become []', async () => {
    const r = remote({ cacheRoot: await tempDir('hsm-c-'), manifest: manifestWith({ 'rc-a': { version: '^1' }, 'rc-none': {} }) });
    service.requests.length = 0;
    await r.fetch(['rc-a', 'rc-none']);
    await settle();
    expect(service.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['POST /v1/resolve']);
    expect(r.snapshot.components.get('rc-a')!.map((e) => e.version)).toEqual(['2.0.0', '1.0.0']); // `*` and ^1
    expect(r.snapshot.components.get('rc-none')).toEqual([]);
    await r.fetch(['rc-b']);
    await settle();
    // rc-b: `*` plus the ^1 and ^2 that rc-a's versions require
    expect(r.snapshot.components.get('rc-b')!.map((e) => e.version)).toEqual(['2.0.0', '1.5.0']);
    expect(service.requests.length).toBe(2);
    for (const e of r.snapshot.components.get('rc-b')!) expect(e.digest).toBe(digestOf(e.definition));
  });

  test('the resolver loop takes names from the service first; a name pinned to a later registry never needs the service', async () => {
    const folder: RegistrySnapshot = {
      name: 'later',
      kind: 'folder',
      complete: true,
      components: new Map([['rc-b', [{ name: 'rc-b', version: '9.0.0', digest: digestOf(def('rc-b', '9.0.0')), yanked: false, definition: def('rc-b', '9.0.0') }]]]),
      interfaces: new Map(),
    };
    const manifest = manifestWith({ 'rc-a': { version: '^1' } }, [
      { name: 'team', url: service.url },
      { name: 'later', path: './later' },
    ]);
    const r = remote({ manifest });
    let outcome;
    for (let i = 0; i < 5; i++) {
      outcome = resolve({ manifest, overlay: {}, registries: [r.snapshot, folder] });
      if (outcome.kind === 'resolved') break;
      await r.fetch(outcome.names);
    }
    expect(outcome!.kind).toBe('resolved');
    const chosen = outcome!.kind === 'resolved' ? outcome!.resolution.components.map((c) => `${c.name} ${c.version} ${c.registry}`) : [];
    expect(chosen).toEqual(['rc-a 1.0.0 team', 'rc-b 1.5.0 team']);

    // pinned to the later registry: the service is never asked for it
    const pinned = manifestWith({ 'rc-b': { registry: 'later' } }, manifest.registries);
    const r2 = remote({ manifest: pinned });
    const out2 = resolve({ manifest: pinned, overlay: {}, registries: [r2.snapshot, folder] });
    expect(out2.kind).toBe('resolved');
  });

  test('warm: a locked version in the cache costs no request; --refresh revalidates it (304); both check hsm.lock', async () => {
    const root = await tempDir('hsm-c-');
    const manifest = manifestWith({ 'rc-b': {} });
    const cold = remote({ cacheRoot: root, manifest });
    await cold.fetch(['rc-b']);
    const b15 = cold.snapshot.components.get('rc-b')!.find((e) => e.version === '2.0.0')!;
    const lock: Lockfile = { version: 1, components: { 'rc-b': { version: '2.0.0', registry: 'team', digest: b15.digest } } };
    service.requests.length = 0;
    const warm = remote({ cacheRoot: root, manifest, lock });
    await warm.fetch(['rc-b']);
    await settle();
    expect(service.requests).toEqual([]);
    expect(warm.snapshot.components.get('rc-b')!.map((e) => e.version)).toEqual(['2.0.0']);
    const refreshed = remote({ cacheRoot: root, manifest, lock, refresh: true });
    await refreshed.fetch(['rc-b']);
    await settle();
    expect(service.requests.map((q) => `${q.method} ${q.path} ${q.status}`)).toEqual(['GET /v1/components/rc-b/versions/2.0.0 304']);

    const wrong: Lockfile = { version: 1, components: { 'rc-b': { version: '2.0.0', registry: 'team', digest: `sha256:${'0'.repeat(64)}` } } };
    await expect(remote({ cacheRoot: root, manifest, lock: wrong }).fetch(['rc-b'])).rejects.toMatchObject({ code: 'HSM_DIGEST_MISMATCH' });
    await expect(remote({ cacheRoot: await tempDir('hsm-c-'), manifest, lock: wrong }).fetch(['rc-b'])).rejects.toMatchObject({ code: 'HSM_DIGEST_MISMATCH' });
    // --upgrade-component accepts the change
    await remote({ cacheRoot: root, manifest, lock: wrong, upgrade: ['rc-b'] }).fetch(['rc-b']);
  });

  test('a fully locked stack costs one round trip whatever its depth; a stale lock entry the stack no longer needs is ignored', async () => {
    const root = await tempDir('hsm-c-');
    const manifest = manifestWith({ 'rc-a': { version: '^1' } });
    let lock: Lockfile | null = null;
    const loop = async (r: RemoteRegistry) => {
      let rounds = 0;
      for (;;) {
        const out = resolve({ manifest, overlay: {}, registries: [r.snapshot], lock });
        if (out.kind === 'resolved') return { rounds, chosen: out.resolution.components.map((c) => `${c.name} ${c.version}`) };
        rounds++;
        await r.fetch(out.names);
      }
    };
    const cold = await loop(remote({ cacheRoot: root, manifest }));
    expect(cold).toEqual({ rounds: 2, chosen: ['rc-a 1.0.0', 'rc-b 1.5.0'] });
    const digest = (n: string, v: string) => digestOf(def(n, v, n === 'rc-a' ? { requires: ['rc-b@^1'] } : {}));
    lock = { version: 1, components: { 'rc-a': { version: '1.0.0', registry: 'team', digest: digest('rc-a', '1.0.0') }, 'rc-b': { version: '1.5.0', registry: 'team', digest: digest('rc-b', '1.5.0') } } };
    service.requests.length = 0;
    const warm = await loop(remote({ cacheRoot: root, manifest, lock }));
    await settle();
    expect(warm).toEqual({ rounds: 1, chosen: ['rc-a 1.0.0', 'rc-b 1.5.0'] });
    expect(service.requests).toEqual([]); // every locked version is in the cache
    // a cold cache: every locked version in the first round, in parallel, whatever the depth of `requires`
    const coldLocked = await loop(remote({ cacheRoot: await tempDir('hsm-c-'), manifest, lock }));
    await settle();
    expect(coldLocked).toEqual({ rounds: 1, chosen: ['rc-a 1.0.0', 'rc-b 1.5.0'] });
    expect(service.requests.map((q) => `${q.method} ${q.path} ${q.status}`).sort()).toEqual(['GET /v1/components/rc-a/versions/1.0.0 200', 'GET /v1/components/rc-b/versions/1.5.0 200']);
    service.requests.length = 0;
    expect(await loop(remote({ cacheRoot: root, manifest, lock, refresh: true }))).toEqual({ rounds: 1, chosen: ['rc-a 1.0.0', 'rc-b 1.5.0'] });
    await settle();
    expect(service.requests.map((q) => `${q.method} ${q.path} ${q.status}`).sort()).toEqual(['GET /v1/components/rc-a/versions/1.0.0 304', 'GET /v1/components/rc-b/versions/1.5.0 304']);
    // hsm.lock still names rc-c (just removed from the stack) with bytes the service no longer serves: removing a
    // tampered component must not be blocked by it; a name the stack needs is checked (see the warm test)
    lock = { version: 1, components: { ...lock.components, 'rc-c': { version: '1.0.0', registry: 'team', digest: `sha256:${'1'.repeat(64)}` } } };
    expect(await loop(remote({ cacheRoot: root, manifest, lock }))).toEqual({ rounds: 1, chosen: ['rc-a 1.0.0', 'rc-b 1.5.0'] });
  });

  test('the cache: verified on read (a corrupted file is fetched again), safe with concurrent writers, offline reads it', async () => {
    const root = await tempDir('hsm-c-');
    const manifest = manifestWith({ 'rc-a': {}, 'rc-b': {} });
    await Promise.all(Array.from({ length: 8 }, () => remote({ cacheRoot: root, manifest }).fetch(['rc-a', 'rc-b'])));
    const dir = join(root, cacheFolderName(service.url), 'versions', 'rc-b');
    expect((await readdir(dir)).sort()).toEqual(['2.0.0.json']);
    await writeFile(join(dir, '2.0.0.json'), (await readFile(join(dir, '2.0.0.json'), 'utf8')).replace('client tests', 'tampered!'));
    const lock: Lockfile = { version: 1, components: { 'rc-b': { version: '2.0.0', registry: 'team', digest: digestOf(def('rc-b', '2.0.0')) } } };
    const offline = remote({ cacheRoot: root, manifest, lock, offline: true });
    await expect(offline.fetch(['rc-b'])).rejects.toMatchObject({ code: 'HSM_OFFLINE_MISSING' });
    const online = remote({ cacheRoot: root, manifest, lock });
    await online.fetch(['rc-b']);
    expect(online.snapshot.components.get('rc-b')!.map((e) => e.version)).toEqual(['2.0.0']);
    const again = remote({ cacheRoot: root, manifest, lock, offline: true });
    await again.fetch(['rc-b', 'rc-a']); // unlocked rc-a: every cached version
    expect(again.snapshot.components.get('rc-a')!.map((e) => e.version)).toEqual(['2.0.0']);
    await expect(remote({ cacheRoot: root, manifest, offline: true }).fetch(['rc-zzz'])).rejects.toThrow(/rc-zzz/);
  });

  test('a component whose every version is yanked is reported as yanked, not as "not in any registry"', async () => {
    await put(def('rc-all-yanked', '1.0.0'));
    const yank = await fetch(`${service.url}/v1/components/rc-all-yanked/versions/1.0.0/yank`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(yank.status).toBe(200);
    const manifest = manifestWith({ 'rc-all-yanked': {} });
    const r = remote({ cacheRoot: await tempDir('hsm-c-'), manifest });
    const e = (await resolveWithRegistries([{ snapshot: r.snapshot, fetch: (names) => r.fetch(names), remote: r }], { manifest, overlay: {} }).catch((x: unknown) => x)) as HsmError;
    expect({ code: e.code, said: [e.message, ...e.details].join('\n') }).toEqual({ code: 'HSM_UNSATISFIABLE', said: expect.stringContaining('rc-all-yanked 1.0.0: yanked') });
  });

  test("outdated: wanted, latest and the locked version's yanked flag, for every component in one request", async () => {
    await put(def('rc-y', '1.0.0'));
    await put(def('rc-y', '1.1.0'));
    await put(def('rc-y', '2.0.0'));
    const yank = await fetch(`${service.url}/v1/components/rc-y/versions/1.1.0/yank`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(yank.status).toBe(200);
    service.requests.length = 0;
    const report = await remote().outdated([
      { name: 'rc-y', range: '^1', locked: '1.1.0' },
      { name: 'rc-b', range: '*', locked: '2.0.0' },
      { name: 'rc-gone', range: '*' },
    ]);
    await settle();
    expect(service.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['POST /v1/resolve']);
    expect(report).toEqual([
      { name: 'rc-y', range: '^1', locked: '1.1.0', wanted: '1.0.0', latest: '2.0.0', yanked: true, missing: false },
      { name: 'rc-b', range: '*', locked: '2.0.0', wanted: '2.0.0', latest: '2.0.0', yanked: false, missing: false },
      { name: 'rc-gone', range: '*', locked: null, wanted: null, latest: null, yanked: null, missing: true },
    ]);
  });

  test('cache clean empties the cache and says what it freed; the next fetch fills it again', async () => {
    const root = await tempDir('hsm-c-');
    await remote({ cacheRoot: root, manifest: manifestWith({ 'rc-b': {} }) }).fetch(['rc-b']);
    const size = await cacheSize(root);
    expect(size.files).toBeGreaterThan(0);
    expect(await cleanCache(root)).toEqual(size);
    expect(await cacheSize(root)).toEqual({ files: 0, bytes: 0 });
    expect(await readdir(join(root, '..'))).not.toContain(expect.stringMatching(/cleaning/));
    expect(await cleanCache(root)).toEqual({ files: 0, bytes: 0 });
    await remote({ cacheRoot: root, manifest: manifestWith({ 'rc-b': {} }) }).fetch(['rc-b']);
    expect(await cacheSize(root)).toEqual(size);
  });

  test('tokens: HSM_TOKEN_<NAME> first, then hsm login (0600); a publish token publishes, a read token is refused', async () => {
    const config = await tempDir('hsm-cfg-');
    const publishToken = (await service.createToken(['publish'], 'rc-team')).token;
    const file = await storeToken(`${service.url}/`, publishToken, config);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await tokenFor({ name: 'my-team', url: service.url }, {}, config)).toBe(publishToken);
    expect(await tokenFor({ name: 'my-team', url: service.url }, { HSM_TOKEN_MY_TEAM: 'from-env' }, config)).toBe('from-env');

    const out = await remote({ token: publishToken }).publish(def('rc-pub', '1.0.0'));
    expect(out).toMatchObject({ created: true, digest: digestOf(def('rc-pub', '1.0.0')) });
    const readOnly = (await service.createToken(['read'], 'rc-team')).token;
    const refused = await remote({ token: readOnly })
      .publish(def('rc-pub', '1.0.1'))
      .catch((e: Error & { code: string }) => e);
    expect((refused as { code: string }).code).toBe('HSM_FORBIDDEN');
    expect(String((refused as Error).message)).not.toContain(readOnly);
  });
});

describe('network failures (misbehaving registry: a test double on 127.0.0.1)', () => {
  let server: Server;
  let url: string;
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, s) => s.end();
  let hits = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const http = (extra: Partial<ConstructorParameters<typeof RegistryHttp>[0]> = {}) =>
    new RegistryHttp({ name: 'flaky', url, token: 'hsm_secret_token_abcdefghijkl', timeoutMs: 400, backoffMs: 10, maxBytes: 4096, ...extra });
  const get = { method: 'GET' as const, path: '/v1/components/x', idempotent: true };
  const failure = async (p: Promise<unknown>) => {
    const e = (await p.then(
      () => undefined,
      (x: unknown) => x,
    )) as { code: string; message: string; hint?: string } | undefined;
    expect(e).toBeDefined();
    expect(e!.message).not.toContain('hsm_secret_token');
    return e!;
  };

  test('refused: HSM_NETWORK naming the registry and URL', async () => {
    const e = await failure(new RegistryHttp({ name: 'gone', url: 'http://127.0.0.1:9', backoffMs: 1 }).json(get));
    expect(e.code).toBe('HSM_NETWORK');
    expect(e.message).toBe('registry gone (http://127.0.0.1:9/v1/components/x): connection refused');
  });

  test('no answer: a timeout, retried, then HSM_NETWORK', async () => {
    hits = 0;
    handler = () => undefined; // never answers
    const e = await failure(http({ attempts: 2 }).json(get));
    expect(e.code).toBe('HSM_NETWORK');
    expect(e.message).toMatch(/no answer within 400 ms/);
    expect(hits).toBe(2);
  });

  test('5xx is retried with backoff for idempotent requests only', async () => {
    hits = 0;
    handler = (_q, s) => {
      if (hits < 3) s.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"HSM_DATABASE_UNAVAILABLE","message":"db down"}}');
      else s.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    };
    expect((await http().json(get)).json).toEqual({ ok: true });
    expect(hits).toBe(3);
    hits = 0;
    const e = await failure(http().json({ ...get, method: 'POST', idempotent: false }));
    expect(e.code).toBe('HSM_REGISTRY_ERROR');
    expect(e.message).toContain('HTTP 503: HSM_DATABASE_UNAVAILABLE: db down');
    expect(hits).toBe(1);
  });

  test('429 honours Retry-After, then gives up with HSM_RATE_LIMITED', async () => {
    hits = 0;
    handler = (_q, s) => s.writeHead(429, { 'retry-after': '0' }).end();
    const e = await failure(http({ attempts: 3 }).json(get));
    expect(e.code).toBe('HSM_RATE_LIMITED');
    expect(hits).toBe(3);
  });

  test('malformed JSON and oversized bodies are errors naming the registry, not retried', async () => {
    hits = 0;
    handler = (_q, s) => s.writeHead(200, { 'content-type': 'application/json' }).end('{"components": [');
    const bad = await failure(http().json(get));
    expect(bad.code).toBe('HSM_REGISTRY_ERROR');
    expect(bad.message).toContain(`registry flaky (${url}/v1/components/x) answered with malformed JSON`);
    expect(hits).toBe(1);

    handler = (_q, s) => s.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pad: 'x'.repeat(10_000) }));
    expect((await failure(http().json(get))).message).toMatch(/larger than 4096 bytes/);
    handler = (_q, s) => {
      s.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 10; i++) s.write('x'.repeat(1000));
      s.end();
    };
    expect((await failure(http().json(get))).message).toMatch(/larger than 4096 bytes/);
  });

  test('a resolve answer that is not what was asked for is refused before anything is kept', async () => {
    handler = (_q, s) =>
      s
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ components: [{ name: 'x', range: '*', version: '1.0.0', digest: `sha256:${'0'.repeat(64)}`, published_at: '2026-01-01T00:00:00.000Z', definition: def('x', '1.0.0') }] }));
    const root = await tempDir('hsm-c-');
    const r = new RemoteRegistry({ name: 'flaky', url, cacheRoot: root, http: { backoffMs: 1 } });
    const e = await failure(r.fetch(['x']));
    expect(e.code).toBe('HSM_DIGEST_MISMATCH');
    expect(r.snapshot.components.has('x')).toBe(false);
    await expect(readdir(join(root, cacheFolderName(url)))).rejects.toThrow();
    // a server echoing the token in its error message does not make us print it
    handler = (q, s) => s.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'HSM_REQUEST_INVALID', message: `bad ${q.headers.authorization}` } }));
    const echoed = await failure(http().json(get));
    expect(echoed.message).toContain('[redacted]');
  });

  test("a 4xx code this build does not know is HSM_REGISTRY_ERROR, the server's code kept in details; a known one passes through", async () => {
    handler = (_q, s) => s.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'HSM_FROM_THE_FUTURE', message: 'newer rule' } }));
    const unknown = (await failure(http().json(get))) as HsmError;
    expect(unknown.code).toBe('HSM_REGISTRY_ERROR');
    expect(unknown.details).toEqual(["the registry's error code: HSM_FROM_THE_FUTURE"]);
    expect(unknown.exitCode).toBe(1);
    handler = (_q, s) => s.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'HSM_NOT_A_SCOPE', message: 'no' } }));
    const auth = (await failure(http().json(get))) as HsmError;
    expect([auth.code, auth.details]).toEqual(['HSM_AUTH', ["the registry's error code: HSM_NOT_A_SCOPE"]]);
    handler = (_q, s) => s.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'HSM_VERSION_EXISTS', message: 'taken' } }));
    const known = (await failure(http().json(get))) as HsmError;
    expect([known.code, known.details]).toEqual(['HSM_VERSION_EXISTS', []]);
  });
});
