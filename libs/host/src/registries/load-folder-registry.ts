/**
 * A folder registry (SPEC §4): `<dir>/<name>/<version>.yaml`, one file per version, plus optional
 * `<dir>/groups/<interface>.yaml`. Every file is validated with the shared schema and must sit at the path its
 * name and version say, so a copied file with a stale `version:` is caught instead of shadowing another.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ErrorCodes,
  HsmError,
  InterfaceDefinition,
  NAME_RE,
  digestOf,
  parseDefinitionWithOrigin,
  parseYamlSource,
  validateSource,
  type CatalogEntry,
  type RegistrySnapshot,
} from '@hsm/core';

const GROUPS_DIR = 'groups';
const EXT = '.yaml';

export async function loadFolderRegistry(name: string, dir: string): Promise<RegistrySnapshot> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new HsmError(ErrorCodes.REGISTRY_NOT_FOUND, `registry ${name}: folder ${dir} does not exist`, {
      hint: `create it (one \`<name>/<version>.yaml\` per component version) or fix the \`path\` of registry ${name} in hsm.yaml`,
    });
  }
  const top = (await entriesOf(dir, (s) => s.isDirectory())).filter((n) => !n.startsWith('.'));
  const components = new Map<string, CatalogEntry[]>();
  const interfaces = new Map<string, InterfaceDefinition>();
  await Promise.all(
    top.map(async (sub) => {
      const folder = join(dir, sub);
      const files = (await entriesOf(folder, (s) => s.isFile())).filter((n) => n.endsWith(EXT));
      if (sub === GROUPS_DIR) {
        for (const file of files) {
          const path = join(folder, file);
          const def = validateSource(InterfaceDefinition, parseYamlSource(path, await readFile(path, 'utf8'), ErrorCodes.DEFINITION_INVALID), ErrorCodes.DEFINITION_INVALID, 'an interface file holds `name` and `description`');
          expectAt(path, def.name, file.slice(0, -EXT.length), 'name');
          interfaces.set(def.name, def);
        }
        return;
      }
      if (!NAME_RE.test(sub)) {
        throw new HsmError(ErrorCodes.DEFINITION_INVALID, `${folder}: \`${sub}\` is not a component name`, { hint: 'component folders are named like `qdrant-adapter` (lowercase letters, digits, dashes)' });
      }
      const entries: CatalogEntry[] = [];
      for (const file of files) {
        const path = join(folder, file);
        const { definition, origin } = parseDefinitionWithOrigin(await readFile(path, 'utf8'), path);
        expectAt(path, definition.name, sub, 'name');
        expectAt(path, definition.version, file.slice(0, -EXT.length), 'version');
        entries.push({ name: definition.name, version: definition.version, digest: digestOf(definition), yanked: false, definition, origin });
      }
      if (entries.length > 0) components.set(sub, entries);
    }),
  );
  return { name, kind: 'folder', complete: true, components: sortedMap(components), interfaces: sortedMap(interfaces) };
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
