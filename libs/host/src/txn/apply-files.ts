/**
 * The sync transaction (SPEC §7): journal every file it may change, fsync the journal, replace the files one by
 * one (write-temp-fsync-rename), run the caller's step (uv, the compose check), then commit by marking the
 * journal committed and dropping it. Any failure, or SIGINT/SIGTERM/SIGHUP, before the commit restores every
 * file byte for byte; a `kill -9` or power loss leaves the journal for `recoverInterrupted` to roll back.
 * A single file replaced with nothing run after it skips the journal: its atomic replace is the transaction.
 * Call it holding the project lock, after `recoverInterrupted`.
 */
import { lstat, mkdir, rm } from 'node:fs/promises';
import { lstatSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { constants } from 'node:os';
import { HsmError, ErrorCodes, isHsmError, type ExitCode } from '@hsm/core';
import { resolveProjectPath, type ProjectPath } from './project-path.js';
import { fsyncDir, tempPathFor, unlinkDurable, writeFileDurable } from './durable-fs.js';
import { crashPoint } from './crash-point.js';
import { capturePrior, ensureTxnDir, readJournal, removeJournal, stampOf, writeJournal, TXN_DIR, type Journal, type PriorState, type ReadPrior } from './journal.js';
import { rollBack } from './roll-back.js';
import { UNJOURNALED } from './recover-interrupted.js';
import { currentProcess } from './process-liveness.js';

export interface FileChange {
  /** Relative to the project folder, `/`-separated. */
  path: string;
  /** New content (UTF-8), or null to delete the file. */
  after: string | null;
}

export interface AfterWriteContext {
  /** Aborted when a signal interrupts the transaction: pass it to runProcess so uv stops too. */
  signal: AbortSignal;
}

export interface ApplyFilesOptions {
  /** Runs after every file is in place (uv lock/sync, the compose check). Throwing rolls everything back. */
  afterWrite?: (context: AfterWriteContext) => Promise<void>;
  /** Files the afterWrite step may change (uv.lock): journaled and restored on rollback, never written by us. */
  alsoGuard?: string[];
  /**
   * The files as the caller read them to compute `changes` (relative path → prior state and stamp): the journal
   * records these bytes, and a file whose stamp changed since is HSM_CONCURRENT_EDIT, not overwritten.
   */
  priors?: ReadonlyMap<string, ReadPrior>;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How long to let an interrupted afterWrite (uv) wind down before restoring the files under it. */
const AFTER_WRITE_SETTLE_MS = 10000;

interface Target extends ProjectPath {
  before: PriorState;
  /** Bytes to write, null to delete, undefined to leave alone (guarded only, or already identical). */
  write: Buffer | null | undefined;
}

export async function applyFiles(projectDir: string, changes: FileChange[], options: ApplyFilesOptions = {}): Promise<void> {
  const targets = await planTargets(projectDir, changes, options.alsoGuard ?? [], options.priors);
  const writes = targets.filter((t) => t.write !== undefined);
  if (writes.length === 0 && options.afterWrite === undefined) return; // nothing to do: touch nothing

  const pending = await readJournal(projectDir);
  if (pending.kind === 'journal') {
    throw new HsmError(ErrorCodes.TXN_PENDING, `an interrupted sync is still recorded in \`${TXN_DIR}/journal.json\``, {
      hint: 'run `hsm sync` again: it rolls the interrupted one back first',
    });
  }
  if (pending.kind === 'torn') await removeJournal(projectDir);

  const createdDirs = missingParents(projectDir, writes);
  // hsm.yaml or hsm.local.yaml replaced alone with nothing run after it (`hsm add --no-sync`): write-temp → fsync
  // → rename → fsync(dir) is atomic by itself, so a journal would only add fsyncs (docs/spec.md §7.6)
  if (writes.length === 1 && !options.alsoGuard?.length && createdDirs.length === 0 && options.afterWrite === undefined && UNJOURNALED.includes(path.basename(writes[0].relative))) {
    return replaceOne(writes[0]);
  }

  await ensureTxnDir(projectDir);
  const journal: Journal = {
    version: 1,
    id: randomUUID(),
    state: 'pending',
    ...currentProcess(),
    startedAt: new Date().toISOString(),
    entries: targets.map((t) => ({ path: t.relative, before: t.before })),
    createdDirs,
  };

  const interrupt = new AbortController();
  let committing = false;
  let committed = false;
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    signalled ??= signal;
    // Once the commit is being written, finish it: the signal is re-raised afterwards.
    if (!committing && !interrupt.signal.aborted) {
      // exit 128 + the signal's number once everything is restored, as shells, uv and Compose do (130 for ctrl-C)
      const exitCode = (128 + constants.signals[signal]) as ExitCode;
      interrupt.abort(new HsmError(ErrorCodes.INTERRUPTED, `sync interrupted by ${signal}; every file was restored`, { hint: 'run `hsm sync` again', exitCode }));
    }
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  const checkInterrupted = (): void => {
    if (interrupt.signal.aborted) throw interrupt.signal.reason;
  };

  let journalWritten = false;
  let afterWrite: Promise<void> | undefined;
  try {
    await writeJournal(projectDir, journal, () => crashPoint('journal-temp-written'));
    journalWritten = true;
    crashPoint('journal-written');
    checkInterrupted();

    for (let i = 0; i < createdDirs.length; i++) {
      await mkdir(path.join(projectDir, createdDirs[i]));
      await fsyncDir(path.dirname(path.join(projectDir, createdDirs[i])));
      crashPoint(`dir-created-${i}`);
    }
    // each replaced file's folder is fsynced once, before the commit, not once per file: until the commit the
    // journal (durable already) restores whichever files a crash left old or new
    const touched = new Set<string>();
    for (let i = 0; i < writes.length; i++) {
      const target = writes[i];
      if (target.write === null) await unlinkDurable(target.absolute, { syncDir: false });
      else if (target.write !== undefined) {
        const existing = target.before.kind === 'file' ? target.before : undefined;
        await writeFileDurable(target.absolute, { bytes: target.write, mode: existing?.mode, uid: existing?.uid, gid: existing?.gid }, () => crashPoint(`temp-written-${i}`), { syncDir: false });
      }
      touched.add(path.dirname(target.absolute));
      crashPoint(`replaced-${i}`);
      checkInterrupted();
    }
    for (const dir of touched) await fsyncDir(dir);

    if (options.afterWrite) {
      afterWrite = options.afterWrite({ signal: interrupt.signal });
      await untilAborted(afterWrite, interrupt.signal);
      afterWrite = undefined;
    }
    crashPoint('after-write');
    checkInterrupted();

    // The commit point: the pending journal (with the old bytes) is atomically replaced by a committed one.
    committing = true;
    await writeJournal(projectDir, { ...journal, state: 'committed', entries: targets.map((t) => ({ path: t.relative })) });
    committed = true;
    crashPoint('committed');
    await removeJournal(projectDir, { durable: false });
    crashPoint('journal-removed');
  } catch (error) {
    if (committed) throw ioError('the sync was committed but its journal could not be removed', error);
    const cause = interrupt.signal.aborted ? interrupt.signal.reason : error;
    if (!interrupt.signal.aborted) interrupt.abort(cause);
    if (afterWrite !== undefined) await settle(afterWrite);
    if (journalWritten) {
      try {
        await rollBack(projectDir, journal);
        await removeJournal(projectDir);
      } catch (rollbackError) {
        throw new HsmError(ErrorCodes.IO, `the sync failed and restoring the files failed too: ${(rollbackError as Error).message}`, {
          cause: rollbackError,
          hint: `fix the cause, then run any hsm command: it finishes the rollback from \`${TXN_DIR}/journal.json\``,
          details: [`sync failure: ${(cause as Error)?.message ?? String(cause)}`],
        });
      }
    }
    throw isHsmError(cause) ? cause : ioError('the sync failed; every file was restored', cause);
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
  // A signal that arrived during the commit: the sync is done, now let the signal do what it normally does.
  if (signalled) process.kill(process.pid, signalled);
}

/**
 * The transaction of a single file: old or new bytes whatever stops the process (a crash leaves at most the temp
 * file, which recovery or the next write of the file sweeps). A signal during the write is held until the file is
 * in place, then re-raised, as at a commit.
 */
async function replaceOne(target: Target): Promise<void> {
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    signalled ??= signal;
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    if (target.write === null) await unlinkDurable(target.absolute);
    else if (target.write !== undefined) {
      const existing = target.before.kind === 'file' ? target.before : undefined;
      await writeFileDurable(target.absolute, { bytes: target.write, mode: existing?.mode, uid: existing?.uid, gid: existing?.gid }, () => crashPoint('single-temp-written'));
    }
    crashPoint('single-replaced');
  } catch (error) {
    await rm(tempPathFor(target.absolute), { force: true }).catch(() => undefined);
    throw isHsmError(error) ? error : ioError(`cannot write \`${target.relative}\``, error);
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
  if (signalled) process.kill(process.pid, signalled);
}

async function planTargets(projectDir: string, changes: FileChange[], alsoGuard: string[], priors?: ReadonlyMap<string, ReadPrior>): Promise<Target[]> {
  const byPath = new Map<string, Target>();
  const add = async (relative: string, after: string | null | undefined): Promise<void> => {
    const resolved = await resolveProjectPath(projectDir, relative);
    const seen = byPath.get(resolved.relative);
    if (seen && after !== undefined && seen.write !== undefined) {
      throw new HsmError(ErrorCodes.INTERNAL, `\`${resolved.relative}\` is changed twice in one transaction`);
    }
    const known = priors?.get(resolved.relative);
    const before = seen?.before ?? (known ? await unchangedSince(resolved, known) : await capturePriorOrFail(resolved));
    const write = after === undefined ? seen?.write : toWrite(before, after);
    byPath.set(resolved.relative, { ...resolved, before, write });
  };
  for (const change of changes) await add(change.path, change.after);
  for (const guarded of alsoGuard) await add(guarded, undefined);
  return [...byPath.values()];
}

function toWrite(before: PriorState, after: string | null): Buffer | null | undefined {
  if (after === null) return before.kind === 'absent' ? undefined : null;
  const bytes = Buffer.from(after, 'utf8');
  if (before.kind === 'file' && Buffer.from(before.base64, 'base64').equals(bytes)) return undefined;
  return bytes;
}

/** The prior state the caller read, after checking the file is still the one it read. */
async function unchangedSince(target: ProjectPath, known: ReadPrior): Promise<PriorState> {
  let stamp: string | null;
  try {
    stamp = stampOf(await lstat(target.absolute, { bigint: true }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(`cannot read \`${target.relative}\``, e);
    stamp = null;
  }
  if (stamp !== known.stamp) {
    throw new HsmError(ErrorCodes.CONCURRENT_EDIT, `\`${target.relative}\` changed while hsm was planning; nothing was written`, {
      hint: 'run the command again: it plans from the file as it is now',
    });
  }
  return known.state;
}

async function capturePriorOrFail(target: ProjectPath): Promise<PriorState> {
  try {
    return await capturePrior(target.absolute);
  } catch (e) {
    throw ioError(`cannot read \`${target.relative}\``, e);
  }
}

/** Folders (relative, parents first) that must be created for the files we write. */
function missingParents(projectDir: string, writes: Target[]): string[] {
  const missing = new Set<string>();
  for (const target of writes) {
    if (target.write === null) continue;
    const parts = target.relative.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (missing.has(dir)) continue;
      try {
        lstatSync(path.join(projectDir, dir));
      } catch {
        missing.add(dir);
      }
    }
  }
  return [...missing].sort((a, b) => a.split('/').length - b.split('/').length);
}

function untilAborted(work: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function settle(work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, AFTER_WRITE_SETTLE_MS)))]);
  clearTimeout(timer);
}

function ioError(message: string, cause: unknown): HsmError {
  return new HsmError(ErrorCodes.IO, `${message}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}
