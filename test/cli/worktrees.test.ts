/**
 * Parallel worktrees through the built `hsm` with real git, files only (issue 12; the Docker side is
 * test/docker/worktrees.e2e.test.ts): slots chosen once and kept, `hsm instance N|--primary`, a tracked `.env`
 * refused with nothing written, `hsm up` refused in a second worktree that was never synced, `hsm sync --check`
 * passing in the main checkout on a commit made from the second one.
 */
import { describe, expect, test, beforeAll } from '@jest/globals';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '@hsm/host';
import { hsm, tempDir, snapshot, errorCode } from '../support/hsm-cli.js';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
const git = async (cwd: string, ...args: string[]) => (await runProcess(['git', ...args], { cwd, env: GIT_ENV })).stdout;

const DEFINITION = `name: web
version: 1.0.0
description: a web service with a port option
options:
  port: { type: port, default: 18450, description: host port }
services:
  web:
    image: example/web:1
    ports: ["127.0.0.1:\${{ options.port }}:8080"]
env:
  WEB_URL: "http://127.0.0.1:\${{ options.port }}"
`;

/** A committed project in a git repo (main worktree) with `n` extra worktrees. */
async function repoWithWorktrees(n: number, gitignore = 'hsm.local.yaml\n.hsm/\n.env\n', extra: Record<string, string> = {}): Promise<{ main: string; others: string[] }> {
  const root = await tempDir('hsm-wt-');
  const main = join(root, 'main');
  await mkdir(join(main, 'reg', 'web'), { recursive: true });
  await writeFile(join(main, 'reg', 'web', '1.0.0.yaml'), DEFINITION);
  await writeFile(join(main, 'hsm.yaml'), 'version: 1\nname: wtx\nbuiltin: false\nregistries:\n  - { name: local, path: ./reg }\ncomponents:\n  web: {}\n');
  await writeFile(join(main, '.gitignore'), gitignore);
  for (const [file, text] of Object.entries(extra)) await writeFile(join(main, file), text);
  await git(main, 'init', '-q', '-b', 'main');
  expect((await hsm(['sync', '--no-install'], { cwd: main })).code).toBe(0);
  await git(main, 'add', '-A');
  await git(main, 'commit', '-q', '-m', 'stack');
  const others: string[] = [];
  for (let i = 1; i <= n; i++) {
    const wt = join(root, `wt${i}`);
    await git(main, 'worktree', 'add', '-q', wt);
    others.push(wt);
  }
  return { main, others };
}

describe('worktrees: one instance per checkout, nothing per-checkout committed', () => {
  let repo: { main: string; others: string[] };
  beforeAll(async () => {
    repo = await repoWithWorktrees(2);
  });

  test('the main worktree is the primary instance and writes no .env', async () => {
    const r = await hsm(['ports', '--json'], { cwd: repo.main });
    expect(r.json).toEqual({ project: 'wtx', slot: 0, ports: [expect.objectContaining({ service: 'web', target: '8080', declared: 18450, port: 18450 })] });
    expect(existsSync(join(repo.main, '.env'))).toBe(false);
    expect(await readFile(join(repo.main, '.hsm/env'), 'utf8')).toContain('WEB_URL=http://127.0.0.1:18450\n');
  });

  test('other worktrees: lowest free slots, kept across syncs; committed files identical; git status clean', async () => {
    const [a, b] = repo.others;
    expect((await hsm(['sync', '--no-install'], { cwd: b })).code).toBe(0);
    expect((await hsm(['sync', '--no-install'], { cwd: a })).code).toBe(0);
    expect((await hsm(['instance', '--json'], { cwd: b })).json).toMatchObject({ slot: 1, project: 'wtx-1', primary: false });
    expect((await hsm(['instance', '--json'], { cwd: a })).json).toMatchObject({ slot: 2, project: 'wtx-2' });
    const portA = (await hsm(['ports', '--json'], { cwd: a })).json.ports[0].port;
    const portB = (await hsm(['ports', '--json'], { cwd: b })).json.ports[0].port;
    expect(new Set([18450, portA, portB]).size).toBe(3);
    expect(await readFile(join(a, '.env'), 'utf8')).toContain(`HSM_PORT_WEB_18450=${portA}\n`);
    expect((await hsm(['env', '--json'], { cwd: a })).json).toMatchObject({ HSM_INSTANCE: '2', COMPOSE_PROJECT_NAME: 'wtx-2', WEB_URL: `http://127.0.0.1:${portA}` });
    const status = await hsm(['status', '--json'], { cwd: a });
    expect(status.json).toMatchObject({ instance: { slot: 2, project: 'wtx-2' }, drift: [] });
    // a second sync keeps the slot and ports
    expect((await hsm(['sync', '--no-install'], { cwd: a })).code).toBe(0);
    expect((await hsm(['ports', '--json'], { cwd: a })).json.ports[0].port).toBe(portA);
    const committed = ['hsm.yaml', 'hsm.lock', 'docker-compose.hsm.yml', 'hsm.env'];
    expect(snapshot(a, committed)).toEqual(snapshot(repo.main, committed));
    for (const dir of [repo.main, a, b]) expect(await git(dir, 'status', '--porcelain')).toBe('');
  });

  test('hsm instance N moves a checkout; --primary takes the .env block out again', async () => {
    const [a] = repo.others;
    await writeFile(join(a, '.env'), `MINE=1\n${await readFile(join(a, '.env'), 'utf8')}`);
    const held = await hsm(['instance', '1', '--no-install'], { cwd: a });
    expect({ code: held.code, error: errorCode(held) }).toEqual({ code: 2, error: 'HSM_INSTANCE_INVALID' });
    expect((await hsm(['instance', '5', '--no-install'], { cwd: a })).code).toBe(0);
    expect((await hsm(['ports', '--json'], { cwd: a })).json).toMatchObject({ project: 'wtx-5', slot: 5 });
    expect((await hsm(['instance', '--primary', '--no-install'], { cwd: a })).code).toBe(0);
    expect(await readFile(join(a, '.env'), 'utf8')).toBe('MINE=1\n');
    expect((await hsm(['instance', '12', '--no-install'], { cwd: a })).code).toBe(2);
  });

  test('a commit made from a second worktree passes `hsm sync --check` in the main one', async () => {
    const [, b] = repo.others;
    await git(b, 'checkout', '-q', '-b', 'feature');
    await writeFile(join(b, 'NOTES'), 'x\n');
    expect((await hsm(['sync', '--no-install'], { cwd: b })).code).toBe(0);
    await git(b, 'add', '-A');
    await git(b, 'commit', '-q', '-m', 'from the worktree');
    await git(repo.main, 'merge', '-q', 'feature');
    const check = await hsm(['sync', '--check'], { cwd: repo.main });
    expect({ code: check.code, stderr: check.stderr }).toEqual({ code: 0, stderr: '' });
  });
});

