/**
 * Issue 10: the service under hostile input. Each block is one finding of the audit, replayed against the real
 * service on a real PostgreSQL: bad input is a 4xx `{"error":{code,message}}`, never a 5xx, and never silently
 * altered.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { ErrorCodes } from '@hsm/core';
import { ADMIN_TOKEN, definition, sendRaw, startRegistry, type TestRegistry } from '../../../test/support/registry.js';

let reg: TestRegistry;
let publisher: string;
let reader: string;

beforeAll(async () => {
  reg = await startRegistry();
  ({ token: publisher } = await reg.createToken(['publish'], 'hostile'));
  ({ token: reader } = await reg.createToken(['read']));
  expect((await put('target', '1.0.0', definition('target', '1.0.0'))).status).toBe(201);
});
afterAll(async () => {
  await reg?.close();
});

function put(name: string, version: string, body: unknown, token = publisher) {
  return reg.request('PUT', `/v1/components/${name}/versions/${version}`, { token, body });
}

/** A raw JSON body (bytes the test controls), sent as application/json unless `type` says otherwise. */
function raw(method: string, path: string, body: string | Buffer, opts: { token?: string; type?: string | null } = {}) {
  const headers: Record<string, string> = {};
  if (opts.type !== null) headers['content-type'] = opts.type ?? 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  return sendRaw(reg.url, method, path, body, headers);
}

/** Writes raw bytes on a socket and returns the raw HTTP answer (for requests Node's parser refuses). */
function rawSocket(bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const u = new URL(reg.url);
    const s = connect(Number(u.port), u.hostname, () => s.end(bytes));
    const chunks: Buffer[] = [];
    s.on('data', (c) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    s.on('error', reject);
  });
}

const expectClientError = (r: { status: number; json: any }, status = 400) => {
  expect(r.status).toBe(status);
  expect(r.json?.error?.code).toMatch(/^HSM_/);
  expect(typeof r.json.error.message).toBe('string');
};

