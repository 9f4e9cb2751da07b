/**
 * The project lock, `.hsm/lock`: one hsm at a time changes a project. Taken with an atomic create — the holder
 * record is written to a private temp file and hard-linked into place, so the lock never exists half-written —
 * and released by deleting it. A lock whose holder died (same host, pid gone or another boot) is taken over;
 * breaking it happens under a tiny mkdir mutex so two waiters cannot both break it and then delete each other's
 * fresh lock. Not proper-lockfile: its staleness is mtime-based (a holder must keep touching the file, and a
 * slow one loses the lock), while a pid check answers "is the holder alive" directly.
 */
import { closeSync, constants, linkSync, mkdirSync, openSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync, fstatSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { HsmError, ErrorCodes } from '@hsm/core';
import { ensureHsmDir, HSM_DIR } from './project-path.js';
import { currentProcess, isDeadProcess } from './process-liveness.js';

export interface LockHolder {
  pid: number;
  host: string;
  /** The command line that holds it, e.g. `hsm sync`. */
  command: string;
  /** ISO timestamp of when it was taken. */
  since: string;
  bootId?: string;
}

export interface AcquireLockOptions {
  /** How long to wait for a live holder before failing with HSM_LOCKED (default 0: fail at once). */
  waitSeconds?: number;
  /** Recorded in the lock so a waiting hsm can say who holds it. */
  command: string;
  /** Called when we start waiting, and again whenever the holder changes while we wait. */
  onWait?: (holder: LockHolder) => void;
}

export interface ProjectLock {
  holder: LockHolder;
  /** Deletes the lock if it is still ours. Idempotent. */
  release(): Promise<void>;
}

interface LockRecord extends LockHolder {
  token: string;
}

/** Tokens of the locks this process holds: a lock naming our own pid but not one of these is a stale leftover. */
const heldTokens = new Set<string>();

/** An unreadable lock younger than this may be mid-write by the O_EXCL fallback; older ones are debris. */
const UNREADABLE_GRACE_MS = 2000;
/** A break mutex older than this belongs to a process that died while breaking a stale lock. */
const BREAK_MUTEX_STALE_MS = 10000;

export async function acquireProjectLock(projectDir: string, options: AcquireLockOptions): Promise<ProjectLock> {
  const dir = ensureHsmDir(projectDir);
  const lockPath = path.join(dir, 'lock');
  const record: LockRecord = { ...currentProcess(), command: options.command, since: new Date().toISOString(), token: randomUUID() };
  const raw = JSON.stringify(record);
  const deadline = Date.now() + Math.max(0, options.waitSeconds ?? 0) * 1000;
  let toldAbout: string | undefined;
  let delayMs = 5;
  for (;;) {
    if (tryCreate(dir, lockPath, raw, record.token)) return held(lockPath, raw, record);
    const current = readLock(lockPath);
    if (current === null) continue; // released between our attempt and the read
    if (isStale(current)) {
      // Another process may be breaking it right now: give it a moment, then look again.
      if (!breakStaleLock(dir, lockPath, current.raw)) await sleep(5);
      continue;
    }
    const holder = current.record ?? unknownHolder();
    if (Date.now() >= deadline) throw lockedError(holder, options.waitSeconds ?? 0);
    if (toldAbout !== current.raw) {
      toldAbout = current.raw;
      options.onWait?.(holder);
    }
    await sleep(Math.min(delayMs, Math.max(1, deadline - Date.now())));
    delayMs = Math.min(delayMs * 2, 100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tryCreate(dir: string, lockPath: string, raw: string, token: string): boolean {
  const temp = path.join(dir, `lock.${process.pid}.${token.slice(0, 8)}`);
  try {
    writeFileSync(temp, raw, { flag: 'wx' });
  } catch (e) {
    throw ioError('cannot write the project lock', e);
  }
  try {
    linkSync(temp, lockPath);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') return createExclusive(lockPath, raw);
    throw ioError('cannot take the project lock', e);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      /* already gone */
    }
  }
}

/** For file systems without hard links: O_EXCL create, then write (a reader may briefly see it empty). */
function createExclusive(lockPath: string, raw: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioError('cannot take the project lock', e);
  }
  try {
    writeFileSync(fd, raw);
  } finally {
    closeSync(fd);
  }
  return true;
}

interface ReadLock {
  raw: string;
  record: LockRecord | null;
  ageMs: number;
}

function readLock(lockPath: string): ReadLock | null {
  let fd: number;
  try {
    fd = openSync(lockPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') {
      throw new HsmError(ErrorCodes.PATH_UNSAFE, `\`${HSM_DIR}/lock\` is a symlink`, { hint: `remove \`${HSM_DIR}/lock\`` });
    }
    throw ioError('cannot read the project lock', e);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new HsmError(ErrorCodes.PATH_UNSAFE, `\`${HSM_DIR}/lock\` is not a regular file`, { hint: `remove \`${HSM_DIR}/lock\`` });
    const raw = readFileSync(fd, 'utf8');
    return { raw, record: parseRecord(raw), ageMs: Date.now() - stat.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

function parseRecord(raw: string): LockRecord | null {
  try {
    const value = JSON.parse(raw) as Partial<LockRecord>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string' || typeof value.token !== 'string') return null;
    return {
      pid: value.pid,
      host: value.host,
      command: typeof value.command === 'string' ? value.command : 'hsm',
      since: typeof value.since === 'string' ? value.since : 'unknown',
      token: value.token,
      ...(typeof value.bootId === 'string' ? { bootId: value.bootId } : {}),
    };
  } catch {
    return null;
  }
}

function isStale(lock: ReadLock): boolean {
  if (lock.record === null) return lock.ageMs > UNREADABLE_GRACE_MS;
  const token = lock.record.token;
  return isDeadProcess(lock.record, () => heldTokens.has(token));
}

/** Deletes the lock only if it still has exactly the content we judged stale. Returns whether to retry at once. */
function breakStaleLock(dir: string, lockPath: string, staleRaw: string): boolean {
  const mutex = path.join(dir, 'lock.break');
  try {
    mkdirSync(mutex);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError('cannot take over the stale project lock', e);
    try {
      if (Date.now() - statSync(mutex).mtimeMs > BREAK_MUTEX_STALE_MS) rmdirSync(mutex);
    } catch {
      /* another process removed it */
    }
    return false;
  }
  try {
    const again = readLock(lockPath);
    if (again !== null && again.raw === staleRaw) unlinkSync(lockPath);
    return true;
  } finally {
    rmdirSync(mutex);
  }
}

function held(lockPath: string, raw: string, record: LockRecord): ProjectLock {
  heldTokens.add(record.token);
  let released = false;
  const releaseSync = (): void => {
    if (released) return;
    released = true;
    heldTokens.delete(record.token);
    process.off('exit', releaseSync);
    try {
      const current = readLock(lockPath);
      if (current !== null && current.raw === raw) unlinkSync(lockPath);
    } catch {
      /* a lock we cannot read is not ours to delete */
    }
  };
  // A normal exit without release() (an uncaught error in the CLI) still frees the project.
  process.on('exit', releaseSync);
  const { token: _token, ...holder } = record;
  return { holder, release: async () => releaseSync() };
}

function unknownHolder(): LockHolder {
  return { pid: 0, host: 'unknown', command: 'unknown (unreadable lock file)', since: 'unknown' };
}

function lockedError(holder: LockHolder, waitedSeconds: number): HsmError {
  const who = `\`${holder.command}\` (pid ${holder.pid} on ${holder.host}, since ${holder.since})`;
  return new HsmError(ErrorCodes.LOCKED, `another hsm is working on this project: ${who}`, {
    hint: waitedSeconds > 0 ? `still running after ${waitedSeconds}s; wait longer with \`--wait SECONDS\`` : `wait for it to finish, or run again with \`--wait SECONDS\``,
    details: [`lock file: ${HSM_DIR}/lock`],
  });
}

function ioError(what: string, e: unknown): HsmError {
  return new HsmError(ErrorCodes.IO, `${what}: ${(e as Error).message}`, { cause: e, hint: `check the permissions of \`${HSM_DIR}/\`` });
}
