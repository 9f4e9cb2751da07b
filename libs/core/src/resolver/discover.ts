/**
 * Step 2 of resolve(): discovery. Each reachable name is bound to ONE registry (pin > lock > search order) and the
 * names its versions require are followed. A name an incomplete (remote) snapshot has not fetched yet is
 * collected instead: the caller asks for those, one level of `requires` per round trip. Then the roots are
 * checked: each is found somewhere, and each group member provides its group's interface.
 */
import { ErrorCodes, HsmError } from '../errors.js';
import { closest } from '../did-you-mean.js';
import { parseComponentRequirement } from '../schema/definition.js';
import type { Lockfile } from '../schema/lock.js';
import type { RegistrySnapshot } from '../model.js';
import { sortVersionsDesc } from './versions.js';
import { interfaceCandidates } from './describe.js';
import { notFound } from './failure.js';
import type { Source } from './resolve-model.js';
import type { Roots } from './roots.js';

interface DiscoverInput extends Roots {
  registries: RegistrySnapshot[];
  byName: ReadonlyMap<string, RegistrySnapshot>;
  lock: Lockfile | null;
  upgrades: (name: string) => boolean;
}

/** Every reachable name bound to its registry, or the names still to fetch. */
export function discover({ roots, pins, registries, byName, lock, upgrades }: DiscoverInput): { sources: Map<string, Source> } | { need: string[] } {
  const sources = new Map<string, Source>();
  const need = new Set<string>();
  const lookup = (name: string): Source | 'need' => {
    const pin = pins.get(name);
    const locked = lock?.components[name];
    let only: RegistrySnapshot | undefined;
    let lockedRegistry: string | undefined;
    if (pin) only = byName.get(pin);
    else if (locked && !upgrades(name) && byName.has(locked.registry)) {
      only = byName.get(locked.registry);
      lockedRegistry = locked.registry;
    }
    for (const r of only ? [only] : registries) {
      const entries = r.components.get(name);
      if (entries === undefined) {
        if (!r.complete) return 'need';
        continue;
      }
      if (entries.length > 0) return { kind: 'found', registry: r.name, entries: sortVersionsDesc(entries) };
    }
    return { kind: 'missing', lockedRegistry, pinned: pin };
  };
  const queue = [...roots.keys()].sort();
  const seen = new Set(queue);
  for (let i = 0; i < queue.length; i++) {
    const name = queue[i];
    const source = lookup(name);
    if (source === 'need') {
      need.add(name);
      continue;
    }
    sources.set(name, source);
    if (source.kind !== 'found') continue;
    for (const entry of source.entries) {
      for (const req of entry.definition.requires ?? []) {
        if (typeof req !== 'string') continue;
        const dep = parseComponentRequirement(req).name;
        if (!seen.has(dep)) {
          seen.add(dep);
          queue.push(dep);
        }
      }
    }
  }
  return need.size > 0 ? { need: [...need].sort() } : { sources };
}

/** Every root is found in some registry, and every group member provides the group's interface. */
export function checkRoots({ roots, groups, registries }: Pick<DiscoverInput, 'roots' | 'groups' | 'registries'>, sources: ReadonlyMap<string, Source>): void {
  for (const name of [...roots.keys()].sort()) {
    const source = sources.get(name)!;
    if (source.kind === 'missing') throw notFound(name, source, registries, roots.get(name)!);
  }
  for (const group of groups.values()) {
    for (const member of [...group.members].sort()) {
      const source = sources.get(member) as Extract<Source, { kind: 'found' }>;
      if (!source.entries.some((e) => (e.definition.provides ?? []).includes(group.name))) {
        const providers = interfaceCandidates(registries, group.name);
        // a misspelt group (`vector-stor`) most likely meant an interface the member does provide
        const interfaces = new Set([...source.entries.flatMap((e) => e.definition.provides ?? []), ...registries.flatMap((r) => [...r.interfaces.keys()])]);
        const meant = providers.length ? undefined : closest(group.name, interfaces);
        throw new HsmError(ErrorCodes.GROUP_INVALID, `group ${group.name} uses ${member}, which does not provide ${group.name}${meant ? ` (did you mean \`${meant}\`?)` : ''}`, {
          hint: providers.length
            ? `run \`hsm use ${group.name} <name>\` with one of: ${providers.join(', ')}`
            : meant
              ? `\`hsm use ${meant} ${member}\` (and take groups.${group.name} out of hsm.yaml if it is there)`
              : `no registry has a component that provides ${group.name}; remove groups.${group.name} from hsm.yaml`,
        });
      }
    }
  }
}
