/** Catalog queries for `hsm search` and `hsm info`: same shadowing rule as the resolver (first registry wins). */
import type { CatalogEntry, RegistrySnapshot } from '../model.js';
import { sortVersionsDesc } from './versions.js';

export interface CatalogHit {
  name: string;
  /** Newest non-yanked version. */
  version: string;
  registry: string;
  description: string;
  provides: string[];
}

/**
 * Components whose name, description or provided interfaces contain `text` (case-insensitive; empty text
 * matches all). Exact name first, then names containing the text, then the rest; each by name.
 */
export function searchCatalog(registries: readonly RegistrySnapshot[], text: string): CatalogHit[] {
  const needle = text.trim().toLowerCase();
  const seen = new Set<string>();
  const hits: Array<CatalogHit & { rank: number }> = [];
  for (const r of registries) {
    for (const [name, entries] of r.components) {
      if (seen.has(name) || entries.length === 0) continue;
      seen.add(name);
      const newest = sortVersionsDesc(entries).find((e) => !e.yanked);
      if (!newest) continue;
      const d = newest.definition;
      const provides = [...(d.provides ?? [])].sort();
      const description = d.description ?? '';
      let rank: number;
      if (needle === '' || name === needle) rank = 0;
      else if (name.includes(needle)) rank = 1;
      else if (provides.some((p) => p.includes(needle)) || description.toLowerCase().includes(needle)) rank = 2;
      else continue;
      hits.push({ name, version: newest.version, registry: r.name, description, provides, rank });
    }
  }
  hits.sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return hits.map(({ rank: _rank, ...hit }) => hit);
}

/** Every registry that has `name`, in search order, with its versions newest first. */
export function findVersions(registries: readonly RegistrySnapshot[], name: string): Array<{ registry: string; entries: CatalogEntry[] }> {
  const out: Array<{ registry: string; entries: CatalogEntry[] }> = [];
  for (const r of registries) {
    const entries = r.components.get(name);
    if (entries && entries.length > 0) out.push({ registry: r.name, entries: sortVersionsDesc(entries) });
  }
  return out;
}
