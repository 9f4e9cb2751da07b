/**
 * Step 4 of resolve(): the chosen set as a Resolution — each component with its mode, checkout and every reason
 * it is in the stack, the interfaces and their providers — and the checks on it: every `interface:` requirement
 * is filled, locked digests still match.
 */
import { ErrorCodes, HsmError } from '../errors.js';
import { parseComponentRequirement } from '../schema/definition.js';
import type { Manifest, LocalOverlay } from '../schema/manifest.js';
import type { Lockfile } from '../schema/lock.js';
import type { CatalogEntry, Reason, RegistrySnapshot, Resolution, ResolvedComponent } from '../model.js';
import { describeReason, interfaceCandidates } from './describe.js';
import { lockedDigestMismatch } from './lock-from-resolution.js';
import { cmp, type Source } from './resolve-model.js';

export function assemble(chosen: Map<string, CatalogEntry>, sources: ReadonlyMap<string, Source>, manifest: Manifest, overlay: LocalOverlay): Resolution {
  const names = [...chosen.keys()].sort();
  const reasons = new Map<string, Reason[]>(names.map((n) => [n, []]));
  for (const name of names) {
    const entry = manifest.components?.[name];
    if (manifest.components && name in manifest.components) reasons.get(name)!.push({ kind: 'manifest', range: entry?.version ?? '*' });
  }
  for (const [group, spec] of Object.entries(manifest.groups ?? {}).sort(([a], [b]) => cmp(a, b))) {
    const use = spec.policy === 'one' ? [spec.use] : spec.use;
    for (const member of use) reasons.get(member)?.push({ kind: 'group', group });
  }
  const interfaces: Record<string, string[]> = {};
  const providers = new Map<string, string[]>();
  for (const name of names) {
    for (const i of chosen.get(name)!.definition.provides ?? []) {
      const list = providers.get(i) ?? [];
      if (!list.includes(name)) list.push(name);
      providers.set(i, list);
    }
  }
  for (const i of [...providers.keys()].sort()) interfaces[i] = providers.get(i)!;
  for (const by of names) {
    const entry = chosen.get(by)!;
    for (const req of entry.definition.requires ?? []) {
      if (typeof req === 'string') {
        const { name, range } = parseComponentRequirement(req);
        if (name !== by) reasons.get(name)?.push({ kind: 'requires', by, byVersion: entry.version, range });
      } else {
        for (const p of providers.get(req.interface) ?? []) {
          if (p !== by) reasons.get(p)!.push({ kind: 'interface', by, byVersion: entry.version, interface: req.interface });
        }
      }
    }
  }
  const components: ResolvedComponent[] = names.map((name) => {
    const entry = chosen.get(name)!;
    const source = sources.get(name) as Extract<Source, { kind: 'found' }>;
    const m = manifest.components?.[name] ?? undefined;
    const o = overlay.components?.[name] ?? undefined;
    return {
      name,
      version: entry.version,
      registry: source.registry,
      digest: entry.digest,
      definition: entry.definition,
      mode: o?.mode ?? m?.mode ?? 'prod',
      checkout: o?.path ?? m?.path ?? `packages/${name}`,
      reasons: reasons.get(name)!,
      ...(entry.origin ? { origin: entry.origin } : {}),
    };
  });
  return { components, interfaces };
}

export function checkInterfaces(resolution: Resolution, registries: RegistrySnapshot[]): void {
  const unfilled: Array<{ by: ResolvedComponent; iface: string; candidates: string[] }> = [];
  for (const c of resolution.components) {
    for (const req of c.definition.requires ?? []) {
      if (typeof req === 'string' || (resolution.interfaces[req.interface] ?? []).length > 0) continue;
      unfilled.push({ by: c, iface: req.interface, candidates: interfaceCandidates(registries, req.interface) });
    }
  }
  if (unfilled.length === 0) return;
  const [first, ...rest] = unfilled;
  const fix = (u: (typeof unfilled)[number]) => (u.candidates.length ? `run \`hsm use ${u.iface} <name>\`` : `add a registry that has a component providing ${u.iface}`);
  throw new HsmError(
    ErrorCodes.INTERFACE_UNFILLED,
    `${first.by.name} ${first.by.version} requires interface ${first.iface}; no component in the stack provides it; ` +
      (first.candidates.length ? `candidates: ${first.candidates.join(', ')}` : 'no registry has a component that provides it') +
      ` — ${fix(first)}`,
    {
      hint: first.candidates.length ? `hsm use ${first.iface} <name>   (one of: ${first.candidates.join(', ')})` : fix(first),
      details: [...whyLines(resolution, first.by.name), ...rest.map((u) => `also unfilled: ${u.iface}, required by ${u.by.name} ${u.by.version}${u.candidates.length ? ` (candidates: ${u.candidates.join(', ')})` : ''}`)],
    },
  );
}

function whyLines(resolution: Resolution, name: string): string[] {
  const c = resolution.components.find((x) => x.name === name);
  return c ? c.reasons.map((r) => `${name} is in the stack: ${describeReason(r)}`) : [];
}

export function checkDigests(resolution: Resolution, lock: Lockfile, upgrades: (name: string) => boolean): void {
  for (const c of resolution.components) {
    const locked = lock.components[c.name];
    if (!locked || locked.registry !== c.registry || locked.version !== c.version || locked.digest === c.digest || upgrades(c.name)) continue;
    throw lockedDigestMismatch(`registry ${c.registry}`, c.registry, c.name, c.version, locked.digest, c.digest);
  }
}
