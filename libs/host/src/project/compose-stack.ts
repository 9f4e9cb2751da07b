/**
 * The Compose stack of a project, read where `docker compose` reads it (issue 8: one rule, one place). `hsm
 * up|down|ps|logs`, `hsm doctor` and `hsm init` take it from here; the sync pipeline finds the same files through
 * readProjectFiles (findComposeFiles) and names the stack with the same core functions (stackProjectName,
 * stackComposeFiles), so `hsm up` runs the Compose project `hsm sync` planned.
 */
import { join } from 'node:path';
import { HsmError, ErrorCodes, GENERATED_COMPOSE, composeEnvironment, secretVariablesIn, stackComposeFiles, stackProjectName, unsetSecretVariables, type Manifest } from '@hsm/core';
import { composeDirOf, findComposeFiles, type ComposeProjectFiles } from '../compose/compose-files.js';
import { refusePortsInUse } from '../compose/host-ports.js';
import { readOptional } from './read-project.js';
import { checkoutProjectName, refuseForeignContainers } from './instance.js';

export interface ComposeStack extends ComposeProjectFiles {
  /** The Compose project directory (absolute): Compose's working directory, where `.env` is its env file. */
  dir: string;
  /** The files to pass to `docker compose -f …`, relative to `dir` (empty: no generated file, or no hsm.yaml given). */
  files: string[];
  /**
   * With hsm.yaml and a generated file: the Compose project name this checkout runs (`<name>-<slot>` in a second
   * worktree, issue 12) and its instance slot.
   */
  instance: { projectName: string; slot: number } | null;
}

/**
 * The Compose stack of the project in `projectDir`: in a uv workspace member without a compose file of its own,
 * the root's Compose project, as `docker compose` there sees it (issue 9 item 2). `manifest` (hsm.yaml, null where
 * there is none yet) gives the `-f` list and the project name; a second checkout that was never synced is refused
 * there (checkoutProjectName).
 */
export async function composeStack(projectDir: string, manifest: Manifest | null): Promise<ComposeStack> {
  const composeDir = await composeDirOf(projectDir);
  const dir = join(projectDir, composeDir);
  const found = await findComposeFiles(dir, composeDir, (f) => readOptional(join(dir, f)));
  if (manifest === null || found.generated === null) return { ...found, dir, files: [], instance: null };
  const side = { '.env': found.dotenv, userCompose: found.userCompose, composeExtra: found.composeExtra, composeDir };
  const instance = await checkoutProjectName(projectDir, stackProjectName(manifest, side, projectDir), found.dotenv);
  return { ...found, dir, files: stackComposeFiles(manifest, side, true), instance };
}

/** A stack `hsm up|down|ps|logs` can run: it has a generated file and this checkout's Compose project name. */
export type RunnableStack = ComposeStack & { instance: NonNullable<ComposeStack['instance']> };

/** `stack` (read with hsm.yaml) when there is something to run; else the error naming the fix. */
export function runnableStack(stack: ComposeStack): RunnableStack {
  if (stack.instance === null) {
    throw new HsmError(ErrorCodes.COMPOSE_FAILED, `no ${GENERATED_COMPOSE} in ${stack.dir}: the stack has no services, or it was never synced`, { hint: 'run `hsm sync` (and `hsm add` a component with services)' });
  }
  return { ...stack, instance: stack.instance };
}

/** Names of the variables the environment sets to something (never their values). */
function environmentNames(): string[] {
  return Object.keys(process.env).filter((k) => process.env[k] !== '');
}

/** Each secret variable the stack's generated compose file reads, and whether `.env` or the environment sets it (issue 11). */
export function stackSecrets(stack: Pick<ComposeStack, 'generated' | 'dotenv'>): { variable: string; set: boolean }[] {
  const unset = new Set(unsetSecretVariables(stack.generated, stack.dotenv, environmentNames()));
  return secretVariablesIn(stack.generated).map((variable) => ({ variable, set: !unset.has(variable) }));
}

/**
 * Before `hsm up`: every secret variable the stack reads is set (Compose would stop at the first one, hsm names
 * them all), no container of this Compose project belongs to another checkout, and no host port is taken by
 * something outside the stack (issue 11).
 */
export async function checkBeforeUp(stack: RunnableStack): Promise<void> {
  const { projectName } = stack.instance;
  const unset = stackSecrets(stack)
    .filter((s) => !s.set)
    .map((s) => s.variable);
  if (unset.length) {
    throw new HsmError(ErrorCodes.SECRET_UNSET, `secret variable${unset.length === 1 ? '' : 's'} not set: ${unset.join(', ')}`, {
      hint: `add ${unset.map((v) => `${v}=…`).join(', ')} to .env (git-ignored) or export ${unset.length === 1 ? 'it' : 'them'}`,
    });
  }
  await refuseForeignContainers(stack.dir, projectName);
  // host ports as Compose will publish them: `${HSM_PORT_…}` from .env and the environment
  await refusePortsInUse(stack.generated, projectName, () => null, composeEnvironment(stack.dotenv, process.env));
}
