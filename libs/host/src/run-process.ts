/**
 * The one place hsm spawns child processes (uv, docker, git): argument arrays, never a shell, always awaited.
 * A failure becomes an HsmError carrying the command, exit code and the tail of stderr.
 * node:child_process rather than execa: nothing more to load, and the CLI's start-up budget is tight.
 */
import type * as ChildProcesses from 'node:child_process';
import { createRequire } from 'node:module';
import { HsmError, ErrorCodes, type ErrorCode } from '@hsm/core/errors'; // the error type alone: keeps the CLI's no-op path lean

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Pass the child's stdout/stderr straight to ours (uv's own progress and messages). 'stderr' sends both to
   * our stderr, for commands run while our stdout is reserved for `--json` output.
   */
  inherit?: boolean | 'stderr';
  /** Called with each chunk of stderr when not inherited (for progress). */
  onStderr?: (chunk: string) => void;
  input?: string;
  timeoutMs?: number;
  /** Error code when the command exits non-zero (default HSM_PROCESS_FAILED). */
  errorCode?: ErrorCode;
  /** Hint when it fails. */
  hint?: string;
  /** Do not throw on a non-zero exit; return the result instead. */
  allowFailure?: boolean;
  signal?: AbortSignal;
}

export interface RunResult {
  command: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function commandLine(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

// node:child_process (which loads net, dgram and streams: ~5 ms of Node's own compiling) is loaded at the first
// spawn, not with the module: `hsm add --no-sync` and other file-only commands spawn nothing (spec §12)
const nodeRequire = createRequire(import.meta.url);

export function runProcess(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = argv;
  const { spawn } = nodeRequire('node:child_process') as typeof ChildProcesses;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      shell: false,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', options.inherit === 'stderr' ? 2 : options.inherit ? 'inherit' : 'pipe', options.inherit ? 'inherit' : 'pipe'],
      signal: options.signal,
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      options.onStderr?.(d);
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        reject(new HsmError(ErrorCodes.PROCESS_FAILED, `\`${file}\` is not installed or not on PATH`, { hint: options.hint ?? 'run `hsm doctor`', cause: e }));
      } else reject(new HsmError(ErrorCodes.PROCESS_FAILED, `could not run \`${commandLine(argv)}\`: ${e.message}`, { cause: e, hint: options.hint }));
    });
    child.on('close', (code, signal) => {
      const exitCode = code ?? (signal ? 128 : 1);
      const result = { command: argv, exitCode, stdout, stderr };
      if (exitCode === 0 || options.allowFailure) return resolve(result);
      const tail = stderr.trim().split('\n').slice(-15);
      reject(
        new HsmError(options.errorCode ?? ErrorCodes.PROCESS_FAILED, `\`${commandLine(argv)}\` failed with exit code ${exitCode}${signal ? ` (${signal})` : ''}`, {
          hint: options.hint,
          details: options.inherit ? [] : tail,
        }),
      );
    });
  });
}
