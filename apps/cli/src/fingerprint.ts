/**
 * The no-op fast path of `hsm sync` (SPEC §12: a no-op sync costs little more than `node` + a no-op `uv sync`).
 * A successful sync records a fingerprint of everything its plan was computed from: the bytes of every input
 * and artifact, the folder registries' listings, whether dev checkouts exist, and the hsm build. When the next
 * `hsm sync` finds the same fingerprint, the plan would be empty, so it skips parsing, resolving and rendering
 * and only runs `uv sync`. Any difference (or any doubt) takes the full path. Lean on purpose: node built-ins only.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync, renameSync, mkdirSync, lstatSync } from 'node:fs';
import { join, isAbsolute } from 'node:path';
import { VERSION } from './version.js';

export const STATE_FILE = '.hsm/state.json';
const INPUTS = ['hsm.yaml', 'hsm.local.yaml', 'hsm.lock', 'pyproject.toml', 'uv.lock', 'docker-compose.hsm.yml', 'hsm.env', '.env', 'compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml', 'compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

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
}

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

export function computeFingerprint(dir: string, state: Omit<SyncState, 'fingerprint' | 'version'>): string {
  const hash = createHash('sha256');
  hash.update(`hsm ${VERSION}\n${process.env.HSM_BUILTIN_CATALOG ?? ''}\n`);
  for (const f of INPUTS) {
    const p = join(dir, f);
    hash.update(`${f}\0`);
    try {
      hash.update(readFileSync(p));
    } catch {
      hash.update('\0absent');
    }
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

export function writeSyncState(dir: string, state: Omit<SyncState, 'fingerprint' | 'version'>): void {
  const hsmDir = join(dir, '.hsm');
  try {
    if (existsSync(hsmDir) && lstatSync(hsmDir).isSymbolicLink()) return;
    mkdirSync(hsmDir, { recursive: true });
    const full: SyncState = { version: 1, fingerprint: computeFingerprint(dir, state), ...state };
    const tmp = join(dir, `${STATE_FILE}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(full) + '\n');
    renameSync(tmp, join(dir, STATE_FILE));
  } catch {
    // a cache: failing to write it only costs the next sync its fast path
  }
}

/** The recorded state when it still matches the project exactly; null means "take the full path". */
export function matchingState(dir: string): SyncState | null {
  try {
    if (existsSync(join(dir, '.hsm', 'txn', 'journal.json')) || existsSync(join(dir, '.hsm', 'lock'))) return null;
    const state = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as SyncState;
    if (state.version !== 1) return null;
    return computeFingerprint(dir, state) === state.fingerprint ? state : null;
  } catch {
    return null;
  }
}

export function absolute(dir: string, p: string): string {
  return isAbsolute(p) ? p : join(dir, p);
}
