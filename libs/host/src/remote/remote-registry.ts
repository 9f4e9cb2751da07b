/**
 * A registry service (SPEC §9) as the resolver sees it: an incomplete snapshot that `fetch(names)` fills.
 *
 * What a fetched name holds: the locked version (when hsm.lock takes the name from this registry) and the newest
 * non-yanked version for every range the stack puts on the name (its hsm.yaml range, every `requires` range seen
 * in this registry's definitions, and `*`). One round of the resolver costs:
 *  - cold (nothing locked): one `POST /v1/resolve` for all names of the round;
 *  - warm (locked version still fits every known range): one conditional `GET …/versions/{v}` per locked name,
 *    all sent in the first round in parallel over kept-alive connections, answered 304 — nothing is downloaded
 *    again, and a fully locked stack costs one round trip whatever the depth of its `requires`.
 * Older versions (`deepen`): when the resolver hits a dead end over these newest versions, or settles for a version
 * that is not provably the best one it could have had, the names concerned are completed: their component document
 * (ETag-revalidated) and, in parallel, every non-yanked version it lists that fits a range on the name (the hsm.yaml
 * range for a listed component, else any `requires` range seen) — plus the locked version, yanked or not. Versions
 * are immutable, so one already in the cache with the document's digest costs no request. A stack the newest
 * versions resolve never pays for this.
 * Names the service does not have become `[]`, so the resolver moves on to the next registry; a pinned or locked
 * name is only ever looked up in its own registry (the resolver's rule), so a later registry cannot shadow it.
 *
 * Integrity: every definition that arrives is validated with the shared schema and hashed here; it must hash to
 * the digest the service states and, for a locked version, to the digest in hsm.lock — else HSM_DIGEST_MISMATCH,
 * before anything is written (the cache only ever receives verified documents).
 * Offline: the locked version from the cache (checked against hsm.lock), else every cached version of the name;
 * a name with neither is reported (HSM_OFFLINE_MISSING, all such names at once).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ErrorCodes,
  HsmError,
  checkDefinition,
  digestOf,
  lockedDigestMismatch,
  NAME_RE,
  parseComponentRequirement,
  satisfies,
  sortVersionsDesc,
  type CatalogEntry,
  type Lockfile,
  type Manifest,
  type RegistrySnapshot,
  type Resolution,
} from '@hsm/core';
import { RegistryHttp, type RegistryHttpOptions } from './registry-http.js';
import { RegistryCache, cacheFolderName, type ComponentDocument, type ComponentVersionInfo } from './registry-cache.js';

export interface RemoteRegistryOptions {
  name: string;
  url: string;
  token?: string;
  /** `$XDG_CACHE_HOME/hsm/registries`: this registry caches under `<cacheRoot>/<host>/`. */
  cacheRoot: string;
  offline?: boolean;
  /** The manifest being resolved (its ranges are asked for) and the lock (its versions are kept and checked). */
  manifest?: Manifest;
  lock?: Lockfile | null;
  /** `--upgrade` (true) or `--upgrade-component` names: their locked versions are neither preferred nor checked. */
  upgrade?: boolean | string[];
  /** Timeouts, limits and retry policy (tests shorten them). */
  http?: Partial<Omit<RegistryHttpOptions, 'name' | 'url' | 'token'>>;
  log?: (message: string) => void;
}

export interface RemoteSearchHit {
  name: string;
  description: string;
  provides: string[];
  registry: string;
}

export interface RemoteComponentInfo {
  registry: string;
  name: string;
  description: string;
  provides: string[];
  versions: Array<{ version: string; digest: string; yanked: boolean }>;
}

export interface PublishOutcome {
  name: string;
  version: string;
  digest: string;
  created: boolean;
}

/** Largest batch the service's POST /v1/resolve accepts. */
const RESOLVE_BATCH = 200;

interface NameState {
  /** Ranges whose newest version is held (asked for, or known to be answered by what is held). */
  asked: Set<string>;
  /** Ranges actually sent to POST /v1/resolve: their newest version is the service's word. */
  answered: Set<string>;
  entries: Map<string, CatalogEntry>;
  /** Set once the name is completed (see `deepen`): its versions as the component document lists them. */
  deep?: ComponentVersionInfo[];
}

export class RemoteRegistry {
  readonly snapshot: RegistrySnapshot;
  readonly http: RegistryHttp;
  readonly cache: RegistryCache;
  private readonly state = new Map<string, NameState>();
  private prefetched = false;

