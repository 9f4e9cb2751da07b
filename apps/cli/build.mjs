// Bundles the CLI into dist/ with esbuild: start-up cost is dominated by module resolution, so one file per
// entry (plus lazily loaded chunks per command) keeps `hsm --version` close to `node -e 0`.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
await build({
  entryPoints: [join(here, 'src/main.ts')],
  outdir: join(here, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __hsmCreateRequire } from 'node:module'; const require = __hsmCreateRequire(import.meta.url);" },
});
