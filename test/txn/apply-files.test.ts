/**
 * applyFiles and recoverInterrupted in-process, on real files: success, failure rollback, guarded files,
 * path safety, no-op, and the journal's edge states. Crashes and signals are in the process-level tests.
 */
import { describe, test, expect, afterAll } from '@jest/globals';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { HsmError, ErrorCodes } from '@hsm/core';
import { applyFiles, recoverInterrupted } from '../../libs/host/src/txn/index.js';
import { removeDir, scratchDir, treeSnapshot } from '../support/files.js';
import { CHANGES, NEW_UV_LOCK, writeOldProject } from './fixture.js';
import { codeOf } from '../support/hsm-errors.js';

const dirs: string[] = [];
function project(): string {
  const dir = scratchDir('apply');
  dirs.push(dir);
  writeOldProject(dir);
  return dir;
}
afterAll(() => dirs.forEach(removeDir));

const read = (dir: string, file: string): string => readFileSync(path.join(dir, file), 'utf8');
const journalPath = (dir: string): string => path.join(dir, '.hsm/txn/journal.json');

describe('applyFiles', () => {
  test('writes, creates (with parent folders) and deletes; keeps modes; leaves no journal or temp file', async () => {
    const dir = project();
    chmodSync(path.join(dir, 'hsm.lock'), 0o600);
    await applyFiles(dir, CHANGES);
    expect(read(dir, 'hsm.lock')).toBe('new lock\n');
    expect(statSync(path.join(dir, 'hsm.lock')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'pyproject.toml')).mode & 0o777).toBe(0o640);
    expect(read(dir, 'gen/env/hsm.env')).toContain('REDIS_URL');
    expect(existsSync(path.join(dir, 'stale.env'))).toBe(false);
    expect(existsSync(journalPath(dir))).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes('hsm-tmp'))).toEqual([]);
    expect(read(dir, '.hsm/.gitignore')).toBe('*\n');
  });

  test('a no-op touches nothing: same bytes, same mtimes, no .hsm/ created', async () => {
    const dir = project();
    const old = new Date('2020-01-01T00:00:00Z');
    utimesSync(path.join(dir, 'hsm.lock'), old, old);
    await applyFiles(dir, [
      { path: 'hsm.lock', after: 'old lock\n' },
      { path: 'missing.txt', after: null },
    ]);
    expect(statSync(path.join(dir, 'hsm.lock')).mtimeMs).toBe(old.getTime());
    expect(existsSync(path.join(dir, '.hsm'))).toBe(false);
  });

  test('afterWrite failing rolls every file back byte for byte, guarded ones included, and re-throws its error', async () => {
    const dir = project();
    const before = treeSnapshot(dir);
    const untouched = new Date('2020-01-01T00:00:00Z');
    utimesSync(path.join(dir, 'hsm.yaml'), untouched, untouched);
    const error = await applyFiles(dir, CHANGES, {
      alsoGuard: ['uv.lock', 'new-by-uv.txt'],
      afterWrite: async () => {
        writeFileSync(path.join(dir, 'uv.lock'), NEW_UV_LOCK); // uv rewrote the lock…
        writeFileSync(path.join(dir, 'new-by-uv.txt'), 'x'); // …and created a guarded file
        expect(read(dir, 'hsm.lock')).toBe('new lock\n'); // every file is in place when afterWrite runs
        throw new HsmError(ErrorCodes.UV_FAILED, 'uv lock failed');
      },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HSM_UV_FAILED' });
    utimesSync(path.join(dir, 'hsm.yaml'), untouched, untouched);
    expect(treeSnapshot(dir)).toEqual(before);
    expect(existsSync(journalPath(dir))).toBe(false);
  });

  test('files restored to identical bytes keep their mtime (the untouched ones are not rewritten)', async () => {
    const dir = project();
    const old = new Date('2020-01-01T00:00:00Z');
    utimesSync(path.join(dir, 'uv.lock'), old, old);
    await codeOf(applyFiles(dir, CHANGES, { alsoGuard: ['uv.lock'], afterWrite: async () => Promise.reject(new Error('boom')) }));
    expect(statSync(path.join(dir, 'uv.lock')).mtimeMs).toBe(old.getTime());
  });

  test('an error without a code becomes HSM_IO after the rollback', async () => {
    const dir = project();
    const before = treeSnapshot(dir);
    expect(await codeOf(applyFiles(dir, CHANGES, { afterWrite: async () => Promise.reject(new Error('boom')) }))).toBe('HSM_IO');
    expect(treeSnapshot(dir)).toEqual(before);
  });

  test('afterWrite succeeding: its changes to guarded files stay', async () => {
    const dir = project();
    await applyFiles(dir, CHANGES, { alsoGuard: ['uv.lock'], afterWrite: async () => writeFileSync(path.join(dir, 'uv.lock'), NEW_UV_LOCK) });
    expect(read(dir, 'uv.lock')).toBe(NEW_UV_LOCK);
  });

  test.each([['../outside.txt'], ['/etc/hsm-test'], ['a/../../x'], ['.hsm/lock'], [''], ['.']])('refuses %j with HSM_PATH_UNSAFE and writes nothing', async (bad) => {
    const dir = project();
    const before = treeSnapshot(dir);
    expect(
      await codeOf(
        applyFiles(dir, [
          { path: 'hsm.lock', after: 'x' },
          { path: bad, after: 'x' },
        ]),
      ),
    ).toBe('HSM_PATH_UNSAFE');
    expect(await codeOf(applyFiles(dir, [{ path: 'hsm.lock', after: 'x' }], { alsoGuard: [bad] }))).toBe('HSM_PATH_UNSAFE');
    expect(treeSnapshot(dir)).toEqual(before);
    expect(existsSync(path.join(dir, '.hsm'))).toBe(false);
  });

  test('refuses to write through a symlinked folder or onto a symlink', async () => {
    const dir = project();
    const outside = scratchDir('outside');
    dirs.push(outside);
    symlinkSync(outside, path.join(dir, 'linked'));
    writeFileSync(path.join(outside, 'secret'), 'keep');
    symlinkSync(path.join(outside, 'secret'), path.join(dir, 'compose.yaml'));
    expect(await codeOf(applyFiles(dir, [{ path: 'linked/x.txt', after: 'x' }]))).toBe('HSM_PATH_UNSAFE');
    expect(await codeOf(applyFiles(dir, [{ path: 'compose.yaml', after: 'x' }]))).toBe('HSM_PATH_UNSAFE');
    expect(readdirSync(outside)).toEqual(['secret']);
    expect(read(outside, 'secret')).toBe('keep');
  });

  test('refuses a symlinked .hsm/ (HSM_PATH_UNSAFE)', async () => {
    const dir = project();
    const outside = scratchDir('outside');
    dirs.push(outside);
    symlinkSync(outside, path.join(dir, '.hsm'));
    expect(await codeOf(applyFiles(dir, CHANGES))).toBe('HSM_PATH_UNSAFE');
    expect(read(dir, 'hsm.lock')).toBe('old lock\n');
  });

  test('refuses to start over an unrecovered transaction (HSM_TXN_PENDING)', async () => {
    const dir = project();
    mkdirSync(path.join(dir, '.hsm/txn'), { recursive: true });
    writeFileSync(journalPath(dir), JSON.stringify({ version: 1, id: 'x', state: 'pending', pid: 2 ** 22 + 1, host: 'h', startedAt: '', entries: [], createdDirs: [] }));
    expect(await codeOf(applyFiles(dir, CHANGES))).toBe('HSM_TXN_PENDING');
    expect(read(dir, 'hsm.lock')).toBe('old lock\n');
  });
});

