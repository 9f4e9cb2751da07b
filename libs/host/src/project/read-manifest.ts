/**
 * hsm.yaml for a command that reads only the manifest (info, search, outdated, up/down…), outside the sync
 * pipeline: read once, and the project's copy of the schemas refreshed from those same bytes.
 */
import { join } from 'node:path';
import { refreshSchemaCopies } from '../txn/schema-copy.js';
import { readOptional } from './read-project.js';
import { MANIFEST } from './find-project-dir.js';

/** hsm.yaml's text ('' when it vanished since the project was found); `schemaDir` as for refreshSchemaCopies. */
export async function readManifestText(dir: string, schemaDir: string | null | undefined): Promise<string> {
  const text = (await readOptional(join(dir, MANIFEST))) ?? '';
  refreshSchemaCopies(dir, text, schemaDir);
  return text;
}