  constructor(private readonly o: RemoteRegistryOptions) {
    this.snapshot = { name: o.name, kind: 'remote', complete: false, components: new Map(), interfaces: new Map() };
    this.http = new RegistryHttp({ name: o.name, url: o.url, token: o.token, onRetry: o.log, ...o.http });
    this.cache = new RegistryCache(join(o.cacheRoot, cacheFolderName(o.url)));
  }

  get name(): string {
    return this.o.name;
  }

  /** Fetches what the resolver needs to know about `names` (see the file comment). */
  async fetch(names: string[]): Promise<void> {
    const todo = [...new Set(names)].filter((n) => !this.snapshot.components.has(n));
    if (todo.length === 0) return;
    if (this.o.offline) return this.fetchOffline(todo);

    const cold = new Map<string, Set<string>>();
    const lockedGets: Array<{ name: string; version: string; prefetch?: boolean }> = [];
    // warm: revalidate every locked name of this registry in the first round, so a locked stack costs one round
    // trip whatever its depth; a prefetched name that fails is simply left for the resolver to ask for (and fail)
    const prefetched: string[] = [];
    if (!this.prefetched) {
      this.prefetched = true;
      for (const name of Object.keys(this.o.lock?.components ?? {}).sort()) {
        const locked = this.locked(name);
        if (!locked || this.upgrading(name) || todo.includes(name) || this.snapshot.components.has(name)) continue;
        if (![...this.rangesFor(name)].every((r) => satisfies(locked.version, r))) continue;
        lockedGets.push({ name, version: locked.version, prefetch: true });
      }
    }
    for (const name of todo) {
      const st = this.stateOf(name);
      const locked = this.locked(name);
      const ranges = this.rangesFor(name);
      if (locked && !this.upgrading(name) && [...ranges].every((r) => satisfies(locked.version, r))) {
        lockedGets.push({ name, version: locked.version });
        for (const r of ranges) st.asked.add(r);
        continue;
      }
      // the locked version no longer fits (or is being upgraded): the resolver will not keep it, so skip it
      cold.set(name, new Set([...ranges, '*']));
    }
    const missingLocked: string[] = [];
    await Promise.all([
      this.resolveBatch(cold),
      ...lockedGets.map(async (g) => {
        let entry: CatalogEntry | null;
        try {
          entry = await this.version(g.name, g.version);
        } catch (e) {
          if (g.prefetch) return;
          throw e;
        }
        if (entry && g.prefetch) {
          const st = this.stateOf(g.name);
          for (const r of this.rangesFor(g.name)) st.asked.add(r);
          st.entries.set(entry.version, entry);
          prefetched.push(g.name);
        } else if (entry) this.stateOf(g.name).entries.set(entry.version, entry);
        else if (!g.prefetch) missingLocked.push(g.name);
      }),
    ]);
    // a locked version the service no longer has: ask for the newest instead (the resolver explains the rest)
    if (missingLocked.length) await this.resolveBatch(new Map(missingLocked.map((n) => [n, new Set([...this.rangesFor(n), '*'])])));
    for (const name of [...todo, ...prefetched]) this.publishState(name);
    await this.followRanges();
  }

  /**
   * Completes names whose newest versions were not enough (see the file comment); returns whether the snapshot
   * gained a version, i.e. whether resolving again can come out differently.
   *  - after a dead end (no `resolution`): every name this registry holds versions of and has not completed yet;
   *  - after a resolution: only the names it took from here at a version that is neither the locked one nor the
   *    newest of some range the stack puts on it (an older version the service was never asked about could be
   *    the better choice). A stack of newest matches costs nothing here.
   */
  async deepen(resolution?: Resolution): Promise<boolean> {
    if (this.o.offline) return false;
    const names = resolution ? this.unproven(resolution) : [...this.state].filter(([n, st]) => !st.deep && this.snapshot.components.get(n)?.length).map(([n]) => n);
    if (names.length === 0) return false;
    const held = () => [...this.state.values()].reduce((n, st) => n + st.entries.size, 0);
    const before = held();
    await Promise.all(
      names.map(async (name) => {
        const info = await this.component(name);
        this.stateOf(name).deep = info?.versions ?? [];
      }),
    );
    await this.followRanges();
    return held() > before;
  }

