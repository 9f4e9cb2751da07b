/**
 * The resolver (SPEC §5): manifest + overlay + registry snapshots + hsm.lock → the exact stack. Pure.
 *
 * Outline:
 *  1. Roots: every `components` entry of hsm.yaml and every group's `use` member.
 *  2. Discovery: each reachable name is bound to ONE registry (pin > lock > search order) and the names its
 *     versions require are followed. A name an incomplete (remote) snapshot has not fetched yet is collected
 *     and returned as `{ kind: 'need' }`, one level of `requires` per round trip.
 *  3. Search: names are decided in discovery order, highest acceptable version first (the locked version
 *     first when it still fits), with conflict-directed backjumping: a dead end jumps back to the most recent
 *     decision that contributed to it, so independent choices are never re-enumerated. Bounded by MAX_STEPS.
 *  4. Checks on the chosen set: every `interface:` requirement is filled, locked digests still match.
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
import { didYouMean, closest } from '../did-you-mean.js';
import { parseComponentRequirement } from '../schema/definition.js';
import type { Manifest, LocalOverlay } from '../schema/manifest.js';
import type { Lockfile } from '../schema/lock.js';
import type { CatalogEntry, Reason, RegistrySnapshot, Resolution, ResolvedComponent } from '../model.js';
import { satisfies, sortVersionsDesc } from './versions.js';
import { describeReason, interfaceCandidates } from './describe.js';
import { lockedDigestMismatch } from './lock-from-resolution.js';

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

/**
 * Upper bound on candidate versions examined: a stack that needs no backtracking examines each component's
 * versions once, so this is far above real stacks (and the 1000-component bench) yet stops in well under a second.
 */
export const MAX_STEPS = 200_000;

interface Constraint {
  range: string;
  reason: Reason;
}

type Source =
  | { kind: 'found'; registry: string; entries: CatalogEntry[] }
  | { kind: 'missing'; lockedRegistry?: string; pinned?: string };

interface GroupRule {
  name: string;
  policy: 'one' | 'many';
  members: Set<string>;
}

type Rejection =
  | { kind: 'yanked' }
  | { kind: 'range'; constraint: Constraint }
  | { kind: 'group-member'; group: string }
  | { kind: 'group-outsider'; group: string }
  | { kind: 'conflict'; other: string; otherVersion: string }
  | { kind: 'requires-missing'; dependency: string }
  | { kind: 'requires-version'; dependency: string; range: string; chosen: string };

interface Failure {
  name: string;
  constraints: Constraint[];
  /** One line per constraint: `b@^2 required by a 1.0.0, which is listed in hsm.yaml`. */
  via: string[];
  /** For a `requires-version` dead end: the same lines for the dependency both sides disagree on. */
  dependencyVia?: string[];
  /** For a conflict: why the other side is in the stack. */
  otherVia?: string[];
  tried: Array<{ version: string; rejection: Rejection }>;
}

