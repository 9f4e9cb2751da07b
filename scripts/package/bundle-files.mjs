// The files of the self-contained CLI, shared by the npm package (pack-npm.mjs) and the Python wheel (the same
// rule is in hatch_build.py): the launcher, the esbuild bundle with its lazily loaded chunks, the built-in catalog
// and the JSON Schemas — relative to apps/cli. Source maps and tsc output stay out (the bundle never loads them).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function bundleFiles(cliDir) {
  const dist = join(cliDir, 'dist');
  if (!existsSync(join(dist, 'main.js')) || !existsSync(join(dist, 'catalog.json'))) {
    throw new Error(`the CLI bundle is not built (no ${join(dist, 'main.js')}): run \`npm run build\` first`);
  }
  const files = ['bin/hsm.js', 'dist/catalog.json'];
  for (const f of readdirSync(dist).sort()) if (f.endsWith('.js') && statSync(join(dist, f)).isFile()) files.push(`dist/${f}`);
  for (const f of readdirSync(join(dist, 'schemas')).sort()) if (f.endsWith('.json')) files.push(`dist/schemas/${f}`);
  return files;
}
