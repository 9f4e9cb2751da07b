/**
 * The built-in catalog as one JSON text (built from registry-seed/ by scripts/build-catalog.mjs and shipped
 * beside the CLI bundle) and back. Pure: the caller reads the file.
 */
import { ErrorCodes, HsmError } from '../errors.js';
import { createHash } from 'node:crypto';
import { canonicalJson, digestOf } from '../canonical-json.js';
import { checkDefinition } from '../load.js';
import { InterfaceDefinition } from '../schema/definition.js';
import type { CatalogEntry, RegistrySnapshot } from '../model.js';
import { sortVersionsDesc } from './versions.js';

export const CATALOG_FORMAT = 1;

interface CatalogJson {
  format: number;
  components: Array<{ name: string; version: string; digest: string; yanked?: boolean; definition: unknown }>;
  interfaces: Array<{ name: string; description?: string }>;
}

/** Deterministic JSON of a snapshot: components by name then version (ascending), interfaces by name. */
export function catalogJsonOf(snapshot: RegistrySnapshot): string {
  const components: CatalogJson['components'] = [];
  for (const name of [...snapshot.components.keys()].sort()) {
    for (const e of sortVersionsDesc(snapshot.components.get(name)!).reverse()) {
      components.push({ name: e.name, version: e.version, digest: e.digest, ...(e.yanked ? { yanked: true } : {}), definition: e.definition });
    }
  }
  const interfaces = [...snapshot.interfaces.keys()].sort().map((k) => snapshot.interfaces.get(k)!);
  return canonicalJson({ format: CATALOG_FORMAT, components, interfaces }) + '\n';
}

/** The seal of a catalog text: its sha256, computed by the build after the text passed every check. */
export function catalogSeal(jsonText: string): string {
  return 'sha256:' + createHash('sha256').update(jsonText).digest('hex');
}

/**
 * Parses the catalog JSON, validating each definition and its digest: a corrupt build fails loudly.
 * With `seal` (what catalogSeal gave the build for the text it checked, shipped inside the bundle), a text with
 * that very seal was validated and digested at build time, so it is taken as it is (the checks cost ~50 ms of
 * every command's start); any other text — damaged, edited, another catalog — is checked in full.
 */
export function loadBuiltinCatalog(jsonText: string, name = 'builtin', seal?: string): RegistrySnapshot {
  if (seal !== undefined && catalogSeal(jsonText) === seal) return sealedCatalog(JSON.parse(jsonText) as CatalogJson, name);
  const bad = (why: string) => new HsmError(ErrorCodes.DEFINITION_INVALID, `the built-in catalog is damaged: ${why}`, { hint: 'reinstall hsm (or rebuild it with `npm run build`)' });
  let data: CatalogJson;
  try {
    data = JSON.parse(jsonText) as CatalogJson;
  } catch {
    throw bad('not valid JSON');
  }
  if (!data || data.format !== CATALOG_FORMAT || !Array.isArray(data.components) || !Array.isArray(data.interfaces)) throw bad(`expected format ${CATALOG_FORMAT}`);
  const components = new Map<string, CatalogEntry[]>();
  for (const c of data.components) {
    const definition = checkDefinition(c?.definition, `built-in catalog entry ${String(c?.name)}@${String(c?.version)}`);
    if (definition.name !== c.name || definition.version !== c.version) throw bad(`entry ${c.name}@${c.version} holds ${definition.name}@${definition.version}`);
    const digest = digestOf(definition);
    if (digest !== c.digest) throw bad(`digest of ${c.name}@${c.version} does not match its definition`);
    const list = components.get(c.name) ?? [];
    list.push({ name: c.name, version: c.version, digest, yanked: c.yanked === true, definition });
    components.set(c.name, list);
  }
  const interfaces = new Map<string, InterfaceDefinition>();
  for (const i of data.interfaces) {
    const r = InterfaceDefinition.safeParse(i);
    if (!r.success) throw bad(`interface ${String(i?.name)} is invalid`);
    interfaces.set(r.data.name, r.data);
  }
  return { name, kind: 'builtin', complete: true, components, interfaces };
}

/** A catalog whose text the build checked (loadBuiltinCatalog): the same snapshot, without checking again. */
function sealedCatalog(data: CatalogJson, name: string): RegistrySnapshot {
  const components = new Map<string, CatalogEntry[]>();
  for (const c of data.components) {
    const list = components.get(c.name) ?? [];
    list.push({ name: c.name, version: c.version, digest: c.digest, yanked: c.yanked === true, definition: c.definition as CatalogEntry['definition'] });
    components.set(c.name, list);
  }
  const interfaces = new Map<string, InterfaceDefinition>(data.interfaces.map((i) => [i.name, i as InterfaceDefinition]));
  return { name, kind: 'builtin', complete: true, components, interfaces };
}
