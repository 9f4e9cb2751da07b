/**
 * Every component's version list (versions and yanked flags, no definitions) in memory, for POST /v1/resolve:
 * a batch of names is answered without a database query. Loaded whole by one query on first use; kept current
 * by the ChangeFeed — a notification for a name marks it stale (it is reloaded, with every other stale name,
 * by one query before the next answer that needs it, concurrent answers waiting for it), a reconnect (`null`)
 * drops everything. While the feed is
 * not live nothing is served from memory: every batch is read from the database, as without the index.
 * Size: about 100 bytes per version (measured in bench/registry; 100,000 versions ≈ 10 MB).
 */
import semver from 'semver';
import { ComponentRepository, type VersionListRow } from './component.repository.js';
import { ChangeFeed } from '../database/change-feed.js';
import { FeedIndex } from './feed-index.js';

/** One component: its name as published and its versions, newest first. */
export interface IndexedComponent {
  name: string;
  /** Newest first (semver order). */
  versions: string[];
  /** Parallel to `versions`. */
  yanked: boolean[];
  /**
   * What resolve answered per range asked for (ComponentService keys and fills it). Teams ask for few ranges per
   * component, and a new list (a publish, a yank) is a new object, so it never goes stale.
   */
  answers: Map<string, unknown> | undefined;
}

export class VersionIndex extends FeedIndex<Map<string, IndexedComponent>> {
  private byName = new Map<string, IndexedComponent>();
  /** Reloads in flight, per name: an answer needing the name waits for it. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly components: ComponentRepository,
    private readonly feed: ChangeFeed,
  ) {
    super();
  }

  /**
   * The version lists of `keys` from memory, when nothing is to be waited for (the feed live, the index loaded,
   * none of the names stale or being re-read); otherwise undefined, and `lists` is the way.
   */
  listsNow(keys: string[]): (IndexedComponent | undefined)[] | undefined {
    if (!this.ready || !this.feed.live) return undefined;
    if (this.stale.size || this.pending.size) for (const k of keys) if (this.stale.has(k) || this.pending.has(k)) return undefined;
    return keys.map((k) => this.byName.get(k));
  }

  /** The version lists of `keys` (normalised names); an unknown name is absent from the result. */
  async lists(keys: string[]): Promise<Map<string, IndexedComponent>> {
    const generation = this.generation;
    if (this.feed.live) {
      await this.whenLoaded();
      const stale = keys.filter((k) => this.stale.has(k));
      const waits = stale.length ? [this.reload(stale)] : [];
      for (const k of keys) {
        const p = this.pending.get(k);
        if (p !== undefined) waits.push(p);
      }
      await Promise.all(waits);
    }
    // not live, or everything was dropped meanwhile: read these names from the database
    if (!this.feed.live || generation !== this.generation) return group(await this.components.listVersions(keys));
    const out = new Map<string, IndexedComponent>();
    for (const k of keys) {
      const c = this.byName.get(k);
      if (c) out.set(k, c);
    }
    return out;
  }

  /** Versions held (for the sizing figures). */
  get size(): number {
    let n = 0;
    for (const c of this.byName.values()) n += c.versions.length;
    return n;
  }

  protected async readAll(): Promise<Map<string, IndexedComponent>> {
    return group(await this.components.listVersions());
  }

  protected install(all: Map<string, IndexedComponent>): void {
    this.byName = all;
  }

  protected drop(): void {
    this.byName = new Map();
    this.pending.clear();
  }

  private reload(keys: string[]): Promise<void> {
    for (const k of keys) this.stale.delete(k);
    const generation = this.generation;
    const p = (async () => {
      let fresh: Map<string, IndexedComponent>;
      try {
        fresh = group(await this.components.listVersions(keys));
      } catch (e) {
        if (generation === this.generation) for (const k of keys) this.stale.add(k);
        throw e;
      }
      if (generation !== this.generation) return;
      for (const k of keys) {
        // a name notified again meanwhile is stale again and is read once more by the next answer needing it
        const c = fresh.get(k);
        if (c) this.byName.set(k, c);
        else this.byName.delete(k);
      }
    })();
    for (const k of keys) this.pending.set(k, p);
    const done = () => {
      for (const k of keys) if (this.pending.get(k) === p) this.pending.delete(k);
    };
    p.then(done, done);
    return p;
  }
}

function group(rows: VersionListRow[]): Map<string, IndexedComponent> {
  const byName = new Map<string, { name: string; list: { version: string; yanked: boolean }[] }>();
  for (const r of rows) {
    let c = byName.get(r.normalizedName);
    if (!c) byName.set(r.normalizedName, (c = { name: r.name, list: [] }));
    c.list.push({ version: r.version, yanked: r.yanked });
  }
  const out = new Map<string, IndexedComponent>();
  for (const [k, c] of byName) {
    // each version parsed once, not twice per comparison; the parsed forms are dropped again (~270 bytes each)
    const sorted = c.list.map((v) => ({ ...v, parsed: new semver.SemVer(v.version) })).sort((a, b) => b.parsed.compare(a.parsed));
    out.set(k, { name: c.name, versions: sorted.map((v) => v.version), yanked: sorted.map((v) => v.yanked), answers: undefined });
  }
  return out;
}
