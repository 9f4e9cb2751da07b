/**
 * Issue 8 item 4: the client parses every registry response with the shapes the service answers with (libs/core
 * registry-api). A response of another shape — from a misbehaving server, a test double on 127.0.0.1 — is
 * HSM_REGISTRY_ERROR naming the registry, the URL and the wrong field, never a TypeError and never kept.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { digestOf } from '@hsm/core';
import { RegistryClient, RegistryHttp } from '@hsm/host';
import { rejected } from '../support/hsm-errors.js';

const definition = { name: 'x', version: '1.0.0', description: 'x for hostile-response tests', services: { x: { image: 'example/x:1' } } };
const DIGEST = digestOf(definition);
const PUBLISHED = '2026-01-01T00:00:00.000Z';
const versionDocument = { name: 'x', version: '1.0.0', digest: DIGEST, published_at: PUBLISHED, definition };

let server: Server;
let url: string;
/** What the server answers next: status and body (a value is sent as JSON, a string as is). */
let answer: { status: number; body: unknown } = { status: 200, body: {} };

beforeAll(async () => {
  server = createServer((_req, res) => {
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, answer.status === 304 ? {} : { 'content-type': 'application/json' }).end(answer.status === 304 ? undefined : text);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const client = () => new RegistryClient(new RegistryHttp({ name: 'hostile', url, attempts: 1, backoffMs: 1 }), 'hostile');

const endpoints: Array<[string, () => Promise<unknown>]> = [
  ['GET /v1/components?q=', () => client().search('x')],
  ['GET /v1/components/{name}', () => client().component('x')],
  ['GET …/versions/{version}', () => client().version('x', '1.0.0')],
  ['POST /v1/resolve', () => client().resolve([{ name: 'x', range: '*' }])],
  ['PUT …/versions/{version}', () => client().publish(definition)],
  ['GET /v1/tokens', () => client().verifyToken()],
];

/** Sends `body` with 200 to `call`; the coded error it fails with. */
async function refusal(call: () => Promise<unknown>, body: unknown) {
  answer = { status: 200, body };
  const e = await rejected(call());
  expect(e.message).toContain(`registry hostile (${url}/v1/`);
  return e;
}

describe('hostile responses, per endpoint', () => {
  for (const [endpoint, call] of endpoints) {
    for (const body of [null, 42, '"text"', [], {}]) {
      test(`${endpoint}: ${JSON.stringify(body)} is HSM_REGISTRY_ERROR`, async () => {
        expect((await refusal(call, body)).code).toBe('HSM_REGISTRY_ERROR');
      });
    }
  }

  test('search: a hit without a description names the field', async () => {
    const e = await refusal(() => client().search('x'), { components: [{ name: 'x', provides: [], options: {}, team: 't' }], next_cursor: null });
    expect([e.code, e.message]).toEqual(['HSM_REGISTRY_ERROR', expect.stringContaining('`components[0].description`')]);
  });

  test('component: a version summary whose digest is a number names the field', async () => {
    const doc = { name: 'x', team: 't', description: '', provides: [], options: {}, versions: [{ version: '1.0.0', digest: 5, yanked: false, published_at: PUBLISHED, capabilities: [] }] };
    const e = await refusal(() => client().component('x'), doc);
    expect([e.code, e.message]).toEqual(['HSM_REGISTRY_ERROR', expect.stringContaining('`versions[0].digest`')]);
  });

  test('version: a definition the shared schema refuses, and a missing digest, name the field', async () => {
    const bad = await refusal(() => client().version('x', '1.0.0'), { ...versionDocument, definition: { ...definition, services: { x: { image: 7 } } } });
    expect([bad.code, bad.message]).toEqual(['HSM_REGISTRY_ERROR', expect.stringContaining('serves an invalid definition: `definition.services.x.image`')]);
    const { digest: _dropped, ...noDigest } = versionDocument;
    expect((await refusal(() => client().version('x', '1.0.0'), noDigest)).message).toContain('`digest`');
  });

  test('resolve: a malformed digest, an unknown per-entry error code and a wrong entry count are refused', async () => {
    const resolve = () => client().resolve([{ name: 'x', range: '*' }]);
    const digest = await refusal(resolve, { components: [{ ...versionDocument, range: '*', digest: 'sha256:00' }] });
    expect([digest.code, digest.message]).toEqual(['HSM_REGISTRY_ERROR', expect.stringContaining('`components[0].digest`')]);
    const code = await refusal(resolve, { components: [{ name: 'x', range: '*', error: { code: 'HSM_SURPRISE', message: 'boo' } }] });
    expect(code.message).toContain('`components[0].error.code`');
    const count = await refusal(resolve, { components: [] });
    expect(count.message).toContain('expected `components` with 1 entries');
    // the well-formed answer passes: the checks above are about shape, not about this client refusing everything
    answer = { status: 200, body: { components: [{ ...versionDocument, range: '*' }] } };
    expect(await resolve()).toEqual([{ entry: { name: 'x', version: '1.0.0', digest: DIGEST, yanked: false, definition } }]);
  });

  test('publish: an answer without a digest names the field', async () => {
    const e = await refusal(() => client().publish(definition), { name: 'x', version: '1.0.0', published_at: PUBLISHED });
    expect([e.code, e.message]).toEqual(['HSM_REGISTRY_ERROR', expect.stringContaining('`digest`')]);
  });

  test('tokens: a list that is not one names the field', async () => {
    const e = await refusal(() => client().verifyToken(), { tokens: 'all of them' });
    expect([e.code, e.message]).toEqual(['HSM_REGISTRY_ERROR', expect.stringContaining('`tokens`')]);
  });

  test('a 304 to an unconditional GET, and an error body of another shape, are HSM_REGISTRY_ERROR', async () => {
    answer = { status: 304, body: '' };
    expect((await rejected(client().component('x'))).code).toBe('HSM_REGISTRY_ERROR');
    expect((await rejected(client().version('x', '1.0.0'))).code).toBe('HSM_REGISTRY_ERROR');
    // a 404 whose body is not the service's error shape is not "no such component": it is an unexpected answer
    answer = { status: 404, body: { error: { code: 42, message: ['no'] } } };
    expect((await rejected(client().component('x'))).code).toBe('HSM_REGISTRY_ERROR');
  });
});
