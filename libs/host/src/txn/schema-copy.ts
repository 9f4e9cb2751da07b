/**
 * The project's copy of hsm's JSON Schemas, `.hsm/hsm.schema.json` and `.hsm/hsm.local.schema.json`, which the
 * relative `$schema` line of hsm.yaml points at (libs/core manifest/schema-modeline.ts). `.hsm/` is git-ignored,
 * so each teammate's copy comes from their own hsm and matches the version they run. The commands refresh it from
 * the hsm.yaml text they read anyway (libs/host project/: the sync pipeline, `readManifestText`), never by reading
 * the manifest again.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST_SCHEMA_PATH, schemaModelineTarget } from '@hsm/core/modeline';
import { ensureHsmDir } from './project-path.js';

/** The schema files hsm ships (in the CLI bundle's `schemas/`) and copies into `.hsm/`. */
export const SCHEMA_FILES = ['hsm.schema.json', 'hsm.local.schema.json'];

/** Writes each `{file: text}` into `.hsm/` unless it already holds those bytes; returns the files written. */
export function keepSchemaCopies(projectDir: string, schemas: Record<string, string>): string[] {
  const written: string[] = [];
  let dir: string | undefined;
  for (const [file, text] of Object.entries(schemas)) {
    const target = path.join(projectDir, '.hsm', file);
    let current: string | null = null;
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      current = null;
    }
    if (current === text) continue;
    dir ??= ensureHsmDir(projectDir);
    // write-then-rename: an editor reading the schema meanwhile sees the old or the new file, never half of one
    const temp = path.join(dir, `.${file}.${process.pid}.hsm-tmp`);
    try {
      writeFileSync(temp, text);
      renameSync(temp, target);
    } finally {
      rmSync(temp, { force: true });
    }
    written.push(file);
  }
  return written;
}

/**
 * Refreshes `.hsm/*.schema.json` from `schemaDir` (the schemas of the hsm that runs; null: none shipped) when
 * `manifestText` — hsm.yaml as the command holds it — points its `$schema` line there; returns the files written.
 * Best effort: a copy hsm cannot write costs the editor its completion, never the command its result.
 */
export function refreshSchemaCopies(projectDir: string, manifestText: string, schemaDir: string | null | undefined): string[] {
  if (!schemaDir || schemaModelineTarget(manifestText) !== MANIFEST_SCHEMA_PATH) return [];
  try {
    return keepSchemaCopies(projectDir, Object.fromEntries(SCHEMA_FILES.map((f) => [f, readFileSync(path.join(schemaDir, f), 'utf8')])));
  } catch {
    return [];
  }
}
