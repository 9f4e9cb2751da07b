/**
 * `hsm outdated` against a registry service: per component, three items of one POST /v1/resolve — the newest
 * version in the hsm.yaml range, the newest overall (`*`), and the locked version itself with yanked versions
 * allowed (so its yanked flag comes back).
 */
import type { OutdatedQuery, OutdatedReport } from '@hsm/core';
import type { ResolveAnswer, ResolveItem } from './registry-client.js';

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