export function resolve(input: ResolveInput): ResolveOutcome {
  const { manifest, overlay, registries } = input;
  const lock = input.lock ?? null;
  const upgrades = (name: string): boolean =>
    input.upgrade === true || (Array.isArray(input.upgrade) && input.upgrade.includes(name));
  const byName = new Map(registries.map((r) => [r.name, r]));

  // 1. roots, pins, groups
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

  // 2. discovery: bind each reachable name to one registry
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
  if (need.size > 0) return { kind: 'need', names: [...need].sort() };

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

  // 3. search
  const constraints = new Map<string, Constraint[]>();
  for (const [name, list] of roots) constraints.set(name, [...list]);
  const chosen = new Map<string, CatalogEntry>();
  /** name → chosen components whose definition declares a conflict with it. */
  const conflictedBy = new Map<string, string[]>();
  const agenda = [...roots.keys()].sort();
  const onAgenda = new Set(agenda);
  const groupOf = new Map<string, GroupRule>();
  for (const g of groups.values()) groupOf.set(g.name, g);
  let steps = 0;
  let firstFailure: Failure | undefined;

  const preferred = (name: string, source: Extract<Source, { kind: 'found' }>): CatalogEntry[] => {
    const locked = lock?.components[name];
    if (!locked || locked.registry !== source.registry || upgrades(name)) return source.entries;
    const hit = source.entries.find((e) => e.version === locked.version);
    return hit ? [hit, ...source.entries.filter((e) => e !== hit)] : source.entries;
  };

  const reject = (name: string, entry: CatalogEntry, culprits: Set<string>): Rejection | undefined => {
    const locked = lock?.components[name];
    const keepYanked = locked && locked.version === entry.version && locked.registry === (sources.get(name) as { registry?: string }).registry && !upgrades(name);
    if (entry.yanked && !keepYanked) return { kind: 'yanked' };
    for (const c of constraints.get(name) ?? []) {
      if (!satisfies(entry.version, c.range)) {
        if (c.reason.kind === 'requires') culprits.add(c.reason.by);
        return { kind: 'range', constraint: c };
      }
    }
    const provides = entry.definition.provides ?? [];
    for (const g of groups.values()) {
      if (g.members.has(name) && !provides.includes(g.name)) return { kind: 'group-member', group: g.name };
      if (!g.members.has(name) && provides.includes(g.name)) return { kind: 'group-outsider', group: g.name };
    }
    for (const other of entry.definition.conflicts ?? []) {
      const o = chosen.get(other);
      if (o && other !== name) {
        culprits.add(other);
        return { kind: 'conflict', other, otherVersion: o.version };
      }
    }
    for (const other of conflictedBy.get(name) ?? []) {
      culprits.add(other);
      return { kind: 'conflict', other, otherVersion: chosen.get(other)!.version };
    }
    for (const req of entry.definition.requires ?? []) {
      if (typeof req !== 'string') continue;
      const { name: dep, range } = parseComponentRequirement(req);
      if (dep === name) continue;
      if (sources.get(dep)?.kind !== 'found') return { kind: 'requires-missing', dependency: dep };
      const d = chosen.get(dep);
      if (d && !satisfies(d.version, range)) {
        culprits.add(dep);
        return { kind: 'requires-version', dependency: dep, range, chosen: d.version };
      }
    }
    return undefined;
  };

  /** Chooses `entry` for `name`; returns the undo. */
  const apply = (name: string, entry: CatalogEntry): (() => void) => {
    chosen.set(name, entry);
    const agendaLength = agenda.length;
    const pushed: string[] = [];
    const marked: string[] = [];
    for (const req of entry.definition.requires ?? []) {
      if (typeof req !== 'string') continue;
      const { name: dep, range } = parseComponentRequirement(req);
      if (dep === name) continue;
      const list = constraints.get(dep) ?? [];
      list.push({ range, reason: { kind: 'requires', by: name, byVersion: entry.version, range } });
      constraints.set(dep, list);
      pushed.push(dep);
      if (!onAgenda.has(dep)) {
        onAgenda.add(dep);
        agenda.push(dep);
      }
    }
    for (const other of entry.definition.conflicts ?? []) {
      const list = conflictedBy.get(other) ?? [];
      list.push(name);
      conflictedBy.set(other, list);
      marked.push(other);
    }
    return () => {
      chosen.delete(name);
      for (const dep of pushed) constraints.get(dep)!.pop();
      for (const other of marked) conflictedBy.get(other)!.pop();
      for (const dep of agenda.splice(agendaLength)) onAgenda.delete(dep);
    };
  };

  /** Remembers the dead end the search got furthest into: the most telling one when nothing works. */
  let deepest = -1;
  const recordFailure = (depth: number, name: string, tried: Failure['tried']): void => {
    if (depth <= deepest) return;
    deepest = depth;
    const cs = [...(constraints.get(name) ?? [])];
    const failure: Failure = { name, constraints: cs, tried, via: cs.map((c) => `${name}@${c.range} ${chain(c.reason, new Set([name]), true)}`) };
    const against = tried.find((t) => t.rejection.kind === 'conflict');
    if (against && against.rejection.kind === 'conflict') {
      const other = against.rejection.other;
      failure.otherVia = (constraints.get(other) ?? []).map((c) => chain(c.reason, new Set([other])));
    }
    const clash = tried.find((t) => t.rejection.kind === 'requires-version');
    if (clash && clash.rejection.kind === 'requires-version') {
      const { dependency: dep, range } = clash.rejection;
      const asked: Constraint = { range, reason: { kind: 'requires', by: name, byVersion: clash.version, range } };
      failure.dependencyVia = [...(constraints.get(dep) ?? []), asked].map((c) => `${dep}@${c.range} ${chain(c.reason, new Set([dep]), true)}`);
    }
    firstFailure = failure;
  };

  interface Frame {
    name: string;
    candidates: CatalogEntry[];
    next: number;
    /** Names whose choices took candidates away from this one (conflict-directed backjumping). */
    blame: Set<string>;
    tried: Failure['tried'];
    undo?: () => void;
  }
  const frameFor = (name: string): Frame => {
    const source = sources.get(name)!;
    const blame = new Set<string>();
    for (const c of constraints.get(name) ?? []) if (c.reason.kind === 'requires') blame.add(c.reason.by);
    return { name, candidates: source.kind === 'found' ? preferred(name, source) : [], next: 0, blame, tried: [] };
  };

  /**
   * Decides agenda[0…] in order, iteratively (stacks can be deep). A frame out of candidates hands its blame
   * set up: frames not in it are jumped over (their choice cannot help), the nearest one in it tries its next
   * version. Returns false when the first frame runs out.
   */
  const search = (): boolean => {
    if (agenda.length === 0) return true;
    const frames: Frame[] = [frameFor(agenda[0])];
    for (;;) {
      const top = frames[frames.length - 1];
      let chose = false;
      while (top.next < top.candidates.length) {
        if (++steps > MAX_STEPS) throw tooHard(firstFailure, sources, registries);
        const entry = top.candidates[top.next++];
        const rejection = reject(top.name, entry, top.blame);
        if (rejection) {
          top.tried.push({ version: entry.version, rejection });
          continue;
        }
        top.undo = apply(top.name, entry);
        chose = true;
        break;
      }
      if (chose) {
        if (frames.length === agenda.length) return true;
        frames.push(frameFor(agenda[frames.length]));
        continue;
      }
      recordFailure(frames.length - 1, top.name, top.tried);
      const blame = top.blame;
      blame.delete(top.name);
      frames.pop();
      for (;;) {
        const parent = frames[frames.length - 1];
        if (!parent) return false;
        parent.undo!();
        parent.undo = undefined;
        if (blame.has(parent.name)) {
          for (const x of blame) if (x !== parent.name) parent.blame.add(x);
          break;
        }
        frames.pop(); // not to blame: jump back over it
      }
    }
  };

  /** `required by c 1.0.0, which is required by d 2.0.0, which is listed in hsm.yaml` (live search state). */
  const chain = (reason: Reason, visited: Set<string>, bare = false): string => {
    // `bare`: the line already starts with `name@range`, so the first hop need not repeat the range
    const here = describeReason(bare && (reason.kind === 'requires' || reason.kind === 'manifest') ? { ...reason, range: '*' } : reason);
    if (reason.kind !== 'requires' || visited.has(reason.by) || visited.size > 12) return here;
    visited.add(reason.by);
    const up = constraints.get(reason.by)?.[0];
    return up ? `${here}, which is ${chain(up.reason, visited)}` : here;
  };

  if (!search()) throw failureError(firstFailure!, sources, registries);

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

function assemble(chosen: Map<string, CatalogEntry>, sources: Map<string, Source>, manifest: Manifest, overlay: LocalOverlay): Resolution {
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

function checkInterfaces(resolution: Resolution, registries: RegistrySnapshot[]): void {
  const unfilled: Array<{ by: ResolvedComponent; iface: string; candidates: string[] }> = [];
  for (const c of resolution.components) {
    for (const req of c.definition.requires ?? []) {
      if (typeof req === 'string' || (resolution.interfaces[req.interface] ?? []).length > 0) continue;
      unfilled.push({ by: c, iface: req.interface, candidates: interfaceCandidates(registries, req.interface) });
    }
  }
  if (unfilled.length === 0) return;
  const [first, ...rest] = unfilled;
  const fix = (u: (typeof unfilled)[number]) =>
    u.candidates.length ? `run \`hsm use ${u.iface} <name>\`` : `add a registry that has a component providing ${u.iface}`;
  throw new HsmError(
    ErrorCodes.INTERFACE_UNFILLED,
    `${first.by.name} ${first.by.version} requires interface ${first.iface}; no component in the stack provides it; ` +
      (first.candidates.length ? `candidates: ${first.candidates.join(', ')}` : 'no registry has a component that provides it') +
      ` — ${fix(first)}`,
    {
      hint: first.candidates.length ? `hsm use ${first.iface} <name>   (one of: ${first.candidates.join(', ')})` : fix(first),
      details: [
        ...whyLines(resolution, first.by.name),
        ...rest.map((u) => `also unfilled: ${u.iface}, required by ${u.by.name} ${u.by.version}${u.candidates.length ? ` (candidates: ${u.candidates.join(', ')})` : ''}`),
      ],
    },
  );
}

function whyLines(resolution: Resolution, name: string): string[] {
  const c = resolution.components.find((x) => x.name === name);
  return c ? c.reasons.map((r) => `${name} is in the stack: ${describeReason(r)}`) : [];
}

function checkDigests(resolution: Resolution, lock: Lockfile, upgrades: (name: string) => boolean): void {
  for (const c of resolution.components) {
    const locked = lock.components[c.name];
    if (!locked || locked.registry !== c.registry || locked.version !== c.version || locked.digest === c.digest || upgrades(c.name)) continue;
    throw lockedDigestMismatch(`registry ${c.registry}`, c.registry, c.name, c.version, locked.digest, c.digest);
  }
}

function notFound(name: string, source: Extract<Source, { kind: 'missing' }>, registries: RegistrySnapshot[], cs: Constraint[]): HsmError {
  const known = new Set<string>();
  for (const r of registries) for (const [n, e] of r.components) if (e.length) known.add(n);
  const why = cs.map((c) => describeReason(c.reason));
  if (source.lockedRegistry) {
    return new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `hsm.lock takes ${name} from registry ${source.lockedRegistry}, which no longer has it`, {
      details: why,
      hint: `run \`hsm sync --upgrade-component ${name}\` to look it up again in every registry`,
    });
  }
  const where = source.pinned ? `registry ${source.pinned} (pinned in hsm.yaml)` : `any registry (searched: ${registries.map((r) => r.name).join(', ') || 'none'})`;
  return new HsmError(ErrorCodes.COMPONENT_NOT_FOUND, `component ${name} is not in ${where}${didYouMean(name, known)}`, {
    details: why,
    hint: `\`hsm search ${name}\` lists what the registries offer; \`hsm remove ${name}\` drops it from hsm.yaml`,
  });
}

function tooHard(deepest: Failure | undefined, sources: Map<string, Source>, registries: RegistrySnapshot[]): HsmError {
  const cause = deepest ? failureError(deepest, sources, registries) : undefined;
  return new HsmError(ErrorCodes.UNSATISFIABLE, `gave up after examining ${MAX_STEPS} candidate versions without finding a consistent stack${deepest ? `; the furthest attempt failed at ${deepest.name}` : ''}`, {
    details: cause ? [cause.message, ...cause.details] : [],
    hint: cause?.hint ?? 'narrow the version ranges in hsm.yaml so fewer combinations need trying',
  });
}

function failureError(f: Failure, sources: Map<string, Source>, registries: RegistrySnapshot[]): HsmError {
  const source = sources.get(f.name)!;
  if (source.kind === 'missing') return notFound(f.name, source, registries, f.constraints);
  // Versions outside the ranges explain nothing more than the ranges do: the code and the headline come
  // from why the versions inside them were turned down.
  const inRange = f.tried.filter((t) => t.rejection.kind !== 'range' && t.rejection.kind !== 'yanked');
  const kinds = new Set(inRange.map((t) => t.rejection.kind));
  const only = kinds.size === 1 ? [...kinds][0] : undefined;
  const head = inRange[0] ?? f.tried[0];
  const code =
    only === 'conflict'
      ? ErrorCodes.CONFLICT
      : only === 'group-member' || only === 'group-outsider'
        ? ErrorCodes.GROUP_INVALID
        : only === 'requires-missing'
          ? ErrorCodes.COMPONENT_NOT_FOUND
          : ErrorCodes.UNSATISFIABLE;
  const via = f.via;
  const tried = f.tried.map((t) => `${f.name} ${t.version}: ${describeRejection(f.name, t.rejection)}`);
  let message: string;
  let hint: string;
  if (only === 'conflict' && head.rejection.kind === 'conflict') {
    const r = head.rejection;
    const why = (name: string, lines: string[]) => `${name} is ${lines.map((l) => l.slice(l.indexOf(' ') + 1)).join(' and ')}`;
    message = `${f.name} ${head.version} conflicts with ${r.other} ${r.otherVersion}; ${why(f.name, f.via)}; ${r.other} is ${(f.otherVia ?? []).join(' and ')}`;
    hint = `keep one of them: \`hsm remove ${f.name}\` or \`hsm remove ${r.other}\` (\`hsm why NAME\` shows what pulls each in)`;
  } else if ((only === 'group-outsider' || only === 'group-member') && 'group' in head.rejection) {
    const g = head.rejection.group;
    message =
      only === 'group-outsider'
        ? `${f.name} provides ${g}, but group ${g} in hsm.yaml does not use it; ${f.constraints.map((c) => describeReason(c.reason)).join('; ')}`
        : `group ${g} uses ${f.name}, but no acceptable version of ${f.name} provides ${g}`;
    hint = only === 'group-outsider' ? `add it to the group (\`hsm use ${g} … ${f.name}\`) or \`hsm remove ${f.name}\`` : `pick another member: \`hsm use ${g} <name>\``;
  } else if (only === 'requires-missing' && head.rejection.kind === 'requires-missing') {
    message = `every version of ${f.name} requires a component no registry has (${head.rejection.dependency})`;
    hint = `\`hsm search ${head.rejection.dependency}\`; check the registries in hsm.yaml`;
  } else if (only === 'requires-version' && head.rejection.kind === 'requires-version' && f.dependencyVia) {
    message = `no version of ${head.rejection.dependency} satisfies every requirement: ${f.dependencyVia.join('; ')}`;
    hint = `relax the ranges above (hsm.yaml \`components.<name>.version\`) or try \`hsm sync --upgrade\``;
  } else {
    message = `no version of ${f.name} satisfies every requirement: ${via.join('; ')}`;
    hint = `relax the ranges above (hsm.yaml \`components.<name>.version\`) or try \`hsm sync --upgrade\``;
  }
  const available = (name: string): string[] => {
    const s = sources.get(name);
    return s?.kind === 'found' ? [`available in ${s.registry}: ${s.entries.map((e) => e.version + (e.yanked ? ' (yanked)' : '')).join(', ')}`] : [];
  };
  const about = head.rejection.kind === 'requires-version' && message.startsWith(`no version of ${head.rejection.dependency} `) ? head.rejection.dependency : f.name;
  return new HsmError(code, message, { hint, details: [...tried, ...available(about)] });
}

function describeRejection(name: string, r: Rejection): string {
  switch (r.kind) {
    case 'yanked':
      return 'yanked';
    case 'range':
      return `outside ${r.constraint.range} (${describeReason(r.constraint.reason.kind === 'requires' || r.constraint.reason.kind === 'manifest' ? { ...r.constraint.reason, range: '*' } : r.constraint.reason)})`;
    case 'group-member':
      return `does not provide ${r.group} (group ${r.group} uses it)`;
    case 'group-outsider':
      return `provides ${r.group}, but group ${r.group} does not use ${name}`;
    case 'conflict':
      return `conflicts with ${r.other} ${r.otherVersion}`;
    case 'requires-missing':
      return `requires ${r.dependency}, which no registry has`;
    case 'requires-version':
      return `requires ${r.dependency}@${r.range}, but ${r.dependency} ${r.chosen} is chosen`;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
