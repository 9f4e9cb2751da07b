/**
 * Medium tier: renderPyproject + the uv adapter against real uv, with packages built locally (no PyPI).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, renderPyproject, type PyprojectOwnership, type PythonDependency } from '@hsm/core';
import { runProcess, uvSync, uvVersion } from '@hsm/host';
import { buildWheel, makeCheckout, makeSimpleIndex, uvTestEnv } from '../support/python-fixtures.js';
import { rejected } from '../support/hsm-errors.js';
import { tempDir } from '../support/files.js';

let root: string;
let wheels: string;
let env: Record<string, string>;

beforeAll(async () => {
  root = await tempDir('hsm-uv-');
  wheels = join(root, 'wheels');
  env = uvTestEnv(wheels, join(root, 'cache'));
  await buildWheel(wheels, { name: 'demo-dep', version: '0.3.0' });
  await buildWheel(wheels, { name: 'demo-client', version: '1.0.0', dependencies: ['demo-dep>=0.3'] });
  await buildWheel(wheels, { name: 'demo-client', version: '1.1.0', dependencies: ['demo-dep>=0.3'] });
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function project(name: string, pyproject: string): Promise<string> {
  const dir = join(root, name);
  await makeDir(dir);
  await writeFile(join(dir, 'pyproject.toml'), pyproject);
  return dir;
}

async function makeDir(dir: string): Promise<void> {
  await (await import('node:fs/promises')).mkdir(dir, { recursive: true });
}

/** Runs Python in the project's .venv and returns what it printed. */
async function python(dir: string, code: string): Promise<string> {
  const { stdout } = await runProcess([join(dir, '.venv/bin/python'), '-c', code]);
  return stdout.trim();
}

const USER_PYPROJECT = `# the user's project
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = [
    # nothing yet
]

[tool.ruff]
line-length = 100
`;

