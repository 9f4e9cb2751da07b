/**
 * The catalog that ships with hsm (registry-seed/): every file valid and at its path, enough real data to
 * exercise the resolver, and the README quick start (`hsm add qdrant-adapter`) resolvable on a fresh project.
 */
import { describe, expect, test, beforeAll } from '@jest/globals';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HsmError, loadBuiltinCatalog, resolve, configureComponents, type Manifest, type RegistrySnapshot, type Resolution, type CatalogEntry, type ComponentDefinition } from '@hsm/core';
import { loadFolderRegistry } from './load-folder-registry.js';
import { buildCatalogJson } from './build-catalog.js';

const seedDir = join(dirname(fileURLToPath(import.meta.url)), '../../../../registry-seed');
let builtin: RegistrySnapshot;

beforeAll(async () => {
  builtin = loadBuiltinCatalog(await buildCatalogJson(seedDir));
});

function stack(components: Manifest['components'], groups?: Manifest['groups']): Resolution {
  const out = resolve({ manifest: { version: 1, name: 'app', components, ...(groups ? { groups } : {}) }, overlay: {}, registries: [builtin] });
  if (out.kind !== 'resolved') throw new Error('complete snapshot asked for names');
  return out.resolution;
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof HsmError) return e.code;
    throw e;
  }
  return 'no error';
}

/** A definition with every option at its default (what `hsm add NAME` renders). */
function withDefaults(e: CatalogEntry): ComponentDefinition {
  const manifest: Manifest = { version: 1, name: 'app' };
  const c = { name: e.name, version: e.version, registry: 'builtin', digest: e.digest, definition: e.definition, mode: 'prod' as const, checkout: '.', reasons: [] };
  return configureComponents({ components: [c], manifest, overlay: {}, manifestText: 'version: 1\nname: app\n', overlayText: null })[0].definition;
}

function hostPorts(ports: unknown[] | undefined): string[] {
  return (ports ?? []).map((p) => {
    const parts = String(p).split(':');
    return parts.length >= 2 ? parts[parts.length - 2] : '';
  });
}

