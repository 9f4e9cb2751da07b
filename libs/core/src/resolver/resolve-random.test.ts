/**
 * Random small catalogs checked against brute force: whenever some consistent stack exists the resolver finds
 * one (backjumping loses no solution), and whatever it returns is consistent (ranges, requires, conflicts,
 * group ownership of an interface).
 */
import { describe, expect, test } from '@jest/globals';
import { resolve } from './resolve.js';
import { satisfies } from './versions.js';
import { digestOf } from '../canonical-json.js';
import { HsmError } from '../errors.js';
import type { CatalogEntry, RegistrySnapshot } from '../model.js';
import type { ComponentDefinition } from '../schema/definition.js';
import { parseComponentRequirement } from '../schema/definition.js';

function rng(seed: number): () => number {
  // mulberry32
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['a', 'b', 'c', 'd', 'e'];
const VERSIONS = ['1.0.0', '1.1.0', '2.0.0'];
const RANGES = ['*', '^1', '^2', '~1.1', '>=1.1'];

type Roots = Record<string, { version?: string }>;
/** A `many` group over interface `x`, or none. */
type Group = string[] | undefined;

function randomCatalog(r: () => number): { defs: ComponentDefinition[]; roots: Roots; group: Group } {
  const defs: ComponentDefinition[] = [];
  for (const name of NAMES) {
    for (const version of VERSIONS) {
      if (r() < 0.2) continue;
      const requires: string[] = [];
      const conflicts: string[] = [];
      for (const other of NAMES) {
        if (other === name) continue;
        const x = r();
        if (x < 0.18) requires.push(`${other}@${RANGES[Math.floor(r() * RANGES.length)]}`);
        else if (x < 0.24) conflicts.push(other);
      }
      const provides = r() < 0.3 ? ['x'] : undefined;
      defs.push({ name, version, python: { package: name }, ...(provides ? { provides } : {}), ...(requires.length ? { requires } : {}), ...(conflicts.length ? { conflicts } : {}) } as ComponentDefinition);
    }
  }
  const roots: Record<string, { version?: string }> = {};
  for (const name of NAMES) if (r() < 0.4) roots[name] = r() < 0.5 ? {} : { version: RANGES[Math.floor(r() * RANGES.length)] };
  const group = r() < 0.35 ? NAMES.filter(() => r() < 0.3) : undefined;
  return { defs, roots, group: group?.length ? group : undefined };
}

function consistent(assign: Map<string, ComponentDefinition>, roots: Roots, group: Group): boolean {
  for (const member of group ?? []) if (!assign.has(member)) return false;
  for (const [name, d] of assign) {
    // a group owns its interface: members provide it, nobody else in the stack does
    if (group && group.includes(name) !== (d.provides ?? []).includes('x')) return false;
  }
  for (const [name, entry] of Object.entries(roots)) {
    const d = assign.get(name);
    if (!d || !satisfies(d.version, entry.version ?? '*')) return false;
  }
  const needed = new Set([...Object.keys(roots), ...(group ?? [])]);
  for (const [name, d] of assign) {
    for (const req of d.requires ?? []) {
      if (typeof req !== 'string') continue;
      const { name: dep, range } = parseComponentRequirement(req);
      const dd = assign.get(dep);
      if (!dd || !satisfies(dd.version, range)) return false;
      needed.add(dep);
    }
    for (const other of d.conflicts ?? []) if (assign.has(other)) return false;
    void name;
  }
  // the stack holds exactly what hsm.yaml and the chosen versions ask for
  return [...assign.keys()].every((n) => needed.has(n));
}

function bruteForce(defs: ComponentDefinition[], roots: Roots, group: Group): boolean {
  const options = NAMES.map((n) => [undefined, ...defs.filter((d) => d.name === n)]);
  const assign = new Map<string, ComponentDefinition>();
  const walk = (i: number): boolean => {
    if (i === NAMES.length) return consistent(assign, roots, group);
    for (const o of options[i]) {
      if (o) assign.set(NAMES[i], o);
      else assign.delete(NAMES[i]);
      if (walk(i + 1)) return true;
    }
    assign.delete(NAMES[i]);
    return false;
  };
  return walk(0);
}

describe('resolver against brute force', () => {
  test('1000 random catalogs, some with a group', () => {
    const r = rng(20261124);
    let solvable = 0;
    for (let round = 0; round < 1000; round++) {
      const { defs, roots, group } = randomCatalog(r);
      const components = new Map<string, CatalogEntry[]>();
      for (const d of defs) components.set(d.name, [...(components.get(d.name) ?? []), { name: d.name, version: d.version, digest: digestOf(d), yanked: false, definition: d }]);
      const registry: RegistrySnapshot = { name: 'r', kind: 'folder', complete: true, components, interfaces: new Map() };
      const expected = bruteForce(defs, roots, group);
      let got: Map<string, ComponentDefinition> | HsmError;
      try {
        const groups = group ? { x: { policy: 'many' as const, use: group } } : undefined;
        const out = resolve({ manifest: { version: 1, name: 'x', components: roots, ...(groups ? { groups } : {}) }, overlay: {}, registries: [registry] });
        if (out.kind !== 'resolved') throw new Error('need from a complete snapshot');
        got = new Map(out.resolution.components.map((c) => [c.name, c.definition]));
      } catch (e) {
        if (!(e instanceof HsmError)) throw e;
        got = e;
      }
      const ctx = { round, roots, group, defs: defs.map((d) => `${d.name}@${d.version} req=${(d.requires ?? []).join(',')} conf=${(d.conflicts ?? []).join(',')}`) };
      if (expected) {
        solvable++;
        expect({ ...ctx, error: got instanceof HsmError ? `${got.code}: ${got.message}` : null }).toEqual({ ...ctx, error: null });
        expect({ ...ctx, consistent: consistent(got as Map<string, ComponentDefinition>, roots, group) }).toEqual({ ...ctx, consistent: true });
      } else {
        expect({ ...ctx, failed: got instanceof HsmError }).toEqual({ ...ctx, failed: true });
        expect(['HSM_UNSATISFIABLE', 'HSM_CONFLICT', 'HSM_COMPONENT_NOT_FOUND', 'HSM_GROUP_INVALID']).toContain((got as HsmError).code);
      }
    }
    // the generator must produce both kinds, or the test proves little
    expect(solvable).toBeGreaterThan(150);
    expect(solvable).toBeLessThan(900);
  });
});
