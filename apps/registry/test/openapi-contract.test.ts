/**
 * Issue 10 item 7: the OpenAPI document states what the service enforces and answers. (The schemathesis run in
 * schemathesis.test.ts checks the service against it; this file checks the document's own promises.)
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { sendRaw, startRegistry, type TestRegistry } from '../../../test/support/registry.js';

let reg: TestRegistry;
let doc: any;
beforeAll(async () => {
  reg = await startRegistry();
  doc = (await reg.request('GET', '/docs/openapi.json')).json;
});
afterAll(async () => {
  await reg?.close();
});

const operations = () => Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
const param = (op: any, name: string) => (op.parameters ?? []).map((p: any) => (p.$ref ? doc.components.parameters[p.$ref.split('/').pop()] : p)).find((p: any) => p.name === name);
const schemaOf = (s: any): any => (s?.$ref ? doc.components.schemas[s.$ref.split('/').pop()] : s);

describe('the OpenAPI document', () => {
  test('path parameters and the search/resolve strings carry the patterns the service enforces', () => {
    for (const { path, op } of operations()) {
      for (const name of ['name', 'version']) {
        if (!path.includes(`{${name}}`)) continue;
        expect([path, name, param(op, name)?.schema?.pattern]).toEqual([path, name, expect.any(String)]);
      }
    }
    const search = doc.paths['/v1/components'].get;
    expect(param(search, 'provides').schema.pattern).toEqual(expect.any(String));
    const resolve = schemaOf(doc.paths['/v1/resolve'].post.requestBody.content['application/json'].schema);
    expect(resolve.properties.components.items.properties.range.pattern).toEqual(expect.any(String));
    expect(resolve.properties.components.items.properties.name.pattern).toEqual(expect.any(String));
  });

  test('every operation lists 500 and 503; every operation with input lists 400', () => {
    for (const { path, method, op } of operations()) {
      expect([path, method, Object.keys(op.responses)]).toEqual([path, method, expect.arrayContaining(['500', '503'])]);
      if (op.parameters?.length || op.requestBody) expect([path, method, Object.keys(op.responses)]).toEqual([path, method, expect.arrayContaining(['400'])]);
    }
    expect(Object.keys(doc.paths['/v1/tokens/{id}'].delete.responses)).toContain('400');
    expect(Object.keys(doc.paths['/v1/components/{name}/versions/{version}/yank'].post.responses)).toContain('400');
  });

  test('the version document declares If-None-Match and 304', () => {
    const op = doc.paths['/v1/components/{name}/versions/{version}'].get;
    expect(param(op, 'If-None-Match')).toBeDefined();
    expect(op.responses['304']).toBeDefined();
  });

  test('a method a path does not document → 405 with Allow', async () => {
    for (const [method, path] of [
      ['TRACE', '/healthz'],
      ['DELETE', '/v1/components'],
      ['PATCH', '/v1/components/x/versions/1.0.0'],
    ] as const) {
      const r = await sendRaw(reg.url, method, path);
      expect([method, path, r.status]).toEqual([method, path, 405]);
      expect(r.headers.allow).toBeTruthy();
      expect(r.json.error.code).toMatch(/^HSM_/);
    }
  });
});
