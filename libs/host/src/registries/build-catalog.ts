/** The built-in catalog: registry-seed/ → one JSON text at build time; that file → a snapshot at run time. */
import { readFile } from 'node:fs/promises';
import { ErrorCodes, HsmError, catalogJsonOf, loadBuiltinCatalog, type RegistrySnapshot } from '@hsm/core';
import { loadFolderRegistry } from './load-folder-registry.js';

/** Validates every seed file (same rules as a folder registry) and serialises them, sorted, with digests. */
export async function buildCatalogJson(seedDir: string): Promise<string> {
  return catalogJsonOf(await loadFolderRegistry('builtin', seedDir));
}

/** Reads the catalog.json shipped beside the CLI bundle. */
export async function readBuiltinCatalog(file: string): Promise<RegistrySnapshot> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new HsmError(ErrorCodes.IO, `the built-in catalog ${file} cannot be read`, { cause: e, hint: 'reinstall hsm, or set `builtin: false` in hsm.yaml to go without it' });
  }
  return loadBuiltinCatalog(text);
}
