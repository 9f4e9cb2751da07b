/** The auth matrix: anonymous / read / publish (owner) / admin / other team × every endpoint. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ADMIN_TOKEN, definition, startRegistry, type TestRegistry } from '../../../test/support/registry.js';

type Role = 'anonymous' | 'read' | 'publish' | 'admin' | 'other-team';
const ROLES: Role[] = ['anonymous', 'read', 'publish', 'admin', 'other-team'];

let reg: TestRegistry;
const tokens: Partial<Record<Role, string>> = {};
let seq = 0;

beforeAll(async () => {
  reg = await startRegistry();
  tokens.read = (await reg.createToken(['read'])).token;
  tokens.publish = (await reg.createToken(['publish'], 'owners')).token;
  tokens['other-team'] = (await reg.createToken(['publish'], 'strangers')).token;
  tokens.admin = (await reg.createToken(['admin'])).token;
  const r = await reg.request('PUT', '/v1/components/owned/versions/1.0.0', { token: tokens.publish, body: definition('owned', '1.0.0') });
  expect(r.status).toBe(201);
});
afterAll(async () => {
  await reg?.close();
});

interface Case {
  endpoint: string;
  call: (token: string | undefined) => Promise<{ status: number; json: any }>;
  expect: Record<Role, number>;
}

const READ = { anonymous: 200, read: 200, publish: 200, admin: 200, 'other-team': 200 };
const OWNER_WRITE = { anonymous: 401, read: 403, publish: 200, admin: 200, 'other-team': 403 };

const cases: Case[] = [
  { endpoint: 'GET /v1/components', call: (t) => reg.request('GET', '/v1/components', { token: t }), expect: READ },
  { endpoint: 'GET /v1/components/{name}', call: (t) => reg.request('GET', '/v1/components/owned', { token: t }), expect: READ },
  { endpoint: 'GET /v1/components/{name}/versions/{version}', call: (t) => reg.request('GET', '/v1/components/owned/versions/1.0.0', { token: t }), expect: READ },
  { endpoint: 'POST /v1/resolve', call: (t) => reg.request('POST', '/v1/resolve', { token: t, body: { components: [{ name: 'owned', range: '*' }] } }), expect: READ },
  {
    endpoint: 'PUT /v1/components/{name}/versions/{version} (existing name)',
    call: (t) => {
      const v = `2.0.${seq++}`;
      return reg.request('PUT', `/v1/components/owned/versions/${v}`, { token: t, body: definition('owned', v) });
    },
    expect: { anonymous: 401, read: 403, publish: 201, admin: 201, 'other-team': 403 },
  },
  {
    endpoint: 'PUT /v1/components/{name}/versions/{version} (new name)',
    call: (t) => {
      const n = `fresh-${seq++}`;
      return reg.request('PUT', `/v1/components/${n}/versions/1.0.0`, { token: t, body: definition(n, '1.0.0') });
    },
    expect: { anonymous: 401, read: 403, publish: 201, admin: 201, 'other-team': 201 },
  },
  { endpoint: 'POST …/yank', call: (t) => reg.request('POST', '/v1/components/owned/versions/1.0.0/yank', { token: t, body: { reason: 'x' } }), expect: OWNER_WRITE },
  { endpoint: 'POST …/unyank', call: (t) => reg.request('POST', '/v1/components/owned/versions/1.0.0/unyank', { token: t }), expect: OWNER_WRITE },
  {
    endpoint: 'POST /v1/tokens',
    call: (t) => reg.request('POST', '/v1/tokens', { token: t, body: { name: 'n', scopes: ['read'] } }),
    expect: { anonymous: 401, read: 403, publish: 403, admin: 201, 'other-team': 403 },
  },
  { endpoint: 'GET /v1/tokens', call: (t) => reg.request('GET', '/v1/tokens', { token: t }), expect: { anonymous: 401, read: 200, publish: 200, admin: 200, 'other-team': 200 } },
  {
    endpoint: 'DELETE /v1/tokens/{id} (another token)',
    call: async (t) => {
      const victim = await reg.createToken(['read'], 'owners');
      return reg.request('DELETE', `/v1/tokens/${victim.id}`, { token: t });
    },
    expect: { anonymous: 401, read: 403, publish: 403, admin: 200, 'other-team': 403 },
  },
  { endpoint: 'GET /healthz', call: (t) => reg.request('GET', '/healthz', { token: t }), expect: READ },
  { endpoint: 'GET /readyz', call: (t) => reg.request('GET', '/readyz', { token: t }), expect: READ },
  { endpoint: 'GET /docs', call: (t) => reg.request('GET', '/docs/openapi.json', { token: t }), expect: READ },
];

describe('auth matrix', () => {
  for (const c of cases) {
    test(c.endpoint, async () => {
      const got: Record<string, number> = {};
      for (const role of ROLES) {
        const r = await c.call(role === 'anonymous' ? undefined : tokens[role]);
        got[role] = r.status;
        if (r.status === 401) expect(r.json.error.code).toBe('HSM_UNAUTHENTICATED');
        if (r.status === 403) expect(r.json.error.code).toBe('HSM_FORBIDDEN');
      }
      expect(got).toEqual(c.expect);
    });
  }

  test('the bootstrap admin token (HSM_ADMIN_TOKEN) can create tokens and publish', async () => {
    expect((await reg.request('POST', '/v1/tokens', { token: ADMIN_TOKEN, body: { name: 'b', scopes: ['read'] } })).status).toBe(201);
    expect((await reg.request('PUT', '/v1/components/owned/versions/3.0.0', { token: ADMIN_TOKEN, body: definition('owned', '3.0.0') })).status).toBe(201);
  });

  test('an invalid token is a 401 even where anonymous access is allowed', async () => {
    for (const c of cases.slice(0, 4)) expect((await c.call('hsm_definitely_not_issued_here')).status).toBe(401);
  });
});

describe('auth matrix with HSM_REGISTRY_READ=token', () => {
  test('every read endpoint: anonymous 401, any valid token 200', async () => {
    const closed = await startRegistry({ readAccess: 'token' });
    try {
      const read = (await closed.createToken(['read'])).token;
      const publish = (await closed.createToken(['publish'], 'owners')).token;
      expect((await closed.request('PUT', '/v1/components/owned/versions/1.0.0', { token: publish, body: definition('owned', '1.0.0') })).status).toBe(201);
      const reads: [string, string, unknown?][] = [
        ['GET', '/v1/components'],
        ['GET', '/v1/components/owned'],
        ['GET', '/v1/components/owned/versions/1.0.0'],
        ['POST', '/v1/resolve', { components: [{ name: 'owned', range: '*' }] }],
      ];
      for (const [method, path, body] of reads) {
        const got = {
          anonymous: (await closed.request(method, path, { body })).status,
          read: (await closed.request(method, path, { token: read, body })).status,
          publish: (await closed.request(method, path, { token: publish, body })).status,
          admin: (await closed.request(method, path, { token: ADMIN_TOKEN, body })).status,
          again: (await closed.request(method, path, { body })).status, // cached now: still refused
        };
        expect({ path, ...got }).toEqual({ path, anonymous: 401, read: 200, publish: 200, admin: 200, again: 401 });
      }
    } finally {
      await closed.close();
    }
  });
});
