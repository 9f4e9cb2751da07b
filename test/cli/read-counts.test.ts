/**
 * Issue 8: each project file is read and parsed once per command. A preload (test/support/io-trace.mjs) counts
 * reads through node:fs and parses through the core's test hook, for one run of hsm; the table is written to
 * $HSM_READ_COUNTS_OUT when set (the numbers quoted in the note).
 */
import { describe, expect, test } from '@jest/globals';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileSync } from 'node:fs';
import { hsm, tempDir, REPO } from '../support/hsm-cli.js';

type Counts = { reads: Record<string, number>; parses: Record<string, number> };

async function traced(args: string[], dir: string): Promise<Counts> {
  const log = join(await tempDir('hsm-trace-'), 'trace.json');
  const preload = pathToFileURL(join(REPO, 'test', 'support', 'io-trace.mjs')).href;
  const r = await hsm([...args], { cwd: dir, env: { NODE_OPTIONS: `--import=${preload}`, HSM_TRACE_DIR: dir, HSM_TRACE_LOG: log } });
  expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: args.includes('--check') ? expect.any(Number) : 0, stderr: expect.any(String) });
  return JSON.parse(await readFile(log, 'utf8')) as Counts;
}

describe('reads and parses per command', () => {
  test('every project file is read at most once and parsed at most once per command', async () => {
    const dir = await tempDir('hsm-reads-');
    await writeFile(join(dir, 'pyproject.toml'), '[project]\nname = "shop"\nversion = "1.0"\ndependencies = ["httpx"]\n');
    await writeFile(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: busybox:1\n');
    await writeFile(join(dir, 'hsm.yaml'), 'version: 1\nname: shop\ncomponents: {}\n');
    await mkdir(join(dir, 'ck'));
    const steps: Array<[string, string[]]> = [
      ['add', ['add', 'qdrant-adapter', '--no-install']],
      ['sync', ['sync', '--no-install']],
      ['plan', ['plan']],
      ['status', ['status']],
      ['sync --check', ['sync', '--check']],
      ['mode dev', ['mode', 'qdrant-adapter', 'dev', '--path', './ck', '--no-install']],
      ['mode prod', ['mode', 'qdrant-adapter', 'prod', '--no-install']],
      ['use', ['use', 'vector-store', 'chroma-adapter', '--no-install']],
      ['remove', ['remove', 'chroma-adapter', '--no-install']],
    ];
    const table: Record<string, Counts> = {};
    for (const [name, args] of steps) table[name] = await traced(args, dir);
    // the no-op fast path: a services-only project after a full sync (no uv involved)
    const fast = await tempDir('hsm-reads-fast-');
    await mkdir(join(fast, 'reg', 'svc'), { recursive: true });
    await writeFile(join(fast, 'reg', 'svc', '1.0.0.yaml'), 'name: svc\nversion: 1.0.0\nservices:\n  svc:\n    image: busybox:1\n');
    await writeFile(join(fast, 'hsm.yaml'), 'version: 1\nname: fast\nbuiltin: false\nregistries:\n  - name: local\n    path: ./reg\ncomponents:\n  svc: {}\n');
    table['sync (full, records state)'] = await traced(['sync'], fast);
    table['sync (fast path)'] = await traced(['sync'], fast);
    if (process.env.HSM_READ_COUNTS_OUT) writeFileSync(process.env.HSM_READ_COUNTS_OUT, JSON.stringify(table, null, 1));
    // an edit command parses hsm.yaml / hsm.local.yaml as read and, once, as edited (two texts); the
    // splices of an edit reuse the read's parse and re-parse only the text a previous splice produced
    const edits = new Set(['add', 'mode dev', 'mode prod', 'use', 'remove']);
    const allowed = (name: string, f: string) => (f === 'yaml-edit' ? Infinity : edits.has(name) && (f === 'hsm.yaml' || f === 'hsm.local.yaml') ? 2 : 1);
    const over = Object.entries(table).flatMap(([name, c]) => [
      // project files only: `.hsm/` is hsm's own transaction state, read by the journal and lock code (the `$schema`
      // line's copy is refreshed from the hsm.yaml the pipeline read: no command reads hsm.yaml twice)
      ...Object.entries(c.reads)
        .filter(([f, n]) => n > 1 && !f.startsWith('.hsm'))
        .map(([f, n]) => `${name}: read ${f} ${n}×`),
      ...Object.entries(c.parses)
        .filter(([f, n]) => n > allowed(name, f))
        .map(([f, n]) => `${name}: parsed ${f} ${n}×`),
    ]);
    expect(over).toEqual([]);
  });
});
