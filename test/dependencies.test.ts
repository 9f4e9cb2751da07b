/**
 * Dependency hygiene (issue 8): one range per package across the workspaces, so the CLI bundle never carries two
 * majors of one library (semver 6 and 7 once did), and no workspace declares a runtime dependency it never imports.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './support/hsm-cli.js';

const SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
type Manifest = { workspaces?: string[] } & { [S in (typeof SECTIONS)[number]]?: Record<string, string> };

const read = (dir: string): Manifest => JSON.parse(readFileSync(join(REPO, dir, 'package.json'), 'utf8')) as Manifest;
const root = read('.');
const workspaces = (root.workspaces ?? []).map((dir) => ({ dir, manifest: read(dir) }));

/** Every (package → range → workspaces naming it) across the root and the workspaces, all dependency sections. */
function rangesByPackage(): Map<string, Map<string, string[]>> {
  const ranges = new Map<string, Map<string, string[]>>();
  for (const { dir, manifest } of [{ dir: '.', manifest: root }, ...workspaces]) {
    for (const section of SECTIONS) {
      for (const [name, range] of Object.entries(manifest[section] ?? {})) {
        const byRange = ranges.get(name) ?? new Map<string, string[]>();
        byRange.set(range, [...(byRange.get(range) ?? []), `${dir} ${section}`]);
        ranges.set(name, byRange);
      }
    }
  }
  return ranges;
}

function sourceText(dir: string): string {
  return readdirSync(dir)
    .map((n) => {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) return n === 'node_modules' || n === 'dist' ? '' : sourceText(p);
      return /\.(ts|mts|js|mjs)$/.test(n) ? readFileSync(p, 'utf8') : '';
    })
    .join('\n');
}

/** Packages used without an import of their own: peers the framework loads (rxjs for Nest). */
const USED_WITHOUT_IMPORT = new Set(['rxjs']);

describe('dependencies', () => {
  test('every package is named with one range across the root and all workspaces', () => {
    const clashes = [...rangesByPackage()].filter(([, byRange]) => byRange.size > 1).map(([name, byRange]) => `${name}: ${[...byRange].map(([range, where]) => `${range} (${where.join(', ')})`).join(' vs ')}`);
    expect(clashes).toEqual([]);
  });

  test('every runtime dependency of a workspace is imported by its code', () => {
    const unused = workspaces.flatMap(({ dir, manifest }) => {
      const text = sourceText(join(REPO, dir));
      return Object.keys(manifest.dependencies ?? {})
        .filter((name) => !USED_WITHOUT_IMPORT.has(name))
        .filter((name) => !new RegExp(`(from |import\\(|import )['"]${name.replace(/[/.]/g, '\\$&')}(/[^'"]*)?['"]`).test(text))
        .map((name) => `${dir}: ${name}`);
    });
    expect(unused).toEqual([]);
  });
});
