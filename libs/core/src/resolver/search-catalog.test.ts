import { describe, expect, test } from '@jest/globals';
import { searchCatalog, findVersions } from './search-catalog.js';
import { catalogJsonOf, catalogSeal, loadBuiltinCatalog } from './builtin-catalog.js';
import { digestOf } from '../canonical-json.js';
import { HsmError } from '../errors.js';
import type { CatalogEntry, RegistrySnapshot } from '../model.js';
import type { ComponentDefinition } from '../schema/definition.js';

function entry(d: Partial<ComponentDefinition> & { name: string; version: string }, yanked = false): CatalogEntry {
  const definition = { python: { package: d.name }, ...d } as ComponentDefinition;
  return { name: d.name, version: d.version, digest: digestOf(definition), yanked, definition };
}
function registry(name: string, entries: CatalogEntry[]): RegistrySnapshot {
  const components = new Map<string, CatalogEntry[]>();
  for (const e of entries) components.set(e.name, [...(components.get(e.name) ?? []), e]);
  return { name, kind: 'folder', complete: true, components, interfaces: new Map([['cache', { name: 'cache', description: 'caches' }]]) };
}

const team = registry('team', [entry({ name: 'redis', version: '1.0.0', description: 'team redis' })]);
const builtin = registry('builtin', [
  entry({ name: 'redis', version: '7.4.0', description: 'Redis server', provides: ['cache'] }),
  entry({ name: 'valkey', version: '8.0.1', description: 'Redis fork', provides: ['cache'] }),
  entry({ name: 'valkey', version: '8.1.2', description: 'Redis fork, newer', provides: ['cache'] }, true),
  entry({ name: 'qdrant-adapter', version: '1.13.3', description: 'Qdrant', provides: ['vector-store'] }),
  entry({ name: 'gone', version: '1.0.0' }, true),
]);

describe('searchCatalog', () => {
  test('exact name, then name matches, then description/interface matches; first registry shadows', () => {
    expect(searchCatalog([team, builtin], 'redis')).toEqual([
      { name: 'redis', version: '1.0.0', registry: 'team', description: 'team redis', provides: [] },
      { name: 'valkey', version: '8.0.1', registry: 'builtin', description: 'Redis fork', provides: ['cache'] },
    ]);
    expect(searchCatalog([builtin], 'VECTOR').map((h) => h.name)).toEqual(['qdrant-adapter']);
    expect(searchCatalog([builtin], 'nothing-like-this')).toEqual([]);
  });
  test('empty text lists everything with a non-yanked version, sorted', () => {
    expect(searchCatalog([builtin], '').map((h) => `${h.name}@${h.version}`)).toEqual(['qdrant-adapter@1.13.3', 'redis@7.4.0', 'valkey@8.0.1']);
  });
});

describe('findVersions', () => {
  test('every registry that has the name, newest first, yanked included', () => {
    const found = findVersions([team, builtin], 'redis');
    expect(found.map((f) => [f.registry, f.entries.map((e) => e.version)])).toEqual([
      ['team', ['1.0.0']],
      ['builtin', ['7.4.0']],
    ]);
    expect(findVersions([builtin], 'valkey')[0].entries.map((e) => [e.version, e.yanked])).toEqual([
      ['8.1.2', true],
      ['8.0.1', false],
    ]);
    expect(findVersions([builtin], 'nope')).toEqual([]);
  });
});

describe('catalog JSON', () => {
  test('round-trips and keeps yanked flags; same snapshot → same bytes', () => {
    const json = catalogJsonOf(builtin);
    expect(catalogJsonOf(loadBuiltinCatalog(json))).toBe(json);
    expect(
      loadBuiltinCatalog(json)
        .components.get('valkey')!
        .find((e) => e.version === '8.1.2')!.yanked,
    ).toBe(true);
  });
  test('a sealed text is taken as it is, giving the same snapshot as the full check; any other text is checked in full', () => {
    const json = catalogJsonOf(builtin);
    const seal = catalogSeal(json);
    expect(loadBuiltinCatalog(json, 'builtin', seal)).toEqual(loadBuiltinCatalog(json));
    // an edited definition keeps its old digest: with the seal of the original text it is still refused
    const edited = json.replace('"description":"Redis server"', '"description":"Evil server"');
    expect(edited).not.toBe(json);
    expect(() => loadBuiltinCatalog(edited, 'builtin', seal)).toThrow(HsmError);
  });
  test('damaged input is a coded error', () => {
    const data = JSON.parse(catalogJsonOf(builtin));
    data.components[0].version = '9.9.9';
    for (const bad of ['', '[]', '{"format":2,"components":[],"interfaces":[]}', JSON.stringify(data)]) {
      expect(() => loadBuiltinCatalog(bad)).toThrow(HsmError);
    }
  });
});
