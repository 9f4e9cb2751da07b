/** The published JSON Schemas are generated from the zod schemas, current, and usable by an editor's validator. */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO } from '../support/hsm-cli.js';

describe('schemas/', () => {
  test('is up to date with the zod schemas', () => {
    const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'build-schemas.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('hsm.schema.json accepts the spec example and rejects a misspelt key', async () => {
    const { default: Ajv2020 } = await import('ajv/dist/2020.js');
    const ajv = new (Ajv2020 as unknown as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown[] } })({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(JSON.parse(readFileSync(join(REPO, 'schemas', 'hsm.schema.json'), 'utf8')));
    const example = parse(`version: 1
name: rag-app
registries:
  - { name: team, url: "https://hsm.example.com" }
  - { name: local, path: ./hsm-registry }
components:
  qdrant-adapter: { version: "^1.4", mode: dev, path: packages/qdrant-adapter, registry: team }
  redis: {}
groups:
  vector-store: { policy: one, use: qdrant-adapter }
  exporters: { policy: many, min: 1, max: 3, use: [otel-exporter, prometheus-exporter] }
compose: { link: include }
`);
    expect(validate(example)).toBe(true);
    expect(validate({ ...example, compnents: {} })).toBe(false);
    const def = ajv.compile(JSON.parse(readFileSync(join(REPO, 'schemas', 'component.schema.json'), 'utf8')));
    const seed = parse(readFileSync(join(REPO, 'registry-seed', 'qdrant-adapter', '1.13.3.yaml'), 'utf8'));
    expect(def(seed)).toBe(true);
  });
});
