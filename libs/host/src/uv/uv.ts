/**
 * The uv adapter: hsm edits pyproject.toml, uv does the locking and installing. One `uv sync` locks and
 * installs; uv's own messages go to our stderr, because our stdout may be reserved for `--json` output.
 */
import { existsSync } from 'node:fs';
import { ErrorCodes, HsmError } from '@hsm/core/errors'; // the error type alone: keeps the CLI's no-op path lean
import { commandLine, runProcess, type RunOptions } from '../run-process.js';

export interface UvOptions {
  /**
   * hsm's `--frozen`: uv.lock must already match pyproject.toml and is never written. Maps to uv's `--locked`
   * (fail when the lock is outdated), not uv's `--frozen`, which would silently install a stale lock.
   */
  frozen?: boolean;
  /** No network: uv resolves and installs from its cache only (`--offline`). */
  offline?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  /** Variables added to our environment for uv (e.g. UV_CACHE_DIR, UV_FIND_LINKS). */
  env?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * The files the transaction puts back when this `uv sync` fails, named as the user opens them from hsm.yaml
   * (`backend/pyproject.toml`, `../uv.lock` in a workspace member); default `pyproject.toml` and `uv.lock`.
   */
  restored?: string[];
  /** The uv.lock as the user opens it from hsm.yaml (`../uv.lock` in a workspace member), for the `--frozen` hint. */
  lock?: string;
}

const INSTALL_HINT = 'python3 -m pip install uv';

/** `uv --version` as `0.13.9`; null when uv is not installed. */
export async function uvVersion(env?: Record<string, string>): Promise<string | null> {
  try {
    const { stdout } = await runProcess(['uv', '--version'], { env: env ? { ...process.env, ...env } : undefined });
    return /^uv (\S+)/.exec(stdout.trim())?.[1] ?? stdout.trim();
  } catch (e) {
    if (isMissingCommand(e)) return null;
    throw e;
  }
}

/** Locks and installs the project's environment (`.venv`) from pyproject.toml: `uv sync`. */
export async function uvSync(projectDir: string, options: UvOptions = {}): Promise<void> {
  await runUv(['sync', ...flags(options)], projectDir, options, {
    hint: options.frozen
      ? `${options.lock ?? 'uv.lock'} does not match pyproject.toml: run \`hsm sync\` without --frozen to update it (or \`uv lock\` in ${projectDir})`
      : options.offline
        ? `if uv's cache lacks a package, run \`hsm sync\` once without --offline`
        : `uv's messages say which requirement it could not meet; hsm has put ${andList(options.restored ?? ['pyproject.toml', 'uv.lock'])} back as they were, so \`hsm plan\` shows the edit uv refused`,
  });
}

function andList(items: string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');
}

function flags(options: UvOptions): string[] {
  return [...(options.frozen ? ['--locked'] : []), ...(options.offline ? ['--offline'] : []), ...(options.quiet ? ['--quiet'] : []), ...(options.verbose ? ['--verbose'] : [])];
}

async function runUv(args: string[], projectDir: string, options: UvOptions, failure: { hint: string }): Promise<void> {
  const argv = ['uv', ...args];
  const run: RunOptions = {
    cwd: projectDir,
    env: { ...process.env, ...options.env },
    errorCode: ErrorCodes.UV_FAILED,
    hint: failure.hint,
    signal: options.signal,
  };
  try {
    if (process.stderr.isTTY) {
      // uv draws its own progress bars on a terminal.
      await runProcess(argv, { ...run, inherit: 'stderr' });
    } else if (options.quiet) {
      // Quiet (or --json): uv's messages are not shown as they come; their tail goes into the error, once.
      await runProcess(argv, run);
    } else {
      // Not a terminal: pass uv's messages through as they come — the error then does not repeat them.
      await runProcess(argv, { ...run, onStderr: (chunk) => process.stderr.write(chunk) }).catch((e: unknown) => {
        throw e instanceof HsmError ? new HsmError(e.code, e.message, { hint: e.hint, cause: e.cause }) : e;
      });
    }
  } catch (e) {
    if (options.signal?.aborted) {
      throw new HsmError(ErrorCodes.INTERRUPTED, `\`${commandLine(argv)}\` was interrupted`, { hint: 'run `hsm sync` again', cause: e });
    }
    if (isMissingCommand(e) && !existsSync(projectDir)) {
      throw new HsmError(ErrorCodes.UV_FAILED, `the project directory ${projectDir} does not exist`, { hint: 'run hsm in the project directory, or pass -C DIR', cause: e });
    }
    if (isMissingCommand(e)) {
      throw new HsmError(ErrorCodes.UV_NOT_FOUND, `uv is not installed or not on PATH (needed to run \`${commandLine(argv)}\`)`, { hint: INSTALL_HINT, cause: e });
    }
    throw e;
  }
}

function isMissingCommand(e: unknown): boolean {
  return e instanceof HsmError && e.code === ErrorCodes.PROCESS_FAILED && (e.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
