/**
 * The Compose project name hsm runs is the one `docker compose` run by hand in the same directory picks (issue 9
 * item 6), on a real Compose, for every `compose.link` and with no user compose file at all. A flat project whose
 * compose file has no `name:` sits in a directory named `My.Stack_<pid>-<link>`: Compose names the project after it
 * (`mystack_<pid>-<link>`), and `hsm up` must start its services in that project, so the user's own
 * `docker compose ps/down` see them. Before the fix hsm ran `-p <hsm.yaml name>`: a second stack.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '@hsm/host';
import { BASE_IMAGE, SKIP_DOCKER, dockerStatus, projectContainers, removeProject } from '../support/docker.js';
import { hsm, tempDir, type HsmRun } from '../support/hsm-cli.js';

const status = await dockerStatus();
const describeDocker = status.ok || !SKIP_DOCKER ? describe : describe.skip;
const MANIFEST_NAME = `hsm-e2e-name-${process.pid}`;

const DEFINITION = `name: web
version: 1.0.0
description: a container that sleeps
services:
  web:
    image: ${BASE_IMAGE}
    command: ["sleep", "600"]
`;
const USER_COMPOSE = `services:\n  app:\n    image: ${BASE_IMAGE}\n    command: ["sleep", "600"]\n`;

/** The environment of the user's shell: no COMPOSE_* of the test runner's. */
function userEnv(): Record<string, string> {
  const { COMPOSE_PROJECT_NAME: _n, COMPOSE_FILE: _f, ...rest } = process.env;
  return rest as Record<string, string>;
}

function ok(run: HsmRun): HsmRun {
  if (run.code !== 0) throw new Error(`hsm exited ${run.code}\n${run.stderr}`);
  return run;
}

describeDocker('the Compose project name is the one Compose picks by hand (issue 9 item 6)', () => {
  let root = '';
  const started = new Set<string>();
  const env = userEnv();

  beforeAll(async () => {
    if (!status.ok) throw new Error(`the Docker end-to-end test cannot run: ${status.reason}`);
    root = await tempDir('hsm-e2e-name-');
    env.XDG_CACHE_HOME = join(root, 'xdg-cache');
    env.XDG_CONFIG_HOME = join(root, 'xdg-config');
    await mkdir(join(root, 'reg', 'web'), { recursive: true });
    await writeFile(join(root, 'reg', 'web', '1.0.0.yaml'), DEFINITION);
  });

  afterAll(async () => {
    for (const name of [...started, MANIFEST_NAME]) await removeProject(name);
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** A flat project in `My.Stack_<pid>-<suffix>`, synced; the name `docker compose config` picks there by hand. */
  async function project(suffix: string, link: string, userCompose: boolean): Promise<{ dir: string; byHand: string }> {
    const dir = join(root, `My.Stack_${process.pid}-${suffix}`);
    await mkdir(dir);
    await writeFile(join(dir, 'hsm.yaml'), `version: 1\nname: ${MANIFEST_NAME}\nbuiltin: false\nregistries:\n  - { name: local, path: ../reg }\ncompose:\n  link: ${link}\ncomponents:\n  web: {}\n`);
    if (userCompose) await writeFile(join(dir, 'compose.yml'), USER_COMPOSE);
    ok(await hsm(['sync', '--no-install'], { cwd: dir, env }));
    // by hand: the default files (with `env`, COMPOSE_FILE from .env); the generated file alone needs its `-f`
    const config = await runProcess(['docker', 'compose', ...(userCompose ? [] : ['-f', 'docker-compose.hsm.yml']), 'config', '--format', 'json'], { cwd: dir, env });
    const byHand = (JSON.parse(config.stdout) as { name: string }).name;
    started.add(byHand);
    return { dir, byHand };
  }

  test.each(['include', 'env', 'none'])('compose.link: %s, a user compose file without name: — the directory names the project for hsm too', async (link) => {
    const { dir, byHand } = await project(link, link, true);
    expect(byHand).toBe(`mystack_${process.pid}-${link}`);
    expect(ok(await hsm(['plan', '--json'], { cwd: dir, env })).json.projectName).toBe(byHand);
    // the run-time name: `hsm up` starts hsm's service in the project the user's own `docker compose` sees
    ok(await hsm(['up', '--detach-only', 'web'], { cwd: dir, env }));
    const labels = await runProcess(['docker', 'ps', '-a', '--filter', `label=com.docker.compose.project=${byHand}`, '--format', '{{.Label "com.docker.compose.service"}}'], { env });
    expect(labels.stdout.trim().split('\n')).toEqual(['web']);
    expect(await projectContainers(MANIFEST_NAME)).toEqual([]);
    ok(await hsm(['down'], { cwd: dir, env }));
    expect(await projectContainers(byHand)).toEqual([]);
  });

  test('no user compose file: the generated file alone, and its own name:', async () => {
    const { dir, byHand } = await project('alone', 'include', false);
    expect(byHand).toBe(MANIFEST_NAME);
    expect(ok(await hsm(['plan', '--json'], { cwd: dir, env })).json.projectName).toBe(byHand);
  });
});
