/**
 * Several instances share one PostgreSQL (SPEC §9 "stateless"): each caches component documents in memory, and
 * a publish or yank through one instance must reach readers of every other one (PostgreSQL notifications).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ADMIN_TOKEN, definition, startRegistry, type TestRegistry } from '../../../test/support/registry.js';

let a: TestRegistry;
let b: TestRegistry;

beforeAll(async () => {
  a = await startRegistry();
  b = await startRegistry({}, a.db);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  let last = await probe();
  while (!ok(last) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
    last = await probe();
  }
  return last;
}

describe('cache coherence across instances', () => {
  test('publish and yank on A are seen by B, whose copy was cached', async () => {
    await a.request('PUT', '/v1/components/shared/versions/1.0.0', { token: ADMIN_TOKEN, body: definition('shared', '1.0.0') });
    const first = await b.request('GET', '/v1/components/shared');
    expect(first.json.versions).toHaveLength(1);
    const r1 = await b.request('POST', '/v1/resolve', { body: { components: [{ name: 'shared', range: '*' }] } });
    expect(r1.json.components[0].version).toBe('1.0.0');
    expect((await b.request('GET', '/v1/components/shared', { headers: { 'if-none-match': first.headers.get('etag')! } })).status).toBe(304);

    await a.request('PUT', '/v1/components/shared/versions/1.1.0', { token: ADMIN_TOKEN, body: definition('shared', '1.1.0') });
    const seen = await eventually(
      () => b.request('GET', '/v1/components/shared'),
      (r) => r.json.versions.length === 2,
    );
    expect(seen.json.versions.map((v: any) => v.version)).toEqual(['1.1.0', '1.0.0']);
    expect(seen.headers.get('etag')).not.toBe(first.headers.get('etag'));
    const r2 = await eventually(
      () => b.request('POST', '/v1/resolve', { body: { components: [{ name: 'shared', range: '*' }] } }),
      (r) => r.json.components[0].version === '1.1.0',
    );
    expect(r2.json.components[0].version).toBe('1.1.0');

    await a.request('POST', '/v1/components/shared/versions/1.1.0/yank', { token: ADMIN_TOKEN });
    const r3 = await eventually(
      () => b.request('POST', '/v1/resolve', { body: { components: [{ name: 'shared', range: '*' }] } }),
      (r) => r.json.components[0].version === '1.0.0',
    );
    expect(r3.json.components[0].version).toBe('1.0.0');
    const yanked = await eventually(
      () => b.request('GET', '/v1/components/shared'),
      (r) => r.json.versions[0].yanked === true,
    );
    expect(yanked.json.versions[0]).toMatchObject({ version: '1.1.0', yanked: true });
  });

  test("resolve answers from B's in-memory index: a name unknown to B becomes known once A publishes it", async () => {
    const before = await b.request('POST', '/v1/resolve', {
      body: {
        components: [
          { name: 'late', range: '*' },
          { name: 'shared', range: '*' },
        ],
      },
    });
    expect(before.json.components[0].error.code).toBe('HSM_COMPONENT_NOT_FOUND');
    await a.request('PUT', '/v1/components/late/versions/0.1.0', { token: ADMIN_TOKEN, body: definition('late', '0.1.0') });
    const after = await eventually(
      () => b.request('POST', '/v1/resolve', { body: { components: [{ name: 'late', range: '*' }] } }),
      (r) => r.json.components[0].version === '0.1.0',
    );
    expect(after.json.components[0]).toMatchObject({ name: 'late', version: '0.1.0' });
  });

  test('the instance that wrote answers with the new state at once', async () => {
    await a.request('GET', '/v1/components/shared');
    await a.request('POST', '/v1/components/shared/versions/1.1.0/unyank', { token: ADMIN_TOKEN });
    expect((await a.request('GET', '/v1/components/shared')).json.versions[0].yanked).toBe(false);
  });
});
