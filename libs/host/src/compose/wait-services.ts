/**
 * `hsm up` waits until the stack is ready (issue 17): polls `docker compose ps --all --format json` until every
 * service with a healthcheck is healthy, every service without one is running, and every one-shot service has
 * exited 0. Not `up --wait`: Compose fails it when a one-shot service exits 0 (docker/compose#10596), and its
 * failure does not say why. On a failure the last healthcheck output (`docker inspect`) and the last log lines
 * are collected, so the error can show them.
 */
import { HsmError, ErrorCodes } from '@hsm/core';
import { composeExec } from './compose.js';
import { runProcess } from '../run-process.js';

/** What a service is doing, as `hsm up` shows it. */
export type ServicePhase = 'created' | 'starting' | 'running' | 'healthy' | 'completed' | 'unhealthy' | 'exited' | 'restarting' | 'dead';

export interface ServiceStatus {
  service: string;
  container: string;
  phase: ServicePhase;
  /** For `exited`, `completed` and `restarting`: the last exit code. */
  exitCode?: number;
}

/** One row of `docker compose ps --format json` (the fields hsm reads). */
export interface PsRow {
  Service?: string;
  Name?: string;
  State?: string;
  Health?: string;
  ExitCode?: number;
}

const READY: ReadonlySet<ServicePhase> = new Set(['running', 'healthy', 'completed']);
const FAILED: ReadonlySet<ServicePhase> = new Set(['unhealthy', 'exited', 'restarting', 'dead']);

export function isReady(s: ServiceStatus): boolean {
  return READY.has(s.phase);
}

export function hasFailed(s: ServiceStatus): boolean {
  return FAILED.has(s.phase);
}

/** `starting`, `healthy`, `exited 3`: the words `hsm up` prints for a service. */
export function describePhase(s: ServiceStatus): string {
  if (s.phase === 'completed') return 'exited 0 (completed)';
  if (s.phase === 'exited') return `exited ${s.exitCode ?? '?'}`;
  if (s.phase === 'restarting') return `restarting (exited ${s.exitCode ?? '?'})`;
  return s.phase;
}

/** Pure: one ps row → the service's phase. A container that restarts has exited at least once: a failure. */
export function phaseOf(row: PsRow): ServiceStatus {
  const state = (row.State ?? '').toLowerCase();
  const health = (row.Health ?? '').toLowerCase();
  const exitCode = typeof row.ExitCode === 'number' ? row.ExitCode : undefined;
  const base = { service: row.Service ?? row.Name ?? '?', container: row.Name ?? row.Service ?? '?' };
  let phase: ServicePhase;
  if (state === 'running') phase = health === 'healthy' ? 'healthy' : health === 'unhealthy' ? 'unhealthy' : health === 'starting' ? 'starting' : 'running';
  else if (state === 'exited') phase = exitCode === 0 ? 'completed' : 'exited';
  else if (state === 'restarting') phase = 'restarting';
  else if (state === 'dead' || state === 'removing') phase = 'dead';
  else phase = 'created'; // created, paused: not there yet
  return { ...base, phase, ...(exitCode !== undefined && phase !== 'running' && phase !== 'healthy' && phase !== 'starting' ? { exitCode } : {}) };
}

/** Pure: `ps --format json` output (one object per line since Compose 2.21; one array before) → statuses by service. */
export function parsePs(stdout: string): ServiceStatus[] {
  const text = stdout.trim();
  if (text === '') return [];
  const rows: PsRow[] = text.startsWith('[')
    ? (JSON.parse(text) as PsRow[])
    : text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as PsRow);
  return rows.map(phaseOf).sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.container < b.container ? -1 : 1));
}

export interface WaitOptions {
  /** Only these services (what `hsm up SERVICE…` started); all of the project's when empty. */
  services?: string[];
  timeoutMs: number;
  pollMs?: number;
  /** Called with every service's status whenever one changes. */
  onChange?: (statuses: ServiceStatus[]) => void;
  /** Log lines to collect from a failed service. */
  logLines?: number;
  /**
   * How long a service without a healthcheck must stay running to count as ready (default 1 s), so one that
   * crashes right after its start is caught instead of being seen running once.
   */
  settleMs?: number;
}

export type WaitOutcome =
  | { ok: true; statuses: ServiceStatus[] }
  | {
      ok: false;
      reason: 'timeout' | 'failed';
      /** The service that failed, or the first not ready at the timeout. */
      failed: ServiceStatus;
      statuses: ServiceStatus[];
      /** Output of its last healthcheck run, if it has one. */
      healthOutput: string | null;
      logTail: string[];
    };

