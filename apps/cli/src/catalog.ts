/** The built-in catalog shipped inside the CLI bundle (dist/catalog.json, built from registry-seed/). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HsmError, ErrorCodes, loadBuiltinCatalog, type RegistrySnapshot } from '@hsm/core';

function catalogCandidates(): string[] {
  const override = process.env.HSM_BUILTIN_CATALOG;
  const here = dirname(fileURLToPath(import.meta.url));
  return override ? [override] : [join(here, 'catalog.json'), join(here, '..', 'dist', 'catalog.json')];
}

/** Where the built-in catalog file is (dist/catalog.json next to the bundle, or HSM_BUILTIN_CATALOG). */
export function builtinCatalogPath(): string | null {
  return catalogCandidates().find((f) => existsSync(f)) ?? null;
}

/** The seal of the catalog.json this build wrote and checked (apps/cli/build.mjs); absent outside the bundle. */
declare const __HSM_CATALOG_SEAL__: string | undefined;
const CATALOG_SEAL = typeof __HSM_CATALOG_SEAL__ === 'string' ? __HSM_CATALOG_SEAL__ : undefined;

let builtinCache: RegistrySnapshot | undefined;
export function builtinRegistry(): RegistrySnapshot {
  if (builtinCache) return builtinCache;
  const file = builtinCatalogPath();
  if (!file) {
    throw new HsmError(ErrorCodes.INTERNAL, `the built-in catalog is missing (looked for ${catalogCandidates().join(', ')})`, { hint: 'rebuild hsm: `npm run build`' });
  }
  return (builtinCache = loadBuiltinCatalog(readFileSync(file, 'utf8'), 'builtin', CATALOG_SEAL));
}
