/**
 * Parallel worktrees on a real Docker Engine (issue 12): a git repository whose stack serves HTTP (busybox httpd,
 * built locally, never pulled), a second checkout made with `git worktree add`, `hsm sync` + `hsm up` in both.
 * Both answer on 127.0.0.1 on different ports under different Compose project names; each checkout's `.hsm/env`
 * points at its own port; `git status` is clean in both; `docker compose` run by hand in the second checkout sees
 * its own project; `hsm down` in one leaves the other answering. Before the fix the second `hsm up` adopted the
 * first checkout's container ("Container wtx-web-1 Running").
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess, type RunResult } from '@hsm/host';
import { BASE_IMAGE, SKIP_DOCKER, dockerStatus, httpGetText, projectContainers, removeProject } from '../support/docker.js';
import { freePort } from '../support/free-port.mjs';
import { tempDir } from '../support/files.js';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const HSM = join(repo, 'apps/cli/bin/hsm.js');
const status = await dockerStatus();
const describeDocker = status.ok || !SKIP_DOCKER ? describe : describe.skip;
const PROJECT = `hsm-e2e-wt-${process.pid}`;

const definition = (port: number) => `name: web
version: 1.0.0
description: serves its container's hostname over HTTP
options:
  port: { type: port, default: ${port}, description: host port }
services:
  web:
    image: ${BASE_IMAGE}
    command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
    ports: ["127.0.0.1:\${{ options.port }}:8080"]
env:
  WEB_URL: "http://127.0.0.1:\${{ options.port }}"
`;

describeDocker('two worktrees of one project run their stacks side by side', () => {
  let root: string;
  let main: string;
  let second: string;
  let port: number;
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };

  const run = (argv: string[], cwd: string) => runProcess(argv, { cwd, env, allowFailure: true, timeoutMs: 180_000 });
  const hsm = (dir: string, ...args: string[]) => run([process.execPath, HSM, '-C', dir, '--no-color', ...args], dir);
  const ok = (r: RunResult) => {
    expect({ args: r.command.slice(2).join(' '), exitCode: r.exitCode, stderr: r.exitCode === 0 ? '' : r.stderr }).toEqual({ args: r.command.slice(2).join(' '), exitCode: 0, stderr: '' });
    return r;
  };
  const git = async (dir: string, ...args: string[]) => ok(await run(['git', ...args], dir)).stdout;
  const envFile = async (dir: string) => readFile(join(dir, '.hsm/env'), 'utf8');

  beforeAll(async () => {
    if (!status.ok) throw new Error(`the Docker end-to-end test cannot run: ${status.reason}`);
    if (!existsSync(join(repo, 'apps/cli/dist/main.js'))) throw new Error('the CLI is not built: run `npm run build` first');
    root = await tempDir('hsm-e2e-wt-');
    main = join(root, 'main');
    second = join(root, 'second');
    env.XDG_CACHE_HOME = join(root, 'xdg-cache');
    env.XDG_CONFIG_HOME = join(root, 'xdg-config');
    Object.assign(env, { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' });
    port = await freePort();
    await mkdir(join(main, 'reg', 'web'), { recursive: true });
    await writeFile(join(main, 'reg', 'web', '1.0.0.yaml'), definition(port));
    await writeFile(join(main, 'hsm.yaml'), `version: 1\nname: ${PROJECT}\nbuiltin: false\nregistries:\n  - { name: local, path: ./reg }\ncomponents:\n  web: {}\n`);
    await writeFile(join(main, '.gitignore'), 'hsm.local.yaml\n.hsm/\n.env\n');
  });

  afterAll(async () => {
    if (!status.ok) return;
    for (const name of [PROJECT, ...Array.from({ length: 9 }, (_, i) => `${PROJECT}-${i + 1}`)]) await removeProject(name);
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('hsm up in both: two projects, two ports, nothing per-checkout committed; down in one leaves the other', async () => {
    await git(main, 'init', '-q', '-b', 'main');
    ok(await hsm(main, 'sync'));
    await git(main, 'add', '-A');
    await git(main, 'commit', '-q', '-m', 'stack');
    await git(main, 'worktree', 'add', '-q', second);
    ok(await hsm(second, 'sync'));

    // the committed files are byte-identical; the second checkout's values are in git-ignored files only
    for (const f of ['hsm.yaml', 'hsm.lock', 'docker-compose.hsm.yml', 'hsm.env']) expect(await readFile(join(second, f), 'utf8')).toBe(await readFile(join(main, f), 'utf8'));
    expect(await git(main, 'status', '--porcelain')).toBe('');
    expect(await git(second, 'status', '--porcelain')).toBe('');

    ok(await hsm(main, 'up'));
    ok(await hsm(second, 'up'));
    // one container per checkout: the second `up` did not adopt the first checkout's container
    expect(await projectContainers(PROJECT)).toHaveLength(1);
    expect(await projectContainers(`${PROJECT}-1`)).toHaveLength(1);
    const ports = JSON.parse(ok(await hsm(second, 'ports', '--json')).stdout) as { project: string; slot: number; ports: { service: string; target: string; port: number }[] };
    expect(ports.slot).toBe(1);
    expect(ports.project).toBe(`${PROJECT}-1`);
    const other = ports.ports[0].port;
    expect(ports.ports).toEqual([expect.objectContaining({ service: 'web', target: '8080', port: other })]);
    expect(other).not.toBe(port);

    // each answers on its own port from its own container
    const first = (await httpGetText(port)).trim();
    const secondHost = (await httpGetText(other)).trim();
    expect(first).not.toBe(secondHost);

    // the app finds its own stack: .hsm/env (uv run --env-file .hsm/env) carries each checkout's port
    expect(await envFile(main)).toContain(`WEB_URL=http://127.0.0.1:${port}\n`);
    expect(await envFile(second)).toContain(`WEB_URL=http://127.0.0.1:${other}\n`);
    // …as uv reads it (the check, with the interpreter uv already has)
    for (const [dir, p] of [
      [main, port],
      [second, other],
    ] as const) {
      const url = ok(await run(['uv', 'run', '--no-project', '--env-file', '.hsm/env', 'python', '-c', 'import os; print(os.environ["WEB_URL"])'], dir)).stdout.trim();
      expect(url).toBe(`http://127.0.0.1:${p}`);
    }
    const printed = ok(await hsm(second, 'env')).stdout;
    expect(printed).toContain(`WEB_URL=http://127.0.0.1:${other}`);

    // `docker compose` by hand in the second checkout reads .env: its own project and port
    const byHand = ok(await run([...status.compose!.argv, '-f', 'docker-compose.hsm.yml', 'ps', '--format', '{{.Name}} {{.Ports}}'], second)).stdout;
    expect(byHand).toContain(`${PROJECT}-1-web-1 127.0.0.1:${other}->8080/tcp`);

    expect(await git(main, 'status', '--porcelain')).toBe('');
    expect(await git(second, 'status', '--porcelain')).toBe('');

    // moving a checkout whose stack runs would leave those containers running, out of hsm's reach
    const moved = await hsm(second, 'instance', '5', '--json');
    expect({ code: moved.exitCode, error: JSON.parse(moved.stdout).error?.code }).toEqual({ code: 2, error: 'HSM_INSTANCE_INVALID' });
    expect(JSON.parse(moved.stdout).error.hint).toContain('hsm down');
    expect(JSON.parse(ok(await hsm(second, 'instance', '--json')).stdout).slot).toBe(1);

    ok(await hsm(second, 'down'));
    expect(await projectContainers(`${PROJECT}-1`)).toEqual([]);
    expect((await httpGetText(port)).trim()).toBe(first);
    ok(await hsm(main, 'down'));
    expect(await projectContainers(PROJECT)).toEqual([]);
  }, 300_000);
});
