/**
 * A registry service (SPEC §9) as the resolver sees it: an incomplete snapshot that `fetch(names)` fills. This
 * file is the fetch policy (what to ask, when the cache is enough); registry-client.ts speaks the protocol,
 * registry-cache.ts keeps documents on disk, remote-state.ts does the bookkeeping.
 *
 * What a fetched name holds: the locked version (when hsm.lock takes the name from this registry) and the newest
 * non-yanked version for every range the stack puts on the name (its hsm.yaml range, every `requires` range seen
 * in this registry's definitions, and `*`). One round of the resolver costs:
 *  - cold (nothing locked): one `POST /v1/resolve` for all names of the round;
 *  - warm (locked version still fits every known range, its document in the cache): nothing at all. A version
 *    is immutable and pinned by its digest in hsm.lock, so asking the service again cannot change the answer
 *    (uv and cargo do not touch the network for a fresh lock either). A locked version missing from the cache
 *    is fetched in the first round, in parallel, so a fully locked stack costs at most one round trip whatever
 *    the depth of its `requires`.
 *  - `refresh` (`hsm sync --refresh`, `--upgrade`): locked versions are revalidated with
 *    `If-None-Match: "<digest>"` (answered 304: nothing is downloaded again). A yanked locked version is not
 *    sought on every sync: `hsm outdated` and `hsm status --refresh` report it (`outdated()`).
 * Older versions (`deepen`): when the resolver hits a dead end over these newest versions, or settles for a version
 * that is not provably the best one it could have had, the names concerned are completed: their component document
 * (ETag-revalidated) and, in parallel, every non-yanked version it lists that fits a range on the name (the hsm.yaml
 * range for a listed component, else any `requires` range seen) — plus the locked version, yanked or not. Versions
 * are immutable, so one already in the cache with the document's digest costs no request. A stack the newest
 * versions resolve never pays for this.
 * Names the service does not have become `[]`, so the resolver moves on to the next registry; a pinned or locked
 * name is only ever looked up in its own registry (the resolver's rule), so a later registry cannot shadow it.
 *
 * Integrity: every definition that arrives is checked by the client (schema, digest); a locked version must also
 * hash to the digest in hsm.lock — else HSM_DIGEST_MISMATCH, before anything is written (the cache only ever
 * receives verified documents, and verifies them again on read).
 * Offline: the locked version from the cache (checked against hsm.lock), else every cached version of the name;
 * a name with neither is reported (HSM_OFFLINE_MISSING, all such names at once).
 */
import { join } from 'node:path';
import { ErrorCodes, HsmError, lockedDigestMismatch, sortVersionsDesc, type CatalogEntry, type Lockfile, type Manifest, type OutdatedQuery, type OutdatedReport, type RegistrySnapshot, type Resolution } from '@hsm/core';
import { RegistryHttp, type RegistryHttpOptions } from './registry-http.js';
import { RegistryCache, cacheFolderName, type ComponentDocument } from './registry-cache.js';
import { RegistryClient, versionPath, type PublishOutcome, type RemoteSearchHit, type ResolveItem } from './registry-client.js';
import { RemoteState, type ListedVersion } from './remote-state.js';
import { outdatedItems, readOutdated } from './outdated.js';

export interface RemoteRegistryOptions {
  name: string;
  url: string;
  token?: string;
  /** `$XDG_CACHE_HOME/hsm/registries`: this registry caches under `<cacheRoot>/<host>/`. */
  cacheRoot: string;
  offline?: boolean;
  /** Revalidate cached locked versions with the service (`--refresh`; implied by `upgrade`). */
  refresh?: boolean;
  /** The manifest being resolved (its ranges are asked for) and the lock (its versions are kept and checked). */
  manifest?: Manifest;
  lock?: Lockfile | null;
  /** `--upgrade` (true) or `--upgrade-component` names: their locked versions are neither preferred nor checked. */
  upgrade?: boolean | string[];
  /** Timeouts, limits and retry policy (tests shorten them). */
  http?: Partial<Omit<RegistryHttpOptions, 'name' | 'url' | 'token'>>;
  log?: (message: string) => void;
}

export interface RemoteComponentInfo {
  registry: string;
  name: string;
  description: string;
  provides: string[];
  versions: Array<{ version: string; digest: string; yanked: boolean }>;
}

export type { PublishOutcome, RemoteSearchHit };

export class RemoteRegistry {
  readonly snapshot: RegistrySnapshot;
  readonly http: RegistryHttp;
  readonly client: RegistryClient;
  readonly cache: RegistryCache;
  private readonly state: RemoteState;
  private readonly refresh: boolean;
  private prefetched = false;

  constructor(private readonly o: RemoteRegistryOptions) {
    this.state = new RemoteState(o);
    this.snapshot = this.state.snapshot;
    this.http = new RegistryHttp({ name: o.name, url: o.url, token: o.token, onRetry: o.log, ...o.http });
    this.client = new RegistryClient(this.http, o.name);
    this.cache = new RegistryCache(join(o.cacheRoot, cacheFolderName(o.url)));
    this.refresh = Boolean(o.refresh || (Array.isArray(o.upgrade) ? o.upgrade.length : o.upgrade));
  }

