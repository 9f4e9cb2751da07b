/**
 * The planner's Compose half (pure): which Compose project the stack belongs to and what Compose loads there, and
 * the files hsm writes for it — the generated compose file, its link into the user's project (an `include:` entry
 * or COMPOSE_FILE in `.env`) and hsm.env. planSync calls it; the host's composeStack names a stack with the same
 * functions, so `hsm up` runs the project `hsm sync` planned.
 */
import type { Manifest } from '../schema/manifest.js';
import { renderCompose, userComposeFiles, COMPOSE_HEADER, parseUserCompose, linkComposeInclude, linkComposeEnv, renderEnvFile, toComposeProjectName, normaliseProjectName, ENV_FILE } from '../compose/index.js';
import { composeEnvironment, composeFileName } from '../compose/compose-project.js';
import { posix } from 'node:path';
import { HsmError, ErrorCodes } from '../errors.js';
import type { ConfiguredComponent } from '../options/configure.js';
import { checkServiceSafety } from '../safety/check-service-safety.js';
import { GENERATED_COMPOSE } from './project-files.js';
import { withoutInstanceBlock } from '../instance/plan-instance.js';
import type { FileChange, ProjectFiles, SyncPlan } from './plan-sync.js';

/**
 * The Compose project name, the one Compose itself picks for the user's own `docker compose` in the compose
 * directory (issue 9 item 6; docs/spec.md §6.2): `COMPOSE_PROJECT_NAME` in `.env`; else, when the user has a compose
 * file, the last top-level `name:` of that file and its `.override` file (an `include:`d file's is not the
 * project's), else the directory's name normalised as Compose does it; else — the generated file standing alone —
 * its own `name:` (standaloneProjectName). `COMPOSE_PROJECT_NAME` in the environment is personal: the host applies
 * it at run time (composeArgv). `dirName` is the compose directory's base name.
 */
export function composeProjectName(manifest: Manifest, project: Pick<ProjectFiles, '.env' | 'userCompose' | 'composeExtra' | 'composeDir'> & { dirName: string }): string {
  const at = (f: string) => atComposeDir(project.composeDir, f);
  // the committed name: a checkout's own name in hsm's `.env` block (issue 12) is not part of it
  const env = composeEnvironment(withoutInstanceBlock(project['.env']));
  if (env.COMPOSE_PROJECT_NAME) return toComposeProjectName(env.COMPOSE_PROJECT_NAME);
  if (!project.userCompose) return standaloneProjectName(manifest);
  const own = [project.userCompose, project.composeExtra?.override]
    .map((f) => (f ? composeFileName(f.text, env) : undefined))
    .filter((n): n is string => !!n)
    .at(-1);
  const name = own ?? directoryProjectName(project.dirName, at(project.userCompose.file), at('.env'));
  const wanted = manifest.compose?.project_name;
  if (wanted && wanted !== name) {
    throw new HsmError(
      ErrorCodes.MANIFEST_INVALID,
      `compose.project_name \`${wanted}\` in hsm.yaml is not the name Compose gives this project (\`${name}\`, from ${own ? `the name: of ${at(project.userCompose.file)}` : 'the directory'}): your own \`docker compose\` would run another stack`,
      {
        hint: `remove compose.project_name from hsm.yaml, or name the project where Compose reads it: \`name: ${wanted}\` in ${at(project.userCompose.file)} or COMPOSE_PROJECT_NAME=${wanted} in ${at('.env')}`,
      },
    );
  }
  return name;
}

