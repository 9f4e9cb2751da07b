/**
 * hsm on real projects (issue 9): for each project of `../shared/real-projects/`, in a temp copy with heavy
 * dependencies cut (projects.ts), the whole cycle a new user goes through —
 *   init → add (a Python and a service component) → plan → sync → sync --check → mode dev → mode prod →
 *   use (swap) → remove all → sync --check
 * — asserting after each step that `uv lock --check` and the user's own `docker compose config --quiet` pass,
 * and at the end that pyproject.toml, the user's compose files and .env are byte-identical, hsm.yaml round-trips
 * through add → remove, and `hsm sync --check` is clean. uv installs only locally built wheels (never PyPI).
 * The project × step table goes to the console and to $TMPDIR/hsm-real-projects.md.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '@hsm/host';
import { buildWheels, makeCheckout, uvTestEnv } from '../support/python-fixtures.js';
import { hsm, tempDir, errorCode, type HsmRun } from '../support/hsm-cli.js';
import { PROJECTS, SHARED, available, layOut, type RealProject } from './projects.js';

const STEPS = ['init', 'add', 'plan', 'sync', 'sync --check', 'mode dev', 'mode prod', 'use (swap)', 'remove all', 'sync --check (end)', 'bytes back', 'hsm.yaml back'] as const;
type Step = (typeof STEPS)[number];
const table = new Map<string, Partial<Record<Step, string>>>();

let root: string;
let wheels: string;
let registry: string;
let checkout: string;
let env: Record<string, string>;
const laidOut = new Map<string, { dir: string; names: string[] }>();

async function definition(name: string, body: string): Promise<void> {
  await mkdir(join(registry, name), { recursive: true });
  await writeFile(join(registry, name, '1.0.0.yaml'), `name: ${name}\nversion: 1.0.0\n${body}`);
}

/** Setup once, shared by the concurrent tests (jest starts concurrent tests without waiting for beforeAll). */
let setup: Promise<void> | undefined;
const ready = () => (setup ??= prepare());

async function prepare(): Promise<void> {
  if (!available) {
    if (process.env.CI) throw new Error(`${SHARED} is missing: CI must have ../shared beside the clone`);
    return;
  }
  root = await tempDir('hsm-real-');
  wheels = join(root, 'wheels');
  registry = join(root, 'registry');
  const names = new Set<string>(['hsm-demo-lib']);
  for (const p of PROJECTS) {
    const dir = join(root, p.name.replace(/[^a-z0-9-]+/gi, '-').replace(/-+$/, ''));
    const needed = await layOut(p, dir, wheels);
    laidOut.set(p.name, { dir, names: needed });
    for (const n of needed) names.add(n);
  }
  await buildWheels(
    wheels,
    [...names].map((name) => ({ name, version: '1.0.0' })),
  );
  checkout = await makeCheckout(join(root, 'hsm-demo-lib'), { name: 'hsm-demo-lib', version: '1.1.0.dev0' });
  env = { ...uvTestEnv(wheels, join(root, 'uv-cache')), UV_NO_INSTALL_PROJECT: '1' };
  await definition('demo-lib', 'description: a Python library\npython:\n  package: hsm-demo-lib\n');
  const cache = (svc: string, port: number) => `provides: [test-cache]\nservices:\n  ${svc}:\n    image: busybox:stable\n    command: ["sleep", "infinity"]\n    ports: ["127.0.0.1:${port}:6379"]\n`;
  await definition('hsm-cache-a', cache('hsm-cache-a', 16390));
  await definition('hsm-cache-b', cache('hsm-cache-b', 16391));
  await definition('redis-svc', 'services:\n  redis:\n    image: busybox:stable\n    ports: ["127.0.0.1:16392:6379"]\n');
  await definition('pg-svc', 'services:\n  hsm-pg:\n    image: busybox:stable\n    ports: ["127.0.0.1:5432:5432"]\n');
  // each project's own uv.lock, from the cut pyproject.toml, is the starting point
  await Promise.all([...laidOut.values()].map(({ dir }) => runProcess(['uv', 'lock', '--quiet'], { cwd: dir, env: { ...process.env, ...env } })));
}