describe('worktrees: a project Compose names after its directory (issue 9 item 6)', () => {
  test("the primary is the directory's name, a second worktree its own directory's name with its slot; by hand Compose agrees", async () => {
    const repo = await repoWithWorktrees(1, undefined, { 'compose.yml': 'services:\n  app:\n    image: example/app:1\n' });
    const [wt] = repo.others;
    expect((await hsm(['instance', '--json'], { cwd: repo.main })).json).toMatchObject({ slot: 0, project: 'main' });
    expect((await hsm(['sync', '--no-install'], { cwd: wt })).code).toBe(0);
    expect((await hsm(['instance', '--json'], { cwd: wt })).json).toMatchObject({ slot: 1, project: 'wt1-1' });
    const { COMPOSE_PROJECT_NAME: _n, COMPOSE_FILE: _f, ...userEnv } = process.env;
    const byHand = async (cwd: string) => JSON.parse((await runProcess(['docker', 'compose', 'config', '--format', 'json'], { cwd, env: userEnv })).stdout).name;
    expect(await byHand(repo.main)).toBe('main');
    expect(await byHand(wt)).toBe('wt1-1');
    // nothing derived from either directory is committed
    expect(await readFile(join(wt, 'docker-compose.hsm.yml'), 'utf8')).toBe(await readFile(join(repo.main, 'docker-compose.hsm.yml'), 'utf8'));
    expect(await git(wt, 'status', '--porcelain')).toBe('');
    // --primary there: slot 0's ports, but Compose still names the project after this directory — not the main's stack
    const primary = await hsm(['instance', '--primary', '--no-install'], { cwd: wt });
    expect(primary.code).toBe(0);
    expect(primary.stdout).toContain('Compose project wt1');
    expect(primary.stdout).not.toContain("shares the main checkout's containers");
    expect(primary.stdout).toContain('same host ports as the main checkout (main)');
  });
});

describe("worktrees: the user's own published ports", () => {
  test("a second worktree's shifted port keeps off a host port the user's compose file publishes", async () => {
    // slot 1 would move web's 18450 to 19451, which the user's own service publishes in the same Compose project
    const repo = await repoWithWorktrees(1, undefined, { 'compose.yml': 'services:\n  app:\n    image: example/app:1\n    ports: ["127.0.0.1:${APP_PORT:-19451}:80"]\n' });
    const [wt] = repo.others;
    expect((await hsm(['sync', '--no-install'], { cwd: wt })).code).toBe(0);
    const port = (await hsm(['ports', '--json'], { cwd: wt })).json.ports[0].port;
    expect(port % 10).toBe(1);
    expect(port).not.toBe(19451);
    // a checkout whose block an earlier hsm put on that port is moved off it by the next sync (not stuck on PORT_CLASH)
    await writeFile(join(wt, '.env'), (await readFile(join(wt, '.env'), 'utf8')).replace(`HSM_PORT_WEB_18450=${port}`, 'HSM_PORT_WEB_18450=19451'));
    const healed = await hsm(['sync', '--no-install'], { cwd: wt });
    expect({ code: healed.code, stderr: healed.stderr }).toEqual({ code: 0, stderr: '' });
    expect((await hsm(['ports', '--json'], { cwd: wt })).json.ports[0].port).toBe(port);
  });
});

