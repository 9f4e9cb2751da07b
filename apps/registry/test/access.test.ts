/** The registry's tokens, operations endpoints and access settings (SPEC §9) against the real service on a real PostgreSQL. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ErrorCodes } from '@hsm/core';
import { ADMIN_TOKEN, definition, startRegistry, type TestRegistry } from '../../../test/support/registry.js';

let reg: TestRegistry;
let publisher: string;
let reader: string;

beforeAll(async () => {
  reg = await startRegistry();
  ({ token: publisher } = await reg.createToken(['publish'], 'platform'));
  ({ token: reader } = await reg.createToken(['read']));
});
afterAll(async () => {
  await reg?.close();
});

const put = (name: string, version: string, body: unknown, token = publisher) => reg.request('PUT', `/v1/components/${name}/versions/${version}`, { token, body });

describe('tokens', () => {
  test('create (admin) returns the secret once; list never shows it; revoke makes it useless', async () => {
    const created = await reg.request('POST', '/v1/tokens', { token: ADMIN_TOKEN, body: { name: 'ci', team: 'data', scopes: ['publish'], expires_at: '2099-01-01T00:00:00Z' } });
    expect(created.status).toBe(201);
    expect(created.json.token).toMatch(/^hsm_[A-Za-z0-9_-]{43}$/);
    expect(created.json).toMatchObject({ name: 'ci', team: 'data', scopes: ['publish'], prefix: created.json.token.slice(0, 12), expires_at: '2099-01-01T00:00:00.000Z', revoked_at: null });

    const list = await reg.request('GET', '/v1/tokens', { token: ADMIN_TOKEN });
    expect(list.status).toBe(200);
    expect(list.json.tokens.map((t: any) => t.id)).toContain(created.json.id);
    expect(list.text).not.toContain(created.json.token);
    for (const t of list.json.tokens) expect(t.token).toBeUndefined();

    // a team token lists only its team's tokens
    const own = await reg.request('GET', '/v1/tokens', { token: created.json.token });
    expect(own.json.tokens.map((t: any) => t.team)).toEqual(['data']);

    expect((await put('data-thing', '1.0.0', definition('data-thing', '1.0.0'), created.json.token)).status).toBe(201);
    const revoked = await reg.request('DELETE', `/v1/tokens/${created.json.id}`, { token: ADMIN_TOKEN });
    expect(revoked.status).toBe(200);
    expect(revoked.json.revoked_at).toEqual(expect.any(String));
    const after = await put('data-thing', '1.0.1', definition('data-thing', '1.0.1'), created.json.token);
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe(ErrorCodes.UNAUTHENTICATED);
    expect((await reg.request('DELETE', '/v1/tokens/00000000-0000-4000-8000-000000000000', { token: ADMIN_TOKEN })).status).toBe(404);
    expect((await reg.request('DELETE', '/v1/tokens/not-a-uuid', { token: ADMIN_TOKEN })).status).toBe(400);
  });

  test('a token may revoke itself but not another', async () => {
    const a = await reg.createToken(['publish'], 'platform');
    const b = await reg.createToken(['publish'], 'platform');
    expect((await reg.request('DELETE', `/v1/tokens/${b.id}`, { token: a.token })).status).toBe(403);
    expect((await reg.request('DELETE', `/v1/tokens/${a.id}`, { token: a.token })).status).toBe(200);
    expect((await reg.request('GET', '/v1/tokens', { token: a.token })).status).toBe(401);
  });

  test('expired tokens and malformed headers are refused', async () => {
    const expired = await reg.createToken(['read'], undefined, { expires_at: '2001-01-01T00:00:00Z' });
    expect((await reg.request('GET', '/v1/components', { token: expired.token })).status).toBe(401);
    expect((await reg.request('GET', '/v1/components', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
    expect((await reg.request('GET', '/v1/components', { token: 'hsm_not_a_real_token_at_all' })).status).toBe(401);
  });

  test('invalid token requests → 400', async () => {
    expect((await reg.request('POST', '/v1/tokens', { token: ADMIN_TOKEN, body: { name: 'x', scopes: ['root'] } })).status).toBe(400);
    expect((await reg.request('POST', '/v1/tokens', { token: ADMIN_TOKEN, body: { name: 'x', scopes: ['publish'] } })).json.error.message).toContain('team');
  });
});

describe('operations', () => {
  test('healthz, readyz, OpenAPI at /docs, unknown routes', async () => {
    expect((await reg.request('GET', '/healthz')).json).toEqual({ status: 'ok' });
    expect((await reg.request('GET', '/readyz')).json).toEqual({ status: 'ready' });
    const ui = await reg.request('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
    const doc = await reg.request('GET', '/docs/openapi.json');
    expect(doc.json.openapi).toBe('3.1.0');
    expect(Object.keys(doc.json.paths)).toEqual(expect.arrayContaining(['/v1/components', '/v1/components/{name}', '/v1/components/{name}/versions/{version}', '/v1/resolve', '/v1/tokens']));
    expect(doc.json.components.schemas.ComponentDefinition.properties.services).toBeDefined();
    const missing = await reg.request('GET', '/v2/nothing');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe(ErrorCodes.NOT_FOUND);
  });

  test('logs are structured and never contain a token', async () => {
    await reg.request('GET', '/v1/components', { token: publisher });
    await reg.request('GET', `/v1/components?q=${publisher}`, { token: ADMIN_TOKEN });
    expect(reg.logs.some((l) => JSON.parse(l).path === '/v1/components')).toBe(true);
    for (const line of reg.logs) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain(publisher);
      expect(line).not.toContain(ADMIN_TOKEN);
      expect(line).not.toContain(reader);
    }
  });
});

describe('rate limit and read access settings', () => {
  test('writes beyond the limit → 429 with Retry-After; reads are not limited', async () => {
    const small = await startRegistry({ writesPerMinute: 3 });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i++) {
        const r = await small.request('PUT', `/v1/components/rl/versions/1.0.${i}`, { token: ADMIN_TOKEN, body: definition('rl', `1.0.${i}`) });
        statuses.push(r.status);
        if (r.status === 429) {
          retryAfter = r.headers.get('retry-after');
          expect(r.json.error.code).toBe(ErrorCodes.RATE_LIMITED);
        }
      }
      expect(statuses).toEqual([201, 201, 201, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      for (let i = 0; i < 10; i++) expect((await small.request('GET', '/v1/components/rl')).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  test('HSM_REGISTRY_READ=token: anonymous reads → 401, a read token works', async () => {
    const closed = await startRegistry({ readAccess: 'token' });
    try {
      expect((await closed.request('GET', '/v1/components')).status).toBe(401);
      const t = await closed.createToken(['read']);
      expect((await closed.request('GET', '/v1/components', { token: t.token })).status).toBe(200);
      await closed.request('PUT', '/v1/components/priv/versions/1.0.0', { token: ADMIN_TOKEN, body: definition('priv', '1.0.0') });
      const v = await closed.request('GET', '/v1/components/priv/versions/1.0.0', { token: t.token });
      expect(v.headers.get('cache-control')).toMatch(/^private/);
      expect((await closed.request('GET', '/healthz')).status).toBe(200);
    } finally {
      await closed.close();
    }
  });
});