describe('uvVersion', () => {
  test('reports the installed uv, null when there is none', async () => {
    expect(await uvVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(await uvVersion({ PATH: join(root, 'nowhere') })).toBeNull();
  });
});

describe('renderPyproject + uvSync', () => {
  test('prod → dev (editable checkout) → prod → removed, byte-for-byte', async () => {
    const dir = await project('app', USER_PYPROJECT);
    const checkout = await makeCheckout(join(dir, 'packages/demo-client'), { name: 'demo-client', version: '1.2.0.dev0', dependencies: ['demo-dep'] });
    const prod: PythonDependency = { component: 'demo', package: 'demo-client', requirement: 'demo-client>=1,<2' };
    const dev: PythonDependency = { ...prod, source: { path: 'packages/demo-client', editable: true } };
    let owned: PyprojectOwnership = { dependencies: [], indexes: [] };
    const apply = async (desired: PythonDependency[]) => {
      const text = await readFile(join(dir, 'pyproject.toml'), 'utf8');
      const r = renderPyproject({ text, projectName: 'app', desired, owned });
      owned = r.owned;
      await writeFile(join(dir, 'pyproject.toml'), r.text);
      await uvSync(dir, { env, quiet: true });
    };

    await apply([prod]);
    expect(await readFile(join(dir, 'pyproject.toml'), 'utf8')).toContain('    "demo-client>=1,<2",\n]');
    const lock = await readFile(join(dir, 'uv.lock'), 'utf8');
    expect(lock).toMatch(/name = "demo-client"\nversion = "1\.1\.0"/);
    expect(await python(dir, 'import demo_client, demo_dep; print(demo_client.SOURCE, demo_client.__version__, demo_dep.__version__)')).toBe('wheel 1.1.0 0.3.0');

    await apply([dev]);
    expect(await readFile(join(dir, 'pyproject.toml'), 'utf8')).toContain('[tool.uv.sources]\ndemo-client = { path = "packages/demo-client", editable = true }\n');
    expect(await readFile(join(dir, 'uv.lock'), 'utf8')).toContain('source = { editable = "packages/demo-client" }');
    expect(await python(dir, 'import demo_client; print(demo_client.SOURCE, demo_client.__version__)')).toBe('checkout 1.2.0.dev0');
    // Editable: an edit in the checkout is seen without another sync.
    await writeFile(join(checkout, 'src/demo_client/__init__.py'), '__version__ = "1.2.0.dev0"\nSOURCE = "edited"\n');
    expect(await python(dir, 'import demo_client; print(demo_client.SOURCE)')).toBe('edited');

    await apply([prod]);
    expect(await python(dir, 'import demo_client; print(demo_client.SOURCE, demo_client.__version__)')).toBe('wheel 1.1.0');
    expect(await readFile(join(dir, 'pyproject.toml'), 'utf8')).not.toContain('tool.uv.sources');

    await apply([]);
    expect(await readFile(join(dir, 'pyproject.toml'), 'utf8')).toBe(USER_PYPROJECT);
    expect(owned).toEqual({ dependencies: [], indexes: [] });
    expect(await python(dir, 'import importlib.util as u; print(u.find_spec("demo_client") is None)')).toBe('True');
  });

  test('a private index: [[tool.uv.index]] + { index = name } source, then removed byte-for-byte', async () => {
    const wheel = await buildWheel(join(root, 'private-wheels'), { name: 'Team_Lib', version: '2.0.0' });
    const url = await makeSimpleIndex(join(root, 'private-index'), [wheel]);
    const dir = await project('private', USER_PYPROJECT);
    const dep: PythonDependency = { component: 'team-lib', package: 'Team_Lib', requirement: 'Team_Lib==2.0.0', index: { name: 'team-pypi', url } };
    const added = renderPyproject({ text: USER_PYPROJECT, projectName: 'app', desired: [dep], owned: { dependencies: [], indexes: [] } });
    expect(added.owned.indexes).toEqual(['team-pypi']);
    await writeFile(join(dir, 'pyproject.toml'), added.text);
    await uvSync(dir, { env, quiet: true });
    expect(await python(dir, 'import team_lib; print(team_lib.SOURCE)')).toBe('wheel');
    expect(await readFile(join(dir, 'uv.lock'), 'utf8')).toContain(`source = { registry = "${url.replace('file://', '')}" }`);
    const removed = renderPyproject({ text: added.text, projectName: 'app', desired: [], owned: added.owned });
    expect(removed.text).toBe(USER_PYPROJECT);
  });

  test('an unsatisfiable requirement fails with UV_FAILED', async () => {
    const text = renderPyproject({
      text: null,
      projectName: 'bad',
      desired: [{ component: 'demo', package: 'demo-client', requirement: 'demo-client>=5' }],
      owned: { dependencies: [], indexes: [] },
    }).text;
    const dir = await project('bad', text);
    const e = await rejected(uvSync(dir, { env, quiet: true }));
    expect(e.code).toBe(ErrorCodes.UV_FAILED);
    expect(e.hint).toBeTruthy();
    expect(e.details.join('\n')).toMatch(/demo-client/);
    expect(existsSync(join(dir, 'uv.lock'))).toBe(false);
  });

  test('packages come only from the local wheels folder, never from PyPI', async () => {
    const { text } = renderPyproject({ text: null, projectName: 'pypi', desired: [{ component: 'six', package: 'six', requirement: 'six' }], owned: { dependencies: [], indexes: [] } });
    const dir = await project('pypi', text);
    expect((await rejected(uvSync(dir, { env, quiet: true }))).code).toBe(ErrorCodes.UV_FAILED);
  });

  test('frozen: an outdated uv.lock fails and is left as it was', async () => {
    const first = renderPyproject({ text: null, projectName: 'frozen', desired: [{ component: 'demo', package: 'demo-dep', requirement: 'demo-dep' }], owned: { dependencies: [], indexes: [] } });
    const dir = await project('frozen', first.text);
    await uvSync(dir, { env, quiet: true });
    await uvSync(dir, { env, quiet: true, frozen: true }); // up to date: fine
    const lock = await readFile(join(dir, 'uv.lock'), 'utf8');
    const second = renderPyproject({ text: first.text, projectName: 'frozen', desired: [{ component: 'demo', package: 'demo-client', requirement: 'demo-client' }], owned: first.owned });
    await writeFile(join(dir, 'pyproject.toml'), second.text);
    expect((await rejected(uvSync(dir, { env, quiet: true, frozen: true }))).code).toBe(ErrorCodes.UV_FAILED);
    expect(await readFile(join(dir, 'uv.lock'), 'utf8')).toBe(lock);
  });

  test('offline works from the cache', async () => {
    const { text } = renderPyproject({ text: null, projectName: 'offline', desired: [{ component: 'demo', package: 'demo-client', requirement: 'demo-client==1.0.0' }], owned: { dependencies: [], indexes: [] } });
    const dir = await project('offline', text);
    await uvSync(dir, { env, quiet: true, offline: true });
    expect(await python(dir, 'import demo_client; print(demo_client.__version__)')).toBe('1.0.0');
  });

  test('an aborted sync stops uv and says INTERRUPTED', async () => {
    const { text } = renderPyproject({ text: null, projectName: 'abort', desired: [{ component: 'demo', package: 'demo-client', requirement: 'demo-client' }], owned: { dependencies: [], indexes: [] } });
    const dir = await project('abort', text);
    const controller = new AbortController();
    const sync = uvSync(dir, { env, quiet: true, signal: controller.signal });
    controller.abort();
    expect((await rejected(sync)).code).toBe(ErrorCodes.INTERRUPTED);
  });

  test('no uv on PATH → UV_NOT_FOUND', async () => {
    const dir = await project('nouv', USER_PYPROJECT);
    const e = await rejected(uvSync(dir, { env: { ...env, PATH: join(root, 'nowhere') } }));
    expect(e.code).toBe(ErrorCodes.UV_NOT_FOUND);
    expect(e.hint).toBe('python3 -m pip install uv');
  });
});
