/**
 * The transaction journal, `.hsm/txn/journal.json`: every file a transaction may change, with its prior bytes
 * (or "absent") and mode, plus the folders the transaction created. It is written to a temp file, fsynced and
 * renamed into place before any artifact is touched, so it is either complete or absent; anything unparseable
 * found there was torn before the rename and guards nothing.
 */
import { mkdirSync, constants } from 'node:fs';
import { open, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { HsmError, ErrorCodes } from '@hsm/core';
import { assertRealDirectory, ensureHsmDir, HSM_DIR } from './project-path.js';
import { fsyncDir, tempPathFor, writeFileDurable } from './durable-fs.js';
import type { ProcessIdentity } from './process-liveness.js';

export const JOURNAL_VERSION = 1;

export type PriorState = { kind: 'absent' } | { kind: 'file'; mode: number; uid: number; gid: number; base64: string };

/** A file as a caller read it to plan: what the journal records before a write, and how to tell it changed since. */
export interface ReadPrior {
  state: PriorState;
  /** `dev:ino:size:mtime:ctime` (ns) of a file read (stampOf); null when it was absent. */
  stamp: string | null;
}

export function stampOf(st: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

export interface JournalEntry {
  path: string;
  /** Omitted once committed: the new state stays, so the old bytes are no longer needed. */
  before?: PriorState;
}

export interface Journal extends ProcessIdentity {
  version: typeof JOURNAL_VERSION;
  id: string;
  state: 'pending' | 'committed';
  startedAt: string;
  entries: JournalEntry[];
  /** Folders this transaction created, parents first; removed (if empty) on rollback. */
  createdDirs: string[];
}

export { TXN_DIR } from '../project/find-project-dir.js';
import { TXN_DIR } from '../project/find-project-dir.js';

function txnPaths(projectDir: string): { dir: string; journal: string; temp: string } {
  const dir = path.join(projectDir, HSM_DIR, 'txn');
  const journal = path.join(dir, 'journal.json');
  return { dir, journal, temp: tempPathFor(journal) };
}

/** Creates `.hsm/txn/` (durably) for a new transaction. */
export async function ensureTxnDir(projectDir: string): Promise<string> {
  const hsmDir = ensureHsmDir(projectDir);
  const { dir } = txnPaths(projectDir);
  if (!assertRealDirectory(dir, TXN_DIR)) {
    mkdirSync(dir, { recursive: true });
    await fsyncDir(hsmDir);
    await fsyncDir(projectDir);
  }
  return dir;
}

/**
 * Written like every artifact (temp, fsync, rename, fsync the folder), private to the user. The committed
 * journal skips the file's fsync: if a crash leaves it torn, recovery treats a torn journal as none, which for a
 * committed one is the right answer (the new files stay); the folder's fsync — the commit point — stays.
 */
export async function writeJournal(projectDir: string, journal: Journal, onTempWritten?: () => void): Promise<void> {
  await writeFileDurable(txnPaths(projectDir).journal, { bytes: Buffer.from(JSON.stringify(journal)), mode: 0o600 }, onTempWritten, { syncFile: journal.state !== 'committed' });
}

/**
 * `durable: false` after a commit: if a crash brings the committed journal back, the next command just removes
 * it, so its removal need not reach the disk before hsm exits.
 */
export async function removeJournal(projectDir: string, { durable = true }: { durable?: boolean } = {}): Promise<void> {
  const { dir, journal, temp } = txnPaths(projectDir);
  await rm(temp, { force: true });
  try {
    await unlink(journal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (durable) await fsyncDir(dir);
}

type ReadJournal = { kind: 'none' } | { kind: 'torn' } | { kind: 'journal'; journal: Journal };

/** Reads the journal without creating anything (a read-only command must not leave `.hsm/` behind). */
export async function readJournal(projectDir: string): Promise<ReadJournal> {
  if (!assertRealDirectory(path.join(projectDir, HSM_DIR), HSM_DIR)) return { kind: 'none' };
  const { dir, journal } = txnPaths(projectDir);
  if (!assertRealDirectory(dir, TXN_DIR)) return { kind: 'none' };
  let text: string;
  try {
    const handle = await open(journal, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'none' };
    if (code === 'ELOOP') throw new HsmError(ErrorCodes.PATH_UNSAFE, `\`${TXN_DIR}/journal.json\` is a symlink`, { hint: `remove \`${TXN_DIR}/journal.json\`` });
    throw new HsmError(ErrorCodes.IO, `cannot read \`${TXN_DIR}/journal.json\`: ${(e as Error).message}`, { cause: e });
  }
  const parsed = parseJournal(text);
  return parsed === null ? { kind: 'torn' } : { kind: 'journal', journal: parsed };
}

function parseJournal(text: string): Journal | null {
  let value: Partial<Journal>;
  try {
    value = JSON.parse(text) as Partial<Journal>;
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  if (value.version !== JOURNAL_VERSION) {
    if (typeof value.version === 'number' && value.version > JOURNAL_VERSION) {
      throw new HsmError(ErrorCodes.IO, `\`${TXN_DIR}/journal.json\` was written by a newer hsm`, { hint: 'finish with the newer hsm, or upgrade this one' });
    }
    return null;
  }
  if (value.state !== 'pending' && value.state !== 'committed') return null;
  if (!Array.isArray(value.entries) || !Array.isArray(value.createdDirs) || typeof value.pid !== 'number' || typeof value.host !== 'string') return null;
  for (const entry of value.entries) {
    if (typeof entry?.path !== 'string') return null;
    if (value.state === 'pending' && !validPrior(entry.before)) return null;
  }
  if (!value.createdDirs.every((d) => typeof d === 'string')) return null;
  return value as Journal;
}

function validPrior(before: unknown): before is PriorState {
  if (typeof before !== 'object' || before === null) return false;
  const b = before as Record<string, unknown>;
  if (b.kind === 'absent') return true;
  return b.kind === 'file' && typeof b.base64 === 'string' && typeof b.mode === 'number' && typeof b.uid === 'number' && typeof b.gid === 'number';
}

/** Reads the prior state of a file for the journal. */
export async function capturePrior(absolute: string): Promise<PriorState> {
  let handle;
  try {
    handle = await open(absolute, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw e;
  }
  try {
    const stat = await handle.stat();
    const bytes = await handle.readFile();
    return { kind: 'file', mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid, base64: bytes.toString('base64') };
  } finally {
    await handle.close();
  }
}
