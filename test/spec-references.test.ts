/**
 * A `SPEC §N` (or `docs/spec.md §N`) in code, tests, scripts or docs points at a numbered section of docs/spec.md
 * (§1 …, §6.2, and the transaction's steps §7.1 …): every one cited must exist there (docs/spec.md, intro).
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO } from './support/hsm-cli.js';

const SKIP = new Set(['node_modules', 'dist', 'generated', '.git', 'fixtures', 'screenshots']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return SKIP.has(n) ? [] : files(p);
    return /\.(ts|mts|mjs|js|md|prisma|sh)$/.test(n) ? [p] : [];
  });
}

/** Section numbers docs/spec.md defines: `## 6. …`, `### 6.2 …`, and step labels `- **7.3** …`. */
function sectionsOf(spec: string): Set<string> {
  const found = new Set<string>();
  for (const m of spec.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)) found.add(m[1]);
  for (const m of spec.matchAll(/^- \*\*(\d+\.\d+)\*\* /gm)) found.add(m[1]);
  return found;
}

/** `SPEC §7.1 and §13`, `docs/spec.md §6.2`, `SPEC §9, §13` → 7.1, 13, 6.2, 9, 13. */
function citationsIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bSPEC|spec\.md) ?§ ?(\d+(?:\.\d+)?)((?:(?:,| and| or) ?§ ?\d+(?:\.\d+)?)*)/g)) {
    out.push(m[1], ...[...m[2].matchAll(/§ ?(\d+(?:\.\d+)?)/g)].map((x) => x[1]));
  }
  return out;
}

describe('SPEC § references', () => {
  test('the parsers read what the files write', () => {
    expect([...sectionsOf('## 6. Artifacts\n### 6.2 compose\n- **7.3** Read\n## Files\n')]).toEqual(['6', '6.2', '7.3']);
    expect(citationsIn('(SPEC §7.1 and §13) docs/spec.md §6.2; SPEC §9, §13. STYLE.md §4')).toEqual(['7.1', '13', '6.2', '9', '13']);
  });

  test('every section cited in code, tests and docs exists in docs/spec.md', () => {
    const sections = sectionsOf(readFileSync(join(REPO, 'docs', 'spec.md'), 'utf8'));
    expect(sections.size).toBeGreaterThan(20);
    const cited = ['libs', 'apps', 'test', 'bench', 'scripts', 'docs', 'prisma'].flatMap((d) => files(join(REPO, d))).concat(join(REPO, 'README.md'));
    const missing = cited.flatMap((f) =>
      citationsIn(readFileSync(f, 'utf8'))
        .filter((n) => !sections.has(n))
        .map((n) => `${relative(REPO, f)}: §${n}`),
    );
    expect(cited.length).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });
});
