/**
 * The sync pipeline every command goes through (SPEC §7): take the project lock (read-only commands only when an
 * interrupted sync must be rolled back), recover, read and resolve once (loadProject), plan in core (planSync,
 * pure), check the plan, then apply it in one journaled transaction (applyPlan). `status`, `plan`, `sync --check`
 * and every editing command call syncProject, so they cannot disagree about what hsm.yaml gives.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HsmError, ErrorCodes, planSync, plannedCompose, portOptionFor, sortKeys, validateComposeModel, instanceDotenvPath, withInstance, type InstancePlan, type SyncPlan } from '@hsm/core';
import { refusePortsInUse } from '../compose/host-ports.js';
import { acquireProjectLock } from '../txn/project-lock.js';
import { recoverInterrupted } from '../txn/recover-interrupted.js';
import { uvWorkspaceOf } from '../uv/workspace.js';
import { loadProject, checkoutsPresent, type LoadedProject, type LoadOptions, type ProjectEdit } from './load-project.js';
import { JOURNAL_FILE } from './find-project-dir.js';
import { applyPlan, type ApplyOptions } from './apply-plan.js';
import { dotenvIgnored, instanceOf, refuseTrackedDotenv, writeInstanceEnv } from './instance.js';
import { refreshSchemaCopies } from '../txn/schema-copy.js';

/** Where the pipeline reports progress (the CLI's output, styled there). */
export interface Reporter {
  log(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  step(label: string): () => void;
  /** No progress from uv either (`--quiet`, `--json`). */
  quiet: boolean;
  verbose: boolean;
}

export interface SyncOptions extends Omit<ApplyOptions, 'reporter'>, Pick<LoadOptions, 'builtin' | 'refresh' | 'folderCache'> {
  command: string;
  waitSeconds: number;
  /** plan, status, sync --check: compute the plan, write nothing. */
  readOnly?: boolean;
  upgrade?: boolean | string[];
  edit?: ProjectEdit;
  /** Do not refuse host ports something else on this machine listens on (CI with its own service containers). */
  noPortCheck?: boolean;
  /**
   * The JSON Schemas of the hsm that runs (null: none shipped): `.hsm/` gets a copy when hsm.yaml's `$schema`
   * line points there (docs/user-guide.md "Editor support").
   */
  schemaDir?: string | null;
  /** Runs inside the lock after the resolve, before planning (`hsm mode … dev` clones a missing checkout). */
  beforePlan?: (project: LoadedProject) => Promise<void>;
}

export interface SyncReport {
  project: LoadedProject;
  plan: SyncPlan;
  written: string[];
  added: string[];
  removed: string[];
  changed: string[];
  ranUv: boolean;
  recovered: string[];
  /** This checkout's instance: slot, Compose project name, host ports (issue 12). */
  instance: InstancePlan;
}

/** Rolls back an interrupted sync (the caller holds the project lock); returns the files it covered. */
async function recoverHeld(dir: string, reporter: Reporter): Promise<string[]> {
  // a sync in a uv workspace member journals at the workspace root (it guards the root's uv.lock)
  let r = await recoverInterrupted(dir);
  const ws = r.recovered ? null : await uvWorkspaceOf(dir);
  if (ws) r = await recoverInterrupted(ws.root);
  if (!r.recovered) return [];
  reporter.warn(`rolled back an interrupted sync (${r.files.join(', ') || 'no files changed'})`);
  return r.files;
}

/**
 * For read-only commands: an interrupted sync is rolled back by the next hsm command whatever it is, so they too
 * take the lock briefly when a journal is lying around.
 */
export async function recoverIfInterrupted(dir: string, reporter: Reporter, waitSeconds: number, command: string): Promise<string[]> {
  const ws = await uvWorkspaceOf(dir);
  if (![dir, ...(ws ? [ws.root] : [])].some((d) => existsSync(join(d, JOURNAL_FILE)))) return [];
  const lock = await acquireProjectLock(dir, { waitSeconds, command });
  try {
    return await recoverHeld(dir, reporter);
  } finally {
    await lock.release();
  }
}

/**
 * Step two: core's pure planner on what loadProject read (plus which dev checkouts exist). `writing`: the plan is
 * for a command that writes (it also turns an older hsm's absolute `$schema` line into the relative one).
 */
export function planProject(project: LoadedProject, writing = false): SyncPlan {
  return planSync({
    manifest: project.manifest,
    manifestText: project.manifestText,
    overlayText: project.overlayText,
    files: project.files,
    lock: project.lock,
    resolution: project.resolution,
    checkouts: checkoutsPresent(project),
    projectDir: project.dir,
    overlay: project.overlay,
    portableSchemaLine: writing,
  });
}

/** `hsm why`: the project read and resolved (after recovering an interrupted sync), no plan. */
export async function inspectProject(dir: string, reporter: Reporter, options: Pick<SyncOptions, 'command' | 'waitSeconds' | 'builtin' | 'offline' | 'refresh' | 'folderCache' | 'schemaDir'>): Promise<LoadedProject> {
  await recoverIfInterrupted(dir, reporter, options.waitSeconds, options.command);
  const project = await loadProject(dir, { builtin: options.builtin, offline: options.offline, refresh: options.refresh, folderCache: options.folderCache, log: (m) => reporter.debug(m), step: (l) => reporter.step(l) });
  refreshSchemaCopies(dir, project.manifestText, options.schemaDir);
  return project;
}

export async function syncProject(dir: string, reporter: Reporter, options: SyncOptions): Promise<SyncReport> {
  const readOnly = Boolean(options.readOnly);
  const recoveredEarly = readOnly ? await recoverIfInterrupted(dir, reporter, options.waitSeconds, options.command) : [];
  const lock = readOnly
    ? null
    : await acquireProjectLock(dir, {
        waitSeconds: options.waitSeconds,
        command: options.command,
        onWait: (h) => reporter.log(`waiting for another hsm (pid ${h.pid}, \`${h.command}\`) to release ${dir}/.hsm/lock…`),
      });
  try {
    const recovered = readOnly ? recoveredEarly : await recoverHeld(dir, reporter);
    const project = await loadProject(dir, {
      offline: options.offline,
      refresh: options.refresh,
      folderCache: options.folderCache,
      upgrade: options.upgrade,
      edit: options.edit,
      builtin: options.builtin,
      log: (m) => reporter.debug(m),
      step: (l) => reporter.step(l),
    });
    if (options.beforePlan) await options.beforePlan(project);
    const planned = planProject(project, !readOnly);
    // from the hsm.yaml this command leaves (a rewritten `$schema` line included), not from a second read
    refreshSchemaCopies(dir, planned.changes.find((c) => c.path === 'hsm.yaml')?.after ?? project.files['hsm.yaml'], options.schemaDir);
    // this checkout's Compose project name and host ports: in `.env`'s hsm block, never in a committed file
    const quick = Boolean(options.manifestOnly);
    const instance = await instanceOf(project, planned, { store: !readOnly && !quick, quick });
    const plan = quick ? planned : withInstance(planned, project.files['.env'], instance);
    // only a new compose file needs the schema check: an unchanged one passed it when it was written
    if (plan.composeModel) await validateComposeModel(sortKeys(plan.composeModel));
    if (options.frozen && plan.changes.some((c) => c.path === 'hsm.lock')) {
      throw new HsmError(ErrorCodes.LOCK_OUTDATED, 'hsm.lock does not match hsm.yaml and --frozen forbids updating it', {
        hint: 'run `hsm sync` without --frozen and commit the new hsm.lock',
      });
    }
    const base = { project, plan, ...plan.lockChanges, recovered, instance };
    if (readOnly) return { ...base, written: [], ranUv: false };
    const dotenvFile = instanceDotenvPath(plan);
    await refuseTrackedDotenv(dir, instance, project.files['.env'], dotenvFile);
    // a new compose file publishing a host port something else on this machine holds is refused before writing
    // (issue 11); `--no-install` (files only) and `--no-port-check` skip it
    const generated = plannedCompose(plan, project.files);
    // (a second checkout's ports were chosen free just now)
    if (generated.changed && generated.text && instance.slot === 0 && !options.manifestOnly && !options.noInstall && !options.noPortCheck) {
      await refusePortsInUse(generated.text, plan.projectName, (c, p) => portOptionFor(plan.configured, c, p));
    }
    const applied = await applyPlan(project, plan, { ...options, reporter });
    if (!options.manifestOnly) await writeInstanceEnv(dir, instance);
    // an untracked, unignored .env would show in `git status` (projects set up before `hsm init` ignored it)
    if (instance.slot !== 0 && applied.written.includes(dotenvFile) && !(await dotenvIgnored(dir, dotenvFile))) {
      reporter.warn(`${dotenvFile} now holds this checkout's Compose project name and ports, and git does not ignore it: add \`.env\` to .gitignore`);
    }
    return { ...base, ...applied };
  } finally {
    await lock?.release();
  }
}
