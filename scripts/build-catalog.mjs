#!/usr/bin/env node
// Turns registry-seed/ into the built-in catalog JSON (definitions + digests, sorted) that ships beside the CLI
// bundle. Usage: `node scripts/build-catalog.mjs <out.json> [seedDir]` (after `npx tsc -b`).
// Importable: `buildCatalogJson(seedDir)` returns the JSON text.
import { writeFile, rename, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const defaultSeedDir = join(here, '..', 'registry-seed');

/** @param {string} [seedDir] @returns {Promise<string>} */
export async function buildCatalogJson(seedDir = defaultSeedDir) {
  const host = await import('../libs/host/dist/index.js');
  return host.buildCatalogJson(seedDir);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [out, seedDir] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node scripts/build-catalog.mjs <out.json> [seedDir]');
    process.exit(2);
  }
  try {
    const json = await buildCatalogJson(seedDir ? resolve(seedDir) : defaultSeedDir);
    await mkdir(dirname(resolve(out)), { recursive: true });
    const tmp = `${resolve(out)}.tmp-${process.pid}`;
    await writeFile(tmp, json);
    await rename(tmp, resolve(out));
    console.error(`wrote ${out} (${JSON.parse(json).components.length} component versions)`);
  } catch (e) {
    console.error(e?.code ? `error[${e.code}]: ${e.location ? e.location + ': ' : ''}${e.message}` : e);
    process.exit(1);
  }
}
