/**
 * `hsm` entry point. The only place that prints and sets the exit code: commands return data or throw.
 * Kept tiny: `--version` answers before anything else is loaded; each command is imported on demand.
 */
import module from 'node:module';
import { versionLine } from './version.js';

async function main(argv: string[]): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${versionLine()}\n`);
    return 0;
  }
  // Node ≥ 22.1 keeps V8's compiled code of the bundle on disk (in its own cache folder under the temp dir), so a
  // command does not compile the ~1 MB it loads again on every run; Node 20 has no such API: nothing happens there.
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  if (argv.includes('sync')) {
    const { fastSync } = await import('./fast-sync.js');
    const code = await fastSync(argv);
    if (code !== null) return code;
  }
  const { run } = await import('./run.js');
  return run(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // run() reports every error itself; reaching here is a bug in the reporter.
    process.stderr.write(`error[HSM_INTERNAL]: ${String(e)}\nthis is a bug in hsm; please report it with the command you ran\n`);
    process.exitCode = 1;
  },
);
