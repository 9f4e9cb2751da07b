/**
 * The on-disk cache of one registry service: `<root>/registries/<host>/`.
 *   versions/<name>/<version>.json   a version document (immutable on the service: kept forever)
 *   components/<name>.json           a component document and its ETag (revalidated with If-None-Match)
 * Every write goes to a unique temp file that is renamed into place, so concurrent hsm processes only ever see a
 * whole old or a whole new file. Every read is checked: a version document whose definition does not hash to its
 * digest (a torn disk, a hand edit) counts as absent and is removed.
 * Size: one file per version document fetched (as large as the definition, typically 1–4 KiB) and one per
 * component looked up completely; nothing is evicted (versions are immutable), `hsm cache clean` empties it.
 */
import { lstat, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { NAME_RE, checkDefinition, digestOf, type ComponentDefinition } from '@hsm/core';

interface CachedVersion {
  name: string;
  version: string;
  digest: string;
  definition: ComponentDefinition;
}

export interface ComponentVersionInfo {
  version: string;
  digest: string;
  yanked: boolean;
}

export interface ComponentDocument {
  name: string;
  description?: string | null;
  provides?: string[];
  versions: ComponentVersionInfo[];
}

/** `<host>[_<path>]` of a registry URL, safe as one folder name. */
export function cacheFolderName(url: string): string {
  const u = new URL(url);
  const path = u.pathname.replace(/\/+$/, '');
  const raw = path ? `${u.host}${path}` : u.host;
  return raw.replace(/[^A-Za-z0-9.-]/g, '_');
}

const VERSION_FILE_RE = /^[0-9A-Za-z.+-]{1,128}$/;

export class RegistryCache {
  constructor(readonly dir: string) {}

  private versionPath(name: string, version: string): string | null {
    if (!NAME_RE.test(name) || !VERSION_FILE_RE.test(version) || version.startsWith('.')) return null;
    return join(this.dir, 'versions', name, `${version}.json`);
  }

  private componentPath(name: string): string | null {
    return NAME_RE.test(name) ? join(this.dir, 'components', `${name}.json`) : null;
  }

  async readVersion(name: string, version: string): Promise<CachedVersion | null> {
    const path = this.versionPath(name, version);
    if (!path) return null;
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text === null) return null;
    try {
      const doc = JSON.parse(text) as CachedVersion;
      const definition = checkDefinition(doc.definition, path);
      if (definition.name !== name || definition.version !== version || digestOf(definition) !== doc.digest) throw new Error('digest');
      return { name, version, digest: doc.digest, definition };
    } catch {
      await rm(path, { force: true }); // unusable: fetch it again
      return null;
    }
  }

  /** Only verified documents are written (the caller checked the digest). */
  async writeVersion(doc: CachedVersion): Promise<void> {
    const path = this.versionPath(doc.name, doc.version);
    if (path) await writeAtomic(path, JSON.stringify({ name: doc.name, version: doc.version, digest: doc.digest, definition: doc.definition }));
  }

  /** The versions of `name` held in the cache (unverified until read). */
  async versions(name: string): Promise<string[]> {
    if (!NAME_RE.test(name)) return [];
    try {
      return (await readdir(join(this.dir, 'versions', name))).filter((f) => f.endsWith('.json') && !f.startsWith('.')).map((f) => f.slice(0, -'.json'.length));
    } catch {
      return [];
    }
  }

  async readComponent(name: string): Promise<{ etag: string; document: ComponentDocument } | null> {
    const path = this.componentPath(name);
    if (!path) return null;
    try {
      const v = JSON.parse(await readFile(path, 'utf8')) as { etag?: unknown; document?: ComponentDocument };
      if (typeof v.etag !== 'string' || !v.document || !Array.isArray(v.document.versions)) return null;
      return { etag: v.etag, document: v.document };
    } catch {
      return null;
    }
  }

  /** Every component name the cache holds a document or a version of (shell completion, offline). */
  async names(): Promise<string[]> {
    const list = (sub: string) => readdir(join(this.dir, sub)).catch(() => [] as string[]);
    const [components, versions] = await Promise.all([list('components'), list('versions')]);
    const names = [...components.filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)), ...versions];
    return [...new Set(names.filter((n) => NAME_RE.test(n)))].sort();
  }

  async writeComponent(name: string, etag: string, document: ComponentDocument): Promise<void> {
    const path = this.componentPath(name);
    if (path) await writeAtomic(path, JSON.stringify({ etag, document }));
  }
}

/** Unique temp name per writer, then rename: last writer wins, readers never see a partial file. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const dir = join(path, '..');
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${randomBytes(6).toString('hex')}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text, { mode: 0o644 });
    await rename(temp, path);
  } catch {
    // a cache: failing to write it costs the next run a download, nothing else
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

/** Files and bytes under `root` (the registries' cache), for `hsm cache`. */
export async function cacheSize(root: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    await Promise.all(
      entries.map(async (e) => {
        const p = join(dir, e.name);
        if (e.isDirectory()) return walk(p);
        const st = await lstat(p).catch(() => null);
        if (st?.isFile()) {
          files++;
          bytes += st.size;
        }
      }),
    );
  };
  await walk(root);
  return { files, bytes };
}

/**
 * Empties the registries' cache: the folder is first renamed aside (one atomic step, so a concurrent hsm sees
 * either the old cache or none, never half of one), then removed. Returns what was freed.
 */
export async function cleanCache(root: string): Promise<{ files: number; bytes: number }> {
  const size = await cacheSize(root);
  const aside = join(dirname(root), `.${randomBytes(6).toString('hex')}.cleaning`);
  try {
    await rename(root, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { files: 0, bytes: 0 };
    throw e;
  }
  await rm(aside, { recursive: true, force: true });
  return size;
}
