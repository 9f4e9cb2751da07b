/**
 * `python.package` at a uv workspace root, on full-stack-fastapi-template's real layout (a virtual root with the
 * member backend/, project `app`; a second member worker/ added in the temp copy): switching the key moves hsm's
 * dependencies from one member's pyproject.toml to the other's inside one transaction (issue 9 item 1), and every
 * error about a member's pyproject.toml names that file as the user opens it, `backend/pyproject.toml`. Real uv on
 * local stub wheels; the shared project is read from ../shared, never copied into the repository.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '@hsm/host';
import { buildWheels, uvTestEnv } from '../support/python-fixtures.js';
import { hsm, tempDir, errorCode, snapshot } from '../support/hsm-cli.js';
import { available, FASTAPI_WORKSPACE, fastapiPython, layOut, SHARED, type RealProject } from '../real-projects/projects.js';

const WORKSPACE: RealProject = {
  name: 'full-stack-fastapi-template (workspace root)',
  files: FASTAPI_WORKSPACE,
  userFiles: ['pyproject.toml', 'backend/pyproject.toml', 'compose.yml', 'compose.override.yml'],
  patch: (file, text) => (file === 'pyproject.toml' ? text.replace('members = ["backend"]', 'members = ["backend", "worker"]') : fastapiPython(file, text)),
};
const WORKER = '[project]\nname = "worker"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n# no dependencies yet\n';

let root: string;
let template: string;
let env: Record<string, string>;
let registry: string;

/** A fresh copy of the laid-out workspace (uv.lock and .venv included). */
async function fresh(): Promise<string> {
  const dir = join(root, `ws-${Math.random().toString(36).slice(2, 8)}`);
  await cp(template, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

const uvCheck = (dir: string) => runProcess(['uv', 'lock', '--check', '--quiet'], { cwd: dir, env: { ...process.env, ...env }, allowFailure: true });
const FILES = ['pyproject.toml', 'backend/pyproject.toml', 'worker/pyproject.toml', 'uv.lock', 'compose.yml'];

beforeAll(async () => {
  if (!available) {
    if (process.env.CI) throw new Error(`${SHARED} is missing`);
    return;
  }
  root = await tempDir('hsm-ws-pkg-');
  template = join(root, 'template');
  const wheels = join(root, 'wheels');
  const names = await layOut(WORKSPACE, template, wheels);
  await mkdir(join(template, 'worker'), { recursive: true });
  await writeFile(join(template, 'worker', 'pyproject.toml'), WORKER);
  await buildWheels(
    wheels,
    [...new Set([...names, 'hsm-demo-lib', 'hsm-extra'])].map((name) => ({ name, version: '1.0.0' })),
  );
  env = { ...uvTestEnv(wheels, join(root, 'uv-cache')), UV_NO_INSTALL_WORKSPACE: '1' };
  registry = join(root, 'registry');
  const def = async (name: string, body: string) => {
    await mkdir(join(registry, name), { recursive: true });
    await writeFile(join(registry, name, '1.0.0.yaml'), `name: ${name}\nversion: 1.0.0\n${body}`);
  };
  await def('demo-lib', 'python:\n  package: hsm-demo-lib\n');
  // not among the local wheels: uv fails after hsm wrote the files
  await def('missing-lib', 'python:\n  package: hsm-no-such-wheel\n');
  // a package backend/pyproject.toml already lists
  await def('http-client', 'python:\n  package: httpx\n');
  // a service named like the template's `db`, on the host port its compose.override.yml publishes
  await def('db', 'services:\n  db:\n    image: busybox:stable\n    ports: ["127.0.0.1:5432:5432"]\n');
  await writeFile(join(template, 'hsm.yaml'), `version: 1\nname: app\nbuiltin: false\nregistries:\n  - name: local\n    path: ${registry}\ncomponents: {}\n`);
  await runProcess(['uv', 'lock', '--quiet'], { cwd: template, env: { ...process.env, ...env } });
}, 240_000);

(available || process.env.CI ? describe : describe.skip)('python.package at a uv workspace root (real layout)', () => {
  test('switching python.package moves the dependencies to the new member, in one transaction; remove gives both files back', async () => {
    const ws = await fresh();
    const original = snapshot(ws, FILES);
    const add = await hsm(['add', 'demo-lib', '--package', 'app'], { cwd: ws, env });
    expect({ code: add.code, stderr: add.code ? add.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(await readFile(join(ws, 'backend', 'pyproject.toml'), 'utf8')).toMatch(/"hsm-demo-lib==1\.0\.0"/);
    const manifest = await readFile(join(ws, 'hsm.yaml'), 'utf8');
    const switched = manifest.replace(/^ {2}package: app\b.*$/m, '  package: worker');
    expect(switched).not.toBe(manifest);

    // uv fails after the files were written: both pyproject.toml files and the lock come back
    await writeFile(join(ws, 'hsm.yaml'), switched);
    const beforeFailed = snapshot(ws, [...FILES, 'hsm.lock']);
    const failed = await hsm(['add', 'missing-lib'], { cwd: ws, env });
    expect(errorCode(failed)).toBe('HSM_UV_FAILED');
    expect(snapshot(ws, [...FILES, 'hsm.lock'])).toEqual(beforeFailed);
    // the files put back, named as the user opens them: the member's pyproject.toml, not the (virtual) root's
    expect(failed.stderr).toMatch(/hsm has put backend\/pyproject\.toml, worker\/pyproject\.toml and uv\.lock back/);

    // the switch itself: out of backend/ (its bytes as they were), into worker/
    const sync = await hsm(['sync'], { cwd: ws, env });
    expect({ code: sync.code, stderr: sync.code ? sync.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(await readFile(join(ws, 'backend', 'pyproject.toml'), 'latin1')).toBe(original['backend/pyproject.toml']);
    expect(await readFile(join(ws, 'worker', 'pyproject.toml'), 'utf8')).toMatch(/^dependencies = \[\n {4}"hsm-demo-lib==1\.0\.0",\n\]$/m);
    expect((await uvCheck(ws)).exitCode).toBe(0);
    expect((await hsm(['sync', '--check'], { cwd: ws, env })).code).toBe(0);

    const remove = await hsm(['remove', 'demo-lib'], { cwd: ws, env });
    expect({ code: remove.code, stderr: remove.code ? remove.stderr : '' }).toEqual({ code: 0, stderr: '' });
    const back = snapshot(ws, FILES);
    for (const f of ['pyproject.toml', 'backend/pyproject.toml', 'worker/pyproject.toml', 'compose.yml']) expect([f, back[f]]).toEqual([f, original[f]]);
    expect((await uvCheck(ws)).exitCode).toBe(0);
    expect((await hsm(['sync', '--check'], { cwd: ws, env })).code).toBe(0);
  }, 240_000);

  test('a crash after the switch wrote both members rolls both back', async () => {
    const ws = await fresh();
    expect((await hsm(['add', 'demo-lib', '--package', 'app'], { cwd: ws, env })).code).toBe(0);
    const manifest = await readFile(join(ws, 'hsm.yaml'), 'utf8');
    const before = snapshot(ws, [...FILES, 'hsm.lock']);
    await writeFile(join(ws, 'hsm.yaml'), manifest.replace(/^ {2}package: app\b.*$/m, '  package: worker'));
    const crashed = await hsm(['sync'], { cwd: ws, env: { ...env, HSM_TEST_CRASH_AT: 'after-write' } });
    expect(crashed.code).not.toBe(0);
    // the crash came after both members were written: out of backend/, into worker/
    expect(await readFile(join(ws, 'worker', 'pyproject.toml'), 'utf8')).toContain('hsm-demo-lib');
    expect(await readFile(join(ws, 'backend', 'pyproject.toml'), 'utf8')).not.toContain('hsm-demo-lib');
    expect((await hsm(['status'], { cwd: ws, env })).code).toBe(0);
    expect(snapshot(ws, [...FILES, 'hsm.lock'])).toEqual(before);
  }, 240_000);

  test("errors about a member's pyproject.toml name it by its path from hsm.yaml", async () => {
    const ws = await fresh();
    await writeFile(join(ws, 'hsm.yaml'), `${await readFile(join(ws, 'hsm.yaml'), 'utf8')}python:\n  package: app\n`);
    const clash = await hsm(['add', 'http-client', '--no-install'], { cwd: ws, env });
    expect(errorCode(clash)).toBe('HSM_PYPROJECT_CLASH');
    expect(clash.stderr).toMatch(/backend\/pyproject\.toml already lists httpx/);
    expect(clash.stderr).not.toMatch(/(^|[^/])pyproject\.toml already/m);
    expect(clash.stderr).toMatch(/hint: remove the httpx line from \[project\]\.dependencies in backend\/pyproject\.toml/);

    const member = await readFile(join(ws, 'backend', 'pyproject.toml'), 'utf8');
    await writeFile(join(ws, 'backend', 'pyproject.toml'), member.replace('version = "0.1.0"', 'version = '));
    const invalid = await hsm(['add', 'demo-lib', '--no-install'], { cwd: ws, env });
    expect(errorCode(invalid)).toBe('HSM_PYPROJECT_INVALID');
    expect(invalid.stderr).toMatch(/error\[HSM_PYPROJECT_INVALID\]: backend\/pyproject\.toml:3:\d+: backend\/pyproject\.toml is not valid TOML/);

    await writeFile(join(ws, 'backend', 'pyproject.toml'), member.replace('version = "0.1.0"', 'version = "0.1.0"\ndynamic = ["dependencies"]').replace(/^dependencies = \[[\s\S]*?\n\]\n/m, ''));
    const dynamic = await hsm(['add', 'demo-lib', '--no-install'], { cwd: ws, env });
    expect(errorCode(dynamic)).toBe('HSM_PYPROJECT_DYNAMIC');
    expect(dynamic.stderr).toMatch(/error\[HSM_PYPROJECT_DYNAMIC\]: backend\/pyproject\.toml:4:1: backend\/pyproject\.toml declares its dependencies dynamic/);
  }, 120_000);

  test("from the member backend/, errors about the root's compose files name them as ../compose.yml, as the user opens them there", async () => {
    const ws = await fresh();
    const backend = join(ws, 'backend');
    await writeFile(join(backend, 'hsm.yaml'), `version: 1\nname: app\nbuiltin: false\nregistries:\n  - name: local\n    path: ${registry}\ncomponents: {}\n`);
    const clash = await hsm(['add', 'db', '--no-install'], { cwd: backend, env });
    expect(errorCode(clash)).toBe('HSM_SERVICE_CLASH');
    expect(clash.stderr).toMatch(/service `db` is defined in \.\.\/compose\.yml:\d+:\d+ and by component db \(\.\.\/docker-compose\.hsm\.yml:\d+:\d+\)/);
    expect(clash.stderr).toMatch(/rename or remove `db` in \.\.\/compose\.override\.yml/);
    expect(clash.stderr).not.toMatch(/[^/]compose\.yml:\d/);

    // uv fails: the lock it wrote is the root's, ../uv.lock from here
    const uv = await hsm(['add', 'missing-lib'], { cwd: backend, env });
    expect(errorCode(uv)).toBe('HSM_UV_FAILED');
    expect(uv.stderr).toMatch(/hsm has put pyproject\.toml and \.\.\/uv\.lock back/);

    const override = await readFile(join(ws, 'compose.override.yml'), 'utf8');
    await writeFile(join(ws, 'compose.override.yml'), `${override}\nbroken: [\n`);
    const invalid = await hsm(['add', 'db', '--no-install'], { cwd: backend, env });
    expect(errorCode(invalid)).toBe('HSM_COMPOSE_INVALID');
    expect(invalid.stderr).toMatch(/error\[HSM_COMPOSE_INVALID\]: \.\.\/compose\.override\.yml:\d+:\d+: \.\.\/compose\.override\.yml is not valid YAML/);
  }, 120_000);
});
