/**
 * End to end on a real Docker Engine (issue 17): `hsm up` returns only once the stack is ready — a service that
 * turns healthy after a delay is healthy when `hsm up` returns; a one-shot init service that exits 0 is a success
 * (not the failure of docker/compose#10596); a service that never turns healthy fails within --timeout, named, with
 * its healthcheck output and log lines; an unhealthy or crashing service fails at once; --detach-only does not wait.
 * Images come from the local busybox base (scripts/ci/start-docker.sh), never pulled.
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
const PROJECT = `hsm-up-${process.pid}`;

const healthcheck = (test: string, retries: number) => `healthcheck: { test: ["CMD-SHELL", "${test}"], interval: 1s, timeout: 2s, retries: ${retries} }`;

const DEFINITIONS: Record<string, string> = {
  // healthy about 3 s after start
  slow: `services:
  slow:
    image: ${BASE_IMAGE}
    command: ["sh", "-c", "sleep 3; touch /tmp/ready; exec sleep 3600"]
    stop_grace_period: 1s
    ${healthcheck('test -f /tmp/ready || { echo slow is not ready yet; exit 1; }', 60)}`,
  // a one-shot init service, and a service that starts once it has completed
  seeded: `services:
  seed-init:
    image: ${BASE_IMAGE}
    command: ["sh", "-c", "sleep 1; echo seeded"]
  seed-app:
    image: ${BASE_IMAGE}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    depends_on: { seed-init: { condition: service_completed_successfully } }`,
  // never healthy, and not declared unhealthy for a long time: only the timeout ends the wait
  stuck: `services:
  stuck:
    image: ${BASE_IMAGE}
    command: ["sh", "-c", "echo stuck started; exec sleep 3600"]
    stop_grace_period: 1s
    ${healthcheck('echo stuck is waiting for nothing; exit 1', 1000)}`,
  sick: `services:
  sick:
    image: ${BASE_IMAGE}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    ${healthcheck('echo sick probe failed; exit 1', 1)}`,
  crash: `services:
  crash:
    image: ${BASE_IMAGE}
    command: ["sh", "-c", "echo crash is giving up >&2; exit 3"]`,
};

describeDocker('hsm up waits until the stack is ready', () => {
  let dir: string;

  beforeAll(async () => {
    if (!status.ok) throw new Error(`Docker tests cannot run: ${status.reason}`);
    dir = await tempDir('hsm-up-');
    for (const [name, services] of Object.entries(DEFINITIONS)) {
      await mkdir(join(dir, 'reg', name), { recursive: true });
      await writeFile(join(dir, 'reg', name, '1.0.0.yaml'), `name: ${name}\nversion: 1.0.0\n${services}\n`);
    }
    await writeFile(join(dir, 'hsm.yaml'), `version: 1\nname: ${PROJECT}\nbuiltin: false\nregistries:\n  - name: local\n    path: ./reg\n`);
    const add = await hsm(['add', ...Object.keys(DEFINITIONS), '--no-install'], { cwd: dir });
    expect({ code: add.code, stderr: add.stderr }).toMatchObject({ code: 0 });
  }, 120_000);

  afterAll(async () => {
    if (!status.ok) return;
    await removeProject(PROJECT);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  const health = async (service: string) => (await runProcess(['docker', 'inspect', '--format', '{{.State.Health.Status}}', `${PROJECT}-${service}-1`])).stdout.trim();

  test('a service that turns healthy after a delay is healthy when hsm up returns', async () => {
    const r = await hsm(['up', 'slow'], { cwd: dir });
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(await health('slow')).toBe('healthy');
    // without a TTY: plain lines, one per change
    expect(r.stderr).toMatch(/^slow: starting$/m);
    expect(r.stderr).toMatch(/^slow: healthy$/m);
  }, 90_000);

  test('a one-shot service that exits 0 is a success', async () => {
    const r = await hsm(['up', 'seed-init', 'seed-app', '--json'], { cwd: dir });
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    const states = Object.fromEntries(JSON.parse(r.stdout).services.map((s: { service: string; state: string }) => [s.service, s.state]));
    expect(states).toEqual({ 'seed-app': 'running', 'seed-init': 'exited 0 (completed)' });
  }, 90_000);

  test('--json: stdout is one JSON document (Compose writes its own output to stderr); ps lists the containers', async () => {
    const ps = await hsm(['ps', '--json'], { cwd: dir });
    expect(ps.code).toBe(0);
    expect(JSON.parse(ps.stdout).containers.map((c: { Service: string }) => c.Service)).toContain('seed-app');
    const logs = await hsm(['logs', 'seed-init', '--json'], { cwd: dir });
    expect({ code: logs.code, stdout: JSON.parse(logs.stdout) }).toEqual({ code: 0, stdout: { exitCode: 0 } });
    expect(logs.stderr).toContain('seed-init');
  }, 60_000);

  test('a service that never turns healthy fails within the timeout, named, with its healthcheck output and logs', async () => {
    const started = Date.now();
    const r = await hsm(['up', 'stuck', '--timeout', '4', '--json'], { cwd: dir });
    const seconds = (Date.now() - started) / 1000;
    expect(r.code).toBe(1);
    const error = JSON.parse(r.stdout.trim().split('\n').pop()!).error;
    expect(error.code).toBe('HSM_SERVICE_NOT_READY');
    expect(error.message).toContain('service `stuck` was not ready within 4 s (starting)');
    expect(error.hint).toContain('hsm logs stuck');
    expect(seconds).toBeLessThan(40); // compose up + 4 s, not the default 120 s
    const text = await hsm(['up', 'stuck', '--timeout', '2'], { cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('error[HSM_SERVICE_NOT_READY]');
    expect(text.stderr).toContain('stuck is waiting for nothing');
    expect(text.stderr).toContain('stuck started');
  }, 120_000);

  test('an unhealthy or exiting service fails without waiting for the timeout', async () => {
    const sick = await hsm(['up', 'sick', '--json'], { cwd: dir });
    expect(sick.code).toBe(1);
    const sickError = JSON.parse(sick.stdout.trim().split('\n').pop()!).error;
    expect(sickError.message).toContain('service `sick` is unhealthy');

    const crash = await hsm(['up', 'crash'], { cwd: dir });
    expect(crash.code).toBe(1);
    expect(crash.stderr).toContain('service `crash` exited 3');
    expect(crash.stderr).toContain('crash is giving up');
    expect(crash.stderr).toContain('hint: hsm logs crash');
  }, 120_000);

  test('--json: a Compose failure in up, logs or ps is the `{"error":{code,message,hint}}` every --json failure prints', async () => {
    for (const args of [
      ['up', 'nosuch'],
      ['up', 'nosuch', '--detach-only'],
      ['logs', 'nosuch'],
    ]) {
      const r = await hsm([...args, '--json'], { cwd: dir });
      expect({ args, code: r.code, error: r.json?.error?.code }).toEqual({ args, code: 1, error: 'HSM_COMPOSE_FAILED' });
      expect(r.json.error.message).toContain(`docker compose ${args[0]}`);
      expect(r.json.error.hint).toBeTruthy();
    }
    // ps --json captures Compose's output: its message is in the error's details
    const ps = await hsm(['ps', '--json'], { cwd: dir, env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect({ code: ps.code, error: ps.json?.error?.code }).toEqual({ code: 1, error: 'HSM_COMPOSE_FAILED' });
    expect(ps.json.error.details.join('\n')).toMatch(/docker/i);
  }, 60_000);

  test('--detach-only returns at once; --timeout is checked', async () => {
    const r = await hsm(['up', 'stuck', '--detach-only'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('Waiting');
    const bad = await hsm(['up', '--timeout', 'soon', '--json'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.json.error.code).toBe('HSM_USAGE');
  }, 60_000);
});