describe('registry-seed', () => {
  test('every file validates and sits at <name>/<version>.yaml', async () => {
    const folder = await loadFolderRegistry('builtin', seedDir);
    expect(folder.components.size).toBeGreaterThanOrEqual(15);
    expect([...folder.components.values()].filter((v) => v.length >= 2).length).toBeGreaterThanOrEqual(3);
  });

  test('at least three interfaces with two or more implementations, each described in groups/', () => {
    const byInterface = new Map<string, Set<string>>();
    for (const [name, entries] of builtin.components) {
      for (const e of entries) for (const i of e.definition.provides ?? []) byInterface.set(i, (byInterface.get(i) ?? new Set()).add(name));
    }
    const rich = [...byInterface].filter(([, s]) => s.size >= 2).map(([i]) => i);
    expect(rich.length).toBeGreaterThanOrEqual(3);
    expect(rich).toEqual(expect.arrayContaining(['vector-store', 'cache', 'object-store']));
    for (const i of byInterface.keys()) expect(builtin.interfaces.has(i)).toBe(true);
  });

  test('every published port is loopback-only and set by a `port` option; a port is shared only by conflicting alternatives', () => {
    const owners = new Map<string, Set<string>>();
    for (const [name, entries] of builtin.components) {
      for (const e of entries) {
        for (const svc of Object.values(e.definition.services ?? {})) {
          for (const p of svc.ports ?? []) {
            const m = /^127\.0\.0\.1:\$\{\{ options\.([a-z_]+) \}\}:\d+$/.exec(String(p));
            expect({ name, port: p, form: m !== null }).toEqual({ name, port: p, form: true });
            expect({ name, option: m![1], type: e.definition.options?.[m![1]]?.type }).toEqual({ name, option: m![1], type: 'port' });
          }
        }
        for (const svc of Object.values(withDefaults(e).services ?? {})) {
          for (const port of hostPorts(svc.ports)) owners.set(port, (owners.get(port) ?? new Set()).add(name));
        }
      }
    }
    const latest = (n: string) => builtin.components.get(n)!.at(-1)!.definition;
    for (const [port, names] of owners) {
      const list = [...names];
      for (const a of list) {
        for (const b of list) {
          if (a === b) continue;
          const shared = (latest(a).provides ?? []).filter((i) => (latest(b).provides ?? []).includes(i));
          expect({ port, a, b, alternatives: shared.length > 0 }).toEqual({ port, a, b, alternatives: true });
          for (const e of builtin.components.get(a)!) expect({ port, a, conflicts: e.definition.conflicts ?? [] }).toEqual({ port, a, conflicts: expect.arrayContaining([b]) });
        }
      }
    }
  });

  test('components with services export connection settings', () => {
    for (const entries of builtin.components.values()) {
      for (const e of entries) if (e.definition.services) expect(Object.keys(e.definition.env ?? {}).length).toBeGreaterThan(0);
    }
  });

  test('at least 40 components and 10 interfaces; every option documented', () => {
    expect(builtin.components.size).toBeGreaterThanOrEqual(40);
    expect(builtin.interfaces.size).toBeGreaterThanOrEqual(10);
    for (const entries of builtin.components.values()) {
      for (const e of entries) for (const [n, o] of Object.entries(e.definition.options ?? {})) expect({ c: e.name, n, described: Boolean(o.description) }).toEqual({ c: e.name, n, described: true });
    }
  });

  test('no credential is left to trust: no POSTGRES_HOST_AUTH_METHOD=trust, passwords are options', () => {
    for (const entries of builtin.components.values()) {
      for (const e of entries) expect(JSON.stringify(e.definition.services ?? {})).not.toContain('trust');
    }
  });

  test('quick start: qdrant-adapter resolves on a fresh project', () => {
    const r = stack({ 'qdrant-adapter': {} });
    expect(r.components.map((c) => c.name)).toEqual(['qdrant-adapter']);
    expect(r.components[0].definition.services?.qdrant.image).toMatch(/^qdrant\/qdrant:v/);
    expect(r.interfaces).toEqual({ 'vector-store': ['qdrant-adapter'] });
  });

  test('real data exercises interfaces, conflicts, chains and backtracking', () => {
    expect(code(() => stack({ 'langchain-rag': {} }, { 'vector-store': { policy: 'one', use: 'qdrant-adapter' } }))).toBe('HSM_INTERFACE_UNFILLED');
    const rag = stack({ 'langchain-rag': {}, valkey: {} }, { 'vector-store': { policy: 'one', use: 'qdrant-adapter' }, embeddings: { policy: 'one', use: 'bge-embeddings' } });
    expect(rag.components.map((c) => `${c.name}@${c.version}`)).toEqual(['bge-embeddings@0.7.4', 'langchain-rag@1.0.0', 'qdrant-adapter@1.13.3', 'valkey@8.1.2']);
    expect(code(() => stack({ redis: {}, valkey: {} }))).toBe('HSM_CONFLICT');
    expect(code(() => stack({ 'qdrant-adapter': {}, 'chroma-adapter': {} }))).toBe('HSM_CONFLICT');
    const obs = stack({ observability: {} });
    expect(obs.components.map((c) => `${c.name}@${c.version}`)).toEqual(['grafana@11.4.0', 'observability@1.0.0', 'otel-exporter@1.29.0', 'prometheus-exporter@3.0.1']);
    // grafana 11 wants Prometheus 3; pinning Prometheus 2 backtracks to grafana 10
    expect(stack({ grafana: {}, 'prometheus-exporter': { version: '^2' } }).components.map((c) => c.version)).toEqual(['10.4.0', '2.55.1']);
    expect(code(() => stack({ observability: {}, 'prometheus-exporter': { version: '^2' } }))).toBe('HSM_UNSATISFIABLE');
  });
});
