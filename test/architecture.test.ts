/** The layout's boundaries (docs/spec.md §2, §10), checked on the source so they cannot erode silently. */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO } from './support/hsm-cli.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'dist' || n === 'node_modules' || n === 'generated' ? [] : sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

const offending = (files: string[], pattern: RegExp) => files.filter((f) => pattern.test(readFileSync(f, 'utf8'))).map((f) => relative(REPO, f));

describe('architecture', () => {
  test('libs/core is pure: no file system, processes, network or environment', () => {
    const files = sources(join(REPO, 'libs', 'core', 'src'));
    expect(files.length).toBeGreaterThan(20);
    expect(offending(files, /from ['"](node:)?(fs|fs\/promises|child_process|net|http|https)['"]|from ['"]undici['"]|process\.(env|cwd|exit)/)).toEqual([]);
  });

  test('libs never import from apps', () => {
    const files = [...sources(join(REPO, 'libs', 'core', 'src')), ...sources(join(REPO, 'libs', 'host', 'src'))];
    expect(offending(files, /from ['"][^'"]*apps\//)).toEqual([]);
  });

  test('child processes are spawned in one place only', () => {
    const files = [...sources(join(REPO, 'libs')), ...sources(join(REPO, 'apps', 'cli', 'src'))];
    expect(offending(files, /from ['"](node:)?child_process['"]/)).toEqual(['libs/host/src/run-process.ts']);
  });
});
