/**
 * The resolver (SPEC §5): manifest + overlay + registry snapshots + hsm.lock → the exact stack. Pure.
 *
 * Outline:
 *  1. Roots (roots.ts): every `components` entry of hsm.yaml and every group's `use` member.
 *  2. Discovery (discover.ts): each reachable name is bound to ONE registry (pin > lock > search order) and the
 *     names its versions require are followed. A name an incomplete (remote) snapshot has not fetched yet is
 *     collected and returned as `{ kind: 'need' }`, one level of `requires` per round trip.
 *  3. Search (search.ts): names are decided in discovery order, highest acceptable version first (the locked
 *     version first when it still fits), with conflict-directed backjumping: a dead end jumps back to the most
 *     recent decision that contributed to it, so independent choices are never re-enumerated. Bounded by
 *     MAX_STEPS; no stack at all is explained by failure.ts.
 *  4. Checks on the chosen set (assemble.ts): every `interface:` requirement is filled, locked digests still match.
 *
 * Groups: a declared group owns its interface. Its `use` members are in the stack and must provide it; no
 * other component in the stack may provide it (a version that would is not a candidate), so `policy: one`
 * means exactly one provider and `many` means min..max providers, all listed in `use`. Interfaces without a
 * group are free: any number of providers may be in the stack.
 *
 * `interface:` requirements never pull components in and never cause a downgrade: filling a slot is the
 * user's choice (`hsm use`), so an unfilled one is an error listing the candidates.
 */
import { ErrorCodes, HsmError } from '../errors.js';
import { didYouMean } from '../did-you-mean.js';
import type { Manifest, LocalOverlay } from '../schema/manifest.js';
import type { Lockfile } from '../schema/lock.js';
import type { RegistrySnapshot, Resolution } from '../model.js';
import { collectRoots } from './roots.js';
import { checkRoots, discover } from './discover.js';
import { searchStack } from './search.js';
import { assemble, checkDigests, checkInterfaces } from './assemble.js';

export { MAX_STEPS } from './search.js';

export interface ResolveInput {
  manifest: Manifest;
  overlay: LocalOverlay;
  /** Search order; the builtin catalog last (the caller arranges it). */
  registries: RegistrySnapshot[];
  lock?: Lockfile | null;
  /** true = all components; a list = only these. */
  upgrade?: boolean | string[];
}

export type ResolveOutcome =
  | { kind: 'resolved'; resolution: Resolution }
  /** Names an incomplete (remote) snapshot has not fetched yet: fetch them and call again. */
  | { kind: 'need'; names: string[] };

export function resolve(input: ResolveInput): ResolveOutcome {
  const { manifest, overlay, registries } = input;
  const lock = input.lock ?? null;
  const upgrades = (name: string): boolean => input.upgrade === true || (Array.isArray(input.upgrade) && input.upgrade.includes(name));
  const byName = new Map(registries.map((r) => [r.name, r]));

  const roots = collectRoots(manifest, byName); // 1.
  const found = discover({ ...roots, registries, byName, lock, upgrades }); // 2.
  if ('need' in found) return { kind: 'need', names: found.need };
  const { sources } = found;
  checkRoots({ ...roots, registries }, sources);
  const chosen = searchStack({ ...roots, sources, registries, lock, upgrades }); // 3.

  // 4. assemble and check
  const resolution = assemble(chosen, sources, manifest, overlay);
  checkInterfaces(resolution, registries);
  if (lock) checkDigests(resolution, lock, upgrades);
  if (Array.isArray(input.upgrade)) {
    for (const name of input.upgrade) {
      if (!chosen.has(name)) {
        throw new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `cannot upgrade ${name}: it is not in the stack${didYouMean(name, chosen.keys())}`, { hint: '`hsm status` lists the components in the stack' });
      }
    }
  }
  return { kind: 'resolved', resolution };
}
