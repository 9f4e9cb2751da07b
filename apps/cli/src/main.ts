/**
 * `hsm` entry point (dist/main.js, an ES module bundled alone). `--version` answers before anything else is
 * loaded; every other command runs from the CommonJS bundle dist/cli.js (cli.ts), loaded with V8's code cache kept
 * on disk (code-cache.ts) so that its ~0.9 MB is not compiled again on every run (spec §12).
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hsmCacheDir } from '@hsm/host/dirs';
import { bundleLoader, codeCacheDir } from './code-cache.js';
import { BUILD_ID, versionLine } from './version.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${versionLine()}\n`);
} else {
  const load = bundleLoader(dirname(fileURLToPath(import.meta.url)), codeCacheDir(hsmCacheDir(), BUILD_ID));
  const { cli } = load('cli.js') as typeof import('./cli.js');
  cli(argv);
}
