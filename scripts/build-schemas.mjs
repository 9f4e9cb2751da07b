// Writes the JSON Schemas of hsm's file formats into schemas/, generated from the zod schemas (never written twice).
// Usage: node scripts/build-schemas.mjs [--check]   (--check fails when the committed files are stale)
import { writeFileSync, readFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const core = await import(join(root, 'libs/core/dist/index.js'));

export function schemaTexts() {
  const gen = (schema, id, title) => JSON.stringify({ ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }), $id: id, title }, null, 2) + '\n';
  return {
    'hsm.schema.json': gen(core.Manifest, 'hsm.schema.json', 'hsm.yaml — hsm project manifest'),
    'hsm.local.schema.json': gen(core.LocalOverlay, 'hsm.local.schema.json', 'hsm.local.yaml — personal dev overlay'),
    'component.schema.json': gen(core.ComponentDefinition, 'component.schema.json', 'hsm component definition (one version)'),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const out = join(root, 'schemas');
  mkdirSync(out, { recursive: true });
  const stale = [];
  for (const [file, text] of Object.entries(schemaTexts())) {
    const path = join(out, file);
    const current = existsSync(path) ? readFileSync(path, 'utf8') : null;
    if (current === text) continue;
    if (check) stale.push(file);
    else writeFileSync(path, text);
  }
  if (stale.length) {
    console.error(`schemas/ is stale (${stale.join(', ')}): run \`node scripts/build-schemas.mjs\``);
    process.exit(1);
  }
}
