/**
 * End to end on a real Docker Engine (issue 9 item 2): in a uv workspace member with no compose file of its own,
 * `hsm up/ps/down` run the workspace root's Compose project — the same containers the user's own `docker compose`
 * at the root starts, lists and stops. Images from the local busybox base, never pulled.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '@hsm/host';
import { BASE_IMAGE, SKIP_DOCKER, dockerStatus, removeProject } from '../support/docker.js';
import { hsm } from '../support/hsm-cli.js';
import { tempDir } from '../support/files.js';

const status = await dockerStatus();
const describeDocker = status.ok || !SKIP_DOCKER ? describe : describe.skip;
// Compose names the root's project after its directory: this one
const PROJECT = `hsm-ws-${process.pid}`;

describeDocker("hsm in a workspace member runs the root's Compose project", () => {
  let parent: string;
  let root: string;

  beforeAll(async () => {
    if (!status.ok) throw new Error(`Docker tests cannot run: ${status.reason}`);
    parent = await tempDir('hsm-ws-e2e-');
    root = join(parent, PROJECT);
    await mkdir(join(root, 'backend'), { recursive: true });
    await writeFile(join(root, 'pyproject.toml'), '[tool.uv.workspace]\nmembers = ["backend"]\n');
    await writeFile(join(root, 'backend', 'pyproject.toml'), '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = []\n');
    await writeFile(join(root, 'compose.yml'), `services:\n  web:\n    image: ${BASE_IMAGE}\n    command: ["sleep", "3600"]\n    stop_grace_period: 1s\n`);
    await mkdir(join(root, 'backend', 'reg', 'cache'), { recursive: true });
    await writeFile(join(root, 'backend', 'reg', 'cache', '1.0.0.yaml'), `name: cache\nversion: 1.0.0\nservices:\n  cache:\n    image: ${BASE_IMAGE}\n    command: ["sleep", "3600"]\n    stop_grace_period: 1s\n`);
    await writeFile(join(root, 'backend', 'hsm.yaml'), 'version: 1\nname: app\nbuiltin: false\nregistries:\n  - name: local\n    path: ./reg\ncomponents:\n  cache: {}\n');
    const sync = await hsm(['sync'], { cwd: join(root, 'backend') });
    expect({ code: sync.code, stderr: sync.stderr }).toMatchObject({ code: 0 });
  }, 120_000);

  afterAll(async () => {
    if (!status.ok) return;
    await removeProject(PROJECT);
    await rm(parent, { recursive: true, force: true });
  }, 60_000);

  const rootPs = async () => {
    // the user's own `docker compose` at the root, without the test runner's COMPOSE_* settings
    const { COMPOSE_PROJECT_NAME: _name, COMPOSE_FILE: _file, ...env } = process.env;
    const r = await runProcess(['docker', 'compose', 'ps', '--all', '--format', '{{.Service}}'], { cwd: root, env });
    return r.stdout.split('\n').filter(Boolean).sort();
  };

  test('hsm up in backend/ starts the stack in the root project; docker compose at the root and hsm ps agree; hsm down stops it', async () => {
    const backend = join(root, 'backend');
    const up = await hsm(['up', '--detach-only'], { cwd: backend });
    expect({ code: up.code, stderr: up.stderr }).toMatchObject({ code: 0 });
    expect(await rootPs()).toEqual(['cache', 'web']);
    const ps = await hsm(['ps'], { cwd: backend });
    expect(ps.code).toBe(0);
    expect(ps.stdout).toContain(`${PROJECT}-cache-1`);
    expect(ps.stdout).toContain(`${PROJECT}-web-1`);
    const down = await hsm(['down'], { cwd: backend });
    expect(down.code).toBe(0);
    expect(await rootPs()).toEqual([]);
  }, 120_000);
});
