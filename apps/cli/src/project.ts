/** Reading a project from disk: where it is, its files, its registries. */
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath, isAbsolute } from 'node:path';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  HsmError,
  ErrorCodes,
  parseManifest,
  parseOverlay,
  parseLock,
  loadBuiltinCatalog,
  USER_COMPOSE_FILES,
  type Manifest,
  type LocalOverlay,
  type Lockfile,
  type ProjectFiles,
  type RegistrySnapshot,
  type ResolvedComponent,
} from '@hsm/core';
import { loadFolderRegistry, RemoteRegistry, tokenFor, readComposeExtra } from '@hsm/host';

export const MANIFEST = 'hsm.yaml';
export const OVERLAY = 'hsm.local.yaml';

export async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new HsmError(ErrorCodes.IO, `${path} is a directory`, { hint: 'move it out of the way' });
    throw new HsmError(ErrorCodes.IO, `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** The project directory: the nearest directory at or above `start` holding hsm.yaml (like uv and git). */
export function findProjectDir(start: string): string {
  const from = resolvePath(start);
  if (!existsSync(from)) throw new HsmError(ErrorCodes.USAGE, `directory ${start} does not exist`, { hint: 'check the path given to -C' });
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, MANIFEST))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new HsmError(ErrorCodes.MANIFEST_NOT_FOUND, `no ${MANIFEST} in ${from} or any parent directory`, {
    hint: 'run `hsm init` to create one',
  });
}

export async function readProjectFiles(dir: string): Promise<ProjectFiles> {
  const read = (f: string) => readOptional(join(dir, f));
  const [manifest, overlay, lock, pyproject, uvLock, generated, env, hsmEnv, ...user] = await Promise.all([
    read(MANIFEST),
    read(OVERLAY),
    read('hsm.lock'),
    read('pyproject.toml'),
    read('uv.lock'),
    read('docker-compose.hsm.yml'),
    read('.env'),
    read('hsm.env'),
    ...USER_COMPOSE_FILES.map(read),
  ]);
  if (manifest === null) throw new HsmError(ErrorCodes.MANIFEST_NOT_FOUND, `no ${MANIFEST} in ${dir}`, { hint: 'run `hsm init` to create one' });
  const userIdx = user.findIndex((t) => t !== null);
  const userCompose = userIdx >= 0 ? { file: USER_COMPOSE_FILES[userIdx], text: user[userIdx] as string } : null;
  return {
    'hsm.yaml': manifest,
    'hsm.local.yaml': overlay,
    'hsm.lock': lock,
    'pyproject.toml': pyproject,
    'uv.lock': uvLock,
    'docker-compose.hsm.yml': generated,
    '.env': env,
    'hsm.env': hsmEnv,
    userCompose,
    composeExtra: await readComposeExtra(dir, userCompose, env),
    environment: process.env,
  };
}

export interface LoadedProject {
  dir: string;
  files: ProjectFiles;
  manifest: Manifest;
  overlay: LocalOverlay;
  lock: Lockfile | null;
}

export function parseProject(dir: string, files: ProjectFiles, manifestText = files['hsm.yaml'], overlayText = files['hsm.local.yaml']): LoadedProject {
  const { manifest } = parseManifest(manifestText, MANIFEST);
  const overlay = overlayText === null ? {} : parseOverlay(overlayText, OVERLAY);
  const lock = files['hsm.lock'] === null ? null : parseLock(files['hsm.lock'], 'hsm.lock');
  return { dir, files, manifest, overlay, lock };
}

function catalogCandidates(): string[] {
  const override = process.env.HSM_BUILTIN_CATALOG;
  const here = dirname(fileURLToPath(import.meta.url));
  return override ? [override] : [join(here, 'catalog.json'), join(here, '..', 'dist', 'catalog.json')];
}

/** Where the built-in catalog file is (dist/catalog.json next to the bundle, or HSM_BUILTIN_CATALOG). */
export function builtinCatalogPath(): string | null {
  return catalogCandidates().find((f) => existsSync(f)) ?? null;
}

let builtinCache: RegistrySnapshot | undefined;
/** The catalog shipped inside the CLI bundle (dist/catalog.json, built from registry-seed/). */
export function builtinRegistry(): RegistrySnapshot {
  if (builtinCache) return builtinCache;
  const file = builtinCatalogPath();
  if (!file) {
    throw new HsmError(ErrorCodes.INTERNAL, `the built-in catalog is missing (looked for ${catalogCandidates().join(', ')})`, { hint: 'rebuild hsm: `npm run build`' });
  }
  return (builtinCache = loadBuiltinCatalog(readFileSync(file, 'utf8')));
}

/**
 * A registry as the resolver sees it. Builtin and folder registries are complete snapshots; a remote registry's
 * snapshot fills up as `fetch(names)` asks the service for the names the resolver needs.
 */
export interface LoadedRegistry {
  snapshot: RegistrySnapshot;
  fetch?: (names: string[]) => Promise<void>;
  /** A registry service (`url:`): search, info and publish talk to it directly. */
  remote?: RemoteRegistry;
}

export interface RegistryLoadOptions {
  /** Remote registries answer from the cache only (and fail naming what is not cached). */
  offline?: boolean;
  /** hsm.lock: remote registries keep and check its versions. */
  lock?: Lockfile | null;
  upgrade?: boolean | string[];
  /** Retries and other notes from remote registries (`--verbose`). */
  log?: (message: string) => void;
}

/** `$XDG_CACHE_HOME/hsm` (default `~/.cache/hsm`). */
export function hsmCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hsm');
}

/** `$XDG_CONFIG_HOME/hsm` (default `~/.config/hsm`): credentials from `hsm login`. */
export function hsmConfigDir(): string {
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'hsm');
}

/** A registry service: token from HSM_TOKEN_<NAME> or `hsm login`, cache under $XDG_CACHE_HOME/hsm/registries. */
export async function remoteRegistry(r: { name: string; url: string }, options: RegistryLoadOptions & { manifest?: Manifest; token?: string } = {}): Promise<RemoteRegistry> {
  return new RemoteRegistry({
    name: r.name,
    url: r.url,
    token: options.token ?? (await tokenFor(r, process.env, hsmConfigDir())),
    cacheRoot: join(hsmCacheDir(), 'registries'),
    offline: options.offline,
    manifest: options.manifest,
    lock: options.lock,
    upgrade: options.upgrade,
    log: options.log,
  });
}

/** The registries of a manifest in search order, the built-in catalog last unless `builtin: false`. */
export async function loadRegistries(dir: string, manifest: Manifest, options: RegistryLoadOptions = {}): Promise<LoadedRegistry[]> {
  const out: LoadedRegistry[] = [];
  for (const r of manifest.registries ?? []) {
    if ('path' in r) {
      out.push({ snapshot: await loadFolderRegistry(r.name, isAbsolute(r.path) ? r.path : join(dir, r.path)) });
    } else {
      const remote = await remoteRegistry(r, { ...options, manifest });
      out.push({ snapshot: remote.snapshot, fetch: (names) => remote.fetch(names), remote });
    }
  }
  if (manifest.builtin !== false) out.push({ snapshot: builtinRegistry() });
  return out;
}

export function checkoutDir(dir: string, c: Pick<ResolvedComponent, 'checkout'>): string {
  return isAbsolute(c.checkout) ? c.checkout : join(dir, c.checkout);
}
