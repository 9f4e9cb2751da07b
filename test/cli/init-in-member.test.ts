/** Issue 9 item 2: `hsm init` in a uv workspace member with no compose file proposes what the root's Compose project runs. */
import { describe, expect, test } from '@jest/globals';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '@hsm/host';
import { hsm, tempDir } from '../support/hsm-cli.js';

describe('hsm init in a workspace member', () => {
  test("proposes components from the root's compose file", async () => {
    const root = await tempDir('hsm-init-member-');
    await mkdir(join(root, 'backend'));
    await writeFile(join(root, 'pyproject.toml'), '[tool.uv.workspace]\nmembers = ["backend"]\n');
    await writeFile(join(root, 'backend', 'pyproject.toml'), '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = []\n');
    await writeFile(join(root, 'compose.yml'), 'services:\n  cache:\n    image: redis:7\n');
    const r = await hsm(['init', '--json'], { cwd: join(root, 'backend') });
    expect(r.code).toBe(0);
    expect(r.json.proposals).toEqual([expect.objectContaining({ component: 'redis', because: expect.stringContaining('compose.yml runs redis:7') })]);
  });

  test("git-ignores the root's .env, where a second worktree writes its Compose project and ports (issue 12 item 5)", async () => {
    const root = await tempDir('hsm-init-member-');
    await mkdir(join(root, 'backend'));
    await writeFile(join(root, 'pyproject.toml'), '[tool.uv.workspace]\nmembers = ["backend"]\n');
    await writeFile(join(root, 'backend', 'pyproject.toml'), '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = []\n');
    await writeFile(join(root, 'compose.yml'), 'services:\n  web:\n    image: example/web:1\n');
    await runProcess(['git', 'init', '-q'], { cwd: root });
    expect((await hsm(['init'], { cwd: join(root, 'backend') })).code).toBe(0);
    const ignored = async (file: string) => (await runProcess(['git', 'check-ignore', '-q', file], { cwd: root, allowFailure: true })).exitCode === 0;
    expect({ rootEnv: await ignored('.env'), overlay: await ignored('backend/hsm.local.yaml'), state: await ignored('backend/.hsm/x') }).toEqual({ rootEnv: true, overlay: true, state: true });
  });
});