afterAll(async () => {
  if (table.size === 0) return;
  const header = `| project | ${STEPS.join(' | ')} |\n|---|${STEPS.map(() => '---').join('|')}|\n`;
  const rows = PROJECTS.filter((p) => table.has(p.name))
    .map((p) => `| ${p.name} | ${STEPS.map((s) => table.get(p.name)![s] ?? '–').join(' | ')} |`)
    .join('\n');
  const text = header + rows + '\n';
  await writeFile(join(tmpdir(), 'hsm-real-projects.md'), text);
  console.log(`hsm on real projects (project × step; seconds of the hsm command; ${checkSeconds.toFixed(0)} s in the uv/compose checks in total):\n${text}`);
});

/** The user's environment for their own `docker compose`, without a COMPOSE_PROJECT_NAME of the test runner's. */
function dockerEnv(): NodeJS.ProcessEnv {
  const { COMPOSE_PROJECT_NAME: _ignored, COMPOSE_FILE: _too, ...rest } = process.env;
  return rest;
}

function bytes(dir: string, files: string[]): Record<string, string | null> {
  return Object.fromEntries(files.map((f) => [f, existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'latin1') : null]));
}

/** The checks after every step: uv agrees the lock is current, and the user's own Compose accepts the project. */
async function projectHolds(dir: string): Promise<string | null> {
  const started = Date.now();
  try {
    return await holds(dir);
  } finally {
    checkSeconds += (Date.now() - started) / 1000;
  }
}
let checkSeconds = 0;

async function holds(dir: string): Promise<string | null> {
  const uv = await runProcess(['uv', 'lock', '--check', '--quiet'], { cwd: dir, env: { ...process.env, ...env }, allowFailure: true });
  if (uv.exitCode !== 0) return `uv lock --check: ${uv.stderr.trim().split('\n').at(-1)}`;
  const compose = await runProcess(['docker', 'compose', 'config', '--quiet'], { cwd: dir, env: dockerEnv(), allowFailure: true });
  if (compose.exitCode !== 0) return `docker compose config: ${compose.stderr.trim().split('\n').at(-1)}`;
  return null;
}

