/**
 * The project's copy of hsm's JSON Schemas, `.hsm/hsm.schema.json` and `.hsm/hsm.local.schema.json`, which the
 * relative `$schema` line of hsm.yaml points at (libs/core manifest/schema-modeline.ts). `.hsm/` is git-ignored,
 * so each teammate's copy comes from their own hsm and matches the version they run.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureHsmDir } from './project-path.js';

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
