/** Runs the built `hsm` binary in a temp project, as a user would. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HSM_BIN = join(REPO, 'apps', 'cli', 'bin', 'hsm.js');

export interface HsmRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when --json was given. */
  json?: any;
}

export function hsm(args: string[], options: { cwd: string; env?: Record<string, string>; input?: string }): Promise<HsmRun> {
  if (!existsSync(join(REPO, 'apps', 'cli', 'dist', 'main.js'))) throw new Error('build hsm first: npm run build');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HSM_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.stdin.end(options.input ?? '');
    child.on('error', reject);
    child.on('close', (code) => {
      let json: unknown;
      if (args.includes('--json')) {
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
      }
      resolve({ code: code ?? 1, stdout, stderr, json });
    });
  });
}

// scratch directories and snapshots live in files.ts; re-exported for the CLI tests that import them from here
export { mtimes, snapshot, tempDir } from './files.js';

/** The error code of a failed run: from --json output, or the `error[CODE]` line. */
export function errorCode(run: HsmRun): string | undefined {
  if (run.json?.error?.code) return run.json.error.code;
  return /error\[([A-Z_]+)\]/.exec(run.stderr)?.[1];
}
