/**
 * Issue 9 item 1, at a virtual uv workspace root with two members: `python.package` picks the member that gets
 * the Python dependencies, and the sync that follows is uv's plain `uv sync` at the root, which keeps every
 * member's dependencies in the shared .venv (`uv sync --package a` would strip member b's). Real uv, local wheels.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '@hsm/host';
import { buildWheels, uvTestEnv } from '../support/python-fixtures.js';
import { hsm, tempDir } from '../support/hsm-cli.js';

describe('hsm at a virtual workspace root with two members', () => {
  test("adding to member a keeps member b's dependencies installed, and the lock checks", async () => {
    const root = await tempDir('hsm-ws-root-');
    const ws = join(root, 'ws');
    const wheels = join(root, 'wheels');
    await buildWheels(wheels, [
      { name: 'hsm-dep-a', version: '1.0.0' },
      { name: 'hsm-dep-b', version: '1.0.0' },
      { name: 'hsm-demo-lib', version: '1.0.0' },
    ]);
    const env = { ...uvTestEnv(wheels, join(root, 'cache')) };
    await mkdir(join(ws, 'a'), { recursive: true });
    await mkdir(join(ws, 'b'), { recursive: true });
    await writeFile(join(ws, 'pyproject.toml'), '[tool.uv.workspace]\nmembers = ["a", "b"]\n');
    for (const m of ['a', 'b']) {
      await writeFile(join(ws, m, 'pyproject.toml'), `[project]\nname = "${m}"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = ["hsm-dep-${m}"]\n\n[tool.uv]\npackage = false\n`);
    }
    await mkdir(join(ws, 'reg', 'demo-lib'), { recursive: true });
    await writeFile(join(ws, 'reg', 'demo-lib', '1.0.0.yaml'), 'name: demo-lib\nversion: 1.0.0\npython:\n  package: hsm-demo-lib\n');
    await writeFile(join(ws, 'hsm.yaml'), 'version: 1\nname: ws\nbuiltin: false\nregistries:\n  - name: local\n    path: ./reg\ncomponents: {}\n');
    await runProcess(['uv', 'sync', '--quiet'], { cwd: ws, env: { ...process.env, ...env } });
    const site = () => {
      const lib = join(ws, '.venv', 'lib');
      const py = readdirSync(lib).find((d) => existsSync(join(lib, d, 'site-packages')))!;
      return readdirSync(join(lib, py, 'site-packages'));
    };
    expect(site()).toEqual(expect.arrayContaining(['hsm_dep_a', 'hsm_dep_b']));

    const add = await hsm(['add', 'demo-lib', '--package', 'a'], { cwd: ws, env });
    expect({ code: add.code, stderr: add.code ? add.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(await readFile(join(ws, 'a', 'pyproject.toml'), 'utf8')).toContain('"hsm-demo-lib==1.0.0"');
    expect(site()).toEqual(expect.arrayContaining(['hsm_demo_lib', 'hsm_dep_a', 'hsm_dep_b']));
    // and the no-op fast path's `uv sync` too
    expect((await hsm(['sync'], { cwd: ws, env })).code).toBe(0);
    expect(site()).toEqual(expect.arrayContaining(['hsm_demo_lib', 'hsm_dep_a', 'hsm_dep_b']));
    expect((await runProcess(['uv', 'lock', '--check', '--quiet'], { cwd: ws, env: { ...process.env, ...env }, allowFailure: true })).exitCode).toBe(0);
  }, 180_000);

  test('from a member, `hsm sync --frozen` on an outdated lock names it ../uv.lock, on the no-op fast path and the full path', async () => {
    const root = await tempDir('hsm-ws-frozen-');
    const ws = join(root, 'ws');
    const wheels = join(root, 'wheels');
    await buildWheels(wheels, [
      { name: 'hsm-dep-b', version: '1.0.0' },
      { name: 'hsm-demo-lib', version: '1.0.0' },
    ]);
    const env = { ...uvTestEnv(wheels, join(root, 'cache')) };
    const member = (name: string, deps: string) => `[project]\nname = "${name}"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = [${deps}]\n\n[tool.uv]\npackage = false\n`;
    await mkdir(join(ws, 'backend', 'reg', 'demo-lib'), { recursive: true });
    await mkdir(join(ws, 'worker'), { recursive: true });
    await writeFile(join(ws, 'pyproject.toml'), '[tool.uv.workspace]\nmembers = ["backend", "worker"]\n');
    await writeFile(join(ws, 'backend', 'pyproject.toml'), member('backend', ''));
    await writeFile(join(ws, 'worker', 'pyproject.toml'), member('worker', ''));
    await writeFile(join(ws, 'backend', 'reg', 'demo-lib', '1.0.0.yaml'), 'name: demo-lib\nversion: 1.0.0\npython:\n  package: hsm-demo-lib\n');
    await writeFile(join(ws, 'backend', 'hsm.yaml'), 'version: 1\nname: app\nbuiltin: false\nregistries:\n  - name: local\n    path: ./reg\ncomponents: {}\n');
    const backend = join(ws, 'backend');
    const add = await hsm(['add', 'demo-lib'], { cwd: backend, env });
    expect({ code: add.code, stderr: add.code ? add.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(existsSync(join(ws, 'uv.lock'))).toBe(true);
    // another member's requirement, which hsm does not read: the root's uv.lock is outdated, hsm's fingerprint is not
    await writeFile(join(ws, 'worker', 'pyproject.toml'), member('worker', '"hsm-dep-b"'));
    const hint = /uv\.lock does not match pyproject\.toml/;
    const fast = await hsm(['sync', '--frozen'], { cwd: backend, env });
    expect(fast.code).toBe(1);
    expect(fast.stderr).toMatch(hint);
    expect(fast.stderr).toContain('../uv.lock does not match pyproject.toml');
    await rm(join(backend, '.hsm', 'state.json'));
    const full = await hsm(['sync', '--frozen'], { cwd: backend, env });
    expect(full.code).toBe(1);
    expect(full.stderr).toContain('../uv.lock does not match pyproject.toml');
  }, 180_000);
});
