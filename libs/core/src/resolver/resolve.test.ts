import { describe, expect, test } from '@jest/globals';
import { resolve, MAX_STEPS, type ResolveInput } from './resolve.js';
import { explainWhy } from './describe.js';
import { lockFromResolution } from './lock-from-resolution.js';
import { digestOf } from '../canonical-json.js';
import type { CatalogEntry, RegistrySnapshot, Resolution } from '../model.js';
import type { ComponentDefinition } from '../schema/definition.js';
import type { Manifest } from '../schema/manifest.js';
import { thrown } from '../../../../test/support/hsm-errors.js';

type Def = Partial<ComponentDefinition> & { name: string; version: string };

function entry(d: Def, yanked = false): CatalogEntry {
  const definition = { python: { package: d.name }, ...d } as ComponentDefinition;
  return { name: d.name, version: d.version, digest: digestOf(definition), yanked, definition };
}

function registry(name: string, defs: Array<Def | CatalogEntry>, opts: { complete?: boolean; kind?: RegistrySnapshot['kind'] } = {}): RegistrySnapshot {
  const components = new Map<string, CatalogEntry[]>();
  for (const d of defs) {
    const e = 'definition' in d && 'digest' in d ? (d as CatalogEntry) : entry(d as Def);
    components.set(e.name, [...(components.get(e.name) ?? []), e]);
  }
  return { name, kind: opts.kind ?? 'folder', complete: opts.complete ?? true, components, interfaces: new Map() };
}

function manifest(components: Manifest['components'], groups?: Manifest['groups']): Manifest {
  return { version: 1, name: 'app', components, ...(groups ? { groups } : {}) };
}

function run(input: Partial<ResolveInput> & Pick<ResolveInput, 'manifest' | 'registries'>): Resolution {
  const out = resolve({ overlay: {}, ...input });
  if (out.kind !== 'resolved') throw new Error(`expected resolved, got need ${out.names.join(',')}`);
  return out.resolution;
}

function versions(r: Resolution): Record<string, string> {
  return Object.fromEntries(r.components.map((c) => [c.name, c.version]));
}

const basic = registry('builtin', [
  { name: 'redis', version: '7.2.0', provides: ['cache'] },
  { name: 'redis', version: '7.4.0', provides: ['cache'] },
  { name: 'redis', version: '8.0.0-rc.1', provides: ['cache'] },
  { name: 'valkey', version: '8.0.0', provides: ['cache'], conflicts: ['redis'] },
  { name: 'app-cache', version: '1.0.0', requires: ['redis@^7'] },
]);

