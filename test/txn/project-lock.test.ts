/**
 * SPEC §7.1 and §13: one hsm at a time per project; the others wait or are told who holds the lock; a lock left
 * by a dead process is taken over; N concurrent processes lose no update.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import path from 'node:path';
import { acquireProjectLock, type LockHolder } from '../../libs/host/src/txn/index.js';
import { buildDriver, runDriver } from './helpers.js';
import { removeDir, scratchDir } from '../support/files.js';
import { codeOf } from '../support/hsm-errors.js';

const dirs: string[] = [];
function project(): string {
  const dir = scratchDir('lock');
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach(removeDir));

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function plantLock(dir: string, holder: Record<string, unknown>): void {
  mkdirSync(path.join(dir, '.hsm'), { recursive: true });
  writeFileSync(path.join(dir, '.hsm/lock'), JSON.stringify({ command: 'hsm sync', since: '2026-01-01T00:00:00Z', token: 't', ...holder }));
}

describe('acquireProjectLock', () => {
  test('creates .hsm/ with a .gitignore of *, and release deletes the lock', async () => {
    const dir = project();
    const lock = await acquireProjectLock(dir, { command: 'hsm sync' });
    expect(readFileSync(path.join(dir, '.hsm/.gitignore'), 'utf8')).toBe('*\n');
    expect(JSON.parse(readFileSync(path.join(dir, '.hsm/lock'), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), command: 'hsm sync' });
    await lock.release();
    expect(existsSync(path.join(dir, '.hsm/lock'))).toBe(false);
    await lock.release(); // idempotent
  });

  test('a second hsm fails at once with HSM_LOCKED naming the holder, and a --wait hint', async () => {
    const dir = project();
    const lock = await acquireProjectLock(dir, { command: 'hsm sync --upgrade' });
    try {
      const error = (await acquireProjectLock(dir, { command: 'hsm add redis' }).catch((e: unknown) => e)) as { code: string; message: string; hint: string };
      expect(error).toMatchObject({ code: 'HSM_LOCKED' });
      expect(error.message).toContain(`pid ${process.pid}`);
      expect(error.message).toContain('hsm sync --upgrade');
      expect(error.message).toContain(hostname());
      expect(error.hint).toContain('--wait');
    } finally {
      await lock.release();
    }
  });

  test('with waitSeconds it waits for the holder, telling onWait who that is', async () => {
    const dir = project();
    const first = await acquireProjectLock(dir, { command: 'hsm sync' });
    const seen: LockHolder[] = [];
    setTimeout(() => void first.release(), 150);
    const started = Date.now();
    const second = await acquireProjectLock(dir, { command: 'hsm add x', waitSeconds: 5, onWait: (h) => seen.push(h) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(seen).toEqual([expect.objectContaining({ pid: process.pid, command: 'hsm sync' })]);
    await second.release();
  });

  test('waiting gives up after waitSeconds with HSM_LOCKED', async () => {
    const dir = project();
    const first = await acquireProjectLock(dir, { command: 'hsm sync' });
    const started = Date.now();
    expect(await codeOf(acquireProjectLock(dir, { command: 'hsm sync', waitSeconds: 0.3 }))).toBe('HSM_LOCKED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await first.release();
  });

  test('a lock left by a dead process on this host is taken over', async () => {
    const dir = project();
    plantLock(dir, { pid: deadPid(), host: hostname() });
    const lock = await acquireProjectLock(dir, { command: 'hsm sync' });
    expect(JSON.parse(readFileSync(path.join(dir, '.hsm/lock'), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  test('a lock from before a reboot (another boot id) is taken over even if its pid is alive now', async () => {
    const dir = project();
    plantLock(dir, { pid: 1, host: hostname(), bootId: 'another-boot' });
    const lock = await acquireProjectLock(dir, { command: 'hsm sync' });
    await lock.release();
  });

  test('a lock naming our own pid that we do not hold (a previous life of this pid) is taken over', async () => {
    const dir = project();
    plantLock(dir, { pid: process.pid, host: hostname() });
    const lock = await acquireProjectLock(dir, { command: 'hsm sync' });
    await lock.release();
  });

  test('a live holder, or one on another host, is respected', async () => {
    const dir = project();
    plantLock(dir, { pid: 1, host: hostname() }); // pid 1 is always alive
    expect(await codeOf(acquireProjectLock(dir, { command: 'hsm sync' }))).toBe('HSM_LOCKED');
    plantLock(dir, { pid: deadPid(), host: 'some-other-host' });
    expect(await codeOf(acquireProjectLock(dir, { command: 'hsm sync' }))).toBe('HSM_LOCKED');
  });

  test('an unreadable lock is waited on while fresh and taken over once old', async () => {
    const dir = project();
    mkdirSync(path.join(dir, '.hsm'));
    writeFileSync(path.join(dir, '.hsm/lock'), '');
    expect(await codeOf(acquireProjectLock(dir, { command: 'hsm sync' }))).toBe('HSM_LOCKED');
    const old = new Date(Date.now() - 60000);
    utimesSync(path.join(dir, '.hsm/lock'), old, old);
    const lock = await acquireProjectLock(dir, { command: 'hsm sync' });
    await lock.release();
  });

  test('refuses a symlinked .hsm/ or lock file (HSM_PATH_UNSAFE)', async () => {
    const elsewhere = project();
    const dir = project();
    symlinkSync(elsewhere, path.join(dir, '.hsm'));
    expect(await codeOf(acquireProjectLock(dir, { command: 'hsm sync' }))).toBe('HSM_PATH_UNSAFE');
    const dir2 = project();
    mkdirSync(path.join(dir2, '.hsm'));
    writeFileSync(path.join(elsewhere, 'target'), JSON.stringify({ pid: 1, host: hostname(), token: 'x' }));
    symlinkSync(path.join(elsewhere, 'target'), path.join(dir2, '.hsm/lock'));
    expect(await codeOf(acquireProjectLock(dir2, { command: 'hsm sync' }))).toBe('HSM_PATH_UNSAFE');
  });

  test('a missing project folder is HSM_IO', async () => {
    expect(await codeOf(acquireProjectLock(path.join(project(), 'nope'), { command: 'hsm sync' }))).toBe('HSM_IO');
  });

  test('taking and releasing the lock costs about a millisecond', async () => {
    const dir = project();
    await (await acquireProjectLock(dir, { command: 'warm-up' })).release();
    const rounds = 200;
    const started = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) await (await acquireProjectLock(dir, { command: 'hsm sync' })).release();
    const meanMs = Number(process.hrtime.bigint() - started) / 1e6 / rounds;
    process.stderr.write(`project lock acquire + release: ${meanMs.toFixed(3)} ms mean over ${rounds}\n`);
    expect(meanMs).toBeLessThan(5);
  });
});

describe('concurrent hsm processes', () => {
  let driver: string;
  beforeAll(async () => {
    driver = await buildDriver();
  });
  afterAll(() => {
    if (driver) removeDir(path.dirname(driver));
  });

  test('8 processes × 5 locked increments: no lost update, and the waiting ones are told who holds the lock', async () => {
    const dir = project();
    writeFileSync(path.join(dir, 'counter.txt'), '0');
    const runs = await Promise.all(Array.from({ length: 8 }, () => runDriver(driver, ['counter', dir, '5', '60'])));
    for (const run of runs) expect(run.result).toEqual({ ok: 'counted' });
    expect(readFileSync(path.join(dir, 'counter.txt'), 'utf8')).toBe('40');

    const pids = new Set(runs.map((r) => Number(/^PID (\d+)$/m.exec(r.stderr)?.[1])));
    const told = runs.flatMap((r) => [...r.stderr.matchAll(/^WAITING-FOR (.*)$/gm)].map((m) => JSON.parse(m[1]) as LockHolder));
    expect(told.length).toBeGreaterThan(0);
    for (const holder of told) {
      expect(pids.has(holder.pid)).toBe(true);
      expect(holder).toMatchObject({ host: hostname(), command: `hsm counter ${holder.pid}` });
    }
    expect(existsSync(path.join(dir, '.hsm/lock'))).toBe(false);
  });

  test('a holder killed with SIGKILL does not block the project', async () => {
    const dir = project();
    writeFileSync(path.join(dir, 'counter.txt'), '0');
    const killed = await runDriver(driver, ['counter', dir, '1000', '60'], {
      onStderrLine: (line, child) => line.startsWith('PID') && setTimeout(() => child.kill('SIGKILL'), 150),
    });
    expect(killed.signal).toBe('SIGKILL');
    const next = await runDriver(driver, ['counter', dir, '1', '0']);
    expect(next.result).toEqual({ ok: 'counted' });
  });
});
