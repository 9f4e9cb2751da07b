/**
 * The no-op fast path of `hsm sync` (SPEC §12: a no-op sync costs little more than `node` + a no-op `uv sync`).
 * A successful sync records a fingerprint of everything its plan was computed from: the bytes of every project
 * file (PROJECT_FILES) and of the other files the plan read (included compose files), the folder registries' listings, whether dev checkouts exist, and the hsm build. When the
 * next `hsm sync` finds the same fingerprint, the plan would be empty, so it skips parsing, resolving and
 * rendering and only runs `uv sync`. Any difference (or any doubt) takes the full path. The writer hashes the
 * bytes the sync already holds (no re-read); only the check reads the files. Lean on purpose: node built-ins.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync, renameSync, mkdirSync, lstatSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_FILES, INSTANCE_ENV_FILE } from '@hsm/core/project-files';
import { JOURNAL_FILE } from './find-project-dir.js';

// the fast path finds the project the way every command does, without loading the rest of host
export { findProjectDir, workingDirectory } from './find-project-dir.js';

export const STATE_FILE = '.hsm/state.json';

export interface SyncState {
  version: 1;
  fingerprint: string;
  /** Registry folders the plan read (absolute). */
  registries: string[];
  /** Dev checkouts the plan depended on (absolute). */
  checkouts: string[];
  /** hsm manages Python here: run `uv sync`. */
  python: boolean;
  catalog: string | null;
  /**
   * Files beyond PROJECT_FILES that the plan read (relative to the project, or absolute): the compose files the
   * user's `include:` pulls in (issue 9 item 3), a workspace member's pyproject.toml.
   */
  files?: string[];
  /** The uv.lock uv syncs, named from hsm.yaml, when it is not `uv.lock` (`../uv.lock` in a workspace member). */
  lock?: string;
}

export type SyncStateInputs = Omit<SyncState, 'fingerprint' | 'version'>;

function listing(dir: string, hash: ReturnType<typeof createHash>, depth = 0): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    hash.update(`missing:${dir}\n`);
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    hash.update(`${p}\0${st.size}\0${st.mtimeMs}\0${st.isDirectory()}\n`);
    if (st.isDirectory() && depth < 2) listing(p, hash, depth + 1);
  }
}

/** `bytes(file)`: a project file's bytes, null when absent. `build`: the hsm version (a new hsm plans anew). */
export function computeFingerprint(build: string, state: SyncStateInputs, bytes: (file: string) => Buffer | null): string {
  const hash = createHash('sha256');
  hash.update(`hsm ${build}\n${process.env.HSM_BUILTIN_CATALOG ?? ''}\n`);
  for (const f of PROJECT_FILES) {
    hash.update(`${f}\0`);
    const b = bytes(f);
    hash.update(b === null ? '\0absent' : b);
    hash.update('\n');
  }
  for (const f of state.files ?? []) {
    const b = bytes(f);
    hash.update(`extra\0${f}\0`);
    hash.update(b === null ? '\0absent' : b);
    hash.update('\n');
  }
  if (state.catalog) {
    const st = statSync(state.catalog, { throwIfNoEntry: false });
    hash.update(`catalog\0${state.catalog}\0${st?.size}\0${st?.mtimeMs}\n`);
  }
  for (const r of state.registries) listing(r, hash);
  for (const c of state.checkouts) hash.update(`checkout\0${c}\0${existsSync(c)}\n`);
  hash.update(`python\0${state.python}\n`);
  return hash.digest('hex');
}

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

/** Records the state of a sync that just finished; `bytes` are the project files as the sync left them. */
export function writeSyncState(dir: string, build: string, state: SyncStateInputs, bytes: (file: string) => Buffer | null): void {
  const hsmDir = join(dir, '.hsm');
  try {
    if (existsSync(hsmDir) && lstatSync(hsmDir).isSymbolicLink()) return;
    mkdirSync(hsmDir, { recursive: true });
    const full: SyncState = { version: 1, fingerprint: computeFingerprint(build, state, bytes), ...state };
    const tmp = join(dir, `${STATE_FILE}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(full) + '\n');
    renameSync(tmp, join(dir, STATE_FILE));
  } catch {
    // a cache: failing to write it only costs the next sync its fast path
  }
}

/** The recorded state when it still matches the project exactly; null means "take the full path". */
export function matchingState(dir: string, build: string): SyncState | null {
  try {
    if (existsSync(join(dir, JOURNAL_FILE)) || existsSync(join(dir, '.hsm', 'lock'))) return null;
    // a full sync writes this checkout's .hsm/env (issue 12); when it is gone, one has to run again
    if (!existsSync(join(dir, INSTANCE_ENV_FILE))) return null;
    const state = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as SyncState;
    if (state.version !== 1) return null;
    return computeFingerprint(build, state, (f) => readOrNull(resolve(dir, f))) === state.fingerprint ? state : null;
  } catch {
    return null;
  }
}
