/** The `components` table of hsm.lock for a resolution (mode and checkout are personal: never locked). */
import type { Lockfile } from '../schema/lock.js';
import type { Resolution } from '../model.js';

export function lockFromResolution(resolution: Resolution): Lockfile['components'] {
  const out: Lockfile['components'] = {};
  for (const c of [...resolution.components].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    out[c.name] = { version: c.version, registry: c.registry, digest: c.digest };
  }
  return out;
}
