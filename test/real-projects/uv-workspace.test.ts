/**
 * hsm in a uv workspace member (issue 9 item 2), on full-stack-fastapi-template's real layout: the root
 * pyproject.toml is a virtual workspace (`[tool.uv.workspace] members = ["backend"]`), hsm runs in backend/, and
 * uv writes the root's uv.lock and .venv. A failed sync and a crash after uv ran must both give the root lock and
 * environment back; at the virtual root hsm says which member to run in. Real uv on local stub wheels.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '@hsm/host';
import { buildWheels, uvTestEnv } from '../support/python-fixtures.js';
import { hsm, tempDir, errorCode } from '../support/hsm-cli.js';
import { available, fastapiPython, layOut, SHARED, type RealProject } from './projects.js';

const WORKSPACE: RealProject = {
  name: 'full-stack-fastapi-template (workspace)',
  files: {
    'full-stack-fastapi-template/pyproject.toml': 'pyproject.toml',
    'full-stack-fastapi-template/backend/pyproject.toml': 'backend/pyproject.toml',
    'full-stack-fastapi-template/compose.yml': 'compose.yml',
    'full-stack-fastapi-template/.env': '.env',
  },
  userFiles: ['pyproject.toml', 'backend/pyproject.toml', 'compose.yml'],
  patch: fastapiPython,
};

let root: string;
let ws: string;
let env: Record<string, string>;

const installed = (name: string) => {
  const site = join(ws, '.venv', 'lib');
  if (!existsSync(site)) return false;
  return readdirSync(site).some((py) => existsSync(join(site, py, 'site-packages')) && readdirSync(join(site, py, 'site-packages')).some((f) => f.startsWith(`${name}-`)));
};
const lock = () => readFileSync(join(ws, 'uv.lock'), 'utf8');
const uvCheck = () => runProcess(['uv', 'lock', '--check', '--quiet'], { cwd: ws, env: { ...process.env, ...env }, allowFailure: true });

beforeAll(async () => {
  if (!available) {
    if (process.env.CI) throw new Error(`${SHARED} is missing`);
    return;
  }
  root = await tempDir('hsm-ws-');
  ws = join(root, 'project');
  const wheels = join(root, 'wheels');
  const names = await layOut(WORKSPACE, ws, wheels);
  await buildWheels(
    wheels,
    [...new Set([...names, 'hsm-demo-lib', 'hsm-extra'])].map((name) => ({ name, version: '1.0.0' })),
  );
  env = { ...uvTestEnv(wheels, join(root, 'uv-cache')), UV_NO_INSTALL_WORKSPACE: '1' };
  const registry = join(root, 'registry');
  const def = async (name: string, body: string) => {
    await mkdir(join(registry, name), { recursive: true });
    await writeFile(join(registry, name, '1.0.0.yaml'), `name: ${name}\nversion: 1.0.0\n${body}`);
  };
  await def('demo-lib', 'python:\n  package: hsm-demo-lib\n');
  await def('extra', 'python:\n  package: hsm-extra\n');
  // passes hsm's plan and the schema, fails `docker compose config` after uv ran: the rollback case
  await def('extra-broken', 'python:\n  package: hsm-extra\nservices:\n  hsm-broken:\n    image: busybox:stable\n    depends_on: [no-such-service]\n');
  const manifest = `version: 1\nname: app\nbuiltin: false\nregistries:\n  - name: local\n    path: ${registry}\ncomponents: {}\n`;
  await writeFile(join(ws, 'backend', 'hsm.yaml'), manifest);
  await writeFile(join(ws, 'hsm.yaml'), manifest);
  await runProcess(['uv', 'sync', '--quiet'], { cwd: ws, env: { ...process.env, ...env } });
}, 240_000);

(available || process.env.CI ? describe : describe.skip)('hsm in a uv workspace member', () => {
  test('add in the member locks at the root; a failed sync and a crash give the root lock and .venv back', async () => {
    const backend = join(ws, 'backend');
    const add = await hsm(['add', 'demo-lib'], { cwd: backend, env });
    expect({ code: add.code, stderr: add.code ? add.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(lock()).toMatch(/name = "hsm-demo-lib"/);
    expect(installed('hsm_demo_lib')).toBe(true);
    expect((await uvCheck()).exitCode).toBe(0);
    const before = lock();

    // the compose check fails after uv locked and installed hsm-extra at the root
    const failed = await hsm(['add', 'extra-broken'], { cwd: backend, env });
    expect(errorCode(failed)).toBe('HSM_COMPOSE_INVALID');
    expect(lock()).toBe(before);
    expect(installed('hsm_extra')).toBe(false);

    // killed after uv ran: the next command rolls the root lock back too
    const crashed = await hsm(['add', 'extra'], { cwd: backend, env: { ...env, HSM_TEST_CRASH_AT: 'after-write' } });
    expect(crashed.code).not.toBe(0);
    expect(lock()).toMatch(/name = "hsm-extra"/);
    const status = await hsm(['status'], { cwd: backend, env });
    expect(status.code).toBe(0);
    expect(lock()).toBe(before);
    expect((await uvCheck()).exitCode).toBe(0);

    expect((await hsm(['remove', 'demo-lib'], { cwd: backend, env })).code).toBe(0);
    expect((await uvCheck()).exitCode).toBe(0);
    expect(await readFile(join(backend, 'pyproject.toml'), 'utf8')).not.toContain('hsm-demo-lib');
  }, 240_000);

  test('at the virtual workspace root, hsm asks which member gets the dependencies (by project name, like uv --package)', async () => {
    const r = await hsm(['add', 'demo-lib', '--no-install'], { cwd: ws, env });
    expect(errorCode(r)).toBe('HSM_WORKSPACE_MEMBER');
    expect(r.stderr).toMatch(/virtual root/);
    expect(r.stderr).toMatch(/app \(backend\)/);
    expect(r.stderr).toMatch(/hsm add --package app/);
    expect(r.stderr).not.toMatch(/add a \[project\] table/);
    const typo = await hsm(['add', 'demo-lib', '--package', 'ap', '--no-install'], { cwd: ws, env });
    expect(errorCode(typo)).toBe('HSM_WORKSPACE_MEMBER');
    expect(typo.stderr).toMatch(/did you mean `?app`?/);
    expect(await readFile(join(ws, 'hsm.yaml'), 'utf8')).not.toMatch(/package/);
    // hsm init --package: checked the same way, written as python.package
    const manifest = await readFile(join(ws, 'hsm.yaml'), 'utf8');
    const badInit = await hsm(['init', '--force', '--package', 'ap'], { cwd: ws, env });
    expect(errorCode(badInit)).toBe('HSM_WORKSPACE_MEMBER');
    expect(await readFile(join(ws, 'hsm.yaml'), 'utf8')).toBe(manifest);
    expect((await hsm(['init', '--force', '--package', 'app'], { cwd: ws, env })).code).toBe(0);
    expect(await readFile(join(ws, 'hsm.yaml'), 'utf8')).toMatch(/^name: app\ncomponents: {}\npython:\n {2}package: app /m);
    await writeFile(join(ws, 'hsm.yaml'), manifest);
  });

  test('at the virtual root, `hsm add --package app` edits the member; the root lock and .venv are in the transaction', async () => {
    const rootPyproject = await readFile(join(ws, 'pyproject.toml'), 'utf8');
    const memberBefore = await readFile(join(ws, 'backend', 'pyproject.toml'), 'utf8');
    const add = await hsm(['add', 'demo-lib', '--package', 'app'], { cwd: ws, env });
    expect({ code: add.code, stderr: add.code ? add.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(await readFile(join(ws, 'hsm.yaml'), 'utf8')).toMatch(/^python:\n {2}package: app$/m);
    expect(await readFile(join(ws, 'pyproject.toml'), 'utf8')).toBe(rootPyproject);
    expect(await readFile(join(ws, 'backend', 'pyproject.toml'), 'utf8')).toMatch(/"hsm-demo-lib==1\.0\.0"/);
    expect(lock()).toMatch(/name = "hsm-demo-lib"/);
    expect(installed('hsm_demo_lib')).toBe(true);
    expect((await uvCheck()).exitCode).toBe(0);
    const before = lock();

    // a failed compose check after uv ran: the root lock, the member's pyproject and .venv come back
    const failed = await hsm(['add', 'extra-broken'], { cwd: ws, env });
    expect(errorCode(failed)).toBe('HSM_COMPOSE_INVALID');
    expect(lock()).toBe(before);
    expect(installed('hsm_extra')).toBe(false);

    // the no-op fast path (a plain `uv sync` at the root keeps the member's dependencies) sees an edit to its pyproject.toml
    const noop = await hsm(['sync'], { cwd: ws, env });
    expect(noop.stdout + noop.stderr).toMatch(/Nothing to change/);
    expect(installed('hsm_demo_lib')).toBe(true);
    expect((await hsm(['sync', '--check'], { cwd: ws, env })).code).toBe(0);
    await writeFile(join(ws, 'backend', 'pyproject.toml'), memberBefore);
    expect((await hsm(['sync', '--check'], { cwd: ws, env })).code).toBe(3);
    expect((await hsm(['sync'], { cwd: ws, env })).code).toBe(0);
    expect(await readFile(join(ws, 'backend', 'pyproject.toml'), 'utf8')).toMatch(/"hsm-demo-lib==1\.0\.0"/);

    expect((await hsm(['remove', 'demo-lib'], { cwd: ws, env })).code).toBe(0);
    expect(await readFile(join(ws, 'backend', 'pyproject.toml'), 'utf8')).toBe(memberBefore);
    expect((await uvCheck()).exitCode).toBe(0);
  }, 240_000);
});