  /** `GET /v1/components?q=&provides=` (first 100 hits). */
  async search(text: string, provides?: string): Promise<RemoteSearchHit[]> {
    const q = new URLSearchParams({ limit: '100' });
    if (text) q.set('q', text.slice(0, 100));
    if (provides) q.set('provides', provides);
    const { json } = await this.http.json({ method: 'GET', path: `/v1/components?${q}`, idempotent: true });
    const list = (json as { components?: unknown })?.components;
    if (!Array.isArray(list)) throw this.malformed('/v1/components', 'expected `components: [...]`');
    return list
      .filter((c): c is { name: string; description?: unknown; provides?: unknown } => typeof c?.name === 'string')
      .map((c) => ({
        name: c.name,
        description: typeof c.description === 'string' ? c.description : '',
        provides: Array.isArray(c.provides) ? c.provides.filter((p): p is string => typeof p === 'string') : [],
        registry: this.o.name,
      }));
  }

  /** The component document (versions, digests, yanked), revalidated with its ETag; null when absent. */
  async component(name: string): Promise<RemoteComponentInfo | null> {
    if (!NAME_RE.test(name)) return null;
    const path = `/v1/components/${name}`;
    const cached = await this.cache.readComponent(name);
    let document: ComponentDocument;
    if (this.o.offline) {
      if (!cached) return null;
      document = cached.document;
    } else {
      let r;
      try {
        r = await this.http.json({ method: 'GET', path, idempotent: true, headers: cached ? { 'if-none-match': cached.etag } : {} });
      } catch (e) {
        if (e instanceof HsmError && (e.code === ErrorCodes.COMPONENT_NOT_FOUND || e.code === ErrorCodes.NOT_FOUND)) return null;
        throw e;
      }
      if (r.status === 304) {
        if (!cached) throw this.malformed(path, 'answered 304 to an unconditional request');
        document = cached.document;
      } else {
        document = this.checkComponentDocument(path, r.json);
        if (r.etag) await this.cache.writeComponent(name, r.etag, document);
      }
    }
    return {
      registry: this.o.name,
      name: document.name,
      description: document.description ?? '',
      provides: document.provides ?? [],
      versions: sortVersionsDesc(document.versions).map((v) => ({ version: v.version, digest: v.digest, yanked: v.yanked })),
    };
  }

  /**
   * One exact version: from the cache, revalidated with `If-None-Match: "<digest>"` when online (immutable, so the
   * answer is normally 304 and nothing is downloaded). null when the service does not have it.
   */
  async version(name: string, version: string): Promise<CatalogEntry | null> {
    const cached = await this.cache.readVersion(name, version);
    if (cached) this.checkLocked(name, version, cached.digest, 'the cache');
    if (this.o.offline) return cached ? { ...cached, yanked: false } : null;
    const path = `/v1/components/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`;
    let r;
    try {
      r = await this.http.json({ method: 'GET', path, idempotent: true, headers: cached ? { 'if-none-match': `"${cached.digest}"` } : {} });
    } catch (e) {
      if (e instanceof HsmError && (e.code === ErrorCodes.VERSION_NOT_FOUND || e.code === ErrorCodes.COMPONENT_NOT_FOUND)) return null;
      throw e;
    }
    if (r.status === 304) {
      if (!cached) throw this.malformed(path, 'answered 304 to an unconditional request');
      return { ...cached, yanked: false };
    }
    const entry = this.verifiedEntry(path, r.json, name, version);
    await this.cache.writeVersion(entry);
    return entry;
  }

  /** Checks a token against the service (`GET /v1/tokens` needs any valid token); throws HSM_AUTH when refused. */
  async verifyToken(): Promise<void> {
    try {
      await this.http.json({ method: 'GET', path: '/v1/tokens', idempotent: true });
    } catch (e) {
      if (e instanceof HsmError && (e.code === ErrorCodes.UNAUTHENTICATED || e.code === ErrorCodes.FORBIDDEN || e.code === ErrorCodes.AUTH)) {
        throw new HsmError(ErrorCodes.AUTH, `registry ${this.o.name} rejected the token: ${e.message}`, { hint: 'check the token (ask the registry operator for one with the scopes you need)', exitCode: 1 });
      }
      throw e;
    }
  }

