/** Small tier: environment validation, the write limiter's clock arithmetic, log redaction. */
import { describe, expect, test } from '@jest/globals';
import { ErrorCodes } from '@hsm/core';
import { loadConfig } from '../src/config.js';
import { WriteRateLimiter } from '../src/http/rate-limit.js';
import { JsonLogger, redact } from '../src/logger.js';

describe('loadConfig', () => {
  test('defaults: 127.0.0.1:8420, embedded database under $XDG_DATA_HOME/hsm/registry', () => {
    const c = loadConfig({ XDG_DATA_HOME: '/data', HSM_ADMIN_TOKEN: 'x'.repeat(24) });
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8420, databaseUrl: undefined, dataDir: '/data/hsm/registry', readAccess: 'public', web: true });
    expect(loadConfig({ HSM_REGISTRY_WEB: 'off' }).web).toBe(false);
    expect(loadConfig({ HOME: '/home/u' }, 1000).dataDir).toBe('/home/u/.local/share/hsm/registry');
    // as root the postgres user could not enter /root: system services keep state in /var/lib
    expect(loadConfig({ HOME: '/root' }, 0).dataDir).toBe('/var/lib/hsm/registry');
    expect(loadConfig({ HOME: '/root', XDG_DATA_HOME: '/srv' }, 0).dataDir).toBe('/srv/hsm/registry');
  });

  test.each([
    [{ PORT: 'eighty' }],
    [{ PORT: '70000' }],
    [{ DATABASE_URL: 'mysql://x' }],
    [{ HSM_ADMIN_TOKEN: 'short' }],
    [{ HSM_REGISTRY_READ: 'everyone' }],
    [{ HSM_REGISTRY_BODY_LIMIT: '-1' }],
    [{ HSM_REGISTRY_WEB: 'yes' }],
  ])('%j is refused with HSM_CONFIG_INVALID', (env) => {
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ code: ErrorCodes.CONFIG_INVALID }));
  });
});

describe('WriteRateLimiter', () => {
  test('allows the budget, refuses with the wait in seconds, refills over time, per client', () => {
    let now = 0;
    const l = new WriteRateLimiter(2, () => now);
    l.take('a');
    l.take('a');
    let err: any;
    try {
      l.take('a');
    } catch (e) {
      err = e;
    }
    expect(err.code).toBe(ErrorCodes.RATE_LIMITED);
    expect(err.details[0]).toBe('30'); // 2 per minute → one more in 30 s
    l.take('b'); // another client has its own bucket
    now += 30_000;
    expect(() => l.take('a')).not.toThrow();
    expect(() => l.take('a')).toThrow();
  });
});

describe('logs', () => {
  test('tokens and the configured secrets are redacted', () => {
    expect(redact('Bearer hsm_AbCdEf0123456789_-xyz in path')).toBe('Bearer hsm_[redacted] in path');
    const lines: string[] = [];
    const log = new JsonLogger('info', ['s3cret-admin-value'], (l) => lines.push(l));
    log.event('info', 'got s3cret-admin-value and hsm_0123456789abcdef', { header: 'hsm_zzzzzzzzzzzz' });
    log.event('debug', 'not written at info');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('s3cret');
    expect(lines[0]).not.toMatch(/hsm_[0-9a-z]{8}/);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'info' });
  });
});