describe('recoverInterrupted', () => {
  test('nothing to do: reports so and creates nothing', async () => {
    const dir = project();
    expect(await recoverInterrupted(dir)).toEqual({ recovered: false, files: [], restored: [] });
    expect(existsSync(path.join(dir, '.hsm'))).toBe(false);
  });

  test('a torn journal (crash while writing it) is removed; nothing was touched', async () => {
    const dir = project();
    const before = treeSnapshot(dir);
    mkdirSync(path.join(dir, '.hsm/txn'), { recursive: true });
    writeFileSync(journalPath(dir), '{"version":1,"id":"abc","state":"pend');
    expect(await recoverInterrupted(dir)).toMatchObject({ recovered: false });
    expect(existsSync(journalPath(dir))).toBe(false);
    expect(treeSnapshot(dir)).toEqual(before);
  });

  test('a committed journal is just removed', async () => {
    const dir = project();
    mkdirSync(path.join(dir, '.hsm/txn'), { recursive: true });
    writeFileSync(journalPath(dir), JSON.stringify({ version: 1, id: 'x', state: 'committed', pid: 1, host: 'h', startedAt: '', entries: [{ path: 'hsm.lock' }], createdDirs: [] }));
    expect(await recoverInterrupted(dir)).toMatchObject({ recovered: false });
    expect(existsSync(journalPath(dir))).toBe(false);
    expect(read(dir, 'hsm.lock')).toBe('old lock\n');
  });

  test('a tampered journal naming a file outside the project is refused (HSM_PATH_UNSAFE)', async () => {
    const dir = project();
    mkdirSync(path.join(dir, '.hsm/txn'), { recursive: true });
    const entries = [{ path: '../victim.txt', before: { kind: 'absent' } }];
    writeFileSync(journalPath(dir), JSON.stringify({ version: 1, id: 'x', state: 'pending', pid: 2 ** 22 + 1, host: 'h', startedAt: '', entries, createdDirs: [] }));
    expect(await codeOf(recoverInterrupted(dir))).toBe('HSM_PATH_UNSAFE');
  });

  test('a journal of a transaction still running in another live process is not touched (HSM_LOCKED)', async () => {
    const dir = project();
    mkdirSync(path.join(dir, '.hsm/txn'), { recursive: true });
    const { hostname } = await import('node:os');
    writeFileSync(journalPath(dir), JSON.stringify({ version: 1, id: 'x', state: 'pending', pid: 1, host: hostname(), startedAt: '', entries: [], createdDirs: [] }));
    expect(await codeOf(recoverInterrupted(dir))).toBe('HSM_LOCKED');
    expect(existsSync(journalPath(dir))).toBe(true);
  });
});