  /** `PUT /v1/components/{name}/versions/{version}` with the (already validated) definition. */
  async publish(definition: { name: string; version: string }): Promise<PublishOutcome> {
    const path = `/v1/components/${encodeURIComponent(definition.name)}/versions/${encodeURIComponent(definition.version)}`;
    // PUT of the same bytes is idempotent on the service (200), so a lost answer may be retried safely
    const r = await this.http.json({ method: 'PUT', path, body: definition, idempotent: true });
    const body = r.json as { digest?: unknown };
    const digest = typeof body?.digest === 'string' ? body.digest : '';
    if (digest !== digestOf(definition)) {
      throw new HsmError(ErrorCodes.DIGEST_MISMATCH, `${this.http.where(path)} recorded ${definition.name} ${definition.version} with digest ${digest || '(none)'}, not ${digestOf(definition)}`, {
        hint: 'the service stored different content than was sent: ask its operator',
      });
    }
    return { name: definition.name, version: definition.version, digest, created: r.status === 201 };
  }

  // --- internals ---

  private stateOf(name: string): NameState {
    let st = this.state.get(name);
    if (!st) this.state.set(name, (st = { asked: new Set(), answered: new Set(), entries: new Map() }));
    return st;
  }

  private publishState(name: string): void {
    const st = this.stateOf(name);
    this.snapshot.components.set(name, sortVersionsDesc([...st.entries.values()]));
  }

  private locked(name: string) {
    const l = this.o.lock?.components[name];
    return l && l.registry === this.o.name ? l : undefined;
  }

  private upgrading(name: string): boolean {
    const u = this.o.upgrade;
    return u === true || (Array.isArray(u) && u.includes(name));
  }

