/**
 * Issue 9 item 3: the no-op fast path of `hsm sync` (sync-state.ts) must notice an edit to any file the plan read —
 * here a compose file pulled in by the user's `include:`, where a new service clashes with a component's.
 */
import { describe, expect, test } from '@jest/globals';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hsm, tempDir, errorCode } from '../support/hsm-cli.js';

async function project(): Promise<string> {
  const dir = await tempDir('hsm-noop-');
  await mkdir(join(dir, 'reg', 'cache'), { recursive: true });
  await writeFile(join(dir, 'reg', 'cache', '1.0.0.yaml'), 'name: cache\nversion: 1.0.0\nservices:\n  cache:\n    image: busybox:1\n');
  await writeFile(join(dir, 'hsm.yaml'), 'version: 1\nname: noop\nbuiltin: false\nregistries:\n  - name: local\n    path: ./reg\ncomponents:\n  cache: {}\n');
  await mkdir(join(dir, 'infra'));
  await writeFile(join(dir, 'compose.yaml'), 'include:\n  - infra/base.yml\nservices:\n  app:\n    image: busybox:1\n');
  await writeFile(join(dir, 'infra', 'base.yml'), 'services:\n  db:\n    image: busybox:1\n');
  return dir;
}

describe('the no-op fast path sees every file the plan read', () => {
  test('a service added to an include:d compose file is a clash, not "nothing to change"', async () => {
    const dir = await project();
    const first = await hsm(['sync'], { cwd: dir });
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    // the recorded state now matches: this sync takes the fast path
    expect((await hsm(['sync'], { cwd: dir })).code).toBe(0);
    await writeFile(join(dir, 'infra', 'base.yml'), 'services:\n  db:\n    image: busybox:1\n  cache:\n    image: busybox:1\n');
    const r = await hsm(['sync'], { cwd: dir });
    expect(errorCode(r)).toBe('HSM_SERVICE_CLASH');
    expect(r.stderr).toMatch(/infra\/base\.yml:\d+:\d+/);
  }, 60_000);
});
