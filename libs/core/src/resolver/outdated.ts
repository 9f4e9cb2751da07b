/**
 * `hsm outdated` (issue 15): per component, the locked version, the newest version the hsm.yaml range allows, the
 * newest overall, and whether the locked version is yanked. For a complete registry (folder, built-in) it is
 * computed here from the snapshot; a registry service answers the same questions in one batch (libs/host).
 */
import { satisfies, sortVersionsDesc } from './versions.js';
import type { CatalogEntry } from '../model.js';

export interface OutdatedQuery {
  name: string;
  /** The hsm.yaml range (`*` when the component is not listed there or has none). */
  range: string;
  /** The version hsm.lock holds, when it takes the name from this registry. */
  locked?: string;
}

export interface OutdatedReport {
  name: string;
  range: string;
  locked: string | null;
  /** Newest non-yanked version satisfying `range`. */
  wanted: string | null;
  /** Newest non-yanked version. */
  latest: string | null;
  /** Whether the locked version is yanked (null: nothing locked, or the registry no longer has it). */
  yanked: boolean | null;
  /** The registry has no such component. */
  missing: boolean;
}

/** The report for one component from the versions a complete registry holds of it (undefined: none). */
export function outdatedIn(entries: CatalogEntry[] | undefined, q: OutdatedQuery): OutdatedReport {
  const sorted = sortVersionsDesc(entries ?? []);
  const newest = (range: string) => sorted.find((e) => !e.yanked && satisfies(e.version, range))?.version ?? null;
  const locked = q.locked ? sorted.find((e) => e.version === q.locked) : undefined;
  return {
    name: q.name,
    range: q.range,
    locked: q.locked ?? null,
    wanted: newest(q.range),
    latest: newest('*'),
    yanked: locked ? locked.yanked : null,
    missing: sorted.length === 0,
  };
}
