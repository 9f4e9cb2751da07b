/**
 * Step 1 of resolve(): the roots — every `components` entry of hsm.yaml and every group's `use` member — with the
 * range hsm.yaml puts on each, the registry pins, and the group rules (checked here: duplicates, min..max).
 */
import { ErrorCodes, HsmError } from '../errors.js';
import { didYouMean } from '../did-you-mean.js';
import type { Manifest } from '../schema/manifest.js';
import type { RegistrySnapshot } from '../model.js';
import { cmp, type Constraint, type GroupRule } from './resolve-model.js';

export interface Roots {
  roots: Map<string, Constraint[]>;
  /** name → the registry hsm.yaml pins it to. */
  pins: Map<string, string>;
  groups: Map<string, GroupRule>;
}

export function collectRoots(manifest: Manifest, byName: ReadonlyMap<string, RegistrySnapshot>): Roots {
  const roots = new Map<string, Constraint[]>();
  const addRoot = (name: string, c: Constraint) => {
    const list = roots.get(name) ?? [];
    list.push(c);
    roots.set(name, list);
  };
  const pins = new Map<string, string>();
  for (const name of Object.keys(manifest.components ?? {}).sort()) {
    const entry = manifest.components?.[name] ?? {};
    const range = entry.version ?? '*';
    addRoot(name, { range, reason: { kind: 'manifest', range } });
    if (entry.registry !== undefined) {
      if (!byName.has(entry.registry)) {
        throw new HsmError(ErrorCodes.REGISTRY_NOT_FOUND, `components.${name}.registry names registry \`${entry.registry}\`, which hsm.yaml does not declare${didYouMean(entry.registry, byName.keys())}`, {
          hint: `add \`${entry.registry}\` under \`registries:\` in hsm.yaml, or fix the pin (declared: ${[...byName.keys()].join(', ') || 'none'})`,
        });
      }
      pins.set(name, entry.registry);
    }
  }
  const groups = new Map<string, GroupRule>();
  for (const [group, spec] of Object.entries(manifest.groups ?? {}).sort(([a], [b]) => cmp(a, b))) {
    const use = spec.policy === 'one' ? [spec.use] : spec.use;
    const dupe = use.find((m, i) => use.indexOf(m) !== i);
    if (dupe) throw new HsmError(ErrorCodes.GROUP_INVALID, `group ${group} lists ${dupe} twice in \`use\``, { hint: `remove the duplicate from groups.${group}.use in hsm.yaml` });
    if (spec.policy === 'many') {
      const min = spec.min ?? 1;
      const max = spec.max ?? Infinity;
      if (min > max) throw new HsmError(ErrorCodes.GROUP_INVALID, `group ${group}: min ${min} is greater than max ${max}`, { hint: `fix groups.${group}.min/max in hsm.yaml` });
      if (use.length < min || use.length > max) {
        throw new HsmError(ErrorCodes.GROUP_INVALID, `group ${group} (policy many, ${min}..${max === Infinity ? '' : max}) uses ${use.length} component${use.length === 1 ? '' : 's'}`, {
          hint: `run \`hsm use ${group} <name>…\` with between ${min} and ${max === Infinity ? 'any number of' : max} components`,
        });
      }
    }
    groups.set(group, { name: group, policy: spec.policy, members: new Set(use) });
    for (const member of use) addRoot(member, { range: '*', reason: { kind: 'group', group } });
  }
  return { roots, pins, groups };
}
