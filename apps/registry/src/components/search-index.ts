/**
 * Every component's search fields in memory, in the database's own name order, for GET /v1/components: a search
 * at 10,000 components is a scan of this list that stops at the page's end, not an ILIKE scan per request.
 * Loaded whole by one query (ORDER BY name, so the order, and with it paging, is exactly the database's collation)
 * on first use; kept current by the ChangeFeed as the VersionIndex is: a notified name is re-read before the next
 * search (a name the list does not hold yet — a new component — reloads the whole list, since only the database
 * knows where its collation puts it), a reconnect (`null`) drops everything.
 * Answers are the database query's, field for field; where memory cannot be sure of that, the query runs:
 * while the feed is not live, for a cursor that is not a name in the list, and for search text outside ASCII
 * (ILIKE lower-cases by the database's locale).
 * Size: about 300 bytes per component (10,000 components ≈ 3 MB).
 */
import { ComponentRepository, type SearchHit, type SearchQuery } from './component.repository.js';
import { ChangeFeed } from '../database/change-feed.js';
import { normalizeName } from './component-name.js';

interface Entry {
  hit: SearchHit;
  /** Lower-cased name and description, matched as ILIKE '%text%' matches. */
  name: string;
  description: string;
}

export class SearchIndex {
  private entries: Entry[] = [];
  /** Position of each entry by its name as published (the cursor). */
  private position = new Map<string, number>();
  private loaded: Promise<void> | null = null;
  private readonly stale = new Set<string>();
  private refreshing: Promise<void> | null = null;
  /** Bumped when everything is dropped: a load begun before it does not install what it read. */
  private generation = 0;

  constructor(
    private readonly components: ComponentRepository,
    private readonly feed: ChangeFeed,
  ) {}

  /** From the feed: `name` (normalised) changed (null: anything may have). */
  invalidate(normalizedName: string | null): void {
    if (normalizedName !== null) {
      this.stale.add(normalizedName);
      return;
    }
    this.generation++;
    this.entries = [];
    this.position = new Map();
    this.loaded = null;
    this.refreshing = null;
    this.stale.clear();
  }

  /** Up to `q.limit` hits in name order, as ComponentRepository.search answers them. */
  async search(q: SearchQuery): Promise<SearchHit[]> {
    if (!this.feed.live || (q.text !== undefined && !/^[\x20-\x7e]*$/.test(q.text))) return this.components.search(q);
    const generation = this.generation;
    await (this.loaded ??= this.load());
    while (this.stale.size) await (this.refreshing ??= this.refresh());
    if (generation !== this.generation || !this.feed.live) return this.components.search(q);
    let from = 0;
    if (q.after !== undefined) {
      const at = this.position.get(q.after);
      if (at === undefined) return this.components.search(q); // a position between names: the database's collation decides
      from = at + 1;
    }
    const text = q.text?.toLowerCase();
    const hits: SearchHit[] = [];
    for (let i = from; i < this.entries.length && hits.length < (q.limit ?? Infinity); i++) {
      const e = this.entries[i];
      if (q.provides !== undefined && !e.hit.provides.includes(q.provides)) continue;
      if (text !== undefined && !e.name.includes(text) && !e.description.includes(text) && !e.hit.provides.includes(text)) continue;
      hits.push(e.hit);
    }
    return hits;
  }

  private async load(): Promise<void> {
    const generation = this.generation;
    try {
      const hits = await this.components.search({});
      // names notified while loading are in `stale` already and are read again before the next answer
      if (generation === this.generation) this.install(hits);
    } catch (e) {
      if (generation === this.generation) this.loaded = null;
      throw e;
    }
  }

  /** Re-reads the stale names; a name not in the list yet reloads it whole. */
  private async refresh(): Promise<void> {
    const generation = this.generation;
    const names = [...this.stale];
    this.stale.clear();
    try {
      const fresh = new Map((await this.components.search({ normalizedNames: names })).map((h) => [normalizeName(h.name), h]));
      if (generation !== this.generation) return;
      const known = new Map(this.entries.map((e, i) => [normalizeName(e.hit.name), i]));
      if ([...fresh.keys()].some((k) => !known.has(k))) {
        this.install(await this.components.search({}), generation);
        return;
      }
      const drop = new Set<number>();
      for (const k of names) {
        const i = known.get(k);
        if (i === undefined) continue;
        const h = fresh.get(k);
        if (h) this.entries[i] = entryOf(h);
        else drop.add(i);
      }
      if (drop.size) this.install(this.entries.filter((_, i) => !drop.has(i)).map((e) => e.hit), generation);
    } catch (e) {
      if (generation === this.generation) for (const k of names) this.stale.add(k);
      throw e;
    } finally {
      if (generation === this.generation) this.refreshing = null;
    }
  }

  private install(hits: SearchHit[], generation = this.generation): void {
    if (generation !== this.generation) return;
    this.entries = hits.map(entryOf);
    this.position = new Map(hits.map((h, i) => [h.name, i]));
  }
}

function entryOf(hit: SearchHit): Entry {
  return { hit, name: hit.name.toLowerCase(), description: hit.description.toLowerCase() };
}