  get name(): string {
    return this.o.name;
  }

  /** Fetches what the resolver needs to know about `names` (see the file comment). */
  async fetch(names: string[]): Promise<void> {
    const todo = [...new Set(names)].filter((n) => !this.snapshot.components.has(n));
    if (todo.length === 0) return;
    if (this.o.offline) return this.fetchOffline(todo);
    const st = this.state;
    const cold = new Map<string, Set<string>>();
    const lockedGets: Array<{ name: string; version: string; prefetch?: boolean }> = [];
    // every locked name of this registry in the first round, so a locked stack costs at most one round trip
    // whatever its depth; a prefetched name that fails is simply left for the resolver to ask for (and fail)
    if (!this.prefetched) {
      this.prefetched = true;
      for (const name of Object.keys(this.o.lock?.components ?? {}).sort()) {
        const kept = st.kept(name);
        if (kept && !todo.includes(name) && !this.snapshot.components.has(name)) lockedGets.push({ name, version: kept, prefetch: true });
      }
    }
    for (const name of todo) {
      const kept = st.kept(name);
      if (kept) lockedGets.push({ name, version: kept });
      // the locked version no longer fits (or is being upgraded): the resolver will not keep it, so skip it
      else cold.set(name, new Set([...st.rangesFor(name), '*']));
    }
    const missingLocked: string[] = [];
    const prefetched: string[] = [];
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
        if (!entry) {
          if (!g.prefetch) missingLocked.push(g.name);
          return;
        }
        const ns = st.of(g.name);
        for (const r of st.rangesFor(g.name)) ns.asked.add(r);
        ns.entries.set(entry.version, entry);
        if (g.prefetch) prefetched.push(g.name);
      }),
    ]);
    // a locked version the service no longer has: ask for the newest instead (the resolver explains the rest)
    if (missingLocked.length) await this.resolveBatch(new Map(missingLocked.map((n) => [n, new Set([...st.rangesFor(n), '*'])])));
    for (const name of [...todo, ...prefetched]) st.publish(name);
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
    const names = resolution ? this.state.unproven(resolution) : this.state.incomplete();
    if (names.length === 0) return false;
    const before = this.state.held();
    await Promise.all(
      names.map(async (name) => {
        const info = await this.component(name);
        this.state.of(name).deep = info?.versions ?? [];
      }),
    );
    await this.followRanges();
    return this.state.held() > before;
  }

  /** `GET /v1/components?q=&provides=` (first 100 hits). */
  search(text: string, provides?: string): Promise<RemoteSearchHit[]> {
    return this.client.search(text, provides);
  }

  /** The component document (versions, digests, yanked), revalidated with its ETag; null when absent. */
  async component(name: string): Promise<RemoteComponentInfo | null> {
    const cached = await this.cache.readComponent(name);
    let document: ComponentDocument;
    if (this.o.offline) {
      if (!cached) return null;
      document = cached.document;
    } else {
      const r = await this.client.component(name, cached?.etag);
      if (r === null) return null;
      if (r === 'not-modified') document = cached!.document;
      else {
        document = r.document;
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
   * One exact version (checked against hsm.lock when locked): from the cache (verified on read) without a
   * request — immutable — unless `refresh`, which revalidates it with `If-None-Match: "<digest>"` (304: nothing downloaded). null when the service does
   * not have it.
   */
  async version(name: string, version: string): Promise<CatalogEntry | null> {
    const cached = await this.cache.readVersion(name, version);
    if (cached) this.checkLocked(name, version, cached.digest, 'the cache');
    if (cached && (this.o.offline || !this.refresh)) return { ...cached, yanked: false };
    if (this.o.offline) return null;
    const r = await this.client.version(name, version, cached?.digest);
    if (r === 'not-modified') return { ...cached!, yanked: false };
    if (r) {
      this.checkLocked(name, version, r.digest, this.client.where(versionPath(name, version)));
      await this.cache.writeVersion(r);
    }
    return r;
  }

  /** Checks a token against the service; throws HSM_AUTH when refused. */
  verifyToken(): Promise<void> {
    return this.client.verifyToken();
  }

  /** `PUT /v1/components/{name}/versions/{version}` with the (already validated) definition. */
  publish(definition: { name: string; version: string }): Promise<PublishOutcome> {
    return this.client.publish(definition);
  }

  /**
   * Per component: the newest version satisfying its range, the newest overall, whether the locked version is
   * yanked — one `POST /v1/resolve` for them all (a batch of at most 200 items; 3 per component).
   */
  async outdated(queries: OutdatedQuery[]): Promise<OutdatedReport[]> {
    const items = outdatedItems(queries);
    return readOutdated(queries, await this.client.resolve(items));
  }

  // --- internals ---

  /**
   * Ranges that newly fetched definitions put on names fetched earlier: their newest versions (POST /v1/resolve),
   * or for a completed name the listed versions that fit them (GETs), until nothing new turns up.
   */
  private async followRanges(): Promise<void> {
    for (let round = 0; round < 16; round++) {
      const more = this.state.unaskedRanges();
      const older = this.state.deepMissing();
      if (more.size === 0 && older.length === 0) break;
      await Promise.all([this.resolveBatch(more), this.fetchListed(older)]);
      for (const name of new Set([...more.keys(), ...older.map((v) => v.name)])) this.state.publish(name);
    }
  }

  /**
   * Listed versions, in parallel: from the cache when it holds the listed digest (immutable: no request), else
   * `GET …/versions/{v}`; each must hash to the digest its component document states. All are verified before
   * any is kept.
   */
  private async fetchListed(wanted: ListedVersion[]): Promise<void> {
    const entries = await Promise.all(
      wanted.map(async (v): Promise<CatalogEntry | null> => {
        const cached = await this.cache.readVersion(v.name, v.version);
        if (cached && cached.digest === v.digest) {
          this.checkLocked(v.name, v.version, cached.digest, 'the cache');
          return { ...cached, yanked: v.yanked };
        }
        const path = versionPath(v.name, v.version);
        // listed a moment ago, gone now: simply not a candidate
        const entry = await this.client.version(v.name, v.version);
        if (entry === null || entry === 'not-modified') return null;
        if (entry.digest !== v.digest) {
          throw new HsmError(ErrorCodes.DIGEST_MISMATCH, `${this.client.where(path)} serves content for ${v.name} ${v.version} that does not match the digest its component document lists`, {
            details: [`listed: ${v.digest}`, `content: ${entry.digest}`],
            hint: 'the registry was changed behind its API: ask its operator; nothing was changed here',
          });
        }
        this.checkLocked(v.name, v.version, entry.digest, this.client.where(path));
        return { ...entry, yanked: v.yanked };
      }),
    );
    await this.keep(entries.filter((e): e is CatalogEntry => e !== null));
  }

  /** `POST /v1/resolve` for every (name, range) not asked yet, in batches the service accepts. */
  private async resolveBatch(wanted: Map<string, Set<string>>): Promise<void> {
    const items: ResolveItem[] = [];
    for (const [name, ranges] of wanted) {
      const ns = this.state.of(name);
      for (const range of ranges) {
        if (ns.asked.has(range)) continue;
        ns.asked.add(range);
        ns.answered.add(range);
        items.push({ name, range });
      }
    }
    if (items.length === 0) return;
    const answers = await this.client.resolve(items);
    for (const [k, a] of answers.entries()) if ('missing' in a && a.missing === 'version') this.state.of(items[k].name).exists = true;
    const verified = answers.flatMap((a) => ('entry' in a ? [a.entry] : []));
    for (const e of verified) this.checkLocked(e.name, e.version, e.digest, this.client.where('/v1/resolve'));
    await this.keep(verified);
  }

  /** Verified entries into the state and the cache (only after every one of a batch passed its checks). */
  private async keep(entries: CatalogEntry[]): Promise<void> {
    for (const entry of entries) {
      this.state.of(entry.name).entries.set(entry.version, entry);
      await this.cache.writeVersion(entry);
    }
  }

  private async fetchOffline(names: string[]): Promise<void> {
    const missing: string[] = [];
    for (const name of names) {
      const ns = this.state.of(name);
      const locked = this.state.locked(name);
      if (locked) {
        const cached = await this.cache.readVersion(name, locked.version);
        if (cached) {
          this.checkLocked(name, locked.version, cached.digest, 'the cache');
          ns.entries.set(locked.version, { ...cached, yanked: false });
        }
      } else {
        for (const version of await this.cache.versions(name)) {
          const cached = await this.cache.readVersion(name, version);
          if (cached) ns.entries.set(version, { ...cached, yanked: false });
        }
      }
      if (ns.entries.size === 0) missing.push(locked ? `${name} ${locked.version}` : name);
      this.state.publish(name);
    }
    if (missing.length) {
      throw new HsmError(ErrorCodes.OFFLINE_MISSING, `--offline: registry ${this.o.name} has nothing cached for ${missing.join(', ')}`, {
        details: [`cache: ${this.cache.dir}`],
        hint: 'run the command once online (without --offline) to fill the cache',
      });
    }
  }

  /** A locked version must keep the bytes hsm.lock recorded (unless the user asked to upgrade it). */
  private checkLocked(name: string, version: string, digest: string, source: string): void {
    const locked = this.state.locked(name);
    if (!locked || locked.version !== version || locked.digest === digest || this.state.upgrading(name)) return;
    throw lockedDigestMismatch(source, this.o.name, name, version, locked.digest, digest);
  }
}
