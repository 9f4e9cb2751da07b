/**
 * Issue 10 item 4: with the database away, every API call that needs it is a 503 HSM_DATABASE_UNAVAILABLE with
 * Retry-After (a client can tell "retry" from a bug), never a 500 HSM_INTERNAL.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ErrorCodes } from '@hsm/core';
import { ADMIN_TOKEN, definition, startRegistry, type TestRegistry } from './support/registry.js';

let reg: TestRegistry;
beforeAll(async () => {
  // nothing listens on port 1: every connection attempt is refused
  reg = await startRegistry({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/hsm_registry' });
});
afterAll(async () => {
  await reg?.close();
});

describe('database unreachable', () => {
  test.each([
    ['GET', '/v1/components', undefined, undefined],
    ['GET', '/v1/components/redis', undefined, undefined],
    ['GET', '/v1/components/redis/versions/1.0.0', undefined, undefined],
    ['POST', '/v1/resolve', undefined, { components: [{ name: 'redis' }] }],
    ['PUT', '/v1/components/redis/versions/1.0.0', ADMIN_TOKEN, definition('redis', '1.0.0')],
    ['POST', '/v1/components/redis/versions/1.0.0/yank', ADMIN_TOKEN, undefined],
    ['POST', '/v1/tokens', ADMIN_TOKEN, { name: 'x', scopes: ['read'] }],
    ['GET', '/v1/tokens', 'hsm_some_token_that_needs_a_lookup_000000000', undefined],
    ['GET', '/readyz', undefined, undefined],
  ])('%s %s → 503 HSM_DATABASE_UNAVAILABLE with Retry-After', async (method, path, token, body) => {
    const r = await reg.request(method, path, { token, body });
    expect(r.status).toBe(503);
    expect(r.json.error.code).toBe(ErrorCodes.DATABASE_UNAVAILABLE);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  test('liveness still answers, and the outage is logged without a stack trace', async () => {
    expect((await reg.request('GET', '/healthz')).status).toBe(200);
    const failures = reg.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request failed');
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f.code).toBe(ErrorCodes.DATABASE_UNAVAILABLE);
      expect(f.stack).toBeUndefined();
    }
  });
});
