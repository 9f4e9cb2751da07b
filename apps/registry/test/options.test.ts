/** The registry stores and serves typed options (issue 11): validated at publish, newest version's in search and the document. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ErrorCodes } from '@hsm/core';
import { definition, startRegistry, type TestRegistry } from '../../../test/support/registry.js';

let reg: TestRegistry;
let publisher: string;

beforeAll(async () => {
  reg = await startRegistry();
  ({ token: publisher } = await reg.createToken(['publish'], 'options-team'));
});
afterAll(async () => {
  await reg?.close();
});

const put = (name: string, version: string, body: unknown) => reg.request('PUT', `/v1/components/${name}/versions/${version}`, { token: publisher, body });

function withPort(version: string, port: number) {
  return {
    ...definition('optdb', version),
    options: { port: { type: 'port', default: port, description: 'host port' }, password: { type: 'string', secret: true, env: 'OPTDB_PASSWORD' } },
    services: { optdb: { image: 'example/optdb:1', ports: ['127.0.0.1:${{ options.port }}:5432'], environment: { PASSWORD: '${{ options.password }}' } } },
  };
}

describe('options in the registry service', () => {
  test('search results and the component document carry the newest version’s options', async () => {
    expect((await put('optdb', '1.0.0', withPort('1.0.0', 5432))).status).toBe(201);
    expect((await put('optdb', '1.1.0', withPort('1.1.0', 6543))).status).toBe(201);
    const doc = await reg.request('GET', '/v1/components/optdb');
    expect(doc.status).toBe(200);
    expect(doc.json.options).toEqual({ password: { type: 'string', secret: true, env: 'OPTDB_PASSWORD' }, port: { type: 'port', default: 6543, description: 'host port' } });
    const search = await reg.request('GET', '/v1/components?q=optdb');
    expect(search.json.components.find((c: { name: string }) => c.name === 'optdb').options.port.default).toBe(6543);
    const v = await reg.request('GET', '/v1/components/optdb/versions/1.0.0');
    expect(v.json.definition.options.port.default).toBe(5432);
  });

  test('a component without options has `options: {}`', async () => {
    expect((await put('plain', '1.0.0', definition('plain', '1.0.0'))).status).toBe(201);
    expect((await reg.request('GET', '/v1/components/plain')).json.options).toEqual({});
  });

  test('bad declarations and references → 400 naming the field', async () => {
    const base = withPort('1.0.0', 5432);
    const cases: [unknown, string][] = [
      [{ ...base, services: { optdb: { image: 'x:${{ options.tag }}' } } }, 'services.optdb.image'],
      [{ ...base, options: { port: { type: 'port', default: 70000 } } }, 'options.port.default'],
      [{ ...base, options: { ...base.options, password: { type: 'string', secret: true, env: 'X', default: 'p' } } }, 'options.password.default'],
      [{ ...base, options: { port: { type: 'float' } } }, 'options.port.type'],
    ];
    for (const [body, field] of cases) {
      const r = await put('badopt', '1.0.0', body);
      expect({ status: r.status, code: r.json.error.code }).toEqual({ status: 400, code: ErrorCodes.DEFINITION_INVALID });
      expect(r.json.error.message).toContain(field);
    }
  });
});