describe('1. unchecked strings never reach PostgreSQL as a 500', () => {
  test('NUL bytes in paths, queries and bodies → 400', async () => {
    expectClientError(await reg.request('GET', '/v1/components/a%00b'));
    expectClientError(await reg.request('GET', '/v1/components/a%00b/versions/1.0.0'));
    expectClientError(await reg.request('GET', '/v1/components?q=%00'));
    expectClientError(await reg.request('POST', '/v1/resolve', { body: { components: [{ name: 'a\u0000b' }] } }));
    expectClientError(await reg.request('POST', '/v1/components/target/versions/1.0.0%00/yank', { token: publisher }));
    expectClientError(await reg.request('POST', '/v1/components/target/versions/1.0.0%00/unyank', { token: publisher }));
    expectClientError(await reg.request('POST', '/v1/tokens', { token: ADMIN_TOKEN, body: { name: 'a\u0000b', scopes: ['read'] } }));
    expectClientError(await put('nul-desc', '1.0.0', definition('nul-desc', '1.0.0', { description: 'a\u0000b' })));
    expectClientError(await put('nul-env', '1.0.0', definition('nul-env', '1.0.0', { env: { A: '\u0000' } })));
  });

  test('a lone surrogate in a definition → 400', async () => {
    const body = JSON.stringify(definition('lone', '1.0.0')).replace('lone for tests', 'x\\ud800y');
    expectClientError(await raw('PUT', '/v1/components/lone/versions/1.0.0', body, { token: publisher }));
  });

  test('version parts beyond PostgreSQL integers → 400, on publish and on every read', async () => {
    for (const v of ['2147483648.0.0', '9007199254740991.0.0', '1.2147483648.0', '1.0.2147483648']) {
      expectClientError(await put('huge', v, definition('huge', v)));
      expectClientError(await reg.request('GET', `/v1/components/target/versions/${v}`));
      expectClientError(await reg.request('POST', `/v1/components/target/versions/${v}/yank`, { token: publisher }));
    }
    expect((await put('huge', '2147483647.0.0', definition('huge', '2147483647.0.0'))).status).toBe(201);
  });

  test('a token expiry PostgreSQL cannot store → 400', async () => {
    for (const expires_at of ['0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '99999-01-01T00:00:00Z']) {
      expectClientError(await reg.request('POST', '/v1/tokens', { token: ADMIN_TOKEN, body: { name: 'x', scopes: ['read'], expires_at } }));
    }
  });

  test('no 500 was logged, so no stack trace was written', () => {
    expect(reg.logs.filter((l) => JSON.parse(l).status >= 500 || JSON.parse(l).stack)).toEqual([]);
  });
});

describe('2. deep JSON', () => {
  test('a service fragment nested 2,500 deep → 400 naming the depth, not a stack overflow', async () => {
    const d = 2500;
    const body = `{"name":"dp","version":"1.0.0","services":{"s":{"image":"i","x":${'['.repeat(d)}${']'.repeat(d)}}}}`;
    const r = await raw('PUT', '/v1/components/dp/versions/1.0.0', body, { token: publisher });
    expectClientError(r);
    expect(r.json.error.message).toMatch(/deep/);
  });
});

describe('3. a failed publish claims no name', () => {
  test('a first publish that fails at the version insert leaves the name free', async () => {
    // a fault injected in the database itself: the version insert of squat@6.6.6 fails after ownership was taken
    const c = new pg.Client({ connectionString: reg.db.url });
    await c.connect();
    try {
      await c.query(`CREATE FUNCTION fail_squat() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END; $$ LANGUAGE plpgsql`);
      await c.query(`CREATE TRIGGER fail_squat BEFORE INSERT ON versions FOR EACH ROW WHEN (NEW.version = '6.6.6') EXECUTE FUNCTION fail_squat()`);
      const failed = await put('squat', '6.6.6', definition('squat', '6.6.6'));
      expect(failed.status).toBe(500);
      expect((await reg.request('GET', '/v1/components/squat')).status).toBe(404);
      const other = (await reg.createToken(['publish'], 'second-team')).token;
      expect((await put('squat', '1.0.0', definition('squat', '1.0.0'), other)).status).toBe(201);
      expect((await reg.request('GET', '/v1/components/squat')).json.team).toBe('second-team');
    } finally {
      await c.query('DROP TRIGGER IF EXISTS fail_squat ON versions').catch(() => undefined);
      await c.end();
    }
  });

  test('no component row without a version exists after all of the above', async () => {
    const c = new pg.Client({ connectionString: reg.db.url });
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT c.name FROM components c WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.component_id = c.id)`);
      expect(rows).toEqual([]);
    } finally {
      await c.end();
    }
  });
});

describe('5. search text is literal', () => {
  test('% and _ match themselves, not everything', async () => {
    for (const q of ['%25', '_', '%5C', '%25%25']) {
      const r = await reg.request('GET', `/v1/components?q=${q}`);
      expect(r.status).toBe(200);
      expect(r.json.components).toEqual([]);
    }
    expect((await reg.request('GET', '/v1/components?q=targ')).json.components.map((c: any) => c.name)).toEqual(['target']);
  });
});

describe('6. log redaction', () => {
  test('a percent-encoded token in a path is redacted after decoding', async () => {
    const secret = `hsm_${'Q'.repeat(43)}`;
    await reg.request('GET', `/v1/components/hsm%5F${'Q'.repeat(43)}`);
    const adminEncoded = ADMIN_TOKEN.replace('_', '%5F');
    await reg.request('GET', `/v1/components/${adminEncoded}`);
    await reg.request('GET', `/v1/components/${ADMIN_TOKEN.replace('t', '%74')}`);
    const decoded = reg.logs.map((l) => decodeURIComponent(l.replace(/%(?![0-9A-Fa-f]{2})/g, '%25')));
    for (const line of decoded) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain(ADMIN_TOKEN);
    }
  });
});

describe('8. the cached fast path and the controllers answer alike', () => {
  test('If-None-Match: * → 304 with the real ETag, anonymously and with a token', async () => {
    const plain = await reg.request('GET', '/v1/components/target');
    const etag = plain.headers.get('etag');
    expect(etag).toMatch(/^"c-/);
    for (const token of [undefined, reader]) {
      for (let i = 0; i < 2; i++) {
        const r = await reg.request('GET', '/v1/components/target', { token, headers: { 'if-none-match': '*' } });
        expect(r.status).toBe(304);
        expect(r.headers.get('etag')).toBe(etag);
      }
    }
  });
});

describe('9. input is never silently altered', () => {
  const base = JSON.stringify(definition('alter', '1.0.0')).slice(1, -1);

  test('duplicate keys → 400 naming the key', async () => {
    const r = await raw('PUT', '/v1/components/alter/versions/1.0.0', `{"version":"9.9.9",${base}}`, { token: publisher });
    expectClientError(r);
    expect(r.json.error.message).toContain('version');
  });

  test('invalid UTF-8 → 400', async () => {
    const body = Buffer.concat([Buffer.from(`{${base.replace('alter for tests', 'ab')},"homepage":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const r = await raw('PUT', '/v1/components/alter/versions/1.0.0', body, { token: publisher });
    expectClientError(r);
    expect(r.json.error.message).toMatch(/UTF-8/);
  });

  test('a __proto__ key → 400', async () => {
    // inside a service fragment, where Compose keys pass through unchecked
    const body = `{${base.replace(/"services":\{.*\}\}/, '"services":{"alter":{"image":"i","__proto__":{"x":1}}}')}}`;
    expect(body).toContain('__proto__');
    const r = await raw('PUT', '/v1/components/alter/versions/1.0.0', body, { token: publisher });
    expectClientError(r);
    expect(r.json.error.message).toContain('__proto__');
  });

  test('a number JSON cannot hold (1e400) → 400', async () => {
    const body = `{${base.replace(/"services":\{.*\}\}/, '"services":{"alter":{"image":"i","x-size":1e400}}')}}`;
    expect(body).toContain('1e400');
    expectClientError(await raw('PUT', '/v1/components/alter/versions/1.0.0', body, { token: publisher }));
  });

  test('no Content-Type, or a charset other than UTF-8 → 415', async () => {
    expectClientError(await raw('PUT', '/v1/components/alter/versions/1.0.0', `{${base}}`, { token: publisher, type: null }), 415);
    expectClientError(await raw('PUT', '/v1/components/alter/versions/1.0.0', `{${base}}`, { token: publisher, type: 'application/json; charset=utf-16' }), 415);
    expectClientError(await raw('PUT', '/v1/components/alter/versions/1.0.0', `{${base}}`, { token: publisher, type: 'text/plain' }), 415);
    expect((await raw('PUT', '/v1/components/alter/versions/1.0.0', `{${base}}`, { token: publisher, type: 'application/json; charset=UTF-8' })).status).toBe(201);
    expect((await reg.request('GET', '/v1/components/alter')).json.versions.map((v: any) => v.version)).toEqual(['1.0.0']);
  });
});

describe('10. Node-level refusals', () => {
  test('headers over 16 KB → 431 with the JSON error shape', async () => {
    const answer = await rawSocket(Buffer.from(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe(ErrorCodes.REQUEST_INVALID);
  });

  test('raw non-ASCII bytes in the path → 400 with the JSON error shape', async () => {
    const answer = await rawSocket(Buffer.concat([Buffer.from('GET /v1/components/'), Buffer.from([0xc3, 0xa9]), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]));
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe(ErrorCodes.REQUEST_INVALID);
  });

  test('two Authorization headers → 400, whichever comes first', async () => {
    for (const order of [
      [ADMIN_TOKEN, 'nope'],
      ['nope', ADMIN_TOKEN],
    ]) {
      const answer = await rawSocket(Buffer.from(`GET /v1/tokens HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${order[0]}\r\nAuthorization: Bearer ${order[1]}\r\nConnection: close\r\n\r\n`));
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe(ErrorCodes.REQUEST_INVALID);
    }
  });
});