  /** Ranges the stack puts on `name`: hsm.yaml, and `requires` of every definition this registry returned. */
  private rangesFor(name: string): Set<string> {
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

  /**
   * Ranges that newly fetched definitions put on names fetched earlier: their newest versions (POST /v1/resolve),
   * or for a completed name the listed versions that fit them (GETs), until nothing new turns up.
   */
  private async followRanges(): Promise<void> {
    for (let round = 0; round < 16; round++) {
      const more = this.unaskedRanges();
      const older = this.deepMissing();
      if (more.size === 0 && older.length === 0) break;
      await Promise.all([this.resolveBatch(more), this.fetchListed(older)]);
      for (const name of new Set([...more.keys(), ...older.map((v) => v.name)])) this.publishState(name);
    }
  }

  /** Versions a completed name's document lists that the resolver may choose and that are not held yet. */
  private deepMissing(): Array<{ name: string; version: string; digest: string; yanked: boolean }> {
    const out: Array<{ name: string; version: string; digest: string; yanked: boolean }> = [];
    for (const [name, st] of this.state) {
      if (!st.deep) continue;
      const locked = this.upgrading(name) ? undefined : this.locked(name)?.version;
      const m = this.o.manifest;
      const member = Object.values(m?.groups ?? {}).some((g) => (Array.isArray(g.use) ? g.use : [g.use]).includes(name));
      // a listed component is always held to its hsm.yaml range; any other name to one of the ranges put on it
      const ranges = m?.components && name in m.components ? [m.components[name]?.version ?? '*'] : member ? ['*'] : [...this.rangesFor(name)];
      if (ranges.length === 0) ranges.push('*');
      for (const v of st.deep) {
        if (st.entries.has(v.version)) continue;
        if (v.version === locked || (!v.yanked && ranges.some((r) => satisfies(v.version, r)))) out.push({ name, ...v });
      }
    }
    return out;
  }

  /**
   * Listed versions, in parallel: from the cache when it holds the listed digest (immutable: no request), else
   * `GET …/versions/{v}`; each must hash to the digest its component document states. All are verified before
   * any is kept.
   */
  private async fetchListed(wanted: Array<{ name: string; version: string; digest: string; yanked: boolean }>): Promise<void> {
    const entries = await Promise.all(
      wanted.map(async (v): Promise<CatalogEntry | null> => {
        const cached = await this.cache.readVersion(v.name, v.version);
        if (cached && cached.digest === v.digest) {
          this.checkLocked(v.name, v.version, cached.digest, 'the cache');
          return { ...cached, yanked: v.yanked };
        }
        const path = `/v1/components/${encodeURIComponent(v.name)}/versions/${encodeURIComponent(v.version)}`;
        let r;
        try {
          r = await this.http.json({ method: 'GET', path, idempotent: true });
        } catch (e) {
          // listed a moment ago, gone now: simply not a candidate
          if (e instanceof HsmError && (e.code === ErrorCodes.VERSION_NOT_FOUND || e.code === ErrorCodes.COMPONENT_NOT_FOUND)) return null;
          throw e;
        }
        const entry = this.verifiedEntry(path, r.json, v.name, v.version);
        if (entry.digest !== v.digest) {
          throw new HsmError(ErrorCodes.DIGEST_MISMATCH, `${this.http.where(path)} serves content for ${v.name} ${v.version} that does not match the digest its component document lists`, {
            details: [`listed: ${v.digest}`, `content: ${entry.digest}`],
            hint: 'the registry was changed behind its API: ask its operator; nothing was changed here',
          });
        }
        return { ...entry, yanked: v.yanked };
      }),
    );
    for (const entry of entries) {
      if (!entry) continue;
      this.stateOf(entry.name).entries.set(entry.version, entry);
      await this.cache.writeVersion(entry);
    }
  }

  /**
   * Names a resolution took from here at a version that might not be the best available: not the locked one
   * (the resolver tries that first), and not the service's newest answer for any range the stack puts on it —
   * so versions never fetched could lie above it. Completed names are complete already.
   */
  private unproven(resolution: Resolution): string[] {
    const out: string[] = [];
    for (const c of resolution.components) {
      const st = this.state.get(c.name);
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

  /** For names already fetched (with versions): ranges now known that no held version answers for sure. */
  private unaskedRanges(): Map<string, Set<string>> {
    const more = new Map<string, Set<string>>();
    for (const [name, st] of this.state) {
      // a completed name holds every version that fits its ranges (deepMissing keeps it so)
      if (st.deep || !this.snapshot.components.get(name)?.length) continue;
      const newest = sortVersionsDesc([...st.entries.values()]).find((e) => !e.yanked);
      const locked = this.locked(name);
      const ranges = this.rangesFor(name);
      // the locked version still fits every range: the resolver keeps it, nothing newer is needed
      const keepsLocked = locked && !this.upgrading(name) && st.entries.has(locked.version) && [...ranges].every((r) => satisfies(locked.version, r));
      for (const r of ranges) {
        if (st.asked.has(r)) continue;
        if (keepsLocked) {
          st.asked.add(r);
          continue;
        }
        // the newest version overall satisfying r is also the newest for r
        if (st.asked.has('*') && newest && satisfies(newest.version, r)) {
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

  /** `POST /v1/resolve` for every (name, range), in batches the service accepts. */
  private async resolveBatch(wanted: Map<string, Set<string>>): Promise<void> {
    const items: Array<{ name: string; range: string }> = [];
    for (const [name, ranges] of wanted) {
      const st = this.stateOf(name);
      for (const range of ranges) {
        if (st.asked.has(range)) continue;
        st.asked.add(range);
        st.answered.add(range);
        items.push({ name, range });
      }
    }
    for (let i = 0; i < items.length; i += RESOLVE_BATCH) {
      const batch = items.slice(i, i + RESOLVE_BATCH);
      const path = '/v1/resolve';
      // a read: safe to repeat after a failure
      const { json } = await this.http.json({ method: 'POST', path, body: { components: batch }, idempotent: true });
      const list = (json as { components?: unknown })?.components;
      if (!Array.isArray(list) || list.length !== batch.length) throw this.malformed(path, `expected \`components\` with ${batch.length} entries`);
      const verified: CatalogEntry[] = [];
      list.forEach((item: unknown, k: number) => {
        const asked = batch[k];
        const err = (item as { error?: { code?: unknown } })?.error;
        if (err && typeof err === 'object') {
          // COMPONENT_NOT_FOUND: the name is not here (→ []); UNSATISFIABLE: nothing newer for this range
          if (err.code !== ErrorCodes.COMPONENT_NOT_FOUND && err.code !== ErrorCodes.UNSATISFIABLE) throw this.malformed(path, `unexpected error ${String(err.code)} for ${asked.name}`);
          return;
        }
        const version = (item as { version?: unknown })?.version;
        if (typeof version !== 'string') throw this.malformed(path, `entry ${k} has no version`);
        const entry = this.verifiedEntry(path, item, asked.name, version);
        if (!satisfies(entry.version, asked.range)) throw this.malformed(path, `${entry.name} ${entry.version} does not satisfy the range asked for (${asked.range})`);
        verified.push(entry);
      });
      // verify everything before keeping anything
      for (const entry of verified) {
        this.stateOf(entry.name).entries.set(entry.version, entry);
        await this.cache.writeVersion(entry);
      }
    }
  }

  private async fetchOffline(names: string[]): Promise<void> {
    const missing: string[] = [];
    for (const name of names) {
      const st = this.stateOf(name);
      const locked = this.locked(name);
      if (locked) {
        const cached = await this.cache.readVersion(name, locked.version);
        if (cached) {
          this.checkLocked(name, locked.version, cached.digest, 'the cache');
          st.entries.set(locked.version, { ...cached, yanked: false });
        }
      } else {
        for (const version of await this.cachedVersions(name)) {
          const cached = await this.cache.readVersion(name, version);
          if (cached) st.entries.set(version, { ...cached, yanked: false });
        }
      }
      if (st.entries.size === 0) missing.push(locked ? `${name} ${locked.version}` : name);
      this.publishState(name);
    }
    if (missing.length) {
      throw new HsmError(ErrorCodes.OFFLINE_MISSING, `--offline: registry ${this.o.name} has nothing cached for ${missing.join(', ')}`, {
        details: [`cache: ${this.cache.dir}`],
        hint: 'run the command once online (without --offline) to fill the cache',
      });
    }
  }

  private async cachedVersions(name: string): Promise<string[]> {
    if (!NAME_RE.test(name)) return [];
    try {
      return (await readdir(join(this.cache.dir, 'versions', name))).filter((f) => f.endsWith('.json') && !f.startsWith('.')).map((f) => f.slice(0, -'.json'.length));
    } catch {
      return [];
    }
  }

  /** A version document from the service → a catalog entry whose digest is computed here, never taken on trust. */
  private verifiedEntry(path: string, doc: unknown, name: string, version: string): CatalogEntry {
    const d = doc as { name?: unknown; version?: unknown; digest?: unknown; definition?: unknown };
    if (!d || typeof d !== 'object' || typeof d.digest !== 'string' || d.definition === undefined) throw this.malformed(path, `no definition and digest for ${name} ${version}`);
    let definition;
    try {
      definition = checkDefinition(d.definition, `${name} ${version}`);
    } catch (e) {
      throw new HsmError(ErrorCodes.REGISTRY_ERROR, `${this.http.where(path)} serves an invalid definition: ${(e as Error).message}`, { hint: 'ask the registry operator; nothing was changed here' });
    }
    if (definition.name !== name || definition.version !== version) {
      throw this.malformed(path, `asked for ${name} ${version}, got ${definition.name} ${definition.version}`);
    }
    const digest = digestOf(definition);
    if (digest !== d.digest) {
      throw new HsmError(ErrorCodes.DIGEST_MISMATCH, `${this.http.where(path)} serves content for ${name} ${version} that does not match its own digest`, {
        details: [`stated: ${d.digest}`, `content: ${digest}`],
        hint: 'the registry was changed behind its API: ask its operator; nothing was changed here',
      });
    }
    this.checkLocked(name, version, digest, this.http.where(path));
    return { name, version, digest, yanked: false, definition };
  }

  /** A locked version must keep the bytes hsm.lock recorded (unless the user asked to upgrade it). */
  private checkLocked(name: string, version: string, digest: string, source: string): void {
    const locked = this.locked(name);
    if (!locked || locked.version !== version || locked.digest === digest || this.upgrading(name)) return;
    throw lockedDigestMismatch(source, this.o.name, name, version, locked.digest, digest);
  }

  private checkComponentDocument(path: string, json: unknown): ComponentDocument {
    const d = json as ComponentDocument;
    if (!d || typeof d.name !== 'string' || !Array.isArray(d.versions)) throw this.malformed(path, 'expected a component document');
    const versions = d.versions
      .filter((v) => v && typeof v.version === 'string' && typeof v.digest === 'string')
      .map((v) => ({ version: v.version, digest: v.digest, yanked: v.yanked === true }));
    return { name: d.name, description: typeof d.description === 'string' ? d.description : null, provides: Array.isArray(d.provides) ? d.provides.filter((p) => typeof p === 'string') : [], versions };
  }

  private malformed(path: string, what: string): HsmError {
    return new HsmError(ErrorCodes.REGISTRY_ERROR, `${this.http.where(path)} sent an unexpected answer: ${what}`, {
      hint: 'check that the URL in hsm.yaml points at an hsm registry service',
    });
  }
}
