/** Every endpoint of SPEC §9 against the real service on a real PostgreSQL. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { digestOf, ErrorCodes } from '@hsm/core';
import { definition, startRegistry, type TestRegistry } from '../../../test/support/registry.js';
import { ComponentService } from '../src/components/component.service.js';

let reg: TestRegistry;
let publisher: string;
let publisherId: string;
let reader: string;

beforeAll(async () => {
  reg = await startRegistry();
  ({ token: publisher, id: publisherId } = await reg.createToken(['publish'], 'platform'));
  ({ token: reader } = await reg.createToken(['read']));
});
afterAll(async () => {
  await reg?.close();
});

const put = (name: string, version: string, body: unknown, token = publisher) => reg.request('PUT', `/v1/components/${name}/versions/${version}`, { token, body });

describe('publish', () => {
  test('new version → 201 with its digest; same bytes again → 200; different bytes → 409', async () => {
    const def = definition('redis', '7.2.0', { provides: ['cache', 'kv'] });
    const first = await put('redis', '7.2.0', def);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ name: 'redis', version: '7.2.0', digest: digestOf(def) });
    const again = await put('redis', '7.2.0', { ...def });
    expect(again.status).toBe(200);
    expect(again.json.digest).toBe(digestOf(def));
    expect(again.json.published_at).toBe(first.json.published_at);
    const changed = await put('redis', '7.2.0', { ...def, description: 'changed' });
    expect(changed.status).toBe(409);
    expect(changed.json.error.code).toBe(ErrorCodes.VERSION_EXISTS);
  });

  test('invalid definitions → 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ ...definition('bad-one', '1.0.0'), services: { x: { image: 5 } } }, 'services.x.image'],
      [{ ...definition('bad-one', '1.0.0'), unknownKey: 1 }, 'unknownKey'],
      [{ name: 'bad-one', version: '1.0.0' }, 'python'],
      [{ ...definition('bad-one', '1.0.0'), name: 'other' }, 'name'],
      [{ ...definition('bad-one', '1.0.0'), version: '1.0.1' }, 'version'],
    ];
    for (const [body, field] of cases) {
      const r = await put('bad-one', '1.0.0', body);
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe(ErrorCodes.DEFINITION_INVALID);
      expect(r.json.error.message).toContain(field);
    }
    expect((await put('Bad_One', '1.0.0', definition('bad-one', '1.0.0'))).status).toBe(400);
    expect((await put('bad-one', '1.0', definition('bad-one', '1.0.0'))).status).toBe(400);
    expect((await reg.request('PUT', '/v1/components/bad-one/versions/1.0.0', { token: publisher, raw: '{"name":', headers: { 'content-type': 'application/json' } })).json.error.code).toBe(ErrorCodes.REQUEST_INVALID);
    expect((await reg.request('PUT', '/v1/components/bad-one/versions/1.0.0', { token: publisher })).status).toBe(400);
    expect((await reg.request('GET', '/v1/components/bad-one')).status).toBe(404);
  });

  test('a body over the limit → 413', async () => {
    const big = definition('big', '1.0.0', { description: 'x'.repeat(100), env: { BIG: 'y'.repeat(4000) } });
    const huge = { ...big, services: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`s${i}`, { image: 'example/big:1.0.0' }])) };
    const r = await put('big', '1.0.0', huge);
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe(ErrorCodes.BODY_TOO_LARGE);
  });

  test('a name that differs from an existing one only by case or punctuation is refused', async () => {
    expect((await put('qdrant-adapter', '1.0.0', definition('qdrant-adapter', '1.0.0'))).status).toBe(201);
    // both are outside the name grammar, so the shared schema already refuses them; the database would too
    for (const n of ['Qdrant-Adapter', 'qdrant_adapter']) {
      const r = await put(n, '1.0.1', definition(n, '1.0.1'));
      expect(r.status).toBe(400);
    }
    // reads accept any spelling that normalises to the name
    const r = await reg.request('GET', '/v1/components/Qdrant_Adapter');
    expect(r.status).toBe(200);
    expect(r.json.name).toBe('qdrant-adapter');
  });
});

describe('documents', () => {
  test('GET version: definition and digest, immutable caching, ETag/304', async () => {
    const def = definition('postgres', '16.1.0', { env: { PGHOST: 'localhost' } });
    expect((await put('postgres', '16.1.0', def)).status).toBe(201);
    const r = await reg.request('GET', '/v1/components/postgres/versions/16.1.0');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toContain('immutable');
    expect(r.json).toMatchObject({ name: 'postgres', version: '16.1.0', digest: digestOf(def) });
    expect(r.json.definition).toEqual(def);
    expect(digestOf(r.json.definition)).toBe(r.json.digest);
    const etag = r.headers.get('etag')!;
    const cached = await reg.request('GET', '/v1/components/postgres/versions/16.1.0', { headers: { 'if-none-match': etag } });
    expect(cached.status).toBe(304);
    expect((await reg.request('GET', '/v1/components/postgres/versions/9.9.9')).json.error.code).toBe(ErrorCodes.VERSION_NOT_FOUND);
    expect((await reg.request('GET', '/v1/components/nothing/versions/1.0.0')).json.error.code).toBe(ErrorCodes.COMPONENT_NOT_FOUND);
  });

  test('GET component: versions newest first, ETag changes on publish and yank, 304 while unchanged', async () => {
    await put('kafka', '3.5.0', definition('kafka', '3.5.0'));
    await put('kafka', '3.10.0', definition('kafka', '3.10.0', { description: 'newest' }));
    const r = await reg.request('GET', '/v1/components/kafka');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ name: 'kafka', team: 'platform', description: 'newest' });
    expect(r.json.versions.map((v: any) => v.version)).toEqual(['3.10.0', '3.5.0']);
    expect(r.json.versions[0]).toEqual({ version: '3.10.0', digest: digestOf(definition('kafka', '3.10.0', { description: 'newest' })), yanked: false, published_at: expect.any(String), capabilities: [] });
    const etag = r.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    expect((await reg.request('GET', '/v1/components/kafka', { headers: { 'if-none-match': etag } })).status).toBe(304);

    await put('kafka', '3.6.0', definition('kafka', '3.6.0'));
    const afterPublish = await reg.request('GET', '/v1/components/kafka', { headers: { 'if-none-match': etag } });
    expect(afterPublish.status).toBe(200);
    expect(afterPublish.json.versions).toHaveLength(3);
    const etag2 = afterPublish.headers.get('etag')!;
    expect(etag2).not.toBe(etag);

    const y = await reg.request('POST', '/v1/components/kafka/versions/3.10.0/yank', { token: publisher, body: { reason: 'broken build' } });
    expect(y.status).toBe(200);
    expect(y.json).toEqual({ name: 'kafka', version: '3.10.0', yanked: true, yank_reason: 'broken build' });
    const afterYank = await reg.request('GET', '/v1/components/kafka', { headers: { 'if-none-match': etag2 } });
    expect(afterYank.status).toBe(200);
    expect(afterYank.json.versions[0]).toMatchObject({ version: '3.10.0', yanked: true, yank_reason: 'broken build' });
    expect(afterYank.json.description).toBe('kafka for tests'); // search fields follow the newest non-yanked version

    const u = await reg.request('POST', '/v1/components/kafka/versions/3.10.0/unyank', { token: publisher });
    expect(u.status).toBe(200);
    expect(u.json.yanked).toBe(false);
    expect((await reg.request('GET', '/v1/components/kafka')).json.versions[0].yanked).toBe(false);
    expect((await reg.request('POST', '/v1/components/kafka/versions/9.0.0/yank', { token: publisher })).json.error.code).toBe(ErrorCodes.VERSION_NOT_FOUND);
    expect((await reg.request('POST', '/v1/components/nope/versions/9.0.0/yank', { token: publisher })).json.error.code).toBe(ErrorCodes.COMPONENT_NOT_FOUND);
  });
});

describe('capabilities (issue 16)', () => {
  test('a definition that reaches into the host is published, and the component document says what it needs', async () => {
    const body = definition('cadvisor', '0.49.1', {
      services: { cadvisor: { image: 'gcr.io/cadvisor/cadvisor:v0.49.1', privileged: true, volumes: ['/var/run/docker.sock:/var/run/docker.sock:ro', '/sys:/sys:ro'] } },
    });
    expect((await put('cadvisor', '0.49.1', body)).status).toBe(201);
    const r = await reg.request('GET', '/v1/components/cadvisor');
    expect(r.json.versions[0].capabilities).toEqual(['privileged', 'host-mounts', 'docker-socket']);
  });
});

describe('read hot path', () => {
  const headersOf = (h: Headers) => {
    const out: Record<string, string> = {};
    h.forEach((v, k) => {
      if (k !== 'date' && k !== 'keep-alive' && k !== 'connection') out[k] = v;
    });
    return out;
  };

  test('a cached document is answered with the same status, headers and body as the controller gave', async () => {
    await put('hot', '1.0.0', definition('hot', '1.0.0'));
    for (const path of ['/v1/components/hot/versions/1.0.0', '/v1/components/hot']) {
      const cold = await reg.request('GET', path); // cache miss: Nest controller
      const hot = await reg.request('GET', path); // served before Express
      expect(hot.status).toBe(200);
      expect(hot.text).toBe(cold.text);
      expect(headersOf(hot.headers)).toEqual(headersOf(cold.headers));
      const etag = cold.headers.get('etag')!;
      const cond = await reg.request('GET', path, { headers: { 'if-none-match': etag } });
      const condViaNest = await reg.request('GET', path, { token: reader, headers: { 'if-none-match': etag } });
      expect(cond.status).toBe(304);
      expect(condViaNest.status).toBe(304);
      expect(headersOf(cond.headers)).toEqual(headersOf(condViaNest.headers));
    }
  });

  test('POST /v1/resolve: answered before Express when anonymous, byte for byte as the controller answers; bad input still gets its 400', async () => {
    await put('hot', '1.1.0', definition('hot', '1.1.0'));
    const body = { components: [{ name: 'hot', range: '^1' }, { name: 'not-there' }, { name: 'hot', range: '>=9' }, { name: 'hot', range: '1.0.0', include_yanked: true }] };
    const hot = await reg.request('POST', '/v1/resolve', { body });
    const viaNest = await reg.request('POST', '/v1/resolve', { body, token: reader });
    expect(hot.status).toBe(200);
    expect(hot.text).toBe(viaNest.text);
    expect(headersOf(hot.headers)).toEqual(headersOf(viaNest.headers));
    expect(hot.json.components.map((c: any) => c.version ?? c.error.code)).toEqual(['1.1.0', ErrorCodes.COMPONENT_NOT_FOUND, ErrorCodes.UNSATISFIABLE, '1.0.0']);
    // the same bytes again: the remembered answer, the same bytes and headers
    const again = await reg.request('POST', '/v1/resolve', { body });
    expect(again.text).toBe(hot.text);
    expect(headersOf(again.headers)).toEqual(headersOf(hot.headers));
    const bad = await reg.request('POST', '/v1/resolve', { raw: '{"components": [', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^body is not valid JSON/);
    const invalid = await reg.request('POST', '/v1/resolve', { body: { components: [{ name: 'hot', range: 'not a range!' }] } });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error).toEqual((await reg.request('POST', '/v1/resolve', { body: { components: [{ name: 'hot', range: 'not a range!' }] }, token: reader })).json.error);
    expect((await reg.request('POST', '/v1/resolve', { raw: JSON.stringify(body), headers: { 'content-type': 'text/plain' } })).status).toBe(415);
  });

  test('search: answered before Express when anonymous, byte for byte as the controller answers; bad queries still get their 400', async () => {
    await put('hot-search', '1.0.0', definition('hot-search', '1.0.0', { provides: ['hot-store'], description: 'Hot "quoted" search\\ü' }));
    for (const qs of ['q=hot', 'q=HOT&limit=1', 'provides=hot-store', 'q=hot&cursor=hot', 'q=quoted+search', 'q=%22QUOTED%22', '', 'limit=2']) {
      const hot = await reg.request('GET', `/v1/components?${qs}`);
      const viaNest = await reg.request('GET', `/v1/components?${qs}`, { token: reader });
      expect(hot.status).toBe(200);
      expect(hot.text).toBe(viaNest.text);
      expect(headersOf(hot.headers)).toEqual(headersOf(viaNest.headers));
    }
    for (const qs of ['limit=0', 'q=a&q=b', 'cursor=Not_A_Name', 'unknown=1', 'q[x]=1']) {
      const hot = await reg.request('GET', `/v1/components?${qs}`);
      const viaNest = await reg.request('GET', `/v1/components?${qs}`, { token: reader });
      expect(hot.status).toBe(400);
      expect(hot.text).toBe(viaNest.text);
    }
  });
});

describe('search', () => {
  beforeAll(async () => {
    for (const n of ['search-a', 'search-b', 'search-c', 'search-d', 'search-e']) {
      await put(n, '1.0.0', definition(n, '1.0.0', { provides: n === 'search-c' ? ['vector-store'] : ['other'], description: `Searchable ${n}` }));
    }
  });

  test('by text, by provides, with cursor pagination', async () => {
    const byText = await reg.request('GET', '/v1/components?q=SEARCHABLE');
    expect(byText.status).toBe(200);
    expect(byText.json.components.map((c: any) => c.name)).toEqual(['search-a', 'search-b', 'search-c', 'search-d', 'search-e']);
    const byProvides = await reg.request('GET', '/v1/components?provides=vector-store');
    expect(byProvides.json.components).toEqual([{ name: 'search-c', description: 'Searchable search-c', provides: ['vector-store'], options: {}, team: 'platform' }]);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: any = await reg.request('GET', `/v1/components?q=search-&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.json.components.length).toBeLessThanOrEqual(2);
      seen.push(...r.json.components.map((c: any) => c.name));
      cursor = r.json.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['search-a', 'search-b', 'search-c', 'search-d', 'search-e']);
    expect(pages).toBe(3);

    expect((await reg.request('GET', '/v1/components?limit=0')).json.error.code).toBe(ErrorCodes.REQUEST_INVALID);
    expect((await reg.request('GET', '/v1/components?cursor=%%%')).status).toBe(400);
    expect((await reg.request('GET', '/v1/components?bogus=1')).status).toBe(400);
  });
});

describe('resolve', () => {
  test('newest non-yanked match for each {name, range} in one response, in request order', async () => {
    for (const v of ['1.0.0', '1.1.0', '1.2.0', '2.0.0']) await put('resolver-x', v, definition('resolver-x', v));
    await reg.request('POST', '/v1/components/resolver-x/versions/1.2.0/yank', { token: publisher });
    await put('resolver-y', '0.1.0', definition('resolver-y', '0.1.0'));
    const r = await reg.request('POST', '/v1/resolve', {
      body: {
        components: [{ name: 'resolver-x', range: '^1' }, { name: 'resolver-y' }, { name: 'resolver-x', range: '>=3' }, { name: 'missing-one', range: '*' }, { name: 'resolver-x', range: '*' }],
      },
    });
    expect(r.status).toBe(200);
    const out = r.json.components;
    expect(out).toHaveLength(5);
    expect(out[0]).toMatchObject({ name: 'resolver-x', range: '^1', version: '1.1.0', digest: digestOf(definition('resolver-x', '1.1.0')) });
    expect(out[0].definition).toEqual(definition('resolver-x', '1.1.0'));
    expect(out[1]).toMatchObject({ name: 'resolver-y', range: '*', version: '0.1.0' });
    expect(out[2]).toMatchObject({ name: 'resolver-x', range: '>=3', error: { code: ErrorCodes.UNSATISFIABLE } });
    expect(out[3]).toMatchObject({ name: 'missing-one', error: { code: ErrorCodes.COMPONENT_NOT_FOUND } });
    expect(out[4]).toMatchObject({ version: '2.0.0' });

    expect((await reg.request('POST', '/v1/resolve', { body: { components: [{ name: 'x', range: 'not a range!' }] } })).json.error.code).toBe(ErrorCodes.REQUEST_INVALID);
    expect((await reg.request('POST', '/v1/resolve', { body: {} })).status).toBe(400);
  });

  test('include_yanked: the locked version comes back with its yanked flag (hsm outdated asks so)', async () => {
    const r = await reg.request('POST', '/v1/resolve', {
      body: {
        components: [
          { name: 'resolver-x', range: '1.2.0', include_yanked: true },
          { name: 'resolver-x', range: '1.2.0' },
          { name: 'resolver-x', range: '1.1.0', include_yanked: true },
          { name: 'resolver-x', range: '^1' },
        ],
      },
    });
    expect(r.status).toBe(200);
    const out = r.json.components;
    expect(out[0]).toMatchObject({ version: '1.2.0', yanked: true, digest: digestOf(definition('resolver-x', '1.2.0')) });
    expect(out[1]).toMatchObject({ error: { code: ErrorCodes.UNSATISFIABLE } });
    expect(out[2]).toMatchObject({ version: '1.1.0', yanked: false });
    expect(out[3]).toMatchObject({ version: '1.1.0' });
    expect(out[3]).not.toHaveProperty('yanked'); // the plain answer is the version document, as before
    expect((await reg.request('POST', '/v1/resolve', { body: { components: [{ name: 'resolver-x', include_yanked: 'yes' }] } })).status).toBe(400);
  });
  test('a remembered answer is a buffer of its own, remembered from the second time the same bytes come', async () => {
    // a small Buffer.concat result is a slice of Node's shared 8 KiB pool: remembered, it kept the whole slab alive
    const service = reg.app.get(ComponentService);
    const requests = [{ name: 'missing-two', range: '*' }];
    const answer = await service.resolve(requests);
    expect(answer.length).toBeLessThan(Buffer.poolSize / 2); // small enough to come from the pool
    const bytes = JSON.stringify({ components: requests, n: 1 }); // bytes no other test sends
    await service.resolveRemembered(requests, bytes);
    expect(service.cachedResolveAnswer(bytes)).toBeUndefined(); // once: not remembered
    await service.resolveRemembered(requests, bytes);
    const remembered = service.cachedResolveAnswer(bytes)!;
    expect(remembered.toString()).toBe(answer.toString());
    expect(remembered.buffer.byteLength).toBe(remembered.byteLength);
  });

  test('a range asked for again after a yank or unyank gets the new answer', async () => {
    const newest = async () => (await reg.request('POST', '/v1/resolve', { body: { components: [{ name: 'resolver-x', range: '^1' }] } })).json.components[0].version;
    expect(await newest()).toBe('1.1.0');
    await reg.request('POST', '/v1/components/resolver-x/versions/1.2.0/unyank', { token: publisher });
    expect(await newest()).toBe('1.2.0');
    await reg.request('POST', '/v1/components/resolver-x/versions/1.2.0/yank', { token: publisher });
    expect(await newest()).toBe('1.1.0');
  });
});

describe('publisher record', () => {
  test('each version records the token that published it', async () => {
    const c = new pg.Client({ connectionString: reg.db.url });
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT v.publisher_id, v.digest, v.definition FROM versions v JOIN components c ON c.id = v.component_id WHERE c.name = 'redis' AND v.version = '7.2.0'`);
      expect(rows).toHaveLength(1);
      expect(rows[0].publisher_id).toBe(publisherId);
      expect(rows[0].digest).toBe(digestOf(rows[0].definition));
      const tokens = await c.query(`SELECT hash, prefix FROM tokens WHERE id = $1`, [publisherId]);
      expect(tokens.rows[0].hash).toMatch(/^[0-9a-f]{64}$/);
      expect(tokens.rows[0].hash).not.toContain(publisher);
      expect(publisher.startsWith(tokens.rows[0].prefix)).toBe(true);
    } finally {
      await c.end();
    }
  });
});
