/**
 * The CLI's code cache (apps/cli/src/code-cache.ts, spec §12): the first run leaves V8's compiled code of every
 * bundle file it loaded under $XDG_CACHE_HOME/hsm/code/<build>-<node>-<arch>/, the next run uses it as it is (the
 * files are not written again); a damaged cache file, or one V8 refuses, only costs a compile and is replaced;
 * NODE_DISABLE_COMPILE_CACHE=1 leaves no cache; old builds' folders are removed beyond the newest few.
 */
import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hsm, tempDir } from '../support/hsm-cli.js';

const MANIFEST = 'version: 1\nname: cc\nbuiltin: false\nregistries:\n  - name: local\n    path: ./reg\ncomponents: {}\n';

async function project(): Promise<{ dir: string; env: Record<string, string>; code: string }> {
  const dir = await tempDir('hsm-code-cache-');
  mkdirSync(join(dir, 'reg', 'cc-lib'), { recursive: true });
  writeFileSync(join(dir, 'reg', 'cc-lib', '1.0.0.yaml'), 'name: cc-lib\nversion: 1.0.0\npython:\n  package: cc-lib\n');
  writeFileSync(join(dir, 'hsm.yaml'), MANIFEST);
  return { dir, env: { XDG_CACHE_HOME: join(dir, 'cache'), NODE_DISABLE_COMPILE_CACHE: '' }, code: join(dir, 'cache', 'hsm', 'code') };
}

/** inode and content of every cache file: a file written again gets a new inode (temp file + rename) */
function files(folder: string): Record<string, { ino: number; sha: string }> {
  const out: Record<string, { ino: number; sha: string }> = {};
  for (const f of readdirSync(folder).sort())
    out[f] = {
      ino: statSync(join(folder, f)).ino,
      sha: createHash('sha256')
        .update(readFileSync(join(folder, f)))
        .digest('hex'),
    };
  return out;
}

describe('code cache of the CLI bundle', () => {
  test('written by the first run, used as it is by the next, replaced when damaged or refused', async () => {
    const { dir, env, code } = await project();
    const add = await hsm(['add', 'cc-lib', '--no-sync'], { cwd: dir, env });
    expect({ code: add.code, stderr: add.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(readFileSync(join(dir, 'hsm.yaml'), 'utf8')).toMatch(/cc-lib: \{\}/);
    const [folder, ...others] = readdirSync(code);
    expect(others).toEqual([]);
    expect(folder).toContain(`-${process.version}-${process.arch}`);
    const at = join(code, folder);
    const first = files(at);
    expect(Object.keys(first)).toEqual(expect.arrayContaining(['cli.js.v8', expect.stringMatching(/^edit-\w+\.js\.v8$/)]));
    expect(Object.keys(first).every((f) => f.endsWith('.js.v8'))).toBe(true);

    // the same command again: every file it loads has its cache, nothing is written
    writeFileSync(join(dir, 'hsm.yaml'), MANIFEST);
    expect((await hsm(['add', 'cc-lib', '--no-sync'], { cwd: dir, env })).code).toBe(0);
    expect(files(at)).toEqual(first);

    // a flipped byte (its checksum fails) and a well-formed file V8 refuses (not its code): both compiled and replaced
    const damaged = readFileSync(join(at, 'cli.js.v8'));
    damaged[damaged.length - 1] ^= 0xff;
    writeFileSync(join(at, 'cli.js.v8'), damaged);
    const edit = Object.keys(first).find((f) => f.startsWith('edit-')) as string;
    const junk = Buffer.from('not the code of this file');
    writeFileSync(join(at, edit), Buffer.concat([createHash('sha256').update(junk).digest(), junk]));
    writeFileSync(join(dir, 'hsm.yaml'), MANIFEST);
    const again = await hsm(['add', 'cc-lib', '--no-sync'], { cwd: dir, env });
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: add.stderr });
    expect(readFileSync(join(dir, 'hsm.yaml'), 'utf8')).toMatch(/cc-lib: \{\}/);
    const replaced = files(at);
    expect(replaced['cli.js.v8'].ino).not.toBe(first['cli.js.v8'].ino);
    expect(replaced[edit].ino).not.toBe(first[edit].ino);
    expect(readFileSync(join(at, edit)).length).toBeGreaterThan(junk.length + 32);
    // and the rewritten files are used as they are again
    writeFileSync(join(dir, 'hsm.yaml'), MANIFEST);
    expect((await hsm(['add', 'cc-lib', '--no-sync'], { cwd: dir, env })).code).toBe(0);
    expect(files(at)).toEqual(replaced);
  });

  test('NODE_DISABLE_COMPILE_CACHE=1 leaves no cache; older folders are removed beyond the newest four', async () => {
    const { dir, env, code } = await project();
    expect((await hsm(['status'], { cwd: dir, env: { ...env, NODE_DISABLE_COMPILE_CACHE: '1' } })).code).toBe(0);
    expect(existsSync(code)).toBe(false);

    for (let i = 0; i < 5; i++) {
      mkdirSync(join(code, `0.0.${i}+old-v0-x`), { recursive: true });
      writeFileSync(join(code, `0.0.${i}+old-v0-x`, 'cli.js.v8'), 'old');
    }
    expect((await hsm(['status'], { cwd: dir, env })).code).toBe(0);
    const left = readdirSync(code);
    expect(left).toHaveLength(4);
    expect(left.filter((d) => d.includes(process.version))).toHaveLength(1);
  });

  test('`hsm cache` counts the code cache, `hsm cache clean` removes it', async () => {
    const { dir, env, code } = await project();
    mkdirSync(join(code, '0.0.1+old-v0-x'), { recursive: true });
    writeFileSync(join(code, '0.0.1+old-v0-x', 'cli.js.v8'), 'old');
    // the first `hsm cache` writes its own files' cache at its exit; the second finds every one and writes nothing
    expect((await hsm(['cache', '--json'], { cwd: dir, env })).code).toBe(0);
    const info = await hsm(['cache', '--json'], { cwd: dir, env });
    const [current] = readdirSync(code).filter((d) => d.includes(process.version));
    const ours = Object.keys(files(join(code, current)));
    const bytes = ours.reduce((n, f) => n + statSync(join(code, current, f)).size, 3);
    expect(info.json).toEqual({ dir: join(dir, 'cache', 'hsm'), files: ours.length + 1, bytes, code: { folders: 2, files: ours.length + 1, bytes } });
    const text = await hsm(['cache'], { cwd: dir, env });
    expect(text.stdout).toContain(`(of which hsm's compiled code, code/: 2 folders, `);

    const cleaned = await hsm(['cache', 'clean', '--json'], { cwd: dir, env });
    expect(cleaned.json).toEqual({ dir: join(dir, 'cache', 'hsm'), removedFiles: ours.length + 1, removedBytes: bytes });
    // it loaded every file with its cache, so it wrote none at its exit
    expect(existsSync(code)).toBe(false);
  });
});
