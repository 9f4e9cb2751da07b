/**
 * SPEC §13: every crash point of the sync transaction, and `kill -9` at random moments of a real multi-file
 * transaction, leave every artifact byte-identical to the OLD or the NEW state after the next hsm command.
 * The transaction runs in a real child process (the driver) that is really SIGKILLed.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildDriver, runDriver } from './helpers.js';
import { removeDir, scratchDir, treeSnapshot } from '../support/files.js';
import { CHANGES, CREATED_DIR_COUNT, JOURNALED_COUNT, NEW_UV_LOCK, WRITE_COUNT, writeOldProject } from './fixture.js';

let driver: string;
let OLD: Record<string, string>;
let NEW: Record<string, string>;
const dirs: string[] = [];
const SPEC = JSON.stringify({ changes: CHANGES, alsoGuard: ['uv.lock'], afterWrite: 'uv-like', uvLock: NEW_UV_LOCK });

function freshProject(): string {
  const dir = scratchDir('crash');
  dirs.push(dir);
  writeOldProject(dir);
  return dir;
}

function stateOf(dir: string): 'OLD' | 'NEW' | 'MIXED' {
  const now = treeSnapshot(dir);
  if (JSON.stringify(now) === JSON.stringify(OLD)) return 'OLD';
  if (JSON.stringify(now) === JSON.stringify(NEW)) return 'NEW';
  return 'MIXED';
}

beforeAll(async () => {
  driver = await buildDriver();
  const oldDir = freshProject();
  OLD = treeSnapshot(oldDir);
  const newDir = freshProject();
  const run = await runDriver(driver, ['apply', newDir, SPEC]);
  expect(run.result).toEqual({ ok: 'applied' });
  NEW = treeSnapshot(newDir);
  expect(NEW).not.toEqual(OLD);
  expect(NEW['gen/env/hsm.env']).toBeDefined();
  expect(NEW['stale.env']).toBeUndefined();
  expect(NEW['pyproject.toml'].startsWith('640 ')).toBe(true); // mode preserved across the replace
});

afterAll(() => {
  for (const dir of dirs) removeDir(dir);
  if (driver) removeDir(path.dirname(driver));
});

const rolledBackPoints = [
  'journal-temp-written',
  'journal-written',
  ...Array.from({ length: CREATED_DIR_COUNT }, (_, i) => `dir-created-${i}`),
  // Write 3 is a deletion: no temp file, so no temp-written-3.
  ...Array.from({ length: WRITE_COUNT }, (_, i) => (i === 3 ? [`replaced-${i}`] : [`temp-written-${i}`, `replaced-${i}`])).flat(),
  'after-write',
];
const committedPoints = ['committed', 'journal-removed'];

describe('a crash at every point of the transaction', () => {
  test.each(rolledBackPoints.map((p) => [p]))('%s → the next hsm command restores the OLD state', async (point) => {
    const dir = freshProject();
    const run = await runDriver(driver, ['apply', dir, SPEC], { env: { HSM_TEST_CRASH_AT: point } });
    expect(run.signal).toBe('SIGKILL'); // the point was reached and the process really died there
    const recovery = await runDriver(driver, ['recover', dir]);
    expect(recovery.result?.ok).toMatchObject({ recovered: point !== 'journal-temp-written' });
    expect(stateOf(dir)).toBe('OLD');
    expect(existsSync(path.join(dir, '.hsm/txn/journal.json'))).toBe(false);
  });

  test.each(committedPoints.map((p) => [p]))('%s → the NEW state stays', async (point) => {
    const dir = freshProject();
    const run = await runDriver(driver, ['apply', dir, SPEC], { env: { HSM_TEST_CRASH_AT: point } });
    expect(run.signal).toBe('SIGKILL');
    const recovery = await runDriver(driver, ['recover', dir]);
    expect(recovery.result?.ok).toMatchObject({ recovered: false });
    expect(stateOf(dir)).toBe('NEW');
    expect(existsSync(path.join(dir, '.hsm/txn/journal.json'))).toBe(false);
  });

  test('a crash while uv rewrites uv.lock in place → OLD, uv.lock restored byte for byte', async () => {
    const dir = freshProject();
    const run = await runDriver(driver, ['apply', dir, JSON.stringify({ ...JSON.parse(SPEC), afterWrite: 'crash-mid' })]);
    expect(run.signal).toBe('SIGKILL');
    expect(stateOf(dir)).toBe('MIXED'); // the crash really left a torn project behind
    await runDriver(driver, ['recover', dir]);
    expect(stateOf(dir)).toBe('OLD');
  });

  test.each(Array.from({ length: JOURNALED_COUNT }, (_, i) => [i]))('a crash after restoring file %i of a rollback → the next command finishes it', async (i) => {
    const dir = freshProject();
    const spec = JSON.stringify({ ...JSON.parse(SPEC), afterWrite: 'fail' });
    const run = await runDriver(driver, ['apply', dir, spec], { env: { HSM_TEST_CRASH_AT: `rollback-${i}` } });
    expect(run.signal).toBe('SIGKILL');
    const recovery = await runDriver(driver, ['recover', dir]);
    expect(recovery.result?.ok).toMatchObject({ recovered: true });
    expect(stateOf(dir)).toBe('OLD');
  });

  test('recovery twice is harmless, and a plain failure needs no recovery', async () => {
    const dir = freshProject();
    const failed = await runDriver(driver, ['apply', dir, JSON.stringify({ ...JSON.parse(SPEC), afterWrite: 'fail' })]);
    expect(failed.result?.error).toBe('HSM_UV_FAILED');
    expect(stateOf(dir)).toBe('OLD');
    const recovery = await runDriver(driver, ['recover', dir]);
    expect(recovery.result?.ok).toMatchObject({ recovered: false });
    expect(stateOf(dir)).toBe('OLD');
  });
});

describe('hsm.yaml replaced alone (`--no-sync`): no journal, old or new bytes at every crash point', () => {
  const NEW_MANIFEST = 'version: 1\nname: demo\ncomponents:\n  redis: {}\n  qdrant: {}\n';
  const LONE = JSON.stringify({ changes: [{ path: 'hsm.yaml', after: NEW_MANIFEST }] });
  const temp = (dir: string) => path.join(dir, '.hsm.yaml.hsm-tmp');
  const withManifest = (snapshot: Record<string, string>, text: string) => ({ ...snapshot, 'hsm.yaml': `${snapshot['hsm.yaml'].split(' ')[0]} ${Buffer.from(text).toString('hex')}` });

  test('applied: the new hsm.yaml, its mode kept, and no journal written', async () => {
    const dir = freshProject();
    const run = await runDriver(driver, ['apply', dir, LONE], { env: { HSM_TEST_CRASH_AT: 'journal-temp-written' } });
    expect(run.result).toEqual({ ok: 'applied' }); // the journal's crash point was never reached
    expect(treeSnapshot(dir)).toEqual(withManifest(OLD, NEW_MANIFEST));
  });

  test.each([
    ['single-temp-written', 'OLD'],
    ['single-replaced', 'NEW'],
  ])('%s → %s after the next hsm command, the temp file swept', async (point, expected) => {
    const dir = freshProject();
    const run = await runDriver(driver, ['apply', dir, LONE], { env: { HSM_TEST_CRASH_AT: point } });
    expect(run.signal).toBe('SIGKILL');
    if (point === 'single-temp-written') expect(existsSync(temp(dir))).toBe(true); // the crash really left it
    const recovery = await runDriver(driver, ['recover', dir]);
    expect(recovery.result?.ok).toMatchObject({ recovered: false });
    expect(treeSnapshot(dir)).toEqual(expected === 'OLD' ? OLD : withManifest(OLD, NEW_MANIFEST));
  });
});

describe('kill -9 at random moments of a real transaction', () => {
  test('30 kills: always OLD or NEW after recovery, never a mix', async () => {
    // How long from "TXN-START" to exit when nothing kills it: the window to aim the kills at.
    const probe = freshProject();
    let startedAt = 0;
    const timed = await runDriver(driver, ['apply', probe, SPEC], { onStderrLine: (l) => l === 'TXN-START' && (startedAt = Date.now()) });
    expect(timed.result).toEqual({ ok: 'applied' });
    const windowMs = Math.max(20, Date.now() - startedAt);

    const outcomes = { OLD: 0, NEW: 0, MIXED: 0, survived: 0 };
    for (let i = 0; i < 30; i++) {
      const dir = freshProject();
      const delay = Math.random() * windowMs * 1.5;
      const run = await runDriver(driver, ['apply', dir, SPEC], {
        onStderrLine: (line, child) => {
          if (line === 'TXN-START') setTimeout(() => child.kill('SIGKILL'), delay);
        },
      });
      if (run.signal !== 'SIGKILL') outcomes.survived++;
      await runDriver(driver, ['recover', dir]);
      outcomes[stateOf(dir)]++;
      expect(existsSync(path.join(dir, '.hsm/txn/journal.json'))).toBe(false);
      removeDir(dir);
    }
    process.stderr.write(`kill -9 outcomes over a ${windowMs} ms transaction: ${JSON.stringify(outcomes)}\n`);
    expect(outcomes.MIXED).toBe(0);
    expect(outcomes.OLD).toBeGreaterThan(0); // the kills really landed inside transactions
  });
});
