/**
 * Step 3 of resolve(): the search. Names are decided in discovery order, highest acceptable version first (the
 * locked version first when it still fits), with conflict-directed backjumping: a dead end jumps back to the
 * most recent decision that contributed to it, so independent choices are never re-enumerated. Bounded by
 * MAX_STEPS; a dead end everywhere is explained by the deepest failure (failure.ts).
 */
import { parseComponentRequirement } from '../schema/definition.js';
import type { Lockfile } from '../schema/lock.js';
import type { CatalogEntry, Reason, RegistrySnapshot } from '../model.js';
import { satisfies } from './versions.js';
import { describeReason } from './describe.js';
import { failureError, tooHard } from './failure.js';
import type { Constraint, Failure, GroupRule, Rejection, Source } from './resolve-model.js';

/**
 * Upper bound on candidate versions examined: a stack that needs no backtracking examines each component's
 * versions once, so this is far above real stacks (and the 1000-component bench) yet stops in well under a second.
 */
export const MAX_STEPS = 200_000;

interface SearchInput {
  roots: ReadonlyMap<string, Constraint[]>;
  groups: ReadonlyMap<string, GroupRule>;
  sources: ReadonlyMap<string, Source>;
  registries: RegistrySnapshot[];
  lock: Lockfile | null;
  upgrades: (name: string) => boolean;
}

/** The chosen version of every name in the stack; throws the explained dead end when there is none. */
export function searchStack({ roots, groups, sources, registries, lock, upgrades }: SearchInput): Map<string, CatalogEntry> {
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
        if (++steps > MAX_STEPS) throw tooHard(MAX_STEPS, firstFailure, sources, registries);
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
  return chosen;
}