async function cycle(project: RealProject): Promise<void> {
  const { dir } = laidOut.get(project.name)!;
  const row: Partial<Record<Step, string>> = {};
  table.set(project.name, row);
  const original = bytes(dir, project.userFiles);
  let manifestAfterInit = '';
  const step = async (name: Step, args: string[], after?: () => Promise<void>): Promise<HsmRun> => {
    const started = Date.now();
    const run = await hsm(args, { cwd: join(dir, project.cwd ?? '.'), env });
    const took = ((Date.now() - started) / 1000).toFixed(1);
    const broken = run.code === 0 ? await projectHolds(dir) : null;
    row[name] = run.code === 0 && !broken ? `✓ ${took}s` : `✗ ${errorCode(run) ?? `exit ${run.code}`}${broken ? ` (${broken})` : ''}`;
    // a failed step is recorded and the cycle goes on, so the table shows every step; the test fails at the end
    if (run.code !== 0 || broken) failures.push(`${project.name}, step ${name}: hsm ${args.join(' ')} → exit ${run.code}\n${run.stderr.slice(-3000)}${broken ? `\n${broken}` : ''}`);
    else if (after) {
      try {
        await after();
      } catch (e) {
        row[name] = '✗ (check)';
        failures.push(`${project.name}, step ${name}: ${(e as Error).message}`);
      }
    }
    return run;
  };
  const failures: string[] = [];

  const manifestPath = join(dir, project.cwd ?? '.', 'hsm.yaml');
  await step('init', ['init', '--json'], async () => {
    // the registry of the test's components (outside the project)
    const text = await readFile(manifestPath, 'utf8');
    manifestAfterInit = `${text}builtin: false\nregistries:\n  - name: local\n    path: ${registry}\n`;
    await writeFile(manifestPath, manifestAfterInit);
  });
  const generatedPath = join(dir, project.generatedIn ?? project.cwd ?? '.', 'docker-compose.hsm.yml');
  await step('add', ['add', 'demo-lib', 'hsm-cache-a'], async () => {
    // the user's own `docker compose`, run where their compose file is, sees hsm's services; hsm uses that project
    expect(existsSync(generatedPath)).toBe(true);
    const config = await runProcess(['docker', 'compose', 'config', '--format', 'json'], { cwd: dir, env: dockerEnv() });
    const model = JSON.parse(config.stdout) as { name: string; services: Record<string, unknown> };
    expect(Object.keys(model.services)).toContain('hsm-cache-a');
    // the name too, in every layout (issue 9 item 6): a flat project without COMPOSE_PROJECT_NAME or `name:` is
    // named after its directory, the workspace member's stack after the root's
    const plan = await hsm(['plan', '--json'], { cwd: join(dir, project.cwd ?? '.'), env });
    expect(plan.json.projectName).toBe(model.name);
  });
  await step('plan', ['plan']);
  await step('sync', ['sync']);
  await step('sync --check', ['sync', '--check']);
  await step('mode dev', ['mode', 'demo-lib', 'dev', '--path', checkout], async () => {
    const py = await readFile(join(dir, project.cwd ?? '.', 'pyproject.toml'), 'utf8');
    expect(py).toMatch(/hsm-demo-lib = \{ path = ".*", editable = true \}/);
  });
  await step('mode prod', ['mode', 'demo-lib', 'prod']);
  await step('use (swap)', ['use', 'test-cache', 'hsm-cache-b'], async () => {
    const generated = await readFile(generatedPath, 'utf8');
    expect(generated).toContain('hsm-cache-b:');
    expect(generated).not.toContain('hsm-cache-a:');
  });
  await step('remove all', ['remove', 'demo-lib', 'hsm-cache-b']);
  await step('sync --check (end)', ['sync', '--check']);

  const now = bytes(dir, project.userFiles);
  row['bytes back'] = JSON.stringify(now) === JSON.stringify(original) ? '✓' : `✗ ${project.userFiles.filter((f) => now[f] !== original[f]).join(', ')}`;
  const manifest = await readFile(manifestPath, 'utf8');
  row['hsm.yaml back'] = manifest === manifestAfterInit ? '✓' : '✗';
  expect(failures).toEqual([]);
  expect(now).toEqual(original);
  expect(manifest).toBe(manifestAfterInit);
  expect(existsSync(join(dir, project.cwd ?? '.', 'docker-compose.hsm.yml'))).toBe(false);
  expect(existsSync(generatedPath)).toBe(false);
}

(available || process.env.CI ? describe : describe.skip)('hsm on real projects', () => {
  test.concurrent.each(PROJECTS.map((p) => [p.name, p] as const))(
    "%s: the whole cycle gives back the user's files",
    async (_name, project) => {
      await ready();
      await cycle(project);
    },
    240_000,
  );
});

/** A fresh copy of a project with hsm.yaml pointing at the test registry, for the checks below. */
async function fresh(name: string): Promise<string> {
  await ready();
  const dir = join(root, `${name}-check-${Math.random().toString(36).slice(2, 8)}`);
  await layOut(PROJECTS.find((p) => p.name === name)!, dir, wheels);
  await writeFile(join(dir, 'hsm.yaml'), `version: 1\nname: ${name}\nbuiltin: false\nregistries:\n  - name: local\n    path: ${registry}\ncomponents: {}\n`);
  return dir;
}

