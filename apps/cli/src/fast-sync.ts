/** `hsm sync` when nothing changed since the last sync (libs/host sync-state.ts): only `uv sync` runs. */
import { isHsmError } from '@hsm/core/errors';
import { uvSync } from '@hsm/host/uv';
import { matchingState, findProjectDir, workingDirectory } from '@hsm/host/sync-state';
import { createOutput } from './output.js';
import { VERSION } from './version.js';

const ALLOWED = new Set(['-q', '--quiet', '--no-color', '--offline', '--frozen', '--json']);

/** Returns an exit code when the fast path handled the command, or null to take the full path. */
export async function fastSync(argv: string[]): Promise<number | null> {
  let cwd = workingDirectory();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-C' && i + 1 < argv.length) cwd = argv[++i];
    else rest.push(argv[i]);
  }
  if (rest[0] !== 'sync' || !rest.slice(1).every((a) => ALLOWED.has(a))) return null;
  let dir: string;
  try {
    dir = findProjectDir(cwd);
  } catch {
    return null; // the full path reports it
  }
  const state = matchingState(dir, VERSION);
  if (!state) return null;
  const flags = new Set(rest);
  const out = createOutput({
    json: flags.has('--json'),
    quiet: flags.has('-q') || flags.has('--quiet'),
    verbose: false,
    color: !flags.has('--no-color') && !process.env.NO_COLOR && Boolean(process.stderr.isTTY),
  });
  try {
    if (state.python) await uvSync(dir, { frozen: flags.has('--frozen'), offline: flags.has('--offline'), quiet: out.quiet || out.json, lock: state.lock });
  } catch (e) {
    if (!isHsmError(e)) throw e;
    out.error(e);
    return e.exitCode;
  }
  out.data({ written: [], added: [], removed: [], changed: [], recovered: [], ranUv: state.python }, out.quiet ? '' : 'Nothing to change: artifacts match hsm.yaml');
  return 0;
}