describe('worktrees: refusals', () => {
  test('a tracked .env in a second worktree is HSM_ENV_TRACKED and nothing is written', async () => {
    const root = await repoWithWorktrees(0, 'hsm.local.yaml\n.hsm/\n');
    await writeFile(join(root.main, '.env'), 'SECRET=committed\n');
    await git(root.main, 'add', '.env');
    await git(root.main, 'commit', '-q', '-m', 'env');
    const wt = join(root.main, '..', 'tracked');
    await git(root.main, 'worktree', 'add', '-q', wt);
    const before = snapshot(wt);
    const r = await hsm(['sync', '--no-install'], { cwd: wt });
    expect({ code: r.code, error: errorCode(r) }).toEqual({ code: 2, error: 'HSM_ENV_TRACKED' });
    expect(snapshot(wt)).toEqual(before);
    // the primary checkout writes no block: a tracked .env is fine there
    expect((await hsm(['sync', '--no-install'], { cwd: root.main })).code).toBe(0);
    expect(await git(root.main, 'status', '--porcelain')).toBe('');
  });

  test('a .env git does not ignore: the second worktree syncs and says to ignore it', async () => {
    const { others } = await repoWithWorktrees(1, 'hsm.local.yaml\n.hsm/\n');
    const r = await hsm(['sync', '--no-install'], { cwd: others[0] });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('add `.env` to .gitignore');
  });

  test('sync --check in a second worktree that was never synced: drift in .env alone, and no advice to commit it', async () => {
    const { others } = await repoWithWorktrees(1);
    const r = await hsm(['sync', '--check', '--json'], { cwd: others[0] });
    expect({ code: r.code, error: r.json?.error?.code, message: r.json?.error?.message }).toEqual({ code: 3, error: 'HSM_DRIFT', message: 'artifacts differ from hsm.yaml: .env' });
    expect(r.json.error.hint).toContain('hsm sync');
    expect(r.json.error.hint).not.toContain('commit the result');
  });

  test('a corrupt .hsm/instance.json is a one-line HSM_INSTANCE_INVALID naming it, nothing written; `hsm instance N` repairs it', async () => {
    const { others } = await repoWithWorktrees(1);
    const [wt] = others;
    expect((await hsm(['instance', '3', '--no-install'], { cwd: wt })).code).toBe(0);
    for (const corrupt of ['{"slot":', '{"slot":"x"}', '{"slot":99999}']) {
      await writeFile(join(wt, '.hsm', 'instance.json'), corrupt);
      const before = snapshot(wt);
      for (const args of [
        ['sync', '--no-install'],
        ['ports', '--json'],
      ]) {
        const r = await hsm(args, { cwd: wt });
        expect({ code: r.code, error: errorCode(r) }).toEqual({ code: 2, error: 'HSM_INSTANCE_INVALID' });
        expect(r.stderr + r.stdout).toContain('.hsm/instance.json');
        expect(r.stderr + r.stdout).toContain('hsm instance N');
        expect(r.stderr).not.toMatch(/\n\s+at /);
        expect(snapshot(wt)).toEqual(before);
      }
    }
    expect((await hsm(['instance', '3', '--no-install'], { cwd: wt })).code).toBe(0);
    expect((await hsm(['ports', '--json'], { cwd: wt })).json).toMatchObject({ project: 'wtx-3', slot: 3 });
  });

  test('--primary gives a .env that ended without a newline back its exact bytes', async () => {
    const { others } = await repoWithWorktrees(2);
    const [, wt] = others;
    await writeFile(join(wt, '.env'), 'MINE=1\nLAST=no-newline');
    expect((await hsm(['sync', '--no-install'], { cwd: wt })).code).toBe(0);
    expect(await readFile(join(wt, '.env'), 'utf8')).toContain('COMPOSE_PROJECT_NAME=');
    expect((await hsm(['sync', '--no-install'], { cwd: wt })).code).toBe(0);
    expect((await hsm(['instance', '--primary', '--no-install'], { cwd: wt })).code).toBe(0);
    expect(await readFile(join(wt, '.env'), 'utf8')).toBe('MINE=1\nLAST=no-newline');
  });

  test('hsm up in a second worktree that was never synced is refused before Compose runs', async () => {
    const { others } = await repoWithWorktrees(1);
    const r = await hsm(['up'], { cwd: others[0] });
    expect({ code: r.code, error: errorCode(r) }).toEqual({ code: 2, error: 'HSM_INSTANCE_INVALID' });
    expect(r.stderr).toContain('hsm sync');
  });
});
