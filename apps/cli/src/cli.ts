/**
 * Every command but `--version` (which main.ts answers alone): the only place that sets the exit code — commands
 * return data or throw. Each command is imported on demand. This is the entry of the CommonJS bundle (dist/cli.js)
 * that main.ts loads through the code cache.
 */
async function main(argv: string[]): Promise<number> {
  if (argv.includes('sync')) {
    const { fastSync } = await import('./fast-sync.js');
    const code = await fastSync(argv);
    if (code !== null) return code;
  }
  const { run } = await import('./run.js');
  return run(argv);
}

export function cli(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      // run() reports every error itself; reaching here is a bug in the reporter.
      process.stderr.write(`error[HSM_INTERNAL]: ${String(e)}\nthis is a bug in hsm; please report it with the command you ran\n`);
      process.exitCode = 1;
    },
  );
}
