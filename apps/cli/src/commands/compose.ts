/** `hsm up|down|ps|logs`: thin wrappers running docker compose with the stack's files and project name. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HsmError, ErrorCodes, parseManifest, composeProjectName, composeFileList, GENERATED_COMPOSE, USER_COMPOSE_FILES, COMPOSE_OVERRIDE_FILES } from '@hsm/core';
import { composeRun, detectCompose, findProjectDir, readOptional, MANIFEST } from '@hsm/host';
import type { Command, CommandContext, CommandResult } from '../commands.js';

async function runCompose(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const dir = findProjectDir(ctx.cwd);
  const manifestText = (await readOptional(join(dir, MANIFEST))) ?? '';
  const { manifest } = parseManifest(manifestText);
  if (!existsSync(join(dir, GENERATED_COMPOSE))) {
    throw new HsmError(ErrorCodes.COMPOSE_FAILED, `no ${GENERATED_COMPOSE} in ${dir}: the stack has no services, or it was never synced`, { hint: 'run `hsm sync` (and `hsm add` a component with services)' });
  }
  if (!(await detectCompose())) {
    throw new HsmError(ErrorCodes.DOCKER_NOT_FOUND, 'Docker Compose is not installed', { hint: 'install Docker Engine with the Compose plugin; `hsm doctor` says what is missing' });
  }
  const user = USER_COMPOSE_FILES.find((f) => existsSync(join(dir, f)));
  const userCompose = user ? { file: user, text: (await readOptional(join(dir, user))) ?? '' } : null;
  const dotenv = await readOptional(join(dir, '.env'));
  const override = COMPOSE_OVERRIDE_FILES.find((f) => existsSync(join(dir, f))) ?? null;
  // with `include` the user's file pulls the generated one in; otherwise name both; the override file as Compose does
  const files = composeFileList(manifest.compose?.link ?? 'include', user ?? null, user ? override : null, true);
  const exitCode = await composeRun(dir, files, composeProjectName(manifest, { '.env': dotenv, userCompose }), args);
  return { exitCode, data: { exitCode } };
}

export const up: Command = (ctx) => runCompose(ctx, ['up', '--detach', ...ctx.positionals]);
export const down: Command = (ctx) => runCompose(ctx, ['down', '--remove-orphans', ...(ctx.values.volumes ? ['--volumes'] : [])]);
export const ps: Command = (ctx) => runCompose(ctx, ['ps']);
export const logs: Command = (ctx) => runCompose(ctx, ['logs', ...(ctx.values.follow ? ['--follow'] : []), ...ctx.positionals]);
