/**
 * Which instance of its stack a checkout runs (issue 12): the effects around core's pure planInstance. git says
 * whether this is the repository's main worktree (`--git-common-dir` = `--git-dir`: primary, slot 0, nothing
 * changes) or another one (`git worktree add`: a slot of its own, chosen once as the lowest one no other worktree of
 * the repository holds, kept in git-ignored `.hsm/instance.json`); `hsm instance N|--primary` overrides it. Host
 * ports are probed by binding them, so a second checkout never picks a port something on this machine holds.
 */
import { mkdir, readFile, realpath, rename, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  HsmError,
  ErrorCodes,
  INSTANCE_ENV_FILE,
  INSTANCE_STATE_FILE,
  MAX_SLOT,
  checkSlot,
  declaredPorts,
  instancePorts,
  userHostPorts,
  instanceProjectName,
  instanceBlockValues,
  instanceDotenvPath,
  planInstance,
  plannedCompose,
  type InstancePlan,
  type SyncPlan,
} from '@hsm/core';
import { runProcess } from '../run-process.js';
import { projectPublishedPorts, tcpPortTaken } from '../compose/host-ports.js';
import type { LoadedProject } from './load-project.js';

export interface Checkout {
  /** The repository's main worktree, or not in git at all. */
  primary: boolean;
  /** Other worktrees' copies of this project directory (absolute), when in git. */
  siblings: string[];
  git: boolean;
}

async function git(dir: string, args: string[]): Promise<string | null> {
  try {
    const r = await runProcess(['git', '-C', dir, ...args], { allowFailure: true, timeoutMs: 15_000 });
    return r.exitCode === 0 ? r.stdout : null;
  } catch {
    return null; // no git on PATH: not a worktree of anything
  }
}

/** Where this project directory sits among its repository's worktrees. */
export async function describeCheckout(dir: string): Promise<Checkout> {
  const out = await git(dir, ['rev-parse', '--path-format=absolute', '--git-common-dir', '--git-dir', '--show-toplevel']);
  if (out === null) return { primary: true, siblings: [], git: false };
  const [common, gitDir, top] = out.trim().split('\n');
  const list = (await git(dir, ['worktree', 'list', '--porcelain'])) ?? '';
  // git answers with real paths; the project directory may be the shell's path through a symlink
  const rel = relative(top, await realpath(dir).catch(() => dir));
  const siblings = [...list.matchAll(/^worktree (.+)$/gm)]
    .map((m) => m[1])
    .filter((w) => w !== top)
    .map((w) => join(w, rel));
  return { primary: common === gitDir, siblings, git: true };
}

/**
 * The slot stored in `dir`'s `.hsm/instance.json`, null when there is none. A file that holds no slot is an error:
 * choosing another slot would silently move the checkout to another Compose project (its containers out of reach).
 */
export async function readSlot(dir: string): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(join(dir, INSTANCE_STATE_FILE), 'utf8');
  } catch {
    return null;
  }
  let slot: unknown;
  try {
    slot = (JSON.parse(text) as { slot?: unknown } | null)?.slot;
  } catch {
    // not JSON: reported below
  }
  if (typeof slot === 'number' && Number.isInteger(slot) && slot >= 0 && slot <= MAX_SLOT) return slot;
  throw new HsmError(ErrorCodes.INSTANCE_INVALID, `${INSTANCE_STATE_FILE} holds no instance slot (0..${MAX_SLOT}): ${JSON.stringify(text.trim().slice(0, 40))}`, {
    hint: `choose this checkout's slot again: \`hsm instance N\` (its Compose project is <name>-N), or delete ${INSTANCE_STATE_FILE} to have one chosen`,
  });
}

/** Another worktree's stored slot; one it cannot read is that worktree's own error, not this checkout's. */
const siblingSlot = (dir: string): Promise<number | null> => readSlot(dir).catch(() => null);

