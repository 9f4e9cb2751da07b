import { describe, expect, test } from '@jest/globals';
import { parseManifest, parseDefinition } from './load.js';
import { thrown as err } from '../../../test/support/hsm-errors.js';

describe('parseManifest', () => {
  test('accepts the spec example', () => {
    const text = `version: 1
name: rag-app
registries:
  - name: local
    path: ./hsm-registry
components:
  qdrant-adapter:
    version: "^1.4"
    mode: dev
  redis: {}
  valkey:
groups:
  vector-store:
    policy: one
    use: qdrant-adapter
compose:
  link: include
`;
    const { manifest } = parseManifest(text);
    expect(manifest.components?.redis).toEqual({});
    expect(manifest.components?.valkey).toBeNull();
  });

  test('unknown key: location and did-you-mean', () => {
    const e = err(() => parseManifest('version: 1\nname: x\ncomponents:\n  redis:\n    verison: "^1"\n'));
    expect(e.code).toBe('HSM_MANIFEST_INVALID');
    expect(e.location).toBe('hsm.yaml:5:5');
    expect(e.message).toContain('did you mean `version`');
  });

  test('bad range points at the value', () => {
    const e = err(() => parseManifest('version: 1\nname: x\ncomponents:\n  redis:\n    version: "not a range"\n'));
    expect(e.location).toBe('hsm.yaml:5:14');
    expect(e.message).toContain('components.redis.version');
  });

  test('billion laughs is rejected', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill('*' + String.fromCharCode(96 + i))
          .join(',')}]`,
      );
    const e = err(() => parseManifest(lines.join('\n')));
    expect(['HSM_YAML_TOO_COMPLEX', 'HSM_MANIFEST_INVALID']).toContain(e.code);
  });

  test('tags are refused', () => {
    const e = err(() => parseManifest('version: 1\nname: !!python/object:os.system x\n'));
    expect(e.code).toBe('HSM_MANIFEST_INVALID');
  });
});

describe('parseDefinition', () => {
  test('needs python or services', () => {
    const e = err(() => parseDefinition('name: a\nversion: 1.0.0\n', 'a/1.0.0.yaml'));
    expect(e.code).toBe('HSM_DEFINITION_INVALID');
  });
  test('accepts the spec example', () => {
    const d = parseDefinition(
      `name: qdrant-adapter
version: 1.4.0
provides: [vector-store]
requires:
  - qdrant@^1.12
  - interface: embeddings
conflicts: [chroma-adapter]
python:
  package: qdrant-client
  requirement: "qdrant-client>=1.12,<2"
  index: { name: team-pypi, url: https://pypi.example.com/simple }
  source: { git: https://github.com/example/qdrant-adapter.git, ref: v1.4.0, subdirectory: python }
services:
  qdrant:
    image: qdrant/qdrant:v1.12.1
    ports: ["6333:6333"]
    healthcheck: { test: ["CMD", "wget", "-qO-", "http://localhost:6333/readyz"], interval: 5s }
    dev:
      build: { context: ., dockerfile: Dockerfile }
env:
  QDRANT_URL: http://localhost:6333
`,
      'x.yaml',
    );
    expect(d.requires).toHaveLength(2);
  });
});
