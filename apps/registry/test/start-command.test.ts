/**
 * End-to-end tier for `npm run registry:start` (the built dist/main.js, as users run it): with no DATABASE_URL
 * it starts on an embedded PostgreSQL under $XDG_DATA_HOME/hsm/registry and says so; SIGTERM shuts it down
 * cleanly (exit 0, PostgreSQL stopped); a bad environment stops the start with a coded error.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { freePort } from '../../../test/support/free-port.mjs';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}

describe('registry:start (built)', () => {
  test('dist/main.js exists (run `npm run build` first)', () => {
    expect(existsSync(MAIN)).toBe(true);
  });

  test('no DATABASE_URL: embedded PostgreSQL, announced; SIGTERM stops everything with exit 0', async () => {
    const home = await mkdtemp(join(tmpdir(), 'hsm-start-'));
    await chmod(home, 0o755);
    const port = await freePort();
    const p = run({ XDG_DATA_HOME: home, PORT: String(port), HSM_ADMIN_TOKEN: 'hsm_start_test_admin_token_000000' });
    try {
      const until = Date.now() + 60_000;
      let ready = false;
      while (!ready && Date.now() < until && p.child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 200));
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
      }
      expect(p.err()).toBe('');
      expect(ready).toBe(true);
      const lines = p
        .out()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const announced = lines.find((l) => String(l.msg).includes('embedded PostgreSQL'));
      expect(announced.msg).toContain(join(home, 'hsm', 'registry'));
      expect(p.out()).not.toContain('hsm_start_test_admin_token_000000');

      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(p.out()).toContain('"msg":"stopped"');
      // PostgreSQL is down too: a fresh start on the same directory can take the cluster again
      const again = run({ XDG_DATA_HOME: home, PORT: String(port), HSM_ADMIN_TOKEN: 'hsm_start_test_admin_token_000000' });
      const until2 = Date.now() + 60_000;
      let ready2 = false;
      while (!ready2 && Date.now() < until2 && again.child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 200));
        ready2 = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
      }
      expect(ready2).toBe(true);
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await rm(home, { recursive: true, force: true });
    }
  });

  test('an invalid environment stops the start with HSM_CONFIG_INVALID and exit 1', async () => {
    const p = run({ PORT: 'not-a-port', DATABASE_URL: 'postgresql://127.0.0.1:1/x' });
    expect(await p.exited).toBe(1);
    expect(p.err()).toMatch(/^error\[HSM_CONFIG_INVALID\]: environment variable PORT/);
  });
});