export async function writeSlot(dir: string, slot: number): Promise<void> {
  checkSlot(slot);
  await writeAtomically(join(dir, INSTANCE_STATE_FILE), `${JSON.stringify({ slot })}\n`);
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

/**
 * This checkout's slot: the stored one, else 0 for the primary checkout, else the lowest slot from 1 that no
 * other worktree of the repository holds (stored, so it stays put while worktrees come and go).
 */
export async function checkoutSlot(dir: string, options: { store: boolean }): Promise<{ slot: number; checkout: Checkout }> {
  const checkout = await describeCheckout(dir);
  const stored = await readSlot(dir);
  if (stored !== null) return { slot: stored, checkout };
  if (checkout.primary) return { slot: 0, checkout };
  const taken = new Set((await Promise.all(checkout.siblings.map(siblingSlot))).filter((s): s is number => s !== null));
  const slot = Array.from({ length: MAX_SLOT }, (_, i) => i + 1).find((s) => !taken.has(s));
  if (slot === undefined) {
    throw new HsmError(ErrorCodes.INSTANCE_INVALID, `every instance slot (1..${MAX_SLOT}) is held by another worktree of this repository`, {
      hint: 'remove worktrees you no longer use (`git worktree remove PATH`), or share one: `hsm instance N`',
    });
  }
  if (options.store) await writeSlot(dir, slot);
  return { slot, checkout };
}

/** True when git tracks `.env` here (then a checkout's own values in it would be committed). */
export async function dotenvTracked(dir: string, file = '.env'): Promise<boolean> {
  return (await git(dir, ['ls-files', '--error-unmatch', '--', file])) !== null;
}

/** True when git ignores `.env` here (or the project is not in git): a block written there stays out of commits. */
export async function dotenvIgnored(dir: string, file = '.env'): Promise<boolean> {
  const r = await git(dir, ['check-ignore', '-q', '--', file]);
  return r !== null || (await git(dir, ['rev-parse', '--git-dir'])) === null;
}

/** The host ports the slot would take that something outside this checkout's stack holds (probed, in rounds). */
async function portsInUseFor(declared: ReturnType<typeof declaredPorts>, slot: number, projectName: string, taken: ReadonlySet<number>): Promise<Set<number>> {
  const inUse = new Set<number>(taken);
  if (slot === 0) return inUse;
  let ours: Set<string> | undefined;
  for (let round = 0; round < 50; round++) {
    const ports = instancePorts(
      declared.map((d) => ({ key: d.variable, port: d.declared })),
      slot,
      inUse,
    );
    let more = false;
    for (const d of declared) {
      const port = ports[d.variable];
      if (!(await tcpPortTaken(d.ip !== null && /^[0-9.]+$/.test(d.ip) ? d.ip : null, port))) continue;
      ours ??= await projectPublishedPorts(projectName);
      if (ours.has(`${port}/tcp`)) continue;
      inUse.add(port);
      more = true;
    }
    if (!more) break;
  }
  return inUse;
}

/**
 * This checkout's instance for `plan`; `store` keeps a newly chosen slot (a writing command). `quick` (`--no-sync`,
 * which writes only hsm.yaml) asks neither git nor the ports: the stored slot or 0.
 */
export async function instanceOf(project: LoadedProject, plan: SyncPlan, options: { store: boolean; quick?: boolean }): Promise<InstancePlan> {
  const slot = options.quick ? ((await readSlot(project.dir)) ?? 0) : (await checkoutSlot(project.dir, options)).slot;
  // a plan that deletes the file leaves no ports to take
  const composeText = plannedCompose(plan, project.files).text;
  const change = plan.changes.find((c) => c.path === instanceDotenvPath(plan));
  const projectName = instanceProjectName(plan.projectName, slot);
  // the user's own services' host ports are not moved: the slot's ports keep off them as off ports in use
  const userPorts = userHostPorts(project.files);
  const inUse = options.quick ? userPorts : await portsInUseFor(declaredPorts(composeText), slot, projectName, userPorts);
  return planInstance({ slot, baseName: plan.projectName, composeText, dotenv: change ? change.after : project.files['.env'], resolved: project.resolution.components, configured: plan.configured, inUse });
}

/** Refuses to write this checkout's values into a `.env` that git tracks. */
export async function refuseTrackedDotenv(dir: string, instance: InstancePlan, before: string | null, file = '.env'): Promise<void> {
  if (instance.dotenv === before || instance.slot === 0) return;
  if (!(await dotenvTracked(dir, file))) return;
  throw new HsmError(ErrorCodes.ENV_TRACKED, `${file} is tracked by git, so this checkout's Compose project name and host ports (instance ${instance.slot}) cannot go into it without being committed`, {
    hint: 'stop tracking it (`git rm --cached .env`, add `.env` to .gitignore and commit a `.env.example` instead), or run this checkout as the primary one: `hsm instance --primary` (it then shares the stack with the main worktree)',
  });
}

/** Writes `.hsm/env` when its bytes change. */
export async function writeInstanceEnv(dir: string, instance: InstancePlan): Promise<boolean> {
  const path = join(dir, INSTANCE_ENV_FILE);
  let current: string | null = null;
  try {
    current = await readFile(path, 'utf8');
  } catch {
    // not written yet
  }
  if (current === instance.envFile) return false;
  await writeAtomically(path, instance.envFile);
  return true;
}

/**
 * The Compose project name `hsm up|down|ps|logs` use here: the committed name in the primary checkout, the
 * checkout's own (`<name>-<slot>`, from `.env`'s hsm block) in another. A second checkout that was never synced
 * has no block yet, and would run the primary checkout's project: refused, naming the fix.
 */
export async function checkoutProjectName(dir: string, baseName: string, dotenv: string | null): Promise<{ projectName: string; slot: number }> {
  const { slot } = await checkoutSlot(dir, { store: false });
  const projectName = instanceProjectName(baseName, slot);
  const inBlock = instanceBlockValues(dotenv).COMPOSE_PROJECT_NAME;
  if (slot !== 0 && inBlock !== projectName) {
    throw new HsmError(ErrorCodes.INSTANCE_INVALID, `this checkout is instance ${slot} of ${baseName}, but .env does not say so yet: Compose would run the ${inBlock ?? baseName} stack`, {
      hint: 'run `hsm sync` here first (it gives this checkout its own Compose project name and host ports in .env)',
    });
  }
  return { projectName, slot };
}

/**
 * Before `hsm up`: containers of this Compose project that another directory started (a second clone, a copy, a
 * worktree set to the same slot) would be silently adopted — the stacks would share containers and data.
 */
export async function refuseForeignContainers(dir: string, projectName: string): Promise<void> {
  for (const c of await projectContainerDirs(dir, projectName)) {
    if (c.here || c.workingDir === '') continue;
    throw new HsmError(ErrorCodes.INSTANCE_CLASH, `container ${c.name} of Compose project ${projectName} belongs to another checkout (${c.workingDir}); starting here would share its containers and data`, {
      hint: `give this checkout its own instance: \`hsm instance N\` (a free slot from 1 to ${MAX_SLOT}), or stop that stack: \`hsm -C ${c.workingDir} down\``,
    });
  }
}

/**
 * Before `hsm instance N|--primary` moves this checkout to another Compose project: containers of its current one
 * that this directory started would keep running (ports, data) where `hsm down` no longer reaches them.
 */
export async function refuseLeavingContainers(dir: string, projectName: string, slot: number): Promise<void> {
  const mine = (await projectContainerDirs(dir, projectName)).filter((c) => c.here);
  if (mine.length === 0) return;
  throw new HsmError(
    ErrorCodes.INSTANCE_INVALID,
    `this checkout's stack (Compose project ${projectName}) has containers (${mine.map((c) => c.name).join(', ')}): moving it to instance ${slot} would leave them running where hsm no longer reaches them`,
    {
      hint: 'stop it first: `hsm down`, then run `hsm instance` again',
    },
  );
}

/** Containers (running or not) of a Compose project, with the directory that started each and whether it is `dir`. */
async function projectContainerDirs(dir: string, projectName: string): Promise<{ name: string; workingDir: string; here: boolean }[]> {
  let r;
  try {
    r = await runProcess(['docker', 'ps', '-a', '--filter', `label=com.docker.compose.project=${projectName}`, '--format', '{{.Names}}\t{{.Label "com.docker.compose.project.working_dir"}}'], {
      allowFailure: true,
      timeoutMs: 15_000,
    });
  } catch {
    return []; // no docker CLI: no containers
  }
  if (r.exitCode !== 0) return [];
  const here = await realpath(dir).catch(() => dir);
  const out: { name: string; workingDir: string; here: boolean }[] = [];
  for (const line of r.stdout.split('\n').filter((l) => l.includes('\t'))) {
    const [name, workingDir] = line.split('\t');
    out.push({ name, workingDir, here: workingDir === dir || (workingDir !== '' && (await realpath(workingDir).catch(() => workingDir)) === here) });
  }
  return out;
}
