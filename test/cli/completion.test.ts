/** `hsm completion`: the scripts parse in their shell, and TAB offers commands, flags and names — offline. */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HSM_BIN, hsm, tempDir } from '../support/hsm-cli.js';

const has = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;

/** A PATH whose `hsm` is the built CLI, as the scripts call it. */
async function pathWithHsm(): Promise<string> {
  const bin = await tempDir('hsm-completion-bin-');
  writeFileSync(join(bin, 'hsm'), `#!/bin/sh\nexec "${process.execPath}" "${HSM_BIN}" "$@"\n`);
  chmodSync(join(bin, 'hsm'), 0o755);
  return `${bin}:${process.env.PATH}`;
}

/** What bash's TAB offers for `line` (the last word being completed), through the real script. */
function bashComplete(line: string[], cwd: string, PATH: string): string[] {
  const words = line.map((w) => `'${w}'`).join(' ');
  const r = spawnSync('bash', ['-c', `eval "$(hsm completion bash)"; COMP_WORDS=(hsm ${words}); COMP_CWORD=${line.length}; _hsm_complete; printf '%s\\n' "\${COMPREPLY[@]}"`], {
    cwd,
    env: { ...process.env, PATH },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('hsm completion', () => {
  test('bash: the script parses and completes commands, flags, catalog components, groups and their providers', async () => {
    const PATH = await pathWithHsm();
    const dir = await tempDir('hsm-completion-');
    expect(spawnSync('bash', ['-n'], { input: (await hsm(['completion', 'bash'], { cwd: dir })).stdout }).status).toBe(0);
    expect(bashComplete(['mo'], dir, PATH)).toEqual(['mode']);
    expect(bashComplete(['add', 'qd'], dir, PATH)).toEqual(['qdrant-adapter']);
    expect(bashComplete(['add', '--no-s'], dir, PATH)).toEqual(['--no-sync']);
    expect(bashComplete(['use', 'vector-'], dir, PATH)).toEqual(['vector-store']);
    const providers = bashComplete(['use', 'vector-store', ''], dir, PATH);
    expect(providers).toEqual(expect.arrayContaining(['chroma-adapter', 'qdrant-adapter']));
    expect(providers).not.toContain('redis');
    expect(bashComplete(['mode', 'redis', ''], dir, PATH)).toEqual(['dev', 'prod']);
  });

  test("names come from the project: its stack, its groups, and a registry service's cache without a request", async () => {
    const dir = await tempDir('hsm-completion-');
    const cache = await tempDir('hsm-completion-cache-');
    // nothing listens on port 9: a request would fail; the cache alone answers
    mkdirSync(join(cache, 'hsm', 'registries', '127.0.0.1_9', 'components'), { recursive: true });
    writeFileSync(join(cache, 'hsm', 'registries', '127.0.0.1_9', 'components', 'team-billing.json'), JSON.stringify({ etag: '"x"', document: { name: 'team-billing', versions: [] } }));
    writeFileSync(join(dir, 'hsm.yaml'), 'version: 1\nname: app\nregistries:\n  - { name: team, url: "http://127.0.0.1:9" }\ncomponents:\n  redis: {}\ngroups:\n  my-cache: { policy: one, use: redis }\n');
    const env = { XDG_CACHE_HOME: cache };
    const complete = async (...words: string[]) => (await hsm(['completion', 'complete', '--', ...words], { cwd: dir, env })).stdout.split('\n').filter(Boolean);
    expect(await complete('add', 'team-')).toEqual(['team-billing']);
    expect(await complete('add', 'red')).toEqual(['redis', 'redpanda']);
    expect(await complete('remove', '')).toEqual(['redis']);
    expect(await complete('use', 'my-')).toEqual(['my-cache']);
    expect(await complete('add', '--registry', '')).toEqual(['team']);
    expect(await complete('-C', '')).toEqual([':dirs']);
    // -C moves the project: outside it only the catalog is offered
    expect(await complete('-C', cache, 'remove', '')).toEqual([]);
    const bad = await hsm(['completion', 'tcsh'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error[HSM_USAGE]');
  });

  test.each(['zsh', 'fish'])('%s: the script parses (when the shell is installed)', async (shell) => {
    if (!has(shell)) return; // .ci/run installs both
    const dir = await tempDir('hsm-completion-');
    writeFileSync(join(dir, `hsm.${shell}`), (await hsm(['completion', shell], { cwd: dir })).stdout);
    const r = spawnSync(shell, ['-n', join(dir, `hsm.${shell}`)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('fish: TAB offers catalog components through the real script', async () => {
    if (!has('fish')) return;
    const dir = await tempDir('hsm-completion-');
    const r = spawnSync('fish', ['-c', 'hsm completion fish | source; complete -C "hsm add qd"'], { cwd: dir, env: { ...process.env, PATH: await pathWithHsm() }, encoding: 'utf8' });
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(['qdrant-adapter']);
  });
});
