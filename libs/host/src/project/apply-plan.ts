/**
 * Step three (SPEC §7.6): apply a plan inside the transaction — journal (the prior bytes are the ones the plan was
 * computed from) → write → `uv sync` → `docker compose config` → commit, then record the no-op fingerprint from
 * the bytes now in place. Call it holding the project lock, with the project loadProject read.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { PROJECT_FILES, plannedCompose, secretVariablesIn, type SyncPlan } from '@hsm/core';
import { applyFiles } from '../txn/apply-files.js';
import { uvSync } from '../uv/uv.js';
import { uvWorkspaceOf } from '../uv/workspace.js';
import { composeConfigCheck } from '../compose/compose.js';
import { projectRelative } from '../registries/load-registries.js';
import { checkoutDir, type LoadedProject } from './load-project.js';
import { writeSyncState } from './sync-state.js';
import type { Reporter } from './sync-project.js';

export interface ApplyOptions {
  reporter: Reporter;
  frozen?: boolean;
  offline?: boolean;
  /** Skip `uv sync` (and the compose and host-port checks) — files only. */
  noInstall?: boolean;
  /** Write only hsm.yaml / hsm.local.yaml (`--no-sync`), after checking the stack still resolves. */
  manifestOnly?: boolean;
  /** The hsm build, for the no-op fingerprint (a new hsm plans anew). */
  build: string;
  /** The built-in catalog file the plan read (null: none), for the fingerprint. */
  catalogPath?: string | null;
}

export async function applyPlan(project: LoadedProject, plan: SyncPlan, options: ApplyOptions): Promise<{ written: string[]; ranUv: boolean }> {
  const { dir } = project;
  const { reporter } = options;
  const changes = options.manifestOnly ? plan.changes.filter((c) => c.path === 'hsm.yaml' || c.path === 'hsm.local.yaml') : plan.changes;
  const runUv = plan.python && !options.noInstall && !options.manifestOnly;
  // In a uv workspace member, uv writes the workspace root's uv.lock (and syncs its .venv): the transaction is
  // rooted there so that lock is journaled and restored with the rest (issue 9 item 2).
  const ws = runUv || changes.length > 0 ? await uvWorkspaceOf(dir) : null;
  // the root's uv.lock as the user opens it from hsm.yaml
  const lock = ws ? posix.join(posix.relative(ws.member, '.'), 'uv.lock') : 'uv.lock';
  // what a failed uv sync inside the transaction has put back, named from hsm.yaml (without changes there is none)
  const restored = changes.length > 0 ? [...changes.filter((c) => posix.basename(c.path) === 'pyproject.toml').map((c) => c.path), lock] : undefined;
  const uv = async (signal?: AbortSignal) => {
    const done = reporter.step('Running uv sync');
    try {
      await uvSync(dir, { frozen: options.frozen, offline: options.offline, quiet: reporter.quiet, verbose: reporter.verbose, signal, restored, lock });
    } finally {
      done();
    }
  };
  const checkCompose = !options.noInstall && !options.manifestOnly && plan.composeFiles.length > 0;
  const composeCheck = async () => {
    if (!checkCompose) return;
    // detectCompose passes over Compose v1 (it predates the Compose Specification); the schema check already ran
    // unset secret variables get a placeholder there: the check is about the file's shape (issue 11)
    // (a plan that deletes the generated file has no compose files to check: composeFiles is empty then)
    const generated = plannedCompose(plan, project.files).text;
    if (!(await composeConfigCheck(join(dir, plan.composeDir), plan.composeFiles, plan.projectName, { secretVariables: secretVariablesIn(generated) }))) {
      reporter.debug('no Docker Compose v2 installed: checked the compose file against the Compose Specification schema only');
    }
  };

  if (changes.length === 0) {
    if (runUv) await uv();
  } else {
    const txnRoot = ws ? ws.root : dir;
    // (posix.join: a member's change to the root's compose file, `../compose.yml`, is `compose.yml` from the root)
    const rooted = (p: string) => (ws ? posix.join(ws.member, p) : p);
    const lockBefore = existsSync(join(txnRoot, 'uv.lock'));
    try {
      await applyFiles(
        txnRoot,
        changes.map((c) => ({ path: rooted(c.path), after: c.after })),
        {
          priors: ws ? new Map([...project.read.priors].map(([k, v]) => [rooted(k), v])) : project.read.priors,
          alsoGuard: runUv ? ['uv.lock'] : [],
          // nothing to run after the files (`--no-sync`, `--no-install`): a lone file then needs no journal
          afterWrite:
            runUv || checkCompose
              ? async ({ signal }) => {
                  if (runUv) await uv(signal);
                  await composeCheck();
                }
              : undefined,
        },
      );
    } catch (e) {
      // files are restored; bring .venv back in line with the restored uv.lock (best effort, reported)
      // (with no uv.lock before this sync there is no earlier environment to go back to)
      if (runUv && lockBefore && project.files['pyproject.toml'] !== null) {
        try {
          reporter.log('restoring the environment to match the previous uv.lock…');
          await uvSync(dir, { frozen: true, offline: options.offline, quiet: true });
        } catch {
          reporter.warn('could not restore .venv; run `uv sync` once the problem is fixed');
        }
      }
      throw e;
    }
  }
  remember(project, plan, changes, runUv, options, lock);
  return { written: changes.map((c) => c.path), ranUv: runUv };
}

/** The no-op fingerprint, hashed from the bytes the sync holds (uv.lock re-read only when uv ran). */
function remember(project: LoadedProject, plan: SyncPlan, changes: SyncPlan['changes'], ranUv: boolean, options: ApplyOptions, lock: string): void {
  const { dir, manifest } = project;
  // registry services too: every version in hsm.lock is immutable and pinned by its digest, so what they may
  // publish or yank meanwhile cannot change this plan (`--refresh` and `hsm outdated` look for that)
  if (options.manifestOnly || options.noInstall) return;
  const written = new Map(changes.map((c) => [c.path, c.after === null ? null : Buffer.from(c.after, 'utf8')]));
  const bytes = (f: string): Buffer | null => {
    if (written.has(f)) return written.get(f)!;
    if (f === 'uv.lock' && ranUv) {
      try {
        return readFileSync(join(dir, f));
      } catch {
        return null;
      }
    }
    return project.read.bytes.get(f) ?? null;
  };
  writeSyncState(
    dir,
    options.build,
    {
      registries: (manifest.registries ?? []).flatMap((r) => ('path' in r ? [projectRelative(dir, r.path)] : [])),
      checkouts: plan.resolution.components.filter((c) => c.mode === 'dev').map((c) => checkoutDir(dir, c)),
      python: plan.python,
      catalog: manifest.builtin === false ? null : (options.catalogPath ?? null),
      files: [...project.read.bytes.keys()].filter((f) => !(PROJECT_FILES as readonly string[]).includes(f)),
      ...(lock === 'uv.lock' ? {} : { lock }),
    },
    bytes,
  );
}
