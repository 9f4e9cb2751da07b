/**
 * Reads the rest of the user's Compose project the way Compose finds it (issue 9 item 4): the first `.override`
 * file beside the user's file, then every file they `include:` (recursively, each once). hsm never writes these;
 * they feed the plan-time clash check and the `-f` list of the compose check.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { uvWorkspaceOf } from '../uv/workspace.js';
import { USER_COMPOSE_FILES, COMPOSE_OVERRIDE_FILES, GENERATED_COMPOSE, composeIncludeEntries, composeEnvironment, userComposeFiles, parseDotenv, type ComposeEnv, type UserComposeFile } from '@hsm/core';

const MAX_FILES = 64;

async function readIfThere(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return null;
    throw e;
  }
}

export interface ComposeExtra {
  override: UserComposeFile | null;
  included: UserComposeFile[];
  /** Included files (and their env_files) that do not exist (yet): the no-op fingerprint notices when one appears. */
  missing: string[];
  /** The `env_file`s of `include:` entries, read (for the no-op fingerprint). */
  envFiles: { file: string; text: string }[];
}

/**
 * `main`: the user's compose file (null: none, and Compose loads no override either). `override`: the override
 * file when the caller has read it already (undefined: look for it here).
 */
export async function readComposeExtra(dir: string, main: UserComposeFile | null, dotenv: string | null, environment: ComposeEnv = process.env, known?: UserComposeFile | null): Promise<ComposeExtra> {
  if (!main) return { override: null, included: [], missing: [], envFiles: [] };
  let override: UserComposeFile | null = known ?? null;
  for (const f of known === undefined ? COMPOSE_OVERRIDE_FILES : []) {
    const text = await readIfThere(join(dir, f));
    if (text !== null) {
      override = { file: f, text };
      break;
    }
  }
  const env = composeEnvironment(dotenv, environment);
  // the generated file, included by `compose.link: include`, is hsm's own, not part of the user's project
  const seen = new Set([main.file, GENERATED_COMPOSE, ...(override ? [override.file] : [])]);
  const queue = [main, ...(override ? [override] : [])];
  const included: UserComposeFile[] = [];
  const missing: string[] = [];
  const envFiles: { file: string; text: string }[] = [];
  while (queue.length && seen.size < MAX_FILES) {
    const source = queue.shift()!;
    for (const { path: file, envFiles: envFileNames } of composeIncludeEntries(source.file, source.text, env)) {
      if (seen.has(file)) continue;
      seen.add(file);
      // a missing include is Compose's to report (`docker compose config` names it)
      const text = await readIfThere(isAbsolute(file) ? file : join(dir, file));
      if (text === null) {
        missing.push(file);
        continue;
      }
      const entry: UserComposeFile = { file, text };
      for (const name of envFileNames) {
        const envText = await readIfThere(isAbsolute(name) ? name : join(dir, name));
        if (envText === null) missing.push(name);
        else {
          envFiles.push({ file: name, text: envText });
          entry.envDefaults = { ...entry.envDefaults, ...parseDotenv(envText) };
        }
      }
      included.push(entry);
      queue.push(entry);
    }
  }
  return { override, included, missing, envFiles };
}

/** The user's Compose project an hsm project's stack belongs to, as Compose finds it. */
export interface ComposeProjectFiles {
  /** Its directory relative to the project (posix; '' = the project itself): see composeDirOf. */
  composeDir: string;
  /** The user's compose file there (the first of USER_COMPOSE_FILES; null: none). */
  userCompose: UserComposeFile | null;
  /** Its `.override` file and what they `include:` (none without a user file). */
  composeExtra: ComposeExtra;
  /** The user's files Compose loads, in that order: their file, its override, the included ones. */
  userFiles: UserComposeFile[];
  /** `.env` there: Compose's env file. */
  dotenv: string | null;
  /** The generated docker-compose.hsm.yml there (null: none). */
  generated: string | null;
}

/**
 * The user's Compose project in `dir` (its `composeDir` from the project), found the way Compose finds it: `read`
 * gives the text of a file there (null: absent), so the sync pipeline finds it in the bytes it journals and
 * composeStack on disk; included files are read here.
 */
export async function findComposeFiles(dir: string, composeDir: string, read: (file: string) => Promise<string | null>, environment: ComposeEnv = process.env): Promise<ComposeProjectFiles> {
  const first = async (names: readonly string[]): Promise<UserComposeFile | null> => {
    for (const file of names) {
      const text = await read(file);
      if (text !== null) return { file, text };
    }
    return null;
  };
  const userCompose = await first(USER_COMPOSE_FILES);
  const dotenv = await read('.env');
  // Compose loads an override file only beside the user's own
  const composeExtra = await readComposeExtra(dir, userCompose, dotenv, environment, userCompose ? await first(COMPOSE_OVERRIDE_FILES) : null);
  const userFiles = userComposeFiles(userCompose, composeExtra);
  return { composeDir, userCompose, composeExtra, userFiles, dotenv, generated: await read(GENERATED_COMPOSE) };
}

/**
 * The directory of the user's Compose project, relative to the project (posix; '' = the project itself): a uv
 * workspace member with no compose file of its own joins the workspace root's, as full-stack-fastapi-template's
 * backend/ does (issue 9 item 2) — the project `docker compose` at the root runs.
 */
export async function composeDirOf(dir: string): Promise<string> {
  const has = (d: string) => USER_COMPOSE_FILES.some((f) => existsSync(join(d, f)));
  if (has(dir)) return '';
  const ws = await uvWorkspaceOf(dir);
  return ws && has(ws.root) ? relative(resolve(dir), ws.root).split(sep).join('/') : '';
}
