/** Scratch directories and byte snapshots of a project, for every test tier (one place for each helper). */
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the system temp dir. */
export function tempDir(prefix = 'hsm-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** The same, synchronously, named `hsm-<prefix>-…` (the transaction tests' scratch projects). */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `hsm-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The files hsm writes or edits in a project. */
const ARTIFACTS = ['hsm.yaml', 'hsm.local.yaml', 'hsm.lock', 'pyproject.toml', 'uv.lock', 'docker-compose.yml', 'docker-compose.hsm.yml', 'hsm.env', '.env'];

/** Bytes (or null when absent) of each artifact, for "byte-identical" assertions. */
export function snapshot(dir: string, files: string[] = ARTIFACTS): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const f of files) out[f] = existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'latin1') : null;
  return out;
}

/** Every file and folder under `dir` except `.hsm/`: path → mode + bytes (hex), for "nothing else changed either". */
export function treeSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      if (child === '.hsm') continue;
      const stat = lstatSync(join(dir, child));
      const mode = (stat.mode & 0o7777).toString(8);
      if (stat.isDirectory()) {
        out[`${child}/`] = `dir ${mode}`;
        walk(child);
      } else out[child] = `${mode} ${readFileSync(join(dir, child)).toString('hex')}`;
    }
  };
  walk('');
  return out;
}

export function mtimes(dir: string, files: string[] = ARTIFACTS): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const f of files) out[f] = existsSync(join(dir, f)) ? statSync(join(dir, f)).mtimeMs : null;
  return out;
}
