/**
 * A folder registry (SPEC §4): `<dir>/<name>/<version>.yaml`, one file per version, plus optional
 * `<dir>/groups/<interface>.yaml`. Every file is validated with the shared schema and must sit at the path its
 * name and version say, so a copied file with a stale `version:` is caught instead of shadowing another.
 *
 * Parsing and validating every YAML file is most of what a small command spends beyond Node's start, so with a
 * `cache` the parsed registry is kept on disk, keyed by the caller's salt (it changes with every hsm build) and
 * what stat says of every file — path, size, modification and change times (ns), inode — as make and git do: the
 * files are read and parsed only when one changed (a write always moves the change time, which nothing can set
 * back). A file modified in the last RACY_MS is not trusted to that (a second write within the file system's time
 * granularity could keep its times and size): no cache is written until all are older, like git's racy index.
 * Only a registry that loaded without error is kept, so a cache hit stands for a successful parse of the same files.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ErrorCodes, HsmError, InterfaceDefinition, NAME_RE, digestOf, parseDefinitionWithOrigin, parseYamlSource, validateSource, type CatalogEntry, type RegistrySnapshot } from '@hsm/core';

const GROUPS_DIR = 'groups';
const EXT = '.yaml';

export interface FolderRegistryCache {
  /** Folder for the cache files (e.g. `$XDG_CACHE_HOME/hsm/folders`). */
  dir: string;
  /** Changes whenever the parser or schema may have (the hsm build id). */
  salt: string;
}

interface FolderFile {
  sub: string;
  file: string;
  path: string;
}

/** How recently modified a file may be for its stat to stand for its content (2 s: FAT's time granularity). */
const RACY_MS = 2000;

interface CachedFolder {
  key: string;
  components: [string, CatalogEntry[]][];
  interfaces: [string, InterfaceDefinition][];
}

export async function loadFolderRegistry(name: string, dir: string, cache?: FolderRegistryCache): Promise<RegistrySnapshot> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new HsmError(ErrorCodes.REGISTRY_NOT_FOUND, `registry ${name}: folder ${dir} does not exist`, {
      hint: `create it (one \`<name>/<version>.yaml\` per component version) or fix the \`path\` of registry ${name} in hsm.yaml`,
    });
  }
  const top = (await entriesOf(dir, (s) => s.isDirectory())).filter((n) => !n.startsWith('.'));
  const bySub = await Promise.all(
    top.map(async (sub) => {
      const folder = join(dir, sub);
      if (sub !== GROUPS_DIR && !NAME_RE.test(sub)) {
        throw new HsmError(ErrorCodes.DEFINITION_INVALID, `${folder}: \`${sub}\` is not a component name`, { hint: 'component folders are named like `qdrant-adapter` (lowercase letters, digits, dashes)' });
      }
      const files = (await entriesOf(folder, (s) => s.isFile())).filter((n) => n.endsWith(EXT));
      return files.map((file): FolderFile => ({ sub, file, path: join(folder, file) }));
    }),
  );
  const files = bySub.flat();
  const stats = cache ? await Promise.all(files.map((f) => stat(f.path, { bigint: true }))) : [];
  const key = cache ? keyOf(cache.salt, files, stats) : '';
  const cacheFile = cache ? join(cache.dir, `${createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 32)}.json`) : '';
  if (cache) {
    const hit = await readCached(cacheFile, key);
    if (hit) return { name, kind: 'folder', complete: true, components: new Map(hit.components), interfaces: new Map(hit.interfaces) };
  }
  const texts = await Promise.all(files.map((f) => readFile(f.path, 'utf8')));
  const components = new Map<string, CatalogEntry[]>();
  const interfaces = new Map<string, InterfaceDefinition>();
  for (const [i, { sub, file, path }] of files.entries()) {
    const text = texts[i];
    if (sub === GROUPS_DIR) {
      const def = validateSource(InterfaceDefinition, parseYamlSource(path, text, ErrorCodes.DEFINITION_INVALID), ErrorCodes.DEFINITION_INVALID, 'an interface file holds `name` and `description`');
      expectAt(path, def.name, file.slice(0, -EXT.length), 'name');
      interfaces.set(def.name, def);
      continue;
    }
    const { definition, origin } = parseDefinitionWithOrigin(text, path);
    expectAt(path, definition.name, sub, 'name');
    expectAt(path, definition.version, file.slice(0, -EXT.length), 'version');
    const entries = components.get(sub) ?? [];
    entries.push({ name: definition.name, version: definition.version, digest: digestOf(definition), yanked: false, definition, origin });
    components.set(sub, entries);
  }
  const snapshot: RegistrySnapshot = { name, kind: 'folder', complete: true, components: sortedMap(components), interfaces: sortedMap(interfaces) };
  const racy = stats.some((s) => Date.now() - Number(s.mtimeMs) < RACY_MS);
  if (cache && !racy) await writeCached(cache.dir, cacheFile, { key, components: [...snapshot.components], interfaces: [...snapshot.interfaces] });
  return snapshot;
}

function keyOf(salt: string, files: FolderFile[], stats: BigIntStats[]): string {
  const h = createHash('sha256').update(`hsm-folder-registry 2\0${salt}\0`);
  files.forEach((f, i) => {
    const s = stats[i];
    h.update(`${f.sub}/${f.file}\0${s.size}\0${s.mtimeNs}\0${s.ctimeNs}\0${s.ino}\0${s.dev}\0`);
  });
  return h.digest('hex');
}

async function readCached(file: string, key: string): Promise<CachedFolder | null> {
  try {
    const c = JSON.parse(await readFile(file, 'utf8')) as CachedFolder;
    return c.key === key && Array.isArray(c.components) && Array.isArray(c.interfaces) ? c : null;
  } catch {
    return null;
  }
}

/** Best effort (a cache): a unique temp file renamed into place, so concurrent hsm processes never see half of one. */
async function writeCached(dir: string, file: string, value: CachedFolder): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, JSON.stringify(value));
    await rename(temp, file);
  } catch {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

/** Sorted names in `dir` of the wanted kind; symlinks count as what they point at (a team may link a shared folder in). */
async function entriesOf(dir: string, want: (s: { isFile(): boolean; isDirectory(): boolean }) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const target = d.isSymbolicLink() ? await stat(join(dir, d.name)).catch(() => undefined) : d;
    if (target && want(target)) out.push(d.name);
  }
  return out.sort();
}

function expectAt(path: string, actual: string, expected: string, field: 'name' | 'version'): void {
  if (actual === expected) return;
  throw new HsmError(ErrorCodes.DEFINITION_INVALID, `${path}: \`${field}\` is ${actual} but the file's path says ${expected}`, {
    location: `${path}:1:1`,
    hint: field === 'name' ? 'move the file to `<name>/<version>.yaml` or fix `name:`' : `rename the file to \`${actual}.yaml\` or fix \`version:\``,
  });
}

function sortedMap<V>(m: Map<string, V>): Map<string, V> {
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
