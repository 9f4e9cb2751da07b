/**
 * Run by every hsm command that changes a project, under the project lock, before anything else (SPEC §7.2):
 * an interrupted transaction is rolled back; a committed one whose journal survived is just cleaned up; a torn
 * journal (a crash while writing it, before any artifact was touched) is removed. Call it holding the project lock.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import { HsmError, ErrorCodes } from '@hsm/core';
import { readJournal, removeJournal, TXN_DIR } from './journal.js';
import { rollBack } from './roll-back.js';
import { isDeadProcess } from './process-liveness.js';
import { tempPathFor, unlinkDurable } from './durable-fs.js';
import { MANIFEST, OVERLAY } from '../project/find-project-dir.js';

/**
 * The files a transaction may replace alone, without a journal (applyFiles: `--no-sync` edits): recovery sweeps
 * the temp file a crash may have left beside them, as a rollback does for journaled ones.
 */
export const UNJOURNALED: readonly string[] = [MANIFEST, OVERLAY];

export interface RecoveryResult {
  /** True when an interrupted transaction was rolled back: re-run `uv sync` so .venv matches the restored lock. */
  recovered: boolean;
  /** Every file the rolled-back transaction covered (empty when nothing was rolled back). */
  files: string[];
  /** The subset whose bytes (or existence) the rollback actually changed back. */
  restored: string[];
}

export async function recoverInterrupted(projectDir: string): Promise<RecoveryResult> {
  // the temp file a crash may have left beside hsm.yaml / hsm.local.yaml written without a journal (applyFiles);
  // unlink, not fs.rm: every mutating command runs this, and rm's first call loads and runs its rimraf (spec §12)
  for (const f of UNJOURNALED) await unlinkDurable(tempPathFor(path.join(projectDir, f)), { syncDir: false });
  const found = await readJournal(projectDir);
  if (found.kind === 'none') return { recovered: false, files: [], restored: [] };
  if (found.kind === 'torn' || found.journal.state === 'committed') {
    await removeJournal(projectDir);
    return { recovered: false, files: [], restored: [] };
  }
  const journal = found.journal;
  // We hold the project lock, so a writer on another host cannot be mid-transaction; on this host, double-check
  // the writer is gone (a caller that forgot the lock must not roll back a live sync under its feet).
  if (journal.host === hostname() && !isDeadProcess(journal, () => false)) {
    throw new HsmError(ErrorCodes.LOCKED, `a sync by pid ${journal.pid} on ${journal.host} is still in progress (\`${TXN_DIR}/journal.json\`)`, {
      hint: 'wait for it to finish, or run again with `--wait SECONDS`',
    });
  }
  const restored = await rollBack(projectDir, journal);
  await removeJournal(projectDir);
  return { recovered: true, files: journal.entries.map((e) => e.path), restored };
}
