/**
 * The test tiers of jest.config.js (unit, medium, e2e; docs/spec.md §11): every test file is in exactly one, so
 * `test:unit` + `test:medium` + `test:e2e` is `npm test`, and a new file cannot fall between them unnoticed.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { globsToMatcher } from 'jest-util';
import { REPO } from './support/hsm-cli.js';

type Project = { displayName: string; testMatch: string[] };

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'node_modules' || n === 'dist' || n.startsWith('.') ? [] : testFiles(p);
    return n.endsWith('.test.ts') ? [p] : [];
  });
}

describe('test tiers', () => {
  test('every test file is in exactly one tier', async () => {
    const config = '../jest.config.js'; // plain JavaScript: imported by a name TypeScript does not resolve
    const { projects } = ((await import(config)) as { default: { projects: Project[] } }).default;
    expect(projects.map((p) => p.displayName)).toEqual(['unit', 'medium', 'e2e']);
    const matchers = projects.map((p) => ({ tier: p.displayName, matches: globsToMatcher(p.testMatch.map((g) => g.replace('<rootDir>', REPO))) }));
    const files = ['libs', 'apps', 'test'].flatMap((d) => testFiles(join(REPO, d)));
    expect(files.length).toBeGreaterThan(70);
    const wrong = files
      .map((f) => ({ file: relative(REPO, f), tiers: matchers.filter((m) => m.matches(f)).map((m) => m.tier) }))
      .filter((t) => t.tiers.length !== 1)
      .map((t) => `${t.file}: ${t.tiers.join(', ') || 'no tier'}`);
    expect(wrong).toEqual([]);
    // a few that must stay where they are
    const tierOf = (file: string) => matchers.find((m) => m.matches(join(REPO, file)))?.tier;
    expect(tierOf('libs/core/src/resolver/resolve.test.ts')).toBe('unit');
    expect(tierOf('libs/host/src/compose/host-ports.test.ts')).toBe('medium');
    expect(tierOf('test/txn/apply-files.test.ts')).toBe('medium');
    expect(tierOf('test/docker/hybrid-stack.e2e.test.ts')).toBe('e2e');
    expect(tierOf('test/cli/commands.test.ts')).toBe('e2e');
  });
});
