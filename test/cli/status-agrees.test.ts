/**
 * Issue 8: `hsm status` and `hsm sync --check` answer "do the artifacts match hsm.yaml" with the same plan, so
 * they cannot disagree; and issue 9 item 1: add → remove settles (a second plan after a sync is empty).
 */
import { describe, expect, test } from '@jest/globals';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hsm, tempDir, type HsmRun } from '../support/hsm-cli.js';

const SVC = 'name: svc\nversion: 1.0.0\nservices:\n  web:\n    image: busybox:1\n    dev:\n      build: { context: . }\n';

async function folderProject(extra = ''): Promise<string> {
  const dir = await tempDir('hsm-agree-');
  await mkdir(join(dir, 'reg', 'svc'), { recursive: true });
  await writeFile(join(dir, 'reg', 'svc', '1.0.0.yaml'), SVC);
  await writeFile(join(dir, 'hsm.yaml'), `version: 1\nname: agree\nregistries:\n  - name: local\n    path: ./reg\ncomponents:\n  svc: {}\n${extra}`);
  return dir;
}

async function run(dir: string, args: string[]): Promise<HsmRun> {
  const r = await hsm(args, { cwd: dir });
  expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: expect.any(String) });
  return r;
}

/** What each command says is out of sync: status's drift, and --check's (from its error, or none). */
async function verdicts(dir: string): Promise<{ status: string[]; check: string[] | 'ok' }> {
  const [status, check] = await Promise.all([hsm(['status', '--json'], { cwd: dir }), hsm(['sync', '--check', '--json'], { cwd: dir })]);
  expect(status.code).toBe(0);
  if (check.code === 0) return { status: status.json.drift, check: 'ok' };
  expect(check.json.error.code).toBe('HSM_DRIFT');
  const listed = /artifacts differ from hsm\.yaml: (.*)$/.exec(check.json.error.message)?.[1] ?? '';
  return { status: status.json.drift, check: listed === 'see below' ? [] : listed.split(', ') };
}

function agree(v: { status: string[]; check: string[] | 'ok' }): void {
  expect(v.check === 'ok' ? [] : v.check).toEqual(v.status);
}

describe('status agrees with sync --check', () => {
  test('the issue-8 repro: a dev component with a build context and an absolute checkout path', async () => {
    const dir = await folderProject();
    const checkout = await tempDir('hsm-agree-checkout-');
    await run(dir, ['mode', 'svc', 'dev', '--path', checkout, '--no-install']);
    await run(dir, ['sync', '--no-install']);
    const v = await verdicts(dir);
    expect(v).toEqual({ status: [], check: 'ok' });
  });

  test('on a matrix of projects, before and after sync', async () => {
    const cases: Array<[string, () => Promise<string>]> = [
      ['folder registry, prod', () => folderProject()],
      [
        'dev, relative path',
        async () => {
          const dir = await folderProject();
          await mkdir(join(dir, 'packages', 'svc'), { recursive: true });
          await run(dir, ['mode', 'svc', 'dev', '--no-install', '--no-sync']);
          return dir;
        },
      ],
      [
        'dev, absolute path',
        async () => {
          const dir = await folderProject();
          await run(dir, ['mode', 'svc', 'dev', '--path', await tempDir('hsm-agree-abs-'), '--no-install', '--no-sync']);
          return dir;
        },
      ],
      [
        'builtin redis with a user compose file',
        async () => {
          const dir = await tempDir('hsm-agree-');
          await writeFile(join(dir, 'hsm.yaml'), 'version: 1\nname: agree\ncomponents:\n  redis: {}\n');
          await writeFile(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: busybox:1\n');
          return dir;
        },
      ],
      [
        'compose.link env',
        async () => {
          const dir = await folderProject('compose:\n  link: env\n');
          await writeFile(join(dir, 'docker-compose.yml'), 'services:\n  api:\n    image: busybox:1\n');
          return dir;
        },
      ],
      [
        'python component with a pyproject',
        async () => {
          const dir = await tempDir('hsm-agree-');
          await writeFile(join(dir, 'hsm.yaml'), 'version: 1\nname: agree\ncomponents:\n  qdrant-adapter: {}\n');
          await writeFile(join(dir, 'pyproject.toml'), '[project]\nname = "agree"\nversion = "1.0"\ndependencies = ["httpx"]\n');
          return dir;
        },
      ],
    ];
    for (const [name, make] of cases) {
      const dir = await make();
      const before = await verdicts(dir);
      agree(before);
      expect({ name, before: before.status.length > 0 }).toEqual({ name, before: true });
      await run(dir, ['sync', '--no-install']);
      const after = await verdicts(dir);
      expect({ name, after }).toEqual({ name, after: { status: [], check: 'ok' } });
      // hand-edit an artifact: both see it
      await writeFile(join(dir, 'hsm.env'), '# edited\n');
      const edited = await verdicts(dir);
      agree(edited);
      expect({ name, edited: edited.status }).toEqual({ name, edited: ['hsm.env'] });
    }
  }, 240_000);
});

describe('a sync settles (issue 9 item 1)', () => {
  test('init; add redis; remove redis; sync --check exits 0', async () => {
    const dir = await tempDir('hsm-settle-');
    await run(dir, ['init']);
    await run(dir, ['add', 'redis', '--no-install']);
    await run(dir, ['remove', 'redis', '--no-install']);
    const check = await hsm(['sync', '--check'], { cwd: dir });
    expect({ code: check.code, stderr: check.stderr }).toEqual({ code: 0, stderr: '' });
    const plan = await hsm(['plan', '--json'], { cwd: dir });
    expect(plan.json.changes).toEqual([]);
  });
});
