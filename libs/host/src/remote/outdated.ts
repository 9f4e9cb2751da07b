/**
 * `hsm outdated` against a registry service: per component, three items of one POST /v1/resolve — the newest
 * version in the hsm.yaml range, the newest overall (`*`), and the locked version itself with yanked versions
 * allowed (so its yanked flag comes back).
 */
import type { ResolveAnswer, ResolveItem } from './registry-client.js';

export interface OutdatedQuery {
  name: string;
  /** The hsm.yaml range (`*` when none). */
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
  /** Whether the locked version is yanked (null: nothing locked, or the service no longer has it). */
  yanked: boolean | null;
  /** The service has no such component. */
  missing: boolean;
}

export function outdatedItems(queries: OutdatedQuery[]): ResolveItem[] {
  return queries.flatMap((q) => [{ name: q.name, range: q.range }, { name: q.name, range: '*' }, ...(q.locked ? [{ name: q.name, range: q.locked, includeYanked: true }] : [])]);
}

export function readOutdated(queries: OutdatedQuery[], answers: ResolveAnswer[]): OutdatedReport[] {
  let k = 0;
  const next = () => answers[k++];
  return queries.map((q) => {
    const wanted = next();
    const latest = next();
    const locked = q.locked ? next() : undefined;
    const version = (a: ResolveAnswer | undefined) => (a && 'entry' in a ? a.entry.version : null);
    return {
      name: q.name,
      range: q.range,
      locked: q.locked ?? null,
      wanted: version(wanted),
      latest: version(latest),
      yanked: locked && 'entry' in locked ? locked.entry.yanked : null,
      missing: 'missing' in latest && latest.missing === 'component',
    };
  });
}
