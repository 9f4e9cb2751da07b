/**
 * Issue 10 item 4: with the database away, every API call that needs it is a 503 HSM_DATABASE_UNAVAILABLE with
 * Retry-After (a client can tell "retry" from a bug), never a 500 HSM_INTERNAL.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ErrorCodes } from '@hsm/core';
import { RegistryHttp } from '@hsm/host';
import { ADMIN_TOKEN, definition, startRegistry, type TestRegistry } from '../../../test/support/registry.js';

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

describe('the hsm client during an outage', () => {
  const requestsTo = (path: string) => reg.logs.filter((l) => JSON.parse(l).msg === 'request' && JSON.parse(l).path === path).length;

  test('retries an idempotent request on 503, waiting as Retry-After says (capped), then reports the code', async () => {
    const retries: string[] = [];
    const http = new RegistryHttp({ name: 'team', url: reg.url, attempts: 3, backoffMs: 1, maxRetryAfterMs: 300, onRetry: (m) => retries.push(m) });
    const before = requestsTo('/v1/components/retry-me');
    const e = await http.json({ method: 'GET', path: '/v1/components/retry-me', idempotent: true }).then(
      () => undefined,
      (x: unknown) => x as { code: string; message: string },
    );
    expect(e?.code).toBe(ErrorCodes.REGISTRY_ERROR);
    expect(e?.message).toContain('HTTP 503: HSM_DATABASE_UNAVAILABLE');
    expect(requestsTo('/v1/components/retry-me') - before).toBe(3);
    // each wait is min(Retry-After 2 s, cap 300 ms), not the 1 ms backoff
    expect(retries).toEqual([expect.stringMatching(/retrying in 300 ms \(attempt 2 of 3\)$/), expect.stringMatching(/retrying in 300 ms \(attempt 3 of 3\)$/)]);
  });

  test('does not retry a request that is not idempotent', async () => {
    const http = new RegistryHttp({ name: 'team', url: reg.url, attempts: 3, backoffMs: 1, maxRetryAfterMs: 300 });
    const before = requestsTo('/v1/resolve');
    await http.json({ method: 'POST', path: '/v1/resolve', body: { components: [{ name: 'x' }] }, idempotent: false }).catch(() => undefined);
    expect(requestsTo('/v1/resolve') - before).toBe(1);
  });
});
