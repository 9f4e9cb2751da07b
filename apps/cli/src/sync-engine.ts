/**
 * `hsm sync` and every command that changes the stack: lock the project, recover an interrupted sync, resolve,
 * plan every artifact in memory, validate, then write them in one journaled transaction and run uv (SPEC §7).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  HsmError,
  ErrorCodes,
  planSync,
  validateComposeSchema,
  GENERATED_COMPOSE,
  type SyncPlan,
  type Resolution,
  type Lockfile,
} from '@hsm/core';
import { acquireProjectLock, recoverInterrupted, applyFiles, uvSync, detectCompose, composeConfigCheck, resolveWithRegistries, uvWorkspaceOf } from '@hsm/host';
import type { Output } from './output.js';
import { readProjectFiles, parseProject, loadRegistries, checkoutDir, builtinCatalogPath } from './project.js';
import { writeSyncState, absolute } from './fingerprint.js';

export interface SyncOptions {
  command: string;
  waitSeconds: number;
  dryRun?: boolean;
  check?: boolean;
  frozen?: boolean;
  offline?: boolean;
  upgrade?: boolean | string[];
  /** Skip `uv sync` (and the compose check) — files only. */
  noInstall?: boolean;
  /** An edit command's new hsm.yaml / hsm.local.yaml, committed in the same transaction as the artifacts. */
  edit?: (files: { manifest: string; overlay: string | null }) => { manifest: string; overlay: string | null };
  /** Write only hsm.yaml / hsm.local.yaml (`--no-sync`), after checking the stack still resolves. */
  manifestOnly?: boolean;
}

export interface SyncReport {
  plan: SyncPlan;
  written: string[];
  added: string[];
  removed: string[];
  changed: string[];
  ranUv: boolean;
  recovered: string[];
}

export async function resolveProject(dir: string, out: Output, opts: Pick<SyncOptions, 'upgrade' | 'edit' | 'offline'> = {}) {
  const files = await readProjectFiles(dir);
  let manifestText = files['hsm.yaml'];
  let overlayText = files['hsm.local.yaml'];
  if (opts.edit) ({ manifest: manifestText, overlay: overlayText } = opts.edit({ manifest: manifestText, overlay: overlayText }));
  const project = parseProject(dir, files, manifestText, overlayText);
  const registries = await loadRegistries(dir, project.manifest, { offline: opts.offline, lock: project.lock, upgrade: opts.upgrade, log: (m) => out.debug(m) });
  const done = out.step('Resolving');
  let resolution: Resolution;
  try {
    resolution = await resolveWithRegistries(registries, { manifest: project.manifest, overlay: project.overlay, lock: project.lock, upgrade: opts.upgrade });
  } finally {
    done();
  }
  return { files, project, registries: registries.map((r) => r.snapshot), resolution, manifestText, overlayText };
}

/**
 * For read-only commands (plan, status, why, sync --check): an interrupted sync is rolled back by the next hsm
 * command whatever it is, so they too take the lock briefly when a journal is lying around.
 */
export async function recoverIfInterrupted(dir: string, out: Output, waitSeconds: number, command: string): Promise<string[]> {
  const ws = await uvWorkspaceOf(dir);
  if (![dir, ...(ws ? [ws.root] : [])].some((d) => existsSync(join(d, '.hsm', 'txn', 'journal.json')))) return [];
  const lock = await acquireProjectLock(dir, { waitSeconds, command });
  try {
    return await recoverHeld(dir, out);
  } finally {
    await lock.release();
  }
}

/** Rolls back an interrupted sync (the caller holds the project lock); returns the files it covered. */
async function recoverHeld(dir: string, out: Output): Promise<string[]> {
  // a sync in a uv workspace member journals at the workspace root (it guards the root's uv.lock)
  const ws = await uvWorkspaceOf(dir);
  let r = await recoverInterrupted(dir);
  if (!r.recovered && ws) r = await recoverInterrupted(ws.root);
  if (!r.recovered) return [];
  out.log(out.style.yellow(`rolled back an interrupted sync (${r.files.join(', ') || 'no files changed'})`));
  return r.files;
}

