/**
 * The registries of a manifest in search order, as the resolver sees them. Builtin and folder registries are
 * complete snapshots; a remote registry's snapshot fills up as `fetch(names)` asks the service for the names the
 * resolver needs. The built-in catalog comes from the caller (the CLI knows where its bundle keeps it).
 */
import { join, isAbsolute } from 'node:path';
import type { Manifest, Lockfile, RegistrySnapshot } from '@hsm/core';
import { loadFolderRegistry, type FolderRegistryCache } from './load-folder-registry.js';
import type { RemoteRegistry } from '../remote/index.js';
import { hsmCacheDir, hsmConfigDir } from '../dirs.js';

export interface LoadedRegistry {
  snapshot: RegistrySnapshot;
  fetch?: (names: string[]) => Promise<void>;
  /** A registry service (`url:`): search, info and publish talk to it directly. */
  remote?: RemoteRegistry;
}

export interface RegistryLoadOptions {
  /** Remote registries answer from the cache only (and fail naming what is not cached). */
  offline?: boolean;
  /** Remote registries revalidate cached locked versions (`--refresh`). */
  refresh?: boolean;
  /** Folder registries are parsed once per content of their files (see loadFolderRegistry). */
  folderCache?: FolderRegistryCache;
  /** hsm.lock: remote registries keep and check its versions. */
  lock?: Lockfile | null;
  upgrade?: boolean | string[];
  /** Retries and other notes from remote registries (`--verbose`). */
  log?: (message: string) => void;
  /** The built-in catalog (last in search order unless the manifest says `builtin: false`). */
  builtin?: () => RegistrySnapshot;
}

export { hsmCacheDir, hsmConfigDir } from '../dirs.js';

/** A path from hsm.yaml, relative to the project unless absolute. */
export function projectRelative(dir: string, p: string): string {
  return isAbsolute(p) ? p : join(dir, p);
}

/** A registry service: token from HSM_TOKEN_<NAME> or `hsm login`, cache under $XDG_CACHE_HOME/hsm/registries. */
export async function remoteRegistry(r: { name: string; url: string }, options: RegistryLoadOptions & { manifest?: Manifest; token?: string } = {}): Promise<RemoteRegistry> {
  // loaded on demand: a project of folder registries (and `hsm add --no-sync` there) never parses the HTTP client
  // or the response schemas (issue 15 item 6)
  const { RemoteRegistry, tokenFor } = await import('../remote/index.js');
  return new RemoteRegistry({
    name: r.name,
    url: r.url,
    token: options.token ?? (await tokenFor(r, process.env, hsmConfigDir())),
    cacheRoot: join(hsmCacheDir(), 'registries'),
    offline: options.offline,
    refresh: options.refresh,
    manifest: options.manifest,
    lock: options.lock,
    upgrade: options.upgrade,
    log: options.log,
  });
}

export async function loadRegistries(dir: string, manifest: Manifest, options: RegistryLoadOptions = {}): Promise<LoadedRegistry[]> {
  const out: LoadedRegistry[] = [];
  for (const r of manifest.registries ?? []) {
    if ('path' in r) {
      out.push({ snapshot: await loadFolderRegistry(r.name, projectRelative(dir, r.path), options.folderCache) });
    } else {
      const remote = await remoteRegistry(r, { ...options, manifest });
      out.push({ snapshot: remote.snapshot, fetch: (names) => remote.fetch(names), remote });
    }
  }
  if (manifest.builtin !== false && options.builtin) out.push({ snapshot: options.builtin() });
  return out;
}