describe('versions', () => {
  test('highest satisfying version, prereleases excluded by *', () => {
    expect(versions(run({ manifest: manifest({ redis: {} }), registries: [basic] }))).toEqual({ redis: '7.4.0' });
  });

  test('manifest range and requires range are intersected', () => {
    const r = run({ manifest: manifest({ redis: { version: '~7.2' }, 'app-cache': null }), registries: [basic] });
    expect(versions(r)).toEqual({ 'app-cache': '1.0.0', redis: '7.2.0' });
  });

  test('transitive requires, deterministic sorted output', () => {
    const reg = registry('r', [
      { name: 'c', version: '1.0.0' },
      { name: 'b', version: '1.0.0', requires: ['c'] },
      { name: 'a', version: '1.0.0', requires: ['b@^1'] },
    ]);
    const r = run({ manifest: manifest({ a: {} }), registries: [reg] });
    expect(r.components.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect(JSON.stringify(r)).toBe(JSON.stringify(run({ manifest: manifest({ a: {} }), registries: [reg] })));
  });

  test('yanked versions are skipped unless locked', () => {
    const reg = registry('r', [entry({ name: 'a', version: '1.0.0' }), entry({ name: 'a', version: '1.1.0' }, true)]);
    expect(versions(run({ manifest: manifest({ a: {} }), registries: [reg] }))).toEqual({ a: '1.0.0' });
    const lock = { version: 1 as const, components: { a: { version: '1.1.0', registry: 'r', digest: entry({ name: 'a', version: '1.1.0' }).digest } } };
    expect(versions(run({ manifest: manifest({ a: {} }), registries: [reg], lock }))).toEqual({ a: '1.1.0' });
    // upgrading moves off the yanked version
    expect(versions(run({ manifest: manifest({ a: {} }), registries: [reg], lock, upgrade: ['a'] }))).toEqual({ a: '1.0.0' });
  });

  test('nothing satisfies → UNSATISFIABLE with the chain', () => {
    const reg = registry('r', [
      { name: 'b', version: '1.0.0' },
      { name: 'b', version: '2.0.0' },
      { name: 'a', version: '1.0.0', requires: ['b@^2'] },
      { name: 'c', version: '1.0.0', requires: ['b@^1'] },
      { name: 'd', version: '1.0.0', requires: ['c'] },
    ]);
    const e = thrown(() => run({ manifest: manifest({ a: {}, d: {} }), registries: [reg] }));
    expect(e.code).toBe('HSM_UNSATISFIABLE');
    expect(e.message).toBe('no version of b satisfies every requirement: b@^2 required by a 1.0.0, which is listed in hsm.yaml; b@^1 required by c 1.0.0, which is required by d 1.0.0, which is listed in hsm.yaml');
    expect(e.details.join('\n')).toContain('available in r: 2.0.0, 1.0.0');
  });
});

describe('lock', () => {
  const reg = registry('r', [
    { name: 'a', version: '1.0.0' },
    { name: 'a', version: '1.1.0' },
    { name: 'b', version: '2.0.0' },
    { name: 'b', version: '2.1.0' },
  ]);
  const lock = {
    version: 1 as const,
    components: {
      a: { version: '1.0.0', registry: 'r', digest: entry({ name: 'a', version: '1.0.0' }).digest },
      b: { version: '2.0.0', registry: 'r', digest: entry({ name: 'b', version: '2.0.0' }).digest },
    },
  };
  const m = manifest({ a: {}, b: {} });

  test('a locked version that still fits is kept', () => {
    expect(versions(run({ manifest: m, registries: [reg], lock }))).toEqual({ a: '1.0.0', b: '2.0.0' });
  });
  test('upgrade: all, or only the named components', () => {
    expect(versions(run({ manifest: m, registries: [reg], lock, upgrade: true }))).toEqual({ a: '1.1.0', b: '2.1.0' });
    expect(versions(run({ manifest: m, registries: [reg], lock, upgrade: ['b'] }))).toEqual({ a: '1.0.0', b: '2.1.0' });
  });
  test('upgrade of a name not in the stack is an error', () => {
    expect(thrown(() => run({ manifest: m, registries: [reg], lock, upgrade: ['bb'] })).code).toBe('HSM_COMPONENT_NOT_FOUND');
  });
  test('a locked version that no longer fits the range moves', () => {
    expect(versions(run({ manifest: manifest({ a: { version: '>=1.1' }, b: {} }), registries: [reg], lock }))).toEqual({ a: '1.1.0', b: '2.0.0' });
  });
  test('lockFromResolution round-trips', () => {
    expect(lockFromResolution(run({ manifest: m, registries: [reg], lock }))).toEqual(lock.components);
  });
  test('different content for a locked version → DIGEST_MISMATCH', () => {
    const changed = registry('r', [
      { name: 'a', version: '1.0.0', description: 'changed' },
      { name: 'b', version: '2.0.0' },
    ]);
    const e = thrown(() => run({ manifest: m, registries: [changed], lock }));
    expect(e.code).toBe('HSM_DIGEST_MISMATCH');
    // accepted explicitly with an upgrade of that component
    expect(versions(run({ manifest: m, registries: [changed], lock, upgrade: ['a'] }))).toEqual({ a: '1.0.0', b: '2.0.0' });
  });
  test('a locked component keeps its registry; an earlier registry does not shadow it', () => {
    const team = registry('team', [{ name: 'a', version: '9.0.0' }]);
    const r = run({ manifest: manifest({ a: {} }), registries: [team, reg], lock: { version: 1, components: { a: lock.components.a } } });
    expect(r.components[0]).toMatchObject({ name: 'a', version: '1.0.0', registry: 'r' });
    // without the lock, search order decides
    expect(run({ manifest: manifest({ a: {} }), registries: [team, reg] }).components[0]).toMatchObject({ version: '9.0.0', registry: 'team' });
  });
  test('the locked registry losing the component is an error, not a silent switch', () => {
    const empty = registry('r', [{ name: 'b', version: '2.0.0' }]);
    const other = registry('public', [{ name: 'a', version: '1.0.0', description: 'impostor' }]);
    const e = thrown(() => run({ manifest: manifest({ a: {} }), registries: [empty, other], lock: { version: 1, components: { a: lock.components.a } } }));
    expect(e.code).toBe('HSM_COMPONENT_NOT_FOUND');
  });
});

describe('registries', () => {
  const first = registry('team', [{ name: 'a', version: '1.0.0' }]);
  const second = registry('builtin', [
    { name: 'a', version: '2.0.0' },
    { name: 'b', version: '1.0.0' },
  ]);

  test('first registry that has a name wins, even with a lower version', () => {
    const r = run({ manifest: manifest({ a: {}, b: {} }), registries: [first, second] });
    expect(r.components.map((c) => [c.name, c.version, c.registry])).toEqual([
      ['a', '1.0.0', 'team'],
      ['b', '1.0.0', 'builtin'],
    ]);
  });
  test('a pin restricts to one registry', () => {
    const r = run({ manifest: manifest({ a: { registry: 'builtin' } }), registries: [first, second] });
    expect(r.components[0]).toMatchObject({ version: '2.0.0', registry: 'builtin' });
    expect(thrown(() => run({ manifest: manifest({ b: { registry: 'team' } }), registries: [first, second] })).code).toBe('HSM_COMPONENT_NOT_FOUND');
  });
  test('a pin to an unknown registry → REGISTRY_NOT_FOUND', () => {
    expect(thrown(() => run({ manifest: manifest({ a: { registry: 'tema' } }), registries: [first, second] })).code).toBe('HSM_REGISTRY_NOT_FOUND');
  });
  test('unknown component → COMPONENT_NOT_FOUND with did-you-mean', () => {
    const e = thrown(() => run({ manifest: manifest({ redsi: {} }), registries: [basic] }));
    expect(e.code).toBe('HSM_COMPONENT_NOT_FOUND');
    expect(e.message).toContain('redis');
  });
  test('incomplete snapshots ask for names level by level', () => {
    const remote = registry('team', [], { complete: false, kind: 'remote' });
    const m = manifest({ a: {} });
    expect(resolve({ manifest: m, overlay: {}, registries: [remote, second] })).toEqual({ kind: 'need', names: ['a'] });
    remote.components.set('a', [entry({ name: 'a', version: '1.0.0', requires: ['x', 'b'] })]);
    expect(resolve({ manifest: m, overlay: {}, registries: [remote, second] })).toEqual({ kind: 'need', names: ['b', 'x'] });
    remote.components.set('x', [entry({ name: 'x', version: '3.0.0' })]);
    remote.components.set('b', []); // fetched: not there, so the next registry is asked
    const r = run({ manifest: m, registries: [remote, second] });
    expect(r.components.map((c) => `${c.name}@${c.version}@${c.registry}`)).toEqual(['a@1.0.0@team', 'b@1.0.0@builtin', 'x@3.0.0@team']);
  });
});

describe('backtracking', () => {
  test('an older version is chosen when the newest makes things unsatisfiable', () => {
    const reg = registry('r', [
      { name: 'a', version: '2.0.0', requires: ['b@^2'] },
      { name: 'a', version: '1.0.0', requires: ['b@^1'] },
      { name: 'b', version: '1.5.0' },
      { name: 'b', version: '2.0.0' },
      { name: 'c', version: '1.0.0', requires: ['b@^1'] },
    ]);
    expect(versions(run({ manifest: manifest({ a: {}, c: {} }), registries: [reg] }))).toEqual({ a: '1.0.0', b: '1.5.0', c: '1.0.0' });
  });

  test('backtracks over a conflict', () => {
    const reg = registry('r', [
      { name: 'a', version: '2.0.0', conflicts: ['z'] },
      { name: 'a', version: '1.0.0' },
      { name: 'z', version: '1.0.0' },
    ]);
    expect(versions(run({ manifest: manifest({ a: {}, z: {} }), registries: [reg] }))).toEqual({ a: '1.0.0', z: '1.0.0' });
  });

  test('dead ends independent of earlier choices do not explode (backjumping)', () => {
    // 30 components with 10 versions each, then one that cannot be satisfied: chronological
    // backtracking would try 10^30 combinations.
    const defs: Def[] = [];
    const m: Manifest['components'] = {};
    for (let i = 0; i < 30; i++) {
      for (let v = 0; v < 10; v++) defs.push({ name: `p${String(i).padStart(2, '0')}`, version: `1.${v}.0` });
      m[`p${String(i).padStart(2, '0')}`] = {};
    }
    defs.push({ name: 'zz', version: '1.0.0', requires: ['missing-dep'] });
    m.zz = {};
    const e = thrown(() => run({ manifest: manifest(m), registries: [registry('r', defs)] }));
    expect(e.code).toBe('HSM_COMPONENT_NOT_FOUND');
  });

  test('the search is bounded', () => {
    // every x version clashes with every y version except via a third party: genuinely exponential
    const defs: Def[] = [];
    const m: Manifest['components'] = {};
    for (let i = 0; i < 12; i++) {
      for (let v = 0; v < 4; v++) defs.push({ name: `x${i}`, version: `1.${v}.0`, requires: [`y@~1.${(i * 4 + v) % 97}.0`] });
      m[`x${i}`] = {};
    }
    for (let v = 0; v < 97; v++) defs.push({ name: 'y', version: `1.${v}.0` });
    const e = thrown(() => run({ manifest: manifest(m), registries: [registry('r', defs)] }));
    expect(e.code).toBe('HSM_UNSATISFIABLE');
    expect(MAX_STEPS).toBeGreaterThan(1000);
  });
});

describe('conflicts', () => {
  test('either direction is a CONFLICT naming both', () => {
    const e = thrown(() => run({ manifest: manifest({ redis: {}, valkey: {} }), registries: [basic] }));
    expect(e.code).toBe('HSM_CONFLICT');
    expect(e.message).toMatch(/redis/);
    expect(e.message).toMatch(/valkey/);
    // declared only on valkey; redis decided first or second, both orders are caught
    const e2 = thrown(() => run({ manifest: manifest({ valkey: {}, 'app-cache': {} }), registries: [basic] }));
    expect(e2.code).toBe('HSM_CONFLICT');
  });
});

describe('interfaces and groups', () => {
  const reg = registry('builtin', [
    { name: 'rag-pipeline', version: '2.1.0', requires: [{ interface: 'embeddings' }, { interface: 'vector-store' }] },
    { name: 'openai-embeddings', version: '1.0.0', provides: ['embeddings'] },
    { name: 'bge-embeddings', version: '1.0.0', provides: ['embeddings'] },
    { name: 'qdrant-adapter', version: '1.4.0', provides: ['vector-store'], conflicts: ['chroma-adapter'] },
    { name: 'chroma-adapter', version: '0.5.0', provides: ['vector-store'] },
    { name: 'weaviate-adapter', version: '4.0.0', provides: ['vector-store'] },
    { name: 'pgvector-adapter', version: '0.3.0', provides: ['vector-store'] },
    { name: 'pgvector-adapter', version: '0.4.0', provides: ['vector-store', 'sql'] },
    { name: 'redis', version: '7.4.0', provides: ['cache'] },
    { name: 'otel-exporter', version: '1.0.0', provides: ['exporters'] },
    { name: 'prometheus-exporter', version: '1.0.0', provides: ['exporters'] },
  ]);

  test('unfilled interface → INTERFACE_UNFILLED with candidates and the fix', () => {
    const e = thrown(() => run({ manifest: manifest({ 'rag-pipeline': {}, 'qdrant-adapter': {} }), registries: [reg] }));
    expect(e.code).toBe('HSM_INTERFACE_UNFILLED');
    expect(e.message).toBe('rag-pipeline 2.1.0 requires interface embeddings; no component in the stack provides it; candidates: bge-embeddings, openai-embeddings — run `hsm use embeddings <name>`');
    expect(e.hint).toBe('hsm use embeddings <name>   (one of: bge-embeddings, openai-embeddings)');
  });

  test('every unfilled interface is reported', () => {
    const e = thrown(() => run({ manifest: manifest({ 'rag-pipeline': {} }), registries: [reg] }));
    expect(e.code).toBe('HSM_INTERFACE_UNFILLED');
    expect(e.details).toContain('also unfilled: vector-store, required by rag-pipeline 2.1.0 (candidates: chroma-adapter, pgvector-adapter, qdrant-adapter, weaviate-adapter)');
  });

  test('interfaces are filled by any provider in the stack; reasons are recorded', () => {
    const r = run({ manifest: manifest({ 'rag-pipeline': {}, 'bge-embeddings': {} }, { 'vector-store': { policy: 'one', use: 'qdrant-adapter' } }), registries: [reg] });
    expect(r.interfaces).toEqual({ embeddings: ['bge-embeddings'], 'vector-store': ['qdrant-adapter'] });
    const q = r.components.find((c) => c.name === 'qdrant-adapter')!;
    expect(q.reasons).toEqual([
      { kind: 'group', group: 'vector-store' },
      { kind: 'interface', by: 'rag-pipeline', byVersion: '2.1.0', interface: 'vector-store' },
    ]);
  });

  test('a group member must provide the interface', () => {
    expect(thrown(() => run({ manifest: manifest({}, { 'vector-store': { policy: 'one', use: 'redis' } }), registries: [reg] })).code).toBe('HSM_GROUP_INVALID');
  });

  test('a misspelt group name gets "did you mean", not advice to remove it (issue 9 item 8)', () => {
    const e = thrown(() => run({ manifest: manifest({}, { 'vector-stor': { policy: 'one', use: 'qdrant-adapter' } }), registries: [reg] }));
    expect(e.code).toBe('HSM_GROUP_INVALID');
    expect(e.message).toContain('did you mean `vector-store`?');
    expect(e.hint).toContain('hsm use vector-store qdrant-adapter');
  });

  test('a provider outside the group is not allowed in the stack', () => {
    const e = thrown(() => run({ manifest: manifest({ 'chroma-adapter': {} }, { 'vector-store': { policy: 'one', use: 'weaviate-adapter' } }), registries: [reg] }));
    expect(e.code).toBe('HSM_GROUP_INVALID');
    expect(e.hint).toContain('hsm use vector-store');
  });

  test('versions that would provide a grouped interface from outside the group are skipped', () => {
    const r = run({ manifest: manifest({ 'pgvector-adapter': {} }, { sql: { policy: 'many', use: [], min: 0 }, 'vector-store': { policy: 'many', use: ['pgvector-adapter'] } }), registries: [reg] });
    expect(versions(r)).toEqual({ 'pgvector-adapter': '0.3.0' });
  });

  test('many: cardinality and duplicates', () => {
    const ok = run({ manifest: manifest({}, { exporters: { policy: 'many', min: 1, max: 2, use: ['otel-exporter', 'prometheus-exporter'] } }), registries: [reg] });
    expect(ok.interfaces.exporters).toEqual(['otel-exporter', 'prometheus-exporter']);
    for (const g of [
      { policy: 'many' as const, min: 1, max: 1, use: ['otel-exporter', 'prometheus-exporter'] },
      { policy: 'many' as const, use: [] },
      { policy: 'many' as const, use: ['otel-exporter', 'otel-exporter'] },
      { policy: 'many' as const, min: 3, max: 2, use: ['otel-exporter'] },
    ]) {
      expect(thrown(() => run({ manifest: manifest({}, { exporters: g }), registries: [reg] })).code).toBe('HSM_GROUP_INVALID');
    }
  });

  test('group members are in the stack without a components entry, and conflicts still hold', () => {
    const e = thrown(() => run({ manifest: manifest({}, { 'vector-store': { policy: 'many', use: ['qdrant-adapter', 'chroma-adapter'] } }), registries: [reg] }));
    expect(e.code).toBe('HSM_CONFLICT');
  });
});

describe('mode, checkout and why', () => {
  const reg = registry('builtin', [
    { name: 'a', version: '1.0.0', requires: ['b@^1'] },
    { name: 'b', version: '1.2.0' },
  ]);
  test('overlay over manifest entry; defaults prod and packages/<name>', () => {
    const r = run({
      manifest: manifest({ a: { mode: 'dev', path: '../a' } }),
      overlay: { components: { a: { mode: 'prod' }, b: { mode: 'dev' } } },
      registries: [reg],
    });
    expect(r.components.map((c) => [c.name, c.mode, c.checkout])).toEqual([
      ['a', 'prod', '../a'],
      ['b', 'dev', 'packages/b'],
    ]);
  });
  test('explainWhy follows requires up to hsm.yaml', () => {
    const r = run({ manifest: manifest({ a: { version: '^1' } }), registries: [reg] });
    expect(explainWhy(r, 'b')).toEqual(['b 1.2.0 (registry builtin, prod)', '  required by a 1.0.0 (^1)', '    listed in hsm.yaml (^1)']);
    expect(thrown(() => explainWhy(r, 'c')).code).toBe('HSM_COMPONENT_NOT_FOUND');
  });
});
