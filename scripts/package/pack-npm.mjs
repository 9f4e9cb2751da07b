// `npm run pack`: the self-contained npm package of the CLI, dist/hyper-stack-manager-<v>.tgz. Everything the
// CLI needs is in the esbuild bundle (the workspace packages and their dependencies included), so the package has
// no dependencies and no install scripts: `npm install -g ./dist/hyper-stack-manager-<v>.tgz` or
// `npx ./dist/hyper-stack-manager-<v>.tgz` work on any machine with Node.js ≥ 20. Prints the tarball's path.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFiles } from './bundle-files.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'apps', 'cli');
const cliPackage = JSON.parse(readFileSync(join(cli, 'package.json'), 'utf8'));
// `--out DIR` puts the tarball (and the staging folder) elsewhere than dist/ (the install test does)
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(root, 'dist');
const stage = join(out, 'npm-package');

let files;
try {
  files = bundleFiles(cli);
} catch (e) {
  console.error(`error: ${e.message}`);
  process.exit(2);
}
rmSync(stage, { recursive: true, force: true });
for (const f of files) {
  mkdirSync(dirname(join(stage, f)), { recursive: true });
  cpSync(join(cli, f), join(stage, f));
}
cpSync(join(cli, 'README.md'), join(stage, 'README.md'));
const manifest = {
  name: 'hyper-stack-manager',
  version: cliPackage.version,
  description: 'hsm — one manifest (hsm.yaml) for a uv + Docker Compose development stack',
  type: 'module',
  bin: { hsm: 'bin/hsm.js' },
  engines: { node: '>=20' },
  files: ['bin/', 'dist/'],
  keywords: ['uv', 'docker-compose', 'python', 'dev-environment'],
};
writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

mkdirSync(out, { recursive: true });
const r = spawnSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: stage, encoding: 'utf8', shell: process.platform === 'win32' });
if (r.status !== 0) {
  process.stderr.write(r.stderr);
  process.exit(1);
}
const [info] = JSON.parse(r.stdout);
console.log(join(out, info.filename));
console.error(`${info.filename}: ${info.entryCount} files, ${(info.size / 1024).toFixed(0)} KiB packed, ${(info.unpackedSize / 1024).toFixed(0)} KiB unpacked`);
