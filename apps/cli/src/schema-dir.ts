/**
 * Where the JSON Schemas of this hsm are (docs/user-guide.md "Editor support"): dist/schemas next to the bundle,
 * or schemas/ of a clone. The commands hand it to libs/host, which refreshes a project's `.hsm/` copy from the
 * hsm.yaml text the command reads anyway (the sync pipeline, readManifestText) — no side job before commands.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function bundledSchemaDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const d of [join(here, 'schemas'), join(here, '..', '..', '..', 'schemas')]) if (existsSync(join(d, 'hsm.schema.json'))) return d;
  return null;
}
