/**
 * What `hsm add --no-sync` loads (spec §12, its start-up budget): on a folder registry it spawns nothing and asks
 * no service, so neither node:child_process (with dgram: ~5 ms of Node's own compiling) nor the registry client
 * (undici) nor the compose checker may be loaded. The bundle files a run loaded are the code cache's files
 * (apps/cli/src/code-cache.ts); Node's built-in modules are in process.moduleLoadList, written at exit by a preload.
 */
import { describe, expect, test } from '@jest/globals';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hsm, tempDir } from '../support/hsm-cli.js';

const PRELOAD = `data:text/javascript,${encodeURIComponent("import { writeFileSync } from 'node:fs'; process.on('exit', () => writeFileSync(process.env.HSM_LOADS_OUT, JSON.stringify(process.moduleLoadList)));")}`;

describe('start-up of hsm add --no-sync', () => {
  test('loads neither node:child_process nor the registry client nor the compose checker', async () => {
    const dir = await tempDir('hsm-loads-');
    mkdirSync(join(dir, 'reg', 'lean-lib'), { recursive: true });
    writeFileSync(join(dir, 'reg', 'lean-lib', '1.0.0.yaml'), 'name: lean-lib\nversion: 1.0.0\npython:\n  package: lean-lib\n');
    writeFileSync(join(dir, 'hsm.yaml'), 'version: 1\nname: lean\nbuiltin: false\nregistries:\n  - name: local\n    path: ./reg\ncomponents: {}\n');
    const out = join(dir, 'loads.json');
    const r = await hsm(['add', 'lean-lib', '--no-sync'], { cwd: dir, env: { XDG_CACHE_HOME: join(dir, 'cache'), NODE_DISABLE_COMPILE_CACHE: '', NODE_OPTIONS: `--import=${PRELOAD}`, HSM_LOADS_OUT: out } });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(readFileSync(join(dir, 'hsm.yaml'), 'utf8')).toMatch(/lean-lib: \{\}/);

    const builtins = (JSON.parse(readFileSync(out, 'utf8')) as string[]).filter((m) => m.startsWith('NativeModule '));
    expect(builtins).toContain('NativeModule fs'); // the list is what it seems
    expect(builtins.filter((m) => /^NativeModule (child_process|dgram)$/.test(m))).toEqual([]);

    const [folder] = readdirSync(join(dir, 'cache', 'hsm', 'code'));
    const bundleFiles = readdirSync(join(dir, 'cache', 'hsm', 'code', folder)).map((f) => f.replace(/\.v8$/, ''));
    expect(bundleFiles).toEqual(expect.arrayContaining(['cli.js', expect.stringMatching(/^edit-/)]));
    expect(bundleFiles.filter((f) => /^(undici|compose-spec-validator|viz|libesm)-/.test(f))).toEqual([]);
  });
});