export async function waitForServices(projectDir: string, files: string[], projectName: string, options: WaitOptions): Promise<WaitOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? 500;
  const settleMs = options.settleMs ?? 1000;
  const runningSince = new Map<string, number>();
  const settled = (s: ServiceStatus): boolean => {
    if (s.phase !== 'running') return isReady(s);
    const since = runningSince.get(s.container) ?? Date.now();
    runningSince.set(s.container, since);
    return Date.now() - since >= settleMs;
  };
  let last = '';
  for (;;) {
    const ps = await composeExec(projectDir, files, projectName, ['ps', '--all', '--format', 'json', ...(options.services ?? [])], { capture: true });
    if (ps.exitCode !== 0) {
      throw new HsmError(ErrorCodes.COMPOSE_FAILED, `\`docker compose ps\` failed (exit ${ps.exitCode}) while waiting for the stack`, {
        details: ps.stderr.trim().split('\n').slice(-5),
        hint: 'see `hsm ps`; `hsm up --detach-only` starts the stack without waiting',
      });
    }
    const statuses = parsePs(ps.stdout);
    const key = JSON.stringify(statuses);
    if (key !== last) {
      last = key;
      options.onChange?.(statuses);
    }
    const failed = statuses.find(hasFailed);
    if (failed) return failure('failed', failed, statuses);
    for (const s of statuses) if (s.phase !== 'running') runningSince.delete(s.container);
    const ready = statuses.map(settled);
    if (ready.every(Boolean)) return { ok: true, statuses };
    if (Date.now() >= deadline) {
      // name a service that is still starting before one that is only settling
      const late = statuses.filter((_, i) => !ready[i]);
      return failure('timeout', late.find((s) => s.phase !== 'running') ?? late[0], statuses);
    }
    await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
  }

  async function failure(reason: 'timeout' | 'failed', failed: ServiceStatus, statuses: ServiceStatus[]): Promise<WaitOutcome> {
    const [healthOutput, logTail] = await Promise.all([lastHealthOutput(failed.container), logTailOf(failed.service)]);
    return { ok: false, reason, failed, statuses, healthOutput, logTail };
  }

  async function logTailOf(service: string): Promise<string[]> {
    const r = await composeExec(projectDir, files, projectName, ['logs', '--no-color', '--no-log-prefix', '--tail', String(options.logLines ?? 20), service], { capture: true });
    return `${r.stdout}${r.stderr}`
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l !== '');
  }
}

/** HSM_SERVICE_NOT_READY (exit 1): the service, why, its last healthcheck output and log lines, `hsm logs` as the hint. */
export function notReadyError(outcome: Extract<WaitOutcome, { ok: false }>, timeout: number): HsmError {
  const s = outcome.failed;
  const what = outcome.reason === 'timeout' ? `was not ready within ${timeout} s (${describePhase(s)})` : s.phase === 'unhealthy' ? 'is unhealthy' : describePhase(s);
  const details = [
    ...(outcome.healthOutput !== null ? [`last healthcheck: ${outcome.healthOutput.split('\n').slice(-5).join(' | ')}`] : []),
    ...(outcome.logTail.length ? [`last log lines of ${s.service}:`, ...outcome.logTail.slice(-10).map((l) => `  ${l}`)] : [`${s.service} logged nothing`]),
  ];
  return new HsmError(ErrorCodes.SERVICE_NOT_READY, `service \`${s.service}\` ${what}`, {
    details,
    hint: `hsm logs ${s.service}${outcome.reason === 'timeout' ? ` (or wait longer: hsm up --timeout ${timeout * 2})` : ''}`,
  });
}

/** The output of the container's most recent healthcheck run, or null when it has no healthcheck. */
export async function lastHealthOutput(container: string): Promise<string | null> {
  const r = await runProcess(['docker', 'inspect', '--format', '{{json .State.Health}}', container], { allowFailure: true, timeoutMs: 15_000 });
  if (r.exitCode !== 0) return null;
  try {
    const health = JSON.parse(r.stdout) as { Log?: Array<{ Output?: string; ExitCode?: number }> } | null;
    const log = health?.Log ?? [];
    const entry = log[log.length - 1];
    return entry ? `${(entry.Output ?? '').trim()}${entry.ExitCode !== undefined ? ` (exit ${entry.ExitCode})` : ''}`.trim() : null;
  } catch {
    return null;
  }
}
