/** Shared by the transaction tests: the bundled driver (scratch dirs and snapshots: test/support/files.ts). */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { scratchDir } from '../support/files.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

/** Bundles test/txn/driver.ts with libs/host/src into one file: always built from the current source. */
export async function buildDriver(): Promise<string> {
  const outfile = path.join(scratchDir('driver'), 'driver.mjs');
  await build({
    entryPoints: [path.join(here, 'driver.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The transaction code needs only the error type: bundle just that, not the rest of core in progress.
    plugins: [
      {
        name: 'hsm-core-errors',
        setup(b) {
          b.onResolve({ filter: /^@hsm\/core(\/errors)?$/ }, () => ({ path: path.join(repo, 'libs/core/src/errors.ts') }));
        },
      },
    ],
    logLevel: 'error',
  });
  return outfile;
}

interface DriverRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The parsed last stdout line, if any. */
  result?: { ok?: unknown; error?: string; message?: string };
}

interface DriverOptions {
  env?: Record<string, string>;
  /** Called with each stderr line as it arrives, with the child to signal. */
  onStderrLine?: (line: string, child: ReturnType<typeof spawn>) => void;
}

export function runDriver(driver: string, args: string[], options: DriverOptions = {}): Promise<DriverRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [driver, ...args], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      partial += d;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onStderrLine?.(line, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const last = stdout.trim().split('\n').pop();
      let result;
      try {
        result = last ? JSON.parse(last) : undefined;
      } catch {
        result = undefined;
      }
      resolve({ code, signal, stdout, stderr, result });
    });
  });
}
