/**
 * The Compose adapter: finds a Compose (the v2 `docker compose` plugin first, else a standalone `docker-compose`),
 * checks generated files with `config --quiet`, and runs `up/down/ps/logs` with the project's files and name,
 * passing Compose's output and exit code through. Every process goes through runProcess.
 */
import { HsmError, ErrorCodes } from '@hsm/core';
import { runProcess, type RunResult } from '../run-process.js';

export interface ComposeCommand {
  /** The command to prefix: `['docker', 'compose']` or `['docker-compose']`. */
  argv: string[];
  /** As Compose reports it, without a leading `v`: `2.29.7`, `1.29.2`. */
  version: string;
}

const DETECT_TIMEOUT_MS = 15_000;
const INSTALL_HINT = 'install Docker Engine and the Compose v2 plugin (`docker compose`), then run `hsm doctor`';

async function versionOf(argv: string[]): Promise<string | null> {
  try {
    const r = await runProcess([...argv, 'version', '--short'], { allowFailure: true, timeoutMs: DETECT_TIMEOUT_MS });
    const v = r.stdout.trim().replace(/^v/, '');
    return r.exitCode === 0 && /^\d+\.\d+/.test(v) ? v : null;
  } catch {
    return null; // not installed
  }
}

let detected: Promise<ComposeCommand | null> | undefined;

/**
 * The Compose to use, or null when none is installed. Looked up once per process. Compose v1 (the Python
 * `docker-compose` 1.x, end of life) is passed over: it rejects what the Compose Specification allows and hsm
 * writes (`pull_policy: missing`, top-level `name`), so its check would fail every sync.
 */
export function detectCompose(): Promise<ComposeCommand | null> {
  detected ??= (async () => {
    for (const argv of [['docker', 'compose'], ['docker-compose']]) {
      const version = await versionOf(argv);
      if (version && Number(version.split('.')[0]) >= 2) return { argv, version };
    }
    return null;
  })();
  return detected;
}

async function requireCompose(): Promise<ComposeCommand> {
  const compose = await detectCompose();
  if (!compose) throw new HsmError(ErrorCodes.DOCKER_NOT_FOUND, 'Docker Compose v2 is not installed (neither `docker compose` nor a standalone `docker-compose` 2.x answers)', { hint: INSTALL_HINT });
  return compose;
}

/**
 * `<compose> --project-directory DIR -p NAME -f F1 -f F2 …`. `COMPOSE_PROJECT_NAME` in the environment wins over
 * the stack's name, as it does for the user's own `docker compose` (issue 9 item 6): both see the same stack.
 */
export function composeArgv(compose: ComposeCommand, projectDir: string, files: string[], projectName: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const name = env.COMPOSE_PROJECT_NAME || projectName;
  return [...compose.argv, '--project-directory', projectDir, '-p', name, ...files.flatMap((f) => ['-f', f])];
}

/**
 * Runs `config --quiet` on `files` (relative to `projectDir`). Resolves true when checked, false when no Compose
 * is installed (the schema check still ran at plan time); a file Compose rejects is HSM_COMPOSE_INVALID with
 * Compose's own message.
 */
export async function composeConfigCheck(projectDir: string, files: string[], projectName: string, options: { secretVariables?: string[] } = {}): Promise<boolean> {
  const compose = await detectCompose();
  if (!compose) return false;
  // `${VAR:?…}` (a secret option) stops `config` when VAR is unset; the check is about the file's shape, and the
  // secret is only needed at `up` (which names what is unset), so an unset one gets a placeholder here
  const placeholders = Object.fromEntries((options.secretVariables ?? []).filter((v) => !process.env[v]).map((v) => [v, 'hsm-config-check-placeholder']));
  const r = await runProcess([...composeArgv(compose, projectDir, files, projectName), 'config', '--quiet'], {
    cwd: projectDir,
    env: { ...process.env, ...placeholders },
    allowFailure: true,
    timeoutMs: 60_000,
  });
  if (r.exitCode === 0) return true;
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '');
  const message = lines[lines.length - 1] ?? `exit code ${r.exitCode}`;
  throw new HsmError(ErrorCodes.COMPOSE_INVALID, `\`docker compose config\` rejects ${files.join(', ')}: ${message.replace(/^(error|ERROR):?\s*/, '')}`, {
    details: lines.slice(0, -1).slice(-10),
    hint: 'fix the compose file or the component definition named above, then run `hsm sync` again',
  });
}

export interface ComposeRunOptions {
  /** Capture stdout/stderr instead of passing them to the terminal (for `--json` and tests). */
  capture?: boolean;
  /** Compose's stdout to this process's stderr (`--json`: stdout carries hsm's JSON alone). */
  stdoutToStderr?: boolean;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * Runs `<compose> … ARGS` (`up -d`, `down`, `ps`, `logs -f NAME`) for the project and returns Compose's exit code;
 * its output goes straight to the terminal. Throws only when Compose itself cannot be started.
 */
export async function composeRun(projectDir: string, files: string[], projectName: string, args: string[], options: ComposeRunOptions = {}): Promise<number> {
  const r = await composeExec(projectDir, files, projectName, args, options);
  return r.exitCode;
}

/** Like composeRun, with the full result (captured output when `capture` is set). */
export async function composeExec(projectDir: string, files: string[], projectName: string, args: string[], options: ComposeRunOptions = {}): Promise<RunResult> {
  const compose = await requireCompose();
  return runProcess([...composeArgv(compose, projectDir, files, projectName), ...args], {
    cwd: projectDir,
    inherit: options.capture ? false : options.stdoutToStderr ? 'stderr' : true,
    allowFailure: true,
    env: options.env,
    signal: options.signal,
    hint: INSTALL_HINT,
  });
}

/** The engine's version, or null when no engine answers (or no docker CLI is installed). For `hsm doctor`. */
export async function dockerInfo(): Promise<{ serverVersion: string } | null> {
  try {
    const r = await runProcess(['docker', 'version', '--format', '{{.Server.Version}}'], { allowFailure: true, timeoutMs: DETECT_TIMEOUT_MS });
    const v = r.stdout.trim();
    return r.exitCode === 0 && v !== '' ? { serverVersion: v } : null;
  } catch {
    return null;
  }
}
