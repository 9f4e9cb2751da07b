/** `hsm up|down|ps|logs`: thin wrappers running docker compose with the stack's files and project name. */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { HsmError, ErrorCodes, parseManifest, composeProjectName, composeEnvironment, composeFileList, unsetSecretVariables, GENERATED_COMPOSE, USER_COMPOSE_FILES, COMPOSE_OVERRIDE_FILES } from '@hsm/core';
import {
  composeDirOf,
  composeRun,
  detectCompose,
  findProjectDir,
  readOptional,
  readManifestText,
  refusePortsInUse,
  waitForServices,
  describePhase,
  notReadyError,
  checkoutProjectName,
  refuseForeignContainers,
} from '@hsm/host';
import type { Command, CommandContext, CommandResult } from '../commands.js';
import { waitProgress } from '../wait-progress.js';
import { bundledSchemaDir } from '../schema-dir.js';

interface Stack {
  dir: string;
  files: string[];
  projectName: string;
}

async function composeStack(ctx: CommandContext): Promise<Stack> {
  const projectDir = findProjectDir(ctx.cwd);
  const manifestText = await readManifestText(projectDir, bundledSchemaDir());
  const { manifest } = parseManifest(manifestText);
  // in a uv workspace member without a compose file: the root's Compose project, as `docker compose` there sees it
  const composeDir = await composeDirOf(projectDir);
  const dir = join(projectDir, composeDir);
  if (!existsSync(join(dir, GENERATED_COMPOSE))) {
    throw new HsmError(ErrorCodes.COMPOSE_FAILED, `no ${GENERATED_COMPOSE} in ${dir}: the stack has no services, or it was never synced`, { hint: 'run `hsm sync` (and `hsm add` a component with services)' });
  }
  const user = USER_COMPOSE_FILES.find((f) => existsSync(join(dir, f)));
  const userCompose = user ? { file: user, text: (await readOptional(join(dir, user))) ?? '' } : null;
  const dotenv = await readOptional(join(dir, '.env'));
  const override = COMPOSE_OVERRIDE_FILES.find((f) => existsSync(join(dir, f))) ?? null;
  const overrideText = user && override ? await readOptional(join(dir, override)) : null;
  // with `include` the user's file pulls the generated one in; otherwise name both; the override file as Compose does
  const files = composeFileList(manifest.compose?.link ?? 'include', user ?? null, user ? override : null, true);
  // this checkout's own project (issue 12): `<name>-<slot>` in a second worktree (the slot is kept beside hsm.yaml)
  const { projectName } = await checkoutProjectName(
    projectDir,
    composeProjectName(manifest, {
      '.env': dotenv,
      userCompose,
      composeExtra: { override: override && overrideText !== null ? { file: override, text: overrideText } : null, included: [] },
      dirName: basename(dir),
    }),
    dotenv,
  );
  if (!(await detectCompose())) {
    throw new HsmError(ErrorCodes.DOCKER_NOT_FOUND, 'Docker Compose is not installed', { hint: 'install Docker Engine with the Compose plugin; `hsm doctor` says what is missing' });
  }
  return { dir, files, projectName };
}

async function runCompose(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const { dir, files, projectName } = await composeStack(ctx);
  const exitCode = await composeRun(dir, files, projectName, args);
  return { exitCode, data: { exitCode } };
}

/**
 * Before `up`: every secret variable the stack reads is set (Compose would stop at the first one, hsm names them
 * all), and no host port is taken by something outside the stack (issue 11).
 */
async function checkBeforeUp(dir: string, projectName: string): Promise<void> {
  const generated = readFileSync(join(dir, GENERATED_COMPOSE), 'utf8');
  const dotenv = existsSync(join(dir, '.env')) ? readFileSync(join(dir, '.env'), 'utf8') : null;
  const unset = unsetSecretVariables(
    generated,
    dotenv,
    Object.keys(process.env).filter((k) => process.env[k] !== ''),
  );
  if (unset.length) {
    throw new HsmError(ErrorCodes.SECRET_UNSET, `secret variable${unset.length === 1 ? '' : 's'} not set: ${unset.join(', ')}`, {
      hint: `add ${unset.map((v) => `${v}=…`).join(', ')} to .env (git-ignored) or export ${unset.length === 1 ? 'it' : 'them'}`,
    });
  }
  await refuseForeignContainers(dir, projectName);
  // host ports as Compose will publish them: `${HSM_PORT_…}` from .env and the environment
  await refusePortsInUse(generated, projectName, () => null, composeEnvironment(dotenv, process.env));
}

/** Seconds `hsm up` waits for readiness by default (docs/docker-workflow.md). */
export const UP_TIMEOUT_SECONDS = 120;

export const up: Command = async (ctx) => {
  const timeout = ctx.values.timeout === undefined ? UP_TIMEOUT_SECONDS : Number(ctx.values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new HsmError(ErrorCodes.USAGE, `--timeout takes a number of seconds greater than 0, got \`${String(ctx.values.timeout)}\``, { hint: 'e.g. `hsm up --timeout 300`, or `hsm up --detach-only` not to wait' });
  }
  if (ctx.values['detach-only'] && ctx.values.timeout !== undefined) throw new HsmError(ErrorCodes.USAGE, '--timeout and --detach-only exclude each other', { hint: 'hsm up --detach-only' });
  const { dir, files, projectName } = await composeStack(ctx);
  await checkBeforeUp(dir, projectName);
  const exitCode = await composeRun(dir, files, projectName, ['up', '--detach', ...ctx.positionals]);
  if (exitCode !== 0 || ctx.values['detach-only']) return { exitCode, data: { exitCode } };
  const progress = waitProgress(ctx.out);
  ctx.out.log(`Waiting up to ${timeout} s for the stack to be ready (hsm up --detach-only does not wait)`);
  const outcome = await waitForServices(dir, files, projectName, { services: ctx.positionals, timeoutMs: timeout * 1000, onChange: (s) => progress.update(s) });
  progress.done();
  if (!outcome.ok) throw notReadyError(outcome, timeout);
  const services = outcome.statuses.map((s) => ({ service: s.service, state: describePhase(s) }));
  return { exitCode: 0, data: { exitCode: 0, services } };
};

export const down: Command = (ctx) => runCompose(ctx, ['down', '--remove-orphans', ...(ctx.values.volumes ? ['--volumes'] : [])]);
export const ps: Command = (ctx) => runCompose(ctx, ['ps']);
export const logs: Command = (ctx) => runCompose(ctx, ['logs', ...(ctx.values.follow ? ['--follow'] : []), ...ctx.positionals]);
