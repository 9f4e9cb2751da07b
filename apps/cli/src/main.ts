/**
 * `hsm` entry point. The only place that prints and sets the exit code: commands return data or throw.
 * Kept tiny: `--version` answers before anything else is loaded; each command is imported on demand.
 */
import { versionLine } from './version.js';

async function main(argv: string[]): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${versionLine()}\n`);
    return 0;
  }
  if (argv.length > 0) await (await import('./schema-copy.js')).keepSchemaCurrent(argv);
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
