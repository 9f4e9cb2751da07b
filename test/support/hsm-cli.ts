/** Runs the built `hsm` binary in a temp project, as a user would, and snapshots files for byte comparisons. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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

export function tempDir(prefix = 'hsm-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export const ARTIFACTS = ['hsm.yaml', 'hsm.local.yaml', 'hsm.lock', 'pyproject.toml', 'uv.lock', 'docker-compose.yml', 'docker-compose.hsm.yml', 'hsm.env', '.env'];

/** Bytes (or null when absent) of each artifact, for "byte-identical" assertions. */
export function snapshot(dir: string, files: string[] = ARTIFACTS): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const f of files) out[f] = existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'latin1') : null;
  return out;
}

export function mtimes(dir: string, files: string[] = ARTIFACTS): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const f of files) out[f] = existsSync(join(dir, f)) ? statSync(join(dir, f)).mtimeMs : null;
  return out;
}

/** The error code of a failed run: from --json output, or the `error[CODE]` line. */
export function errorCode(run: HsmRun): string | undefined {
  if (run.json?.error?.code) return run.json.error.code;
  return /error\[([A-Z_]+)\]/.exec(run.stderr)?.[1];
}
