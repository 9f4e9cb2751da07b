// Bundles the CLI into dist/ with esbuild: start-up cost is dominated by module resolution, so one file per
// entry (plus lazily loaded chunks per command) keeps `hsm --version` close to `node -e 0`. Also ships the
// built-in catalog (registry-seed/ → dist/catalog.json) and the JSON Schemas inside the package.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, readdirSync, existsSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const dist = join(here, 'dist');
const { version } = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));

// zod re-exports every locale (`z.locales.*`, ~1 MB of the bundle) though hsm only speaks English: the CLI's
// start-up budget pays to parse each byte, so the locale namespace is bundled as English alone.
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (/[\\/]zod[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-en' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({ contents: `export { default as en } from ${JSON.stringify(args.path)};`, resolveDir: dirname(args.path) }));
  },
};

// the build id: a hash of every bundled source and the lockfile, so caches of parsed inputs (folder registries)
// written by one build are never read by another that might parse differently
const buildHash = createHash('sha256').update(version);
const hashTree = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) hashTree(p);
    else if (/\.(ts|json)$/.test(name)) buildHash.update(`${p.slice(root.length)}\0`).update(readFileSync(p));
  }
};
for (const d of ['libs/core/src', 'libs/host/src', 'apps/cli/src']) hashTree(join(root, d));
buildHash.update(readFileSync(join(root, 'package-lock.json')));
const buildId = `${version}+${buildHash.digest('hex').slice(0, 16)}`;

const define = { __HSM_VERSION__: JSON.stringify(version), __HSM_BUILD__: JSON.stringify(buildId) };

// stale chunks from earlier builds would only waste disk: start clean
for (const f of existsSync(dist) ? readdirSync(dist) : []) if (/\.(js|js\.map)$/.test(f)) rmSync(join(dist, f));

// the built-in catalog, checked here in full (every definition against the schema, every digest as the registry
// computes it) and sealed: the bundle carries the text's sha256 and takes a catalog.json with that seal as it is,
// instead of checking it again at the start of every command
const catalogScript = join(root, 'scripts', 'build-catalog.mjs');
if (existsSync(catalogScript)) {
  const { buildCatalogJson } = await import(pathToFileURL(catalogScript).href);
  const core = await import(pathToFileURL(join(root, 'libs', 'core', 'dist', 'index.js')).href);
  const catalog = await buildCatalogJson(join(root, 'registry-seed'));
  core.loadBuiltinCatalog(catalog);
  define.__HSM_CATALOG_SEAL__ = JSON.stringify(core.catalogSeal(catalog));
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(dist, 'catalog.json'), catalog);
}

// The commands: bundled as ES modules split into lazily loaded chunks (one per command, shared code in common
// chunks), each then turned into a CommonJS file of dist/ that main.js loads through V8's code cache
// (src/code-cache.ts): Node 20 has no compile cache for ES modules, and Node's module loader costs more per file.
// `import.meta.url` becomes the file's URL, which the loader passes in.
/** What every bundle of the CLI shares: one file per entry for Node 20, source maps beside it. */
const nodeBundle = { bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning' };
const esm = mkdtempSync(join(tmpdir(), 'hsm-cli-esm-'));
try {
  await build({
    ...nodeBundle,
    entryPoints: { cli: join(here, 'src/cli.ts') },
    outdir: esm,
    splitting: true,
    format: 'esm',
    define,
    plugins: [englishOnlyZod],
  });
  const sibling = { name: 'sibling-chunks', setup: (b) => b.onResolve({ filter: /^\.\/[^/]+\.js$/ }, (args) => ({ path: args.path, external: true })) };
  await Promise.all(
    readdirSync(esm)
      .filter((f) => f.endsWith('.js'))
      .map((f) =>
        build({
          ...nodeBundle,
          entryPoints: [join(esm, f)],
          outfile: join(dist, f),
          format: 'cjs',
          define: { 'import.meta.url': '__hsm_import_meta_url' },
          plugins: [sibling],
        }),
      ),
  );
} finally {
  rmSync(esm, { recursive: true, force: true });
}
// the entry: `--version` and the loader, an ES module on its own (bin/hsm.js imports it)
await build({
  ...nodeBundle,
  entryPoints: [join(here, 'src/main.ts')],
  outfile: join(dist, 'main.js'),
  format: 'esm',
  define,
});
// esbuild leaves a lazily loaded chunk as import() in CommonJS too; the loader has no ES modules: require it
for (const f of readdirSync(dist).filter((n) => n.endsWith('.js') && n !== 'main.js')) {
  const text = readFileSync(join(dist, f), 'utf8');
  const cjs = text.replace(/\bimport\(("\.\/[\w-]+\.js")\)/g, 'Promise.resolve().then(() => require($1))');
  if (/\bimport\("|\bimport\.meta\b/.test(cjs.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''))) throw new Error(`dist/${f} still has import() or import.meta, which the code-cache loader does not run`);
  if (cjs !== text) writeFileSync(join(dist, f), cjs);
}

// JSON Schemas for editors (schemas/ is generated from zod by scripts/build-schemas.mjs)
const { schemaTexts } = await import(pathToFileURL(join(root, 'scripts', 'build-schemas.mjs')).href);
mkdirSync(join(dist, 'schemas'), { recursive: true });
for (const [file, text] of Object.entries(schemaTexts())) writeFileSync(join(dist, 'schemas', file), text);