export async function syncProject(dir: string, out: Output, opts: SyncOptions): Promise<SyncReport> {
  const readOnly = Boolean(opts.dryRun || opts.check);
  const recoveredEarly = readOnly ? await recoverIfInterrupted(dir, out, opts.waitSeconds, opts.command) : [];
  const lock = readOnly ? null : await acquireProjectLock(dir, {
    waitSeconds: opts.waitSeconds,
    command: opts.command,
    onWait: (h) => out.log(`waiting for another hsm (pid ${h.pid}, \`${h.command}\`) to release ${dir}/.hsm/lock…`),
  });
  try {
    const recovered = readOnly ? recoveredEarly : await recoverHeld(dir, out);
    const { files, project, resolution, manifestText, overlayText } = await resolveProject(dir, out, opts);
    const plan = planSync({
      manifest: project.manifest,
      manifestText,
      overlayText,
      files,
      resolution,
      checkoutExists: (c) => existsSync(checkoutDir(dir, c)),
      projectDir: dir,
    });
    // only a new compose file needs the schema check: an unchanged one passed it when it was written
    const generated = plan.changes.find((c) => c.path === GENERATED_COMPOSE)?.after;
    if (generated) await validateComposeSchema(generated);
    if (opts.frozen && plan.changes.some((c) => c.path === 'hsm.lock')) {
      throw new HsmError(ErrorCodes.LOCK_OUTDATED, 'hsm.lock does not match hsm.yaml and --frozen forbids updating it', {
        hint: 'run `hsm sync` without --frozen and commit the new hsm.lock',
      });
    }
    const diff = lockDiff(project.lock, plan.lock);
    const base = { plan, ...diff, recovered };
    if (readOnly) return { ...base, written: [], ranUv: false };

    let changes = plan.changes;
    if (opts.manifestOnly) changes = changes.filter((c) => c.path === 'hsm.yaml' || c.path === 'hsm.local.yaml');
    const runUv = plan.python && !opts.noInstall && !opts.manifestOnly;
    const composeCheck = async () => {
      if (opts.noInstall || opts.manifestOnly || plan.composeFiles.length === 0) return;
      const compose = await detectCompose();
      // Compose v1 predates the Compose Specification (`name`, `include`, `pull_policy: missing`): it would
      // reject valid files, so only v2+ gets the say; the JSON Schema check has already run either way.
      if (compose && Number(compose.version.split('.')[0]) >= 2) await composeConfigCheck(dir, plan.composeFiles, plan.projectName);
      else out.debug(`${compose ? `Compose ${compose.version} is older than v2` : 'no Docker Compose installed'}: checked the compose file against the Compose Specification schema only`);
    };
    const uv = async (signal?: AbortSignal) => {
      const done = out.step('Running uv sync');
      try {
        await uvSync(dir, { frozen: opts.frozen, offline: opts.offline, quiet: out.quiet || out.json, verbose: out.verbose, signal });
      } finally {
        done();
      }
    };
    const remember = () => {
      // a registry service can change between syncs: its revalidation is the point, so no fast path with one
      if (opts.manifestOnly || opts.noInstall || (project.manifest.registries ?? []).some((r) => 'url' in r)) return;
      writeSyncState(dir, {
        registries: (project.manifest.registries ?? []).flatMap((r) => ('path' in r ? [absolute(dir, r.path)] : [])),
        checkouts: plan.resolution.components.filter((c) => c.mode === 'dev').map((c) => checkoutDir(dir, c)),
        python: plan.python,
        catalog: project.manifest.builtin === false ? null : builtinCatalogPath(),
      });
    };
    if (changes.length === 0) {
      if (runUv) await uv();
      remember();
      return { ...base, written: [], ranUv: runUv };
    }
    // In a uv workspace member, uv writes the workspace root's uv.lock (and syncs its .venv): the transaction is
    // rooted there so that lock is journaled and restored with the rest (issue 9 item 2).
    const ws = await uvWorkspaceOf(dir);
    const txnRoot = ws ? ws.root : dir;
    const prefix = ws ? `${ws.member}/` : '';
    const lockBefore = existsSync(join(txnRoot, 'uv.lock'));
    try {
      await applyFiles(
        txnRoot,
        changes.map((c) => ({ path: prefix + c.path, after: c.after })),
        {
          alsoGuard: runUv ? ['uv.lock'] : [],
          afterWrite: async ({ signal }) => {
            if (runUv) await uv(signal);
            await composeCheck();
          },
        },
      );
    } catch (e) {
      // files are restored; bring .venv back in line with the restored uv.lock (best effort, reported)
      // (with no uv.lock before this sync there is no earlier environment to go back to)
      if (runUv && lockBefore && existsSync(join(dir, 'pyproject.toml'))) {
        try {
          out.log('restoring the environment to match the previous uv.lock…');
          await uvSync(dir, { frozen: true, offline: opts.offline, quiet: true });
        } catch {
          out.log(out.style.yellow('could not restore .venv; run `uv sync` once the problem is fixed'));
        }
      }
      throw e;
    }
    remember();
    return { ...base, written: changes.map((c) => c.path), ranUv: runUv };
  } finally {
    await lock?.release();
  }
}

function lockDiff(before: Lockfile | null, after: Lockfile) {
  const b = before?.components ?? {};
  const a = after.components;
  const added = Object.keys(a).filter((k) => !(k in b)).map((k) => `${k} ${a[k].version}`);
  const removed = Object.keys(b).filter((k) => !(k in a)).map((k) => `${k} ${b[k].version}`);
  const changed = Object.keys(a).filter((k) => k in b && b[k].version !== a[k].version).map((k) => `${k} ${b[k].version} -> ${a[k].version}`);
  return { added, removed, changed };
}

export function summarize(report: SyncReport, out: Output): string {
  if (out.quiet) return '';
  const lines: string[] = [];
  const s = out.style;
  for (const a of report.added) lines.push(s.green(` + ${a}`));
  for (const c of report.changed) lines.push(s.yellow(` ~ ${c}`));
  for (const r of report.removed) lines.push(s.red(` - ${r}`));
  if (report.written.length) lines.push(`Updated ${report.written.join(', ')}`);
  else lines.push('Nothing to change: artifacts match hsm.yaml');
  return lines.join('\n');
}

export function resolutionJson(r: Resolution) {
  return r.components.map((c) => ({ name: c.name, version: c.version, registry: c.registry, mode: c.mode, digest: c.digest }));
}
