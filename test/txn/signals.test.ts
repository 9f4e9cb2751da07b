/**
 * SPEC §7.7: SIGINT, SIGTERM or SIGHUP during a sync restores every file at once (no recovery needed), stops the
 * running child process (uv), releases the lock, and fails with HSM_INTERRUPTED so the CLI exits non-zero.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildDriver, runDriver } from './helpers.js';
import { removeDir, scratchDir, treeSnapshot } from '../support/files.js';
import { CHANGES, writeOldProject } from './fixture.js';

let driver: string;
const dirs: string[] = [];
beforeAll(async () => {
  driver = await buildDriver();
});
afterAll(() => {
  dirs.forEach(removeDir);
  if (driver) removeDir(path.dirname(driver));
});

describe('a signal during the transaction', () => {
  test.each([['SIGINT'], ['SIGTERM'], ['SIGHUP']] as const)('%s → files restored, uv stopped, HSM_INTERRUPTED, lock released', async (signal) => {
    const dir = scratchDir('signal');
    dirs.push(dir);
    writeOldProject(dir);
    const before = treeSnapshot(dir);
    const started = Date.now();
    const run = await runDriver(driver, ['apply', dir, JSON.stringify({ changes: CHANGES, alsoGuard: ['uv.lock'], afterWrite: 'wait-signal' })], {
      onStderrLine: (line, child) => line === 'READY' && child.kill(signal),
    });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.result?.error).toBe('HSM_INTERRUPTED');
    expect(Date.now() - started).toBeLessThan(5000); // the `sleep 30` standing in for uv was stopped
    expect(treeSnapshot(dir)).toEqual(before);
    expect(existsSync(path.join(dir, '.hsm/txn/journal.json'))).toBe(false);
    expect(existsSync(path.join(dir, '.hsm/lock'))).toBe(false);
  });
});