/** The generated file's own `name:` when it stands alone: `compose.project_name`, else hsm.yaml's name (committed sources only). */
export function standaloneProjectName(manifest: Manifest): string {
  return toComposeProjectName(manifest.compose?.project_name ?? manifest.name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-'));
}

/** What Compose names a project after its directory (compose-go's NormalizeProjectName: lower case, [a-z0-9_-] kept, no leading `_`/`-`). */
function directoryProjectName(dirName: string, userFile: string, envFile: string): string {
  const name = normaliseProjectName(dirName);
  if (name === '') {
    throw new HsmError(ErrorCodes.MANIFEST_INVALID, `the directory name \`${dirName}\` gives Compose no project name (${userFile} has no top-level name:)`, {
      hint: `name the project: \`name: <name>\` at the top of ${userFile}, or COMPOSE_PROJECT_NAME=<name> in ${envFile}`,
    });
  }
  return name;
}

/**
 * The files to hand to `docker compose -f …`, the same set Compose loads by default — the user's file and its
 * `.override` — plus the generated file where no `include:` pulls it in (empty: the stack has no services).
 */
export function composeFileList(link: 'include' | 'env' | 'none', userFile: string | null, override: string | null, generated: boolean): string[] {
  if (!generated) return [];
  const user = userFile ? [userFile, ...(override ? [override] : [])] : [];
  if (user.length && link === 'include') return user;
  return [...(link === 'env' ? user : []), GENERATED_COMPOSE];
}

/** The Compose side of a project's files: where the Compose project is and what the user has there. */
export type ComposeSide = Pick<ProjectFiles, '.env' | 'userCompose' | 'composeExtra' | 'composeDir'>;

/**
 * A file of the Compose project directory as the user names it from hsm.yaml: `../compose.yml` from a workspace
 * member (issue 9 item 2) — the one rule for the paths in changes and messages.
 */
function atComposeDir(composeDir: string | undefined, file: string): string {
  return composeDir ? posix.join(composeDir, file) : file;
}

/** The Compose project directory: relative to the project (posix, '' = the project itself) and absolute. */
function composeRootOf(files: Pick<ProjectFiles, 'composeDir'>, projectDir: string): { composeDir: string; root: string } {
  const composeDir = files.composeDir ?? '';
  return { composeDir, root: composeDir ? posix.join(projectDir, composeDir) : projectDir };
}

/** The stack's committed Compose project name (composeProjectName in the Compose project directory). */
export function stackProjectName(manifest: Manifest, files: ComposeSide, projectDir: string): string {
  return composeProjectName(manifest, { ...files, dirName: posix.basename(composeRootOf(files, projectDir).root) });
}

/** The stack's `docker compose -f …` list (composeFileList with hsm.yaml's link mode; empty: no generated file). */
export function stackComposeFiles(manifest: Manifest, files: Pick<ProjectFiles, 'userCompose' | 'composeExtra'>, generated: boolean): string[] {
  return composeFileList(manifest.compose?.link ?? 'include', files.userCompose?.file ?? null, files.composeExtra?.override?.file ?? null, generated);
}

/** Where a plan puts the generated compose file, relative to the project. */
export function generatedComposePath(plan: Pick<SyncPlan, 'composeDir'>): string {
  return posix.join(plan.composeDir, GENERATED_COMPOSE);
}

/**
 * The generated compose file as the plan leaves it: `text` is its new bytes where the plan changes it (null: the
 * plan deletes it — the stack has no services any more), else the bytes read (`files`); `changed` says the plan
 * writes it. The one lookup for the instance's ports, the compose check and the host-port check.
 */
export function plannedCompose(plan: Pick<SyncPlan, 'composeDir' | 'changes'>, files: Pick<ProjectFiles, typeof GENERATED_COMPOSE>): { text: string | null; changed: boolean } {
  const path = generatedComposePath(plan);
  const change = plan.changes.find((c) => c.path === path);
  return change ? { text: change.after, changed: true } : { text: files[GENERATED_COMPOSE], changed: false };
}

export interface ComposePlanInput {
  manifest: Manifest;
  files: ProjectFiles;
  /** The stack with option values applied. */
  configured: ConfiguredComponent[];
  /** Component name → its dev checkout exists. */
  checkouts: Readonly<Record<string, boolean>>;
  /** Absolute project directory. */
  projectDir: string;
}

export interface ComposePlan {
  /** The Compose files whose bytes change (paths relative to the project), unsorted. */
  changes: FileChange[];
  /** Compose files to pass to `docker compose -f …` (empty: no services), relative to the Compose directory. */
  composeFiles: string[];
  /** The generated file as data when this plan writes a new one. */
  composeModel: Record<string, unknown> | null;
}

/**
 * The Compose files of a plan: the generated file (from the configured stack, refused where a definition asks the
 * host for more than hsm.yaml allows), its link into the user's compose project, and hsm.env.
 */
export function planCompose(input: ComposePlanInput): ComposePlan {
  const { manifest, files, configured } = input;
  // a member joining the workspace root's Compose project: its files live there (issue 9 item 2)
  const { composeDir, root: composeRoot } = composeRootOf(files, input.projectDir);
  const at = (f: string) => atComposeDir(composeDir, f);
  const changes: FileChange[] = [];
  const add = (path: string, before: string | null, after: string | null) => {
    if (before !== after) changes.push({ path, before, after });
  };
  const userCompose = files.userCompose ? { ...files.userCompose, parsed: parseUserCompose(files.userCompose) } : null;
  // definitions are untrusted, so what they ask of the host is refused unless hsm.yaml allows it
  // (`compose.bind: 0.0.0.0` is the manifest asking for public ports, for every component); checked on the
  // configured definitions, so a host path an option supplies is judged by its value
  const publicPorts = manifest.compose?.bind === '0.0.0.0';
  const allowed = (name: string): readonly string[] => [...(manifest.components?.[name]?.allow ?? []), ...(publicPorts ? ['public-ports'] : [])];
  checkServiceSafety(configured, allowed);
  const compose = renderCompose({
    allowed,
    // the generated file names the project only when it stands alone; beside the user's file it joins their project
    projectName: files.userCompose ? null : standaloneProjectName(manifest),
    // checkouts are relative to hsm.yaml; the generated file beside the root's compose file needs them from there
    components: composeDir ? configured.map((c) => (posix.isAbsolute(c.checkout) ? c : { ...c, checkout: posix.join(input.projectDir, c.checkout) })) : configured,
    checkoutExists: (c) => input.checkouts[c.name] === true,
    userCompose,
    // named in messages by their path from hsm.yaml: `../compose.yml` from a workspace member (issue 9 item 2)
    userFiles: userComposeFiles(userCompose, files.composeExtra).map((f) => ({ ...f, file: at(f.file) })),
    generatedFile: at(GENERATED_COMPOSE),
    // the committed view: a checkout's own ports (hsm's `.env` block) are chosen off the user's (userHostPorts)
    env: composeEnvironment(withoutInstanceBlock(files['.env']), files.environment),
    projectDir: composeRoot,
    link: manifest.compose?.link ?? 'include',
  });
  add(at(GENERATED_COMPOSE), files[GENERATED_COMPOSE], compose.text);
  // the file an earlier hsm generated beside hsm.yaml is replaced by the one at the root: take back hsm's own
  if (composeDir && files.staleGenerated?.startsWith(COMPOSE_HEADER)) add(GENERATED_COMPOSE, files.staleGenerated, null);
  const link = manifest.compose?.link ?? 'include';
  const present = compose.text !== null;
  // Every link mode takes back the others' edits: switching `include` → `env`/`none` drops hsm's include entry,
  // or the user's `docker compose` would fail once the generated file is gone (issue 9 item 3).
  if (userCompose && (link === 'include' || userCompose.text.includes(GENERATED_COMPOSE))) {
    add(at(userCompose.file), userCompose.text, linkComposeInclude(userCompose.text, GENERATED_COMPOSE, present && link === 'include', at(userCompose.file), userCompose.parsed.doc));
  }
  // `env` writes COMPOSE_FILE; any other link takes back a COMPOSE_FILE entry hsm wrote earlier (linkComposeEnv
  // only ever removes its own entry)
  if (link === 'env' || (files['.env'] !== null && /^COMPOSE_FILE=/m.test(files['.env']))) {
    const list = present && link === 'env' ? stackComposeFiles(manifest, files, true) : null;
    add(at('.env'), files['.env'], linkComposeEnv(files['.env'], list));
  }
  add(ENV_FILE, files[ENV_FILE], renderEnvFile(configured));
  const composeModel = (changes.some((c) => c.path === at(GENERATED_COMPOSE)) && compose.model) || null;
  return { changes, composeFiles: stackComposeFiles(manifest, files, present), composeModel };
}
