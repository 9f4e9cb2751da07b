/** Words for the resolver's reasons: `hsm why`, failure chains, interface candidates. */
import { ErrorCodes, HsmError } from '../errors.js';
import { didYouMean } from '../did-you-mean.js';
import type { Reason, RegistrySnapshot, Resolution, ResolvedComponent } from '../model.js';

export function describeReason(r: Reason): string {
  switch (r.kind) {
    case 'manifest':
      return `listed in hsm.yaml${r.range === '*' ? '' : ` (${r.range})`}`;
    case 'group':
      return `used by group ${r.group} in hsm.yaml`;
    case 'requires':
      return `required by ${r.by} ${r.byVersion}${r.range === '*' ? '' : ` (${r.range})`}`;
    case 'interface':
      return `fills interface ${r.interface} for ${r.by} ${r.byVersion}`;
  }
}

/** Names that provide `iface` in some non-yanked version, the first registry that has a name winning. Sorted. */
export function interfaceCandidates(registries: readonly RegistrySnapshot[], iface: string): string[] {
  const seen = new Set<string>();
  const out = new Set<string>();
  for (const r of registries) {
    for (const [name, entries] of r.components) {
      if (seen.has(name) || entries.length === 0) continue;
      seen.add(name);
      if (entries.some((e) => !e.yanked && (e.definition.provides ?? []).includes(iface))) out.add(name);
    }
  }
  return [...out].sort();
}

/**
 * Lines for `hsm why NAME`: the component, then each reason it is in the stack, each `required by` followed
 * up to hsm.yaml, indented by depth. A component reached twice is not expanded again.
 */
export function explainWhy(resolution: Resolution, name: string): string[] {
  const byName = new Map(resolution.components.map((c) => [c.name, c]));
  const root = byName.get(name);
  if (!root) {
    throw new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `${name} is not in the stack${didYouMean(name, byName.keys())}`, {
      hint: '`hsm status` lists the components in the stack',
    });
  }
  const lines = [`${root.name} ${root.version} (registry ${root.registry}, ${root.mode})`];
  const expanded = new Set<string>([name]);
  const walk = (c: ResolvedComponent, depth: number): void => {
    for (const r of c.reasons) {
      lines.push(`${'  '.repeat(depth)}${describeReason(r)}`);
      if (r.kind !== 'requires' || expanded.has(r.by)) continue;
      const by = byName.get(r.by);
      if (!by) continue;
      expanded.add(r.by);
      walk(by, depth + 1);
    }
  };
  walk(root, 1);
  return lines;
}
