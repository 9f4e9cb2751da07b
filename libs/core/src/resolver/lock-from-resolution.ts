/** The `components` table of hsm.lock for a resolution (mode and checkout are personal: never locked). */
import { HsmError, ErrorCodes } from '../errors.js';
import type { Lockfile } from '../schema/lock.js';
import type { Resolution } from '../model.js';

export function lockFromResolution(resolution: Resolution): Lockfile['components'] {
  const out: Lockfile['components'] = {};
  for (const c of [...resolution.components].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    out[c.name] = { version: c.version, registry: c.registry, digest: c.digest };
  }
  return out;
}

/**
 * The locked-digest check's one message: `source` (a registry, a cache) serves `digest` for a version hsm.lock
 * recorded with another digest. Used by the resolver and by the remote registry client.
 */
export function lockedDigestMismatch(source: string, registry: string, name: string, version: string, locked: string, digest: string): HsmError {
  return new HsmError(ErrorCodes.DIGEST_MISMATCH, `${source} serves different content for ${name} ${version} than hsm.lock recorded`, {
    details: [`hsm.lock: ${locked}`, `${registry}: ${digest}`],
    hint: `if the change is expected, accept it with \`hsm sync --upgrade-component ${name}\``,
  });
}
