/** The built-in catalog: registry-seed/ → one JSON text at build time (the CLI bundle embeds it; loadBuiltinCatalog reads it). */
import { catalogJsonOf } from '@hsm/core';
import { loadFolderRegistry } from './load-folder-registry.js';

/** Validates every seed file (same rules as a folder registry) and serialises them, sorted, with digests. */
export async function buildCatalogJson(seedDir: string): Promise<string> {
  return catalogJsonOf(await loadFolderRegistry('builtin', seedDir));
}
