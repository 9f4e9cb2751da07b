/** `hsm up|down|ps|logs`: thin wrappers running docker compose with the stack's files and project name. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { HsmError, ErrorCodes, parseManifest, composeProjectName, composeFileList, unsetSecretVariables, GENERATED_COMPOSE, USER_COMPOSE_FILES } from '@hsm/core';
import { composeRun, detectCompose, findProjectDir, readOptional, refusePortsInUse, MANIFEST } from '@hsm/host';
import type { Command, CommandContext, CommandResult } from '../commands.js';

async function runCompose(ctx: CommandContext, args: string[], before?: (dir: string, projectName: string) => Promise<void>): Promise<CommandResult> {
  const dir = findProjectDir(ctx.cwd);
  const manifestText = (await readOptional(join(dir, MANIFEST))) ?? '';
  const { manifest } = parseManifest(manifestText);
  if (!existsSync(join(dir, GENERATED_COMPOSE))) {
    throw new HsmError(ErrorCodes.COMPOSE_FAILED, `no ${GENERATED_COMPOSE} in ${dir}: the stack has no services, or it was never synced`, { hint: 'run `hsm sync` (and `hsm add` a component with services)' });
  }
  if (!(await detectCompose())) {
    throw new HsmError(ErrorCodes.DOCKER_NOT_FOUND, 'Docker Compose is not installed', { hint: 'install Docker Engine with the Compose plugin; `hsm doctor` says what is missing' });
  }
  const user = USER_COMPOSE_FILES.find((f) => existsSync(join(dir, f))) ?? null;
  const files = composeFileList(manifest.compose?.link ?? 'include', user, true);
  if (before) await before(dir, composeProjectName(manifest));
  const exitCode = await composeRun(dir, files, composeProjectName(manifest), args);
  return { exitCode, data: { exitCode } };
}

/**
 * Before `up`: every secret variable the stack reads is set (Compose would stop at the first one, hsm names them
 * all), and no host port is taken by something outside the stack (issue 11).
 */
async function checkBeforeUp(dir: string, projectName: string): Promise<void> {
  const generated = readFileSync(join(dir, GENERATED_COMPOSE), 'utf8');
  const dotenv = existsSync(join(dir, '.env')) ? readFileSync(join(dir, '.env'), 'utf8') : null;
  const unset = unsetSecretVariables(generated, dotenv, Object.keys(process.env).filter((k) => process.env[k] !== ''));
  if (unset.length) {
    throw new HsmError(ErrorCodes.SECRET_UNSET, `secret variable${unset.length === 1 ? '' : 's'} not set: ${unset.join(', ')}`, {
      hint: `add ${unset.map((v) => `${v}=…`).join(', ')} to .env (git-ignored) or export ${unset.length === 1 ? 'it' : 'them'}`,
    });
  }
  await refusePortsInUse(generated, projectName, () => null);
}

export const up: Command = (ctx) => runCompose(ctx, ['up', '--detach', ...ctx.positionals], checkBeforeUp);
export const down: Command = (ctx) => runCompose(ctx, ['down', '--remove-orphans', ...(ctx.values.volumes ? ['--volumes'] : [])]);
export const ps: Command = (ctx) => runCompose(ctx, ['ps']);
export const logs: Command = (ctx) => runCompose(ctx, ['logs', ...(ctx.values.follow ? ['--follow'] : []), ...ctx.positionals]);
