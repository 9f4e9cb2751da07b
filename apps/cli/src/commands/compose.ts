/** `hsm up|down|ps|logs`: thin wrappers running docker compose with the stack's files and project name. */
import { HsmError, ErrorCodes, parseManifest } from '@hsm/core';
import { checkBeforeUp, composeExec, composeRun, composeStack, detectCompose, findProjectDir, readManifestText, runnableStack, waitForServices, describePhase, notReadyError, type RunnableStack } from '@hsm/host';
import type { Command, CommandContext, CommandResult } from '../commands.js';
import { waitProgress } from '../wait-progress.js';
import { bundledSchemaDir } from '../schema-dir.js';

/** The project's Compose stack (libs/host composeStack), refused when there is nothing to run or no Compose to run it. */
async function stackHere(ctx: CommandContext): Promise<RunnableStack> {
  const projectDir = findProjectDir(ctx.cwd);
  const { manifest } = parseManifest(await readManifestText(projectDir, bundledSchemaDir()));
  const stack = runnableStack(await composeStack(projectDir, manifest));
  if (!(await detectCompose())) {
    throw new HsmError(ErrorCodes.DOCKER_NOT_FOUND, 'Docker Compose is not installed', { hint: 'install Docker Engine with the Compose plugin; `hsm doctor` says what is missing' });
  }
  return stack;
}

async function runCompose(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const { dir, files, instance } = await stackHere(ctx);
  const exitCode = await composeRun(dir, files, instance.projectName, args, { stdoutToStderr: Boolean(ctx.values.json) });
  return composeResult(ctx, args[0], exitCode);
}

/**
 * Compose's exit code as the result; with --json a failure is the error every --json failure prints
 * (`{"error":{code,message,hint,details}}`), not a bare exit code. Compose's own messages went to stderr, or
 * come as `details` when captured.
 */
function composeResult(ctx: CommandContext, command: string, exitCode: number, captured?: string): CommandResult {
  if (exitCode === 0 || !ctx.values.json) return { exitCode, data: { exitCode } };
  const details = captured?.trim().split('\n').slice(-20) ?? [];
  throw new HsmError(ErrorCodes.COMPOSE_FAILED, `\`docker compose ${command}\` failed (exit ${exitCode})`, {
    hint: captured ? 'Compose says why (details); `hsm doctor` checks Docker' : 'Compose says why on stderr; `hsm doctor` checks Docker',
    details,
  });
}

/** Seconds `hsm up` waits for readiness by default (docs/docker-workflow.md). */
const UP_TIMEOUT_SECONDS = 120;

export const up: Command = async (ctx) => {
  const timeout = ctx.values.timeout === undefined ? UP_TIMEOUT_SECONDS : Number(ctx.values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new HsmError(ErrorCodes.USAGE, `--timeout takes a number of seconds greater than 0, got \`${String(ctx.values.timeout)}\``, { hint: 'e.g. `hsm up --timeout 300`, or `hsm up --detach-only` not to wait' });
  }
  if (ctx.values['detach-only'] && ctx.values.timeout !== undefined) throw new HsmError(ErrorCodes.USAGE, '--timeout and --detach-only exclude each other', { hint: 'hsm up --detach-only' });
  const stack = await stackHere(ctx);
  const { dir, files } = stack;
  const { projectName } = stack.instance;
  await checkBeforeUp(stack);
  const exitCode = await composeRun(dir, files, projectName, ['up', '--detach', ...ctx.positionals], { stdoutToStderr: Boolean(ctx.values.json) });
  if (exitCode !== 0 || ctx.values['detach-only']) return composeResult(ctx, 'up', exitCode);
  const progress = waitProgress(ctx.out);
  ctx.out.log(`Waiting up to ${timeout} s for the stack to be ready (hsm up --detach-only does not wait)`);
  const outcome = await waitForServices(dir, files, projectName, { services: ctx.positionals, timeoutMs: timeout * 1000, onChange: (s) => progress.update(s) });
  progress.done();
  if (!outcome.ok) throw notReadyError(outcome, timeout);
  const services = outcome.statuses.map((s) => ({ service: s.service, state: describePhase(s) }));
  return { exitCode: 0, data: { exitCode: 0, services } };
};

export const down: Command = (ctx) => runCompose(ctx, ['down', '--remove-orphans', ...(ctx.values.volumes ? ['--volumes'] : [])]);
export const ps: Command = async (ctx) => {
  if (!ctx.values.json) return runCompose(ctx, ['ps']);
  // --json: Compose's own JSON (one object a line, or an array from older Compose) as `containers`
  const { dir, files, instance } = await stackHere(ctx);
  const r = await composeExec(dir, files, instance.projectName, ['ps', '--format', 'json'], { capture: true });
  if (r.exitCode !== 0) return composeResult(ctx, 'ps', r.exitCode, r.stderr);
  const text = r.stdout.trim();
  const containers = text === '' ? [] : text.startsWith('[') ? JSON.parse(text) : text.split('\n').map((l) => JSON.parse(l));
  return { exitCode: 0, data: { exitCode: 0, containers } };
};
export const logs: Command = (ctx) => runCompose(ctx, ['logs', ...(ctx.values.follow ? ['--follow'] : []), ...ctx.positionals]);