(available || process.env.CI ? describe : describe.skip)('real layouts, found at plan time (issue 9 items 4, 5, 6, 10)', () => {
  test.concurrent('ragflow: a service named like one in its include:d docker-compose-base.yml is a clash naming both files', async () => {
    const dir = await fresh('ragflow');
    const before = bytes(dir, ['pyproject.toml', 'docker-compose.yml', 'hsm.yaml']);
    const r = await hsm(['add', 'redis-svc', '--no-install'], { cwd: dir, env });
    expect(errorCode(r)).toBe('HSM_SERVICE_CLASH');
    expect(r.stderr).toMatch(/docker-compose-base\.yml:\d+:\d+/);
    expect(r.stderr).toMatch(/docker-compose\.hsm\.yml:\d+:\d+/);
    expect(r.stderr).toMatch(/compose\.link: env/);
    expect(bytes(dir, ['pyproject.toml', 'docker-compose.yml', 'hsm.yaml'])).toEqual(before);
  });
  test.concurrent('full-stack-fastapi-template: a host port published in compose.override.yml is a clash', async () => {
    const dir = await fresh('full-stack-fastapi-template');
    const r = await hsm(['add', 'pg-svc', '--no-install'], { cwd: dir, env });
    expect(errorCode(r)).toBe('HSM_PORT_CLASH');
    expect(r.stderr).toMatch(/compose\.override\.yml:\d+:\d+/);
  });
  test.concurrent('full-stack-fastapi-template as a uv workspace: from backend/, the root compose files are the project (clash found, `hsm ps` on the root project)', async () => {
    const dir = await fresh('full-stack-fastapi-template (workspace, in backend/)');
    await rename(join(dir, 'hsm.yaml'), join(dir, 'backend', 'hsm.yaml'));
    await writeFile(join(dir, 'backend', 'hsm.yaml'), (await readFile(join(dir, 'backend', 'hsm.yaml'), 'utf8')).replace(/^name: .*$/m, 'name: app'));
    const backend = join(dir, 'backend');
    const clash = await hsm(['add', 'pg-svc', '--no-install'], { cwd: backend, env });
    expect(errorCode(clash)).toBe('HSM_PORT_CLASH');
    expect(clash.stderr).toMatch(/compose\.override\.yml:\d+:\d+/);
    const added = await hsm(['add', 'hsm-cache-a', '--no-install'], { cwd: backend, env });
    expect({ code: added.code, stderr: added.code ? added.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(await readFile(join(dir, 'compose.yml'), 'utf8')).toMatch(/^ {2}- docker-compose\.hsm\.yml$/m);
    const ps = await hsm(['ps', '--verbose'], { cwd: backend, env });
    expect(ps.code).toBe(0);
    expect(ps.stderr + ps.stdout).not.toMatch(/no docker-compose\.hsm\.yml/);
  });
  test.concurrent('paperless-ngx: the stack takes the Compose project name of its .env (COMPOSE_PROJECT_NAME=paperless)', async () => {
    const dir = await fresh('paperless-ngx');
    expect((await hsm(['add', 'hsm-cache-a', '--no-install'], { cwd: dir, env })).code).toBe(0);
    // hsm's file joins the user's project and names none itself (it used to copy .env's name: nothing per checkout is committed)
    expect(await readFile(join(dir, 'docker-compose.hsm.yml'), 'utf8')).not.toMatch(/^name:/m);
    expect((await hsm(['plan', '--json'], { cwd: dir, env })).json.projectName).toBe('paperless');
    const ps = await runProcess(['docker', 'compose', 'config', '--format', 'json'], { cwd: dir, env: dockerEnv() });
    expect(JSON.parse(ps.stdout).name).toBe('paperless');
  });
  test.concurrent('ragflow: hsm init suggests components run by its include:d file', async () => {
    const dir = await fresh('ragflow');
    await writeFile(join(dir, 'hsm.yaml'), '');
    const r = await hsm(['init', '--force', '--json'], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(r.json.proposals.map((p: { component: string }) => p.component)).toEqual(expect.arrayContaining(['valkey', 'nats']));
  });
});
