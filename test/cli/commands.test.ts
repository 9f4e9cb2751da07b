/**
 * End-to-end tier for the commands around sync, on the built-in catalog with `--no-install` (no uv needed):
 * init, add/remove/use/mode editing, why, search, info, plan, status, --json, usage errors, the project lock.
 */
import { describe, expect, test } from '@jest/globals';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { hsm, tempDir, snapshot, errorCode, HSM_BIN } from '../support/hsm-cli.js';
import { freePort } from '../support/free-port.mjs';

async function initProject(): Promise<string> {
  const dir = await tempDir('hsm-cmd-');
  const r = await hsm(['init'], { cwd: dir });
  expect(r.code).toBe(0);
  return dir;
}

describe('hsm init', () => {
  test('writes a starter manifest, git-ignores the overlay, proposes matching catalog components, never overwrites', async () => {
    const dir = await tempDir('hsm-init-');
    await writeFile(join(dir, 'pyproject.toml'), '[project]\nname = "shop"\nversion = "1.0"\ndependencies = ["Redis>=5", "httpx"]\n');
    await writeFile(join(dir, 'docker-compose.yml'), 'services:\n  vectors:\n    image: qdrant/qdrant:v1.9.0\n');
    await writeFile(join(dir, '.gitignore'), 'node_modules/\n');
    const r = await hsm(['init', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.json.proposals.map((p: { component: string }) => p.component).sort()).toEqual(['qdrant-adapter', 'redis']);
    const manifest = await readFile(join(dir, 'hsm.yaml'), 'utf8');
    expect(manifest).toContain('name: shop');
    expect(manifest).toMatch(/^# yaml-language-server: \$schema=.*hsm\.schema\.json$/m);
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\n\n# hsm: personal dev overlay, transaction state, per-checkout .env\nhsm.local.yaml\n.hsm/\n.env\n');
    const again = await hsm(['init', '--json'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.json.error.code).toBe('HSM_MANIFEST_EXISTS');
    expect(await readFile(join(dir, 'hsm.yaml'), 'utf8')).toBe(manifest);
    expect((await hsm(['init', '--force', '--name', 'other'], { cwd: dir })).code).toBe(0);
    expect(await readFile(join(dir, 'hsm.yaml'), 'utf8')).toContain('name: other');
    // .gitignore entries are not added twice
    expect((await readFile(join(dir, '.gitignore'), 'utf8')).match(/hsm\.local\.yaml/g)).toHaveLength(1);
  });
});

describe('editing the stack', () => {
  test('add / why / status / remove on the built-in catalog (files only)', async () => {
    const dir = await initProject();
    const add = await hsm(['add', 'observability', '--no-install', '--json'], { cwd: dir });
    expect(add.code).toBe(0);
    // observability requires grafana which requires prometheus-exporter: transitive requires land in the lock
    const lock = JSON.parse(await readFile(join(dir, 'hsm.lock'), 'utf8'));
    expect(Object.keys(lock.components)).toEqual(expect.arrayContaining(['observability', 'grafana', 'prometheus-exporter']));
    expect(existsSync(join(dir, 'docker-compose.hsm.yml'))).toBe(true);
    const why = await hsm(['why', 'prometheus-exporter'], { cwd: dir });
    expect(why.code).toBe(0);
    expect(why.stdout).toMatch(/required by grafana/);
    const status = await hsm(['status', '--json'], { cwd: dir });
    expect(status.json.drift).toEqual([]);
    expect((await hsm(['remove', 'observability', '--no-install'], { cwd: dir })).code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'hsm.lock'), 'utf8')).components).toEqual({});
    expect(existsSync(join(dir, 'docker-compose.hsm.yml'))).toBe(false);
  });

  test('use swaps the implementation of a group in one command', async () => {
    const dir = await initProject();
    expect((await hsm(['add', 'qdrant-adapter', '--no-install'], { cwd: dir })).code).toBe(0);
    const swap = await hsm(['use', 'vector-store', 'chroma-adapter', '--no-install', '--json'], { cwd: dir });
    expect(swap.code).toBe(0);
    const manifest = await readFile(join(dir, 'hsm.yaml'), 'utf8');
    expect(manifest).toContain('use: chroma-adapter');
    expect(manifest).not.toContain('qdrant-adapter');
    const lock = JSON.parse(await readFile(join(dir, 'hsm.lock'), 'utf8'));
    expect(Object.keys(lock.components)).toEqual(['chroma-adapter']);
    const one = await hsm(['use', 'vector-store', 'chroma-adapter', 'weaviate-adapter', '--no-install', '--json'], { cwd: dir });
    expect(one.code).toBe(2);
    expect(one.json.error.code).toBe('HSM_GROUP_INVALID');
  });

  test('use then remove gives back hsm.yaml byte for byte (the groups: key goes with its last group)', async () => {
    const dir = await initProject();
    const before = await readFile(join(dir, 'hsm.yaml'), 'utf8');
    expect((await hsm(['use', 'vector-store', 'chroma-adapter', '--no-sync'], { cwd: dir })).code).toBe(0);
    expect((await hsm(['remove', 'chroma-adapter', '--no-sync'], { cwd: dir })).code).toBe(0);
    expect(await readFile(join(dir, 'hsm.yaml'), 'utf8')).toBe(before);
  });

  test('an unfilled interface explains itself and names the fix', async () => {
    const dir = await initProject();
    const r = await hsm(['add', 'langchain-rag', '--no-install', '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('HSM_INTERFACE_UNFILLED');
    expect(r.json.error.hint).toMatch(/hsm use \S+ /);
    // the chain the terminal prints under the message is in --json too
    expect(r.json.error.details).toEqual(expect.arrayContaining([expect.stringMatching(/langchain-rag/)]));
    expect(await readFile(join(dir, 'hsm.yaml'), 'utf8')).not.toContain('langchain-rag');
  });

  test('conflicting components are refused before anything is written', async () => {
    const dir = await initProject();
    expect((await hsm(['add', 'redis', '--no-install'], { cwd: dir })).code).toBe(0);
    const before = snapshot(dir);
    const r = await hsm(['add', 'valkey', '--no-install', '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(['HSM_CONFLICT', 'HSM_UNSATISFIABLE', 'HSM_PORT_CLASH']).toContain(r.json.error.code);
    expect(snapshot(dir)).toEqual(before);
  });

  test('adding a component no registry has says nothing was written, and advises no `hsm remove` (issue 9 item 8)', async () => {
    const dir = await initProject();
    const before = snapshot(dir);
    const r = await hsm(['add', 'redis-cache', '--no-install'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(errorCode(r)).toBe('HSM_COMPONENT_NOT_FOUND');
    expect(r.stderr).not.toMatch(/listed in hsm\.yaml|hsm remove/);
    expect(r.stderr).toMatch(/hsm search redis-cache/);
    expect(snapshot(dir)).toEqual(before);
  });

  test('`hsm use` with a component no registry has says nothing was written, not "used by group … in hsm.yaml" / `hsm remove`', async () => {
    const dir = await initProject();
    const before = snapshot(dir);
    const r = await hsm(['use', 'cache', 'redis-cach', '--no-install'], { cwd: dir });
    expect({ code: r.code, error: errorCode(r) }).toEqual({ code: 2, error: 'HSM_COMPONENT_NOT_FOUND' });
    expect(r.stderr).not.toMatch(/in hsm\.yaml|hsm remove/);
    expect(r.stderr).toMatch(/hsm search redis-cach/);
    expect(snapshot(dir)).toEqual(before);
  });

  test('plan shows a unified diff and changes nothing; sync --check exits 3 on drift', async () => {
    const dir = await initProject();
    expect((await hsm(['add', 'redis', '--no-sync'], { cwd: dir })).code).toBe(0);
    const before = snapshot(dir);
    const plan = await hsm(['plan'], { cwd: dir });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('+++ b/docker-compose.hsm.yml');
    expect(plan.stdout).toContain('would run: uv sync');
    expect(snapshot(dir)).toEqual(before);
    const json = await hsm(['sync', '--dry-run', '--json'], { cwd: dir });
    expect(json.json.changes.map((c: { path: string }) => c.path)).toEqual(expect.arrayContaining(['hsm.lock', 'pyproject.toml', 'docker-compose.hsm.yml']));
    const check = await hsm(['sync', '--check', '--json'], { cwd: dir });
    expect(check.code).toBe(3);
    expect(check.json.error.code).toBe('HSM_DRIFT');
  });

  test('mode of a component whose checkout is missing and has no git source fails clearly', async () => {
    const dir = await initProject();
    await mkdir(join(dir, 'reg', 'svc-only'), { recursive: true });
    await writeFile(join(dir, 'reg', 'svc-only', '1.0.0.yaml'), 'name: svc-only\nversion: 1.0.0\nservices:\n  web:\n    image: busybox:1\n    dev:\n      build: { context: . }\n');
    await writeFile(join(dir, 'hsm.yaml'), 'version: 1\nname: x\nregistries:\n  - name: local\n    path: ./reg\ncomponents:\n  svc-only: {}\n');
    const r = await hsm(['mode', 'svc-only', 'dev', '--path', '../nowhere', '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('HSM_CHECKOUT_MISSING');
    expect(existsSync(join(dir, 'hsm.local.yaml'))).toBe(false);
  });
});

describe('locked versions', () => {
  test('are kept until --upgrade / --upgrade-component (no silent upgrades)', async () => {
    const dir = await tempDir('hsm-lock-');
    for (const v of ['1.0.0', '1.1.0']) {
      await mkdir(join(dir, 'reg', 'svc'), { recursive: true });
      await writeFile(join(dir, 'reg', 'svc', `${v}.yaml`), `name: svc\nversion: ${v}\nservices:\n  svc:\n    image: example/svc:${v}\n`);
    }
    await writeFile(join(dir, 'hsm.yaml'), 'version: 1\nname: x\nbuiltin: false\nregistries:\n  - name: local\n    path: ./reg\ncomponents:\n  svc:\n    version: "~1.0"\n');
    expect((await hsm(['sync', '--no-install'], { cwd: dir })).code).toBe(0);
    const locked = () => readFile(join(dir, 'hsm.lock'), 'utf8').then((t) => JSON.parse(t).components.svc.version);
    expect(await locked()).toBe('1.0.0');
    await writeFile(join(dir, 'hsm.yaml'), (await readFile(join(dir, 'hsm.yaml'), 'utf8')).replace('"~1.0"', '"^1"'));
    expect((await hsm(['sync', '--no-install'], { cwd: dir })).code).toBe(0);
    expect(await locked()).toBe('1.0.0'); // still satisfies: kept
    const frozen = await hsm(['sync', '--frozen', '--upgrade', '--no-install', '--json'], { cwd: dir });
    expect(frozen.code).toBe(1);
    expect(frozen.json.error.code).toBe('HSM_LOCK_OUTDATED');
    const up = await hsm(['sync', '--upgrade-component', 'svc', '--no-install', '--json'], { cwd: dir });
    expect(up.code).toBe(0);
    expect(up.json.changed).toEqual(['svc 1.0.0 -> 1.1.0']);
    expect(await locked()).toBe('1.1.0');
    expect(await readFile(join(dir, 'docker-compose.hsm.yml'), 'utf8')).toContain('image: example/svc:1.1.0');
  });
});

describe('catalog commands work outside a project', () => {
  test('search and info', async () => {
    const dir = await tempDir('hsm-nowhere-');
    const s = await hsm(['search', 'cache', '--json'], { cwd: dir });
    expect(s.code).toBe(0);
    expect(s.json.map((h: { name: string }) => h.name)).toEqual(expect.arrayContaining(['redis', 'valkey']));
    const i = await hsm(['info', 'qdrant-adapter', '--json'], { cwd: dir });
    expect(i.json.registry).toBe('builtin');
    expect(i.json.definition.python.package).toBe('qdrant-client');
    expect(i.json.digest).toMatch(/^sha256:/);
    const miss = await hsm(['info', 'qdrant-adaptor'], { cwd: dir });
    expect(miss.code).toBe(2);
    expect(miss.stderr).toContain('did you mean `qdrant-adapter`');
  });
});

describe('command line contract', () => {
  test('usage errors exit 2 with a hint; --json errors go to stdout as {"error": …}', async () => {
    const dir = await initProject();
    const unknown = await hsm(['snyc'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error\[HSM_USAGE\]: unknown command `snyc` \(did you mean `sync`\?\)\nhint: /);
    const badFlag = await hsm(['sync', '--bogus', '--json'], { cwd: dir });
    expect(badFlag.code).toBe(2);
    expect(badFlag.json).toEqual({ error: { code: 'HSM_USAGE', message: expect.any(String), hint: expect.stringContaining('usage: hsm sync') } });
    expect(badFlag.stderr).toBe('');
    const noManifest = await hsm(['status', '-C', await tempDir('hsm-empty-')], { cwd: dir });
    expect(noManifest.code).toBe(2);
    expect(errorCode(noManifest)).toBe('HSM_MANIFEST_NOT_FOUND');
    expect(noManifest.stderr).toContain('hint: run `hsm init`');
    const version = await hsm(['--version'], { cwd: dir });
    expect(version.stdout).toMatch(/^hsm \d+\.\d+\.\d+ \(from a clone at .+; Node v\d+\.\d+\.\d+\)\n$/);
  });

  test('a usage line names the options the command takes: `hsm outdated` takes --json, as `hsm ports` and `hsm env` say', async () => {
    const dir = await tempDir('hsm-usage-');
    for (const command of ['outdated', 'ports', 'env']) {
      expect((await hsm([command, '--help'], { cwd: dir })).stdout).toMatch(new RegExp(`^usage: hsm ${command} \\[--json\\]\n`));
    }
    expect((await hsm(['outdated', '--bogus'], { cwd: dir })).stderr).toContain('hint: usage: hsm outdated [--json]');
  });

  test('a second hsm on a locked project names the holder and exits', async () => {
    const dir = await initProject();
    await mkdir(join(dir, '.hsm'), { recursive: true });
    // a live holder: this test process
    await writeFile(join(dir, '.hsm', 'lock'), JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), command: 'sync', since: new Date().toISOString(), token: 'x' }));
    const r = await hsm(['add', 'redis', '--no-install', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('HSM_LOCKED');
    expect(r.json.error.message).toContain(String(process.pid));
    expect(r.json.error.hint).toContain('--wait');
  });
});

describe('ctrl-C', () => {
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s while uv runs in `hsm sync`: files restored, lock released, exit %i (128 + the signal) as uv and Compose do', async (sig, exit) => {
    const dir = await tempDir('hsm-sigint-');
    await mkdir(join(dir, 'reg', 'demo-lib'), { recursive: true });
    await writeFile(join(dir, 'reg', 'demo-lib', '1.0.0.yaml'), 'name: demo-lib\nversion: 1.0.0\ndescription: d\npython:\n  package: demo-lib\n');
    await writeFile(join(dir, 'hsm.yaml'), 'version: 1\nname: sig\nbuiltin: false\nregistries:\n  - { name: local, path: ./reg }\ncomponents:\n  demo-lib: {}\n');
    // a uv that says when it runs (inside the transaction, after the files are written) and then waits
    const bin = await tempDir('hsm-sigint-bin-');
    await writeFile(join(bin, 'uv'), '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "uv 0.9.0"; exit 0; fi\necho UV-RUNNING >&2\nexec sleep 30\n', { mode: 0o755 });
    const before = snapshot(dir);
    const child = spawn(process.execPath, [HSM_BIN, 'sync'], { cwd: dir, env: { ...process.env, NO_COLOR: '1', PATH: `${bin}:${process.env.PATH}` }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (d.includes('UV-RUNNING')) child.kill(sig);
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    expect({ code, signal }).toEqual({ code: exit, signal: null });
    expect(stderr).toContain('error[HSM_INTERRUPTED]');
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(join(dir, '.hsm', 'lock'))).toBe(false);
  });
});

describe('a registry service that does not answer', () => {
  test('the hint offers --offline only to commands that take it', async () => {
    const dir = await tempDir('hsm-down-');
    const port = await freePort();
    await writeFile(join(dir, 'hsm.yaml'), `version: 1\nname: down\nbuiltin: false\nregistries:\n  - { name: team, url: "http://127.0.0.1:${port}" }\ncomponents: {}\n`);
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    const hints: Record<string, string | undefined> = {};
    for (const args of [
      ['search', 'mail'],
      ['info', 'mailpit'],
      ['add', 'mailpit', '--no-install'],
    ]) {
      const r = await hsm([...args, '--json'], { cwd: dir, env });
      expect({ code: r.code, error: r.json?.error?.code }).toEqual({ code: 1, error: 'HSM_NETWORK' });
      hints[args[0]] = r.json.error.hint;
    }
    expect(hints.search).not.toContain('--offline');
    expect(hints.info).not.toContain('--offline');
    expect(hints.add).toContain('--offline'); // `hsm add` takes it
  });
});

describe("the clash check sees an include's env_file (Compose interpolates the included file with it)", () => {
  test('a port set in the env_file of an `include:` entry clashes; the project .env still wins over it', async () => {
    const dir = await initProject();
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'compose.yaml'), 'include:\n  - path: ./sub/base.yml\n    env_file: ./sub/base.env\nservices:\n  app:\n    image: example/app:1\n');
    await writeFile(join(dir, 'sub', 'base.yml'), 'services:\n  mymail:\n    image: example/mail:1\n    ports: ["${MAIL_PORT:-9999}:8025"]\n');
    await writeFile(join(dir, 'sub', 'base.env'), 'MAIL_PORT=8025\n');
    const before = snapshot(dir);
    const r = await hsm(['add', 'mailpit', '--no-install', '--json'], { cwd: dir });
    expect({ code: r.code, error: r.json?.error?.code, at: r.json?.error?.message.split(': ')[0] }).toEqual({ code: 2, error: 'HSM_PORT_CLASH', at: 'sub/base.yml:4:13' });
    expect(snapshot(dir)).toEqual(before);
    await writeFile(join(dir, '.env'), 'MAIL_PORT=18025\n');
    expect((await hsm(['add', 'mailpit', '--no-install'], { cwd: dir })).code).toBe(0);
  });
});
