/**
 * What a remote registry knows so far and what it still has to ask (the bookkeeping behind remote-registry.ts,
 * no I/O): per name, the ranges whose newest version is held, the versions held, and — once a name is completed
 * — its full version list. The snapshot the resolver reads is published from here.
 */
import { parseComponentRequirement, satisfies, sortVersionsDesc, type CatalogEntry, type Lockfile, type Manifest, type RegistrySnapshot, type Resolution } from '@hsm/core';
import type { ComponentVersionInfo } from './registry-cache.js';

interface NameState {
  /** Ranges whose newest version is held (asked for, or known to be answered by what is held). */
  asked: Set<string>;
  /** Ranges actually sent to POST /v1/resolve: their newest version is the service's word. */
  answered: Set<string>;
  entries: Map<string, CatalogEntry>;
  /** Set once the name is completed (see `deepen`): its versions as the component document lists them. */
  deep?: ComponentVersionInfo[];
  /** The service has the component but no version a range asked for (every one yanked, or none in range). */
  exists?: boolean;
}

export interface ListedVersion extends ComponentVersionInfo {
  name: string;
}

interface StateOptions {
  name: string;
  manifest?: Manifest;
  lock?: Lockfile | null;
  upgrade?: boolean | string[];
}

export class RemoteState {
  readonly snapshot: RegistrySnapshot;
  readonly names = new Map<string, NameState>();

  constructor(private readonly o: StateOptions) {
    this.snapshot = { name: o.name, kind: 'remote', complete: false, components: new Map(), interfaces: new Map() };
  }

  of(name: string): NameState {
    let st = this.names.get(name);
    if (!st) this.names.set(name, (st = { asked: new Set(), answered: new Set(), entries: new Map() }));
    return st;
  }

  /** Makes what is held for `name` visible to the resolver. */
  publish(name: string): void {
    this.snapshot.components.set(name, sortVersionsDesc([...this.of(name).entries.values()]));
  }

  /** Versions held, over all names (deepen compares it before and after). */
  held(): number {
    let n = 0;
    for (const st of this.names.values()) n += st.entries.size;
    return n;
  }

  /** hsm.lock's entry for `name` when it takes the name from this registry. */
  locked(name: string) {
    const l = this.o.lock?.components[name];
    return l && l.registry === this.o.name ? l : undefined;
  }

  upgrading(name: string): boolean {
    const u = this.o.upgrade;
    return u === true || (Array.isArray(u) && u.includes(name));
  }

  /** The locked version, when the resolver will keep it: not being upgraded and still inside every known range. */
  kept(name: string): string | undefined {
    const locked = this.locked(name);
    if (!locked || this.upgrading(name)) return undefined;
    return [...this.rangesFor(name)].every((r) => satisfies(locked.version, r)) ? locked.version : undefined;
  }

  /** Ranges the stack puts on `name`: hsm.yaml, and `requires` of every definition this registry returned. */
  rangesFor(name: string): Set<string> {
    const out = new Set<string>();
    const m = this.o.manifest;
    const entry = m?.components?.[name];
    if (m?.components && name in m.components) out.add(entry?.version ?? '*');
    for (const entries of this.snapshot.components.values()) {
      for (const e of entries) {
        for (const req of e.definition.requires ?? []) {
          if (typeof req !== 'string') continue;
          const { name: dep, range } = parseComponentRequirement(req);
          if (dep === name) out.add(range);
        }
      }
    }
    return out;
  }

  /** For names already fetched (with versions): ranges now known that no held version answers for sure. */
  unaskedRanges(): Map<string, Set<string>> {
    const more = new Map<string, Set<string>>();
    for (const [name, st] of this.names) {
      // a completed name holds every version that fits its ranges (deepMissing keeps it so)
      if (st.deep || !this.snapshot.components.get(name)?.length) continue;
      const newest = sortVersionsDesc([...st.entries.values()]).find((e) => !e.yanked);
      const kept = this.kept(name);
      // the locked version still fits every range: the resolver keeps it, nothing newer is needed
      const keepsLocked = kept !== undefined && st.entries.has(kept);
      for (const r of this.rangesFor(name)) {
        if (st.asked.has(r)) continue;
        // the newest version overall satisfying r is also the newest for r
        if (keepsLocked || (st.asked.has('*') && newest && satisfies(newest.version, r))) {
          st.asked.add(r);
          continue;
        }
        const set = more.get(name) ?? new Set<string>();
        set.add(r);
        more.set(name, set);
      }
    }
    return more;
  }

  /** Versions a completed name's document lists that the resolver may choose and that are not held yet. */
  deepMissing(): ListedVersion[] {
    const out: ListedVersion[] = [];
    const m = this.o.manifest;
    for (const [name, st] of this.names) {
      if (!st.deep) continue;
      const locked = this.upgrading(name) ? undefined : this.locked(name)?.version;
      const member = Object.values(m?.groups ?? {}).some((g) => (Array.isArray(g.use) ? g.use : [g.use]).includes(name));
      // a listed component is always held to its hsm.yaml range; any other name to one of the ranges put on it
      const ranges = m?.components && name in m.components ? [m.components[name]?.version ?? '*'] : member ? ['*'] : [...this.rangesFor(name)];
      if (ranges.length === 0) ranges.push('*');
      // nothing but yanked versions fit: those, so the resolver says they are yanked (not "in no registry")
      const onlyYanked = st.entries.size === 0 && !st.deep.some((v) => !v.yanked && ranges.some((r) => satisfies(v.version, r)));
      for (const v of st.deep) {
        if (st.entries.has(v.version)) continue;
        if (v.version === locked || ((!v.yanked || onlyYanked) && ranges.some((r) => satisfies(v.version, r)))) out.push({ name, ...v });
      }
    }
    return out;
  }

  /**
   * Names a resolution took from here at a version that might not be the best available: not the locked one
   * (the resolver tries that first), and not the service's newest answer for any range the stack puts on it —
   * so versions never fetched could lie above it. Completed names are complete already.
   */
  unproven(resolution: Resolution): string[] {
    const out: string[] = [];
    for (const c of resolution.components) {
      const st = this.names.get(c.name);
      if (c.registry !== this.o.name || !st || st.deep) continue;
      const locked = this.locked(c.name);
      if (locked && locked.version === c.version && !this.upgrading(c.name)) continue;
      const held = sortVersionsDesc([...st.entries.values()]).filter((e) => !e.yanked);
      const answered = (r: string) => st.answered.has(r) || (st.answered.has('*') && held.length > 0 && satisfies(held[0].version, r));
      const ranges = ['*', ...c.reasons.flatMap((r) => (r.kind === 'manifest' || r.kind === 'requires' ? [r.range] : []))];
      if (ranges.some((r) => answered(r) && held.find((e) => satisfies(e.version, r))?.version === c.version)) continue;
      out.push(c.name);
    }
    return out;
  }

  /** Names held with versions (or that the service has without a fitting one) and not completed yet (deepen after a dead end). */
  incomplete(): string[] {
    return [...this.names].filter(([n, st]) => !st.deep && (st.exists || this.snapshot.components.get(n)?.length)).map(([n]) => n);
  }
}
