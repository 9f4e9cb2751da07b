/**
 * A project reached through a symlinked directory: Compose takes the working directory the way Go's os.Getwd does
 * (the shell's `$PWD` when it names the current directory, so the symlink's name), and so must hsm, or `hsm up` and
 * the user's own `docker compose up` run two stacks. On full-stack-fastapi-template's real layout (no `name:`, no
 * COMPOSE_PROJECT_NAME: the project is named after its directory), flat and as a uv workspace with hsm in backend/.
 * `docker compose config` needs no engine. The shared project is read from ../shared, never copied into the repository.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '@hsm/host';
import { hsm, tempDir } from '../support/hsm-cli.js';
import { PROJECTS, available, layOut, SHARED } from '../real-projects/projects.js';

let root: string;

/** The user's own Compose, run as a shell in `dir` runs it (PWD = the path typed), without the runner's COMPOSE_* variables. */
async function composeName(dir: string): Promise<string> {
  const { COMPOSE_PROJECT_NAME: _n, COMPOSE_FILE: _f, ...env } = process.env;
  const r = await runProcess(['docker', 'compose', 'config', '--format', 'json'], { cwd: dir, env: { ...env, PWD: dir } });
  return (JSON.parse(r.stdout) as { name: string }).name;
}

/** A project laid out in `Real_Checkout/`, reached through the symlink `my-app` (hsm.yaml where hsm runs). */
async function linked(name: string, cwd = '.'): Promise<{ real: string; link: string }> {
  const base = join(root, name.replace(/[^a-z0-9-]+/gi, '-'));
  const real = join(base, 'Real_Checkout');
  await layOut(PROJECTS.find((p) => p.name === name)!, real, join(root, 'wheels'));
  await writeFile(join(real, cwd, 'hsm.yaml'), 'version: 1\nname: app\ncomponents: {}\n');
  const link = join(base, 'my-app');
  await symlink(real, link, 'dir');
  return { real, link };
}

beforeAll(async () => {
  if (!available && process.env.CI) throw new Error(`${SHARED} is missing`);
  root = await tempDir('hsm-symlink-');
  await mkdir(join(root, 'wheels'));
});

(available || process.env.CI ? describe : describe.skip)('a project directory reached through a symlink', () => {
  test('hsm plan/status name the Compose project as `docker compose config` does from the symlinked path', async () => {
    const { real, link } = await linked('full-stack-fastapi-template');
    expect(await composeName(link)).toBe('my-app');
    expect(await composeName(real)).toBe('real_checkout');
    for (const dir of [link, real]) {
      const env = { PWD: dir };
      const plan = await hsm(['plan', '--json'], { cwd: dir, env });
      expect([dir, plan.code, plan.json?.projectName]).toEqual([dir, 0, await composeName(dir)]);
      const status = await hsm(['status', '--json'], { cwd: dir, env });
      expect([dir, status.code, status.json?.instance?.project]).toEqual([dir, 0, await composeName(dir)]);
    }
    // a PWD naming another directory is not where the shell is (Go's rule): the real path counts
    expect((await hsm(['plan', '--json'], { cwd: link, env: { PWD: root } })).json.projectName).toBe('real_checkout');
  });

  test("a uv workspace member run through the symlink joins the root's project under the name Compose gives it there", async () => {
    const { link } = await linked('full-stack-fastapi-template (workspace, in backend/)', 'backend');
    const plan = await hsm(['plan', '--json'], { cwd: join(link, 'backend'), env: { PWD: join(link, 'backend') } });
    expect(plan.code).toBe(0);
    expect(plan.json.projectName).toBe(await composeName(link));
  });
});
