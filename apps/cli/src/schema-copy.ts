/**
 * Keeps the `$schema` line of hsm.yaml working on every machine (docs/user-guide.md "Editor support"): a project
 * whose line points at `.hsm/` gets that copy of the schemas refreshed by every hsm command, and a real `hsm sync`
 * (or a command that edits the manifest) rewrites the absolute-path line older versions wrote. Best effort: a
 * project hsm cannot read or lock here is reported by the command itself, never by this side job.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST_SCHEMA_PATH, isMachineSchemaPath, portableSchemaModeline, schemaModelineTarget } from '@hsm/core/modeline';
import { keepSchemaCopies } from '@hsm/host/schema-copy';

const SCHEMA_FILES = ['hsm.schema.json', 'hsm.local.schema.json'];
/** Commands after which hsm.yaml may be rewritten (they change the project anyway), unless only previewing. */
const WRITING = new Set(['sync', 'add', 'remove', 'mode', 'use']);

/** The JSON Schemas this hsm ships: dist/schemas next to the bundle, or schemas/ of a clone. */
export function bundledSchemaDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const d of [join(here, 'schemas'), join(here, '..', '..', '..', 'schemas')]) if (existsSync(join(d, 'hsm.schema.json'))) return d;
  return null;
}

/** Refreshes `.hsm/*.schema.json` of a project whose hsm.yaml points there; returns the files written. */
export function refreshSchemaCopies(projectDir: string, manifestText: string): string[] {
  if (schemaModelineTarget(manifestText) !== MANIFEST_SCHEMA_PATH) return [];
  const dir = bundledSchemaDir();
  if (!dir) return [];
  return keepSchemaCopies(projectDir, Object.fromEntries(SCHEMA_FILES.map((f) => [f, readFileSync(join(dir, f), 'utf8')])));
}

function projectOf(argv: string[]): string | null {
  let cwd = process.cwd();
  for (let i = 0; i < argv.length; i++) if (argv[i] === '-C' && i + 1 < argv.length) cwd = argv[i + 1];
  let dir = resolve(cwd);
  while (!existsSync(join(dir, 'hsm.yaml'))) {
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  return dir;
}

/** Runs before every command (apps/cli/src/main.ts). */
export async function keepSchemaCurrent(argv: string[]): Promise<void> {
  try {
    const dir = projectOf(argv);
    if (!dir) return;
    let text = readFileSync(join(dir, 'hsm.yaml'), 'utf8');
    const command = argv.find((a, i) => !a.startsWith('-') && argv[i - 1] !== '-C' && argv[i - 1] !== '--wait');
    const target = schemaModelineTarget(text);
    if (target && isMachineSchemaPath(target) && WRITING.has(command ?? '') && !argv.some((a) => a === '--check' || a === '--dry-run' || a === '-h' || a === '--help')) {
      const after = portableSchemaModeline(text);
      if (after !== null) text = (await rewriteManifest(dir, text, after)) ?? text;
    }
    refreshSchemaCopies(dir, text);
  } catch {
    // the command that follows reads the same project and reports what is wrong with it
  }
}

/** Replaces hsm.yaml under the project lock when it still holds `before`; returns the new text, or null. */
async function rewriteManifest(dir: string, before: string, after: string): Promise<string | null> {
  const { acquireProjectLock, applyFiles } = await import('@hsm/host');
  const lock = await acquireProjectLock(dir, { waitSeconds: 0, command: 'sync' });
  try {
    if (readFileSync(join(dir, 'hsm.yaml'), 'utf8') !== before) return null;
    await applyFiles(dir, [{ path: 'hsm.yaml', after }]);
    return after;
  } finally {
    await lock.release();
  }
}
