/**
 * SPEC §13: random and mutated manifests and definitions never produce a stack trace — every failure is an
 * HsmError with a code — and hostile YAML is rejected in bounded time. Seeded, so a failure reproduces.
 */
import { describe, expect, test } from '@jest/globals';
import { parseManifest, parseDefinition, parseOverlay, checkDefinition } from './load.js';
import { HsmError } from './errors.js';

function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const MANIFEST = `version: 1
name: rag-app
registries:
  - name: local
    path: ./hsm-registry
components:
  qdrant-adapter:
    version: "^1.4"
    mode: dev
    path: packages/qdrant-adapter
  redis: {}
groups:
  vector-store: { policy: one, use: qdrant-adapter }
  exporters:
    policy: many
    min: 1
    use: [otel-exporter, prometheus-exporter]
compose:
  link: include
`;

const DEFINITION = `name: qdrant-adapter
version: 1.4.0
provides: [vector-store]
requires:
  - qdrant@^1.12
  - interface: embeddings
python:
  package: qdrant-client
  requirement: "qdrant-client>=1.12,<2"
services:
  qdrant:
    image: qdrant/qdrant:v1.12.1
    ports: ["6333:6333"]
    dev:
      build: { context: . }
env:
  QDRANT_URL: http://localhost:6333
`;

const NOISE = [':', '-', ' ', '\n', '{', '}', '[', ']', '&a', '*a', '!!str', '"', "'", '#', '|', '>', '?', '%', '@', '\t', '\u0000', '9'.repeat(40), 'null', '~'];

function mutate(text: string, rnd: () => number): string {
  let t = text;
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * (t.length + 1));
    const op = rnd();
    if (op < 0.35) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(rnd() * 6));
    else if (op < 0.75) t = t.slice(0, at) + NOISE[Math.floor(rnd() * NOISE.length)] + t.slice(at);
    else {
      const lines = t.split('\n');
      const a = Math.floor(rnd() * lines.length);
      const b = Math.floor(rnd() * lines.length);
      [lines[a], lines[b]] = [lines[b], lines[a]];
      t = lines.join('\n');
    }
  }
  return t;
}

function onlyCodedErrors(f: () => unknown): 'ok' | 'coded' {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (!(e instanceof HsmError)) throw new Error(`uncoded error: ${(e as Error)?.stack ?? String(e)}`);
    expect(e.code).toMatch(/^HSM_[A-Z_]+$/);
    expect(e.message.length).toBeGreaterThan(0);
    return 'coded';
  }
}

describe('mutated inputs give coded errors, never stack traces', () => {
  test('manifests, overlays and definitions (3 × 1500 mutations)', () => {
    const rnd = prng(20261124);
    const seen = { ok: 0, coded: 0 };
    for (let i = 0; i < 1500; i++) {
      seen[onlyCodedErrors(() => parseManifest(mutate(MANIFEST, rnd)))]++;
      seen[onlyCodedErrors(() => parseOverlay(mutate('components:\n  qdrant-adapter:\n    mode: dev\n    path: ../qa\n', rnd)))]++;
      seen[onlyCodedErrors(() => parseDefinition(mutate(DEFINITION, rnd), 'qdrant-adapter/1.4.0.yaml'))]++;
    }
    // the mutations really exercise both outcomes
    expect(seen.ok).toBeGreaterThan(100);
    expect(seen.coded).toBeGreaterThan(1000);
  });

  test('registry responses: arbitrary JSON values as definitions', () => {
    const rnd = prng(7);
    const values: unknown[] = [null, 1, 'x', [], {}, { name: 'a' }, { name: 'a', version: '1.0.0' }, { name: 'a', version: '1.0.0', services: {} }];
    for (let i = 0; i < 500; i++) {
      const base = JSON.parse(JSON.stringify({ name: 'a', version: '1.0.0', python: { package: 'a' }, services: { s: { image: 'x' } } }));
      const keys = ['name', 'version', 'python', 'services', 'provides', 'requires', 'env', '__proto__', 'constructor'];
      base[keys[Math.floor(rnd() * keys.length)]] = values[Math.floor(rnd() * values.length)];
      onlyCodedErrors(() => checkDefinition(base, 'registry response'));
    }
  });

  test('hostile YAML is rejected quickly', () => {
    const bombs = [
      [
        'a: &a ["x","x","x","x","x","x","x","x","x"]',
        ...Array.from(
          { length: 11 },
          (_, i) =>
            `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
              .fill('*' + String.fromCharCode(97 + i))
              .join(',')}]`,
        ),
      ].join('\n'),
      'components: ' + '['.repeat(5000) + ']'.repeat(5000),
      'x: ' + '{a: '.repeat(3000) + '1' + '}'.repeat(3000),
      'name: ' + 'a'.repeat(2 * 1024 * 1024),
    ];
    for (const b of bombs) {
      const t0 = Date.now();
      expect(onlyCodedErrors(() => parseManifest(b))).toBe('coded');
      expect(Date.now() - t0).toBeLessThan(2000);
    }
  });
});
