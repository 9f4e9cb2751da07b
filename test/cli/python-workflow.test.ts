/**
 * End-to-end tier: the built `hsm` binary in temp projects, with real uv installing small packages built
 * locally (no PyPI). Covers the core promises: add/mode/remove through uv, atomic failure, user entries
 * untouched, comments kept, dev sources never leaking, no-op syncs writing nothing.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { mkdir, writeFile, readFile, rm, cp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '@hsm/host';
import { buildWheel, makeCheckout, uvTestEnv } from '../support/python-fixtures.js';
import { hsm, tempDir, snapshot, mtimes, errorCode } from '../support/hsm-cli.js';

let root: string;
let env: Record<string, string>;
let checkout: string;

const MANIFEST = `# our stack
version: 1
name: demo-app   # keep this comment
builtin: false
registries:
  - name: local
    path: ./reg
components: {}
`;

async function writeDefinition(dir: string, name: string, version: string, body: string): Promise<void> {
  await mkdir(join(dir, 'reg', name), { recursive: true });
  await writeFile(join(dir, 'reg', name, `${version}.yaml`), `name: ${name}\nversion: ${version}\n${body}`);
}

async function project(manifest = MANIFEST): Promise<string> {
  const dir = await tempDir('hsm-py-');
  await writeFile(join(dir, 'hsm.yaml'), manifest);
  await writeDefinition(dir, 'demo-lib', '1.0.0', 'description: demo library\npython:\n  package: demo-lib\n');
  await writeDefinition(dir, 'demo-lib', '1.1.0', 'description: demo library\npython:\n  package: demo-lib\n');
  await writeDefinition(dir, 'broken', '1.0.0', 'python:\n  package: demo-lib\n  requirement: "demo-lib>=99"\n');
  await writeDefinition(dir, 'demo-extra', '0.5.0', 'python:\n  package: demo-extra\n');
  return dir;
}

async function importSource(dir: string): Promise<string> {
  const r = await runProcess([join(dir, '.venv', 'bin', 'python'), '-c', 'import demo_lib; print(demo_lib.SOURCE, demo_lib.__version__)']);
  return r.stdout.trim();
}

beforeAll(async () => {
  root = await tempDir('hsm-py-root-');
  const wheels = join(root, 'wheels');
  await mkdir(wheels, { recursive: true });
  await buildWheel(wheels, { name: 'demo-lib', version: '1.0.0' });
  await buildWheel(wheels, { name: 'demo-lib', version: '1.1.0' });
  await buildWheel(wheels, { name: 'demo-extra', version: '0.5.0' });
  env = uvTestEnv(wheels, join(root, 'uv-cache'));
  checkout = await makeCheckout(join(root, 'demo-lib-checkout'), { name: 'demo-lib', version: '1.2.0.dev0' });
});

describe('hsm with real uv', () => {
  test('add puts the package in pyproject.toml, uv.lock and .venv; a no-op sync writes nothing', async () => {
    const dir = await project();
    const add = await hsm(['add', 'demo-lib', '--json'], { cwd: dir, env });
    expect(add.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(add.code).toBe(0);
    expect(add.json.added).toEqual(['demo-lib 1.1.0']);
    const pyproject = await readFile(join(dir, 'pyproject.toml'), 'utf8');
    expect(pyproject).toContain('"demo-lib==1.1.0"');
    expect(await readFile(join(dir, 'uv.lock'), 'utf8')).toMatch(/name = "demo-lib"\nversion = "1.1.0"/);
    expect(await importSource(dir)).toBe('wheel 1.1.0');
    const lock = JSON.parse(await readFile(join(dir, 'hsm.lock'), 'utf8'));
    expect(lock.components['demo-lib']).toMatchObject({ version: '1.1.0', registry: 'local' });
    expect(lock.components['demo-lib'].digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const before = mtimes(dir);
    const bytes = snapshot(dir);
    const noop = await hsm(['sync', '--json'], { cwd: dir, env });
    expect(noop.code).toBe(0);
    expect(noop.json.written).toEqual([]);
    expect(mtimes(dir)).toEqual(before);
    expect(snapshot(dir)).toEqual(bytes);
    const check = await hsm(['sync', '--check'], { cwd: dir, env });
    expect(check.code).toBe(0);
  });

  test('comments and formatting in hsm.yaml survive hsm add', async () => {
    const dir = await project();
    expect((await hsm(['add', 'demo-lib@^1.0', '--no-sync'], { cwd: dir, env })).code).toBe(0);
    expect(await readFile(join(dir, 'hsm.yaml'), 'utf8')).toBe(MANIFEST.replace('components: {}\n', 'components:\n  demo-lib:\n    version: "^1.0"\n'));
    expect(existsSync(join(dir, 'pyproject.toml'))).toBe(false); // --no-sync: manifest only
  });

  test('dev → prod → dev switches between the checkout and the release', async () => {
    const dir = await project();
    expect((await hsm(['add', 'demo-lib'], { cwd: dir, env })).code).toBe(0);
    const prodPyproject = await readFile(join(dir, 'pyproject.toml'), 'utf8');
    const manifest = await readFile(join(dir, 'hsm.yaml'), 'utf8');
    const lock = await readFile(join(dir, 'hsm.lock'), 'utf8');

    const dev = await hsm(['mode', 'demo-lib', 'dev', '--path', checkout], { cwd: dir, env });
    expect(dev.stderr).toBe(dev.stderr);
    expect(dev.code).toBe(0);
    expect(await importSource(dir)).toBe('checkout 1.2.0.dev0');
    const devPyproject = await readFile(join(dir, 'pyproject.toml'), 'utf8');
    expect(devPyproject).toMatch(/\[tool\.uv\.sources\]\ndemo-lib = \{ path = ".*demo-lib-checkout", editable = true \}/);
    // personal choice: hsm.yaml untouched, the overlay carries it
    expect(await readFile(join(dir, 'hsm.yaml'), 'utf8')).toBe(manifest);
    expect(await readFile(join(dir, 'hsm.local.yaml'), 'utf8')).toContain('mode: dev');
    expect(await readFile(join(dir, 'hsm.lock'), 'utf8')).toBe(lock); // dev mode is personal: the shared lock stays

    expect((await hsm(['mode', 'demo-lib', 'prod'], { cwd: dir, env })).code).toBe(0);
    expect(await importSource(dir)).toBe('wheel 1.1.0');
    expect(await readFile(join(dir, 'pyproject.toml'), 'utf8')).toBe(prodPyproject);

    expect((await hsm(['mode', 'demo-lib', 'dev'], { cwd: dir, env })).code).toBe(0); // path remembered
    expect(await importSource(dir)).toBe('checkout 1.2.0.dev0');
    expect(existsSync(checkout)).toBe(true); // never deleted
  });

  test("mode dev with no checkout clones the definition's git source at its ref, and never deletes it", async () => {
    const dir = await project();
    // a real git repository holding the package source, tagged like a release
    const origin = join(root, `origin-${Date.now()}`);
    await makeCheckout(origin, { name: 'demo-lib', version: '1.1.0', modules: { 'demo_lib/__init__.py': '__version__ = "1.1.0"\nSOURCE = "git v1.1.0"\n' } });
    const git = (...args: string[]) => runProcess(['git', '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: origin });
    await git('init', '-q');
    await git('add', '-A');
    await git('commit', '-qm', 'release');
    await git('tag', 'v1.1.0');
    await writeFile(join(origin, 'src', 'demo_lib', '__init__.py'), '__version__ = "1.2.0.dev0"\nSOURCE = "git main"\n');
    await git('commit', '-qam', 'work after the release');
    await writeDefinition(dir, 'demo-lib', '1.1.0', `python:\n  package: demo-lib\n  source:\n    git: ${origin}\n    ref: v1.1.0\n`);
    expect((await hsm(['add', 'demo-lib'], { cwd: dir, env })).code).toBe(0);
    const r = await hsm(['mode', 'demo-lib', 'dev'], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'packages', 'demo-lib', '.git'))).toBe(true);
    expect(await importSource(dir)).toBe('git v1.1.0 1.1.0'); // the locked version's ref, not the branch head
    expect((await hsm(['mode', 'demo-lib', 'prod'], { cwd: dir, env })).code).toBe(0);
    expect(existsSync(join(dir, 'packages', 'demo-lib', 'pyproject.toml'))).toBe(true); // left in place
    expect(await importSource(dir)).toBe('wheel 1.1.0');
  });

  test('a teammate without the overlay: sync --check flags the committed dev source', async () => {
    const dir = await project();
    expect((await hsm(['add', 'demo-lib', '--dev', '--path', checkout], { cwd: dir, env })).code).toBe(0);
    await rm(join(dir, 'hsm.local.yaml'));
    const check = await hsm(['sync', '--check'], { cwd: dir, env });
    expect(check.code).toBe(3);
    expect(errorCode(check)).toBe('HSM_DRIFT');
    expect(check.stderr).toContain('pyproject.toml carries a dev source for demo-lib');
  });

  test('remove restores a hand-written pyproject.toml byte for byte and never touches user entries', async () => {
    const dir = await project();
    const original = `# my project\n[project]\nname = 'demo-app'\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = [\n  # pinned by hand\n  'demo-extra>=0.5',\n]\n\n[tool.ruff]\nline-length = 100\n`;
    await writeFile(join(dir, 'pyproject.toml'), original);
    expect((await hsm(['add', 'demo-lib'], { cwd: dir, env })).code).toBe(0);
    const added = await readFile(join(dir, 'pyproject.toml'), 'utf8');
    expect(added).toContain("  'demo-extra>=0.5',");
    expect(added).toContain('[tool.ruff]\nline-length = 100\n');
    expect((await hsm(['remove', 'demo-lib'], { cwd: dir, env })).code).toBe(0);
    expect(await readFile(join(dir, 'pyproject.toml'), 'utf8')).toBe(original);
    expect(await readFile(join(dir, 'hsm.yaml'), 'utf8')).toBe(MANIFEST);
  });

  test('a user-declared dependency is never rewritten: clash is a plan-time error, nothing written', async () => {
    const dir = await project();
    await writeFile(join(dir, 'pyproject.toml'), `[project]\nname = "demo-app"\nversion = "0.1.0"\ndependencies = ["demo-lib==1.0.0"]\n`);
    const before = snapshot(dir);
    const r = await hsm(['add', 'demo-lib', '--json'], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('HSM_PYPROJECT_CLASH');
    expect(snapshot(dir)).toEqual(before);
  });

  test('an unsatisfiable requirement (uv fails) leaves every file byte-identical', async () => {
    const dir = await project();
    expect((await hsm(['add', 'demo-extra'], { cwd: dir, env })).code).toBe(0);
    const before = snapshot(dir);
    const r = await hsm(['add', 'broken'], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(errorCode(r)).toBe('HSM_UV_FAILED');
    expect(r.stderr).toContain('hint:');
    // uv's own message once, and no advice to reproduce what the rollback took away (issue 9 item 8)
    const uvLine = r.stderr.split('\n').find((l) => /demo-lib>=99/.test(l) && !/^error\[/.test(l))!;
    expect(uvLine).toBeDefined();
    expect(r.stderr.split(uvLine).length - 1).toBe(1);
    expect(r.stderr).not.toMatch(/to reproduce/);
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(join(dir, '.hsm', 'txn', 'journal.json'))).toBe(false);
  });

  test('kill -9 in the middle of a sync: the next command rolls it back', async () => {
    const dir = await project();
    expect((await hsm(['add', 'demo-extra'], { cwd: dir, env })).code).toBe(0);
    const before = snapshot(dir);
    const crashed = await hsm(['add', 'demo-lib'], { cwd: dir, env: { ...env, HSM_TEST_CRASH_AT: 'replaced-1' } });
    expect(crashed.code).not.toBe(0);
    expect(snapshot(dir)).not.toEqual(before); // really half-written
    const next = await hsm(['sync', '--json'], { cwd: dir, env });
    expect(next.code).toBe(0);
    expect(next.json.recovered.length).toBeGreaterThan(0);
    expect(snapshot(dir)).toEqual(before);
  });

  test('kill -9 during uv: even a read-only next command (status) rolls it back', async () => {
    const dir = await project();
    expect((await hsm(['add', 'demo-extra'], { cwd: dir, env })).code).toBe(0);
    const before = snapshot(dir);
    const crashed = await hsm(['add', 'demo-lib'], { cwd: dir, env: { ...env, HSM_TEST_CRASH_AT: 'after-write' } });
    expect(crashed.code).not.toBe(0);
    const status = await hsm(['status'], { cwd: dir, env });
    expect(status.code).toBe(0);
    expect(status.stderr).toContain('rolled back an interrupted sync');
    expect(snapshot(dir)).toEqual(before);
  });

  test('invalid manifests exit 2 with a coded, located error and no stack trace', async () => {
    const fixtures = join(__dirname_, '..', 'fixtures', 'manifests', 'invalid');
    const { readdir } = await import('node:fs/promises');
    const files = (await readdir(fixtures)).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const f of files) {
      const text = await readFile(join(fixtures, f), 'utf8');
      const expected = /^# expect: (HSM_[A-Z_]+)/.exec(text)?.[1];
      expect(expected).toBeDefined();
      const dir = await project();
      await writeFile(join(dir, 'hsm.yaml'), text);
      const r = await hsm(['sync', '--json'], { cwd: dir, env });
      expect({ f, code: r.code, error: r.json?.error?.code }).toEqual({ f, code: 2, error: expected });
      expect(r.json.error.message.length).toBeGreaterThan(0);
      const human = await hsm(['sync'], { cwd: dir, env });
      expect(human.stderr.split('\n')[0]).toMatch(/^error\[HSM_[A-Z_]+\]: /);
      expect(human.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('add → remove settles (issue 9 item 1)', () => {
  test('with real uv: sync --check passes after remove, and sync never says "Nothing to change" over drift', async () => {
    const dir = await project();
    expect((await hsm(['add', 'demo-lib'], { cwd: dir, env })).code).toBe(0);
    expect((await hsm(['remove', 'demo-lib'], { cwd: dir, env })).code).toBe(0);
    const check = await hsm(['sync', '--check'], { cwd: dir, env });
    expect({ code: check.code, stderr: check.stderr }).toEqual({ code: 0, stderr: '' });
    const again = await hsm(['sync', '--json'], { cwd: dir, env });
    expect(again.json.written).toEqual([]);
    expect((await hsm(['sync', '--check'], { cwd: dir, env })).code).toBe(0);
  });
});

const __dirname_ = join(new URL('.', import.meta.url).pathname);
void cp;
