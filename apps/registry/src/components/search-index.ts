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
import { FeedIndex } from './feed-index.js';

/** Each hit's JSON, serialised once (the hot path splices it into an answer). */
const serialised = new WeakMap<SearchHit, string>();

/** `JSON.stringify(hit)`, from memory when the hit came from the index. */
export function hitJson(hit: SearchHit): string {
  return serialised.get(hit) ?? JSON.stringify(hit);
}

/** Search text never holds control characters (RegistryApi.SearchQuery), so this separator never matches inside one. */
const SEPARATOR = '\u0000';
const ANSWERS = 1000;

export class SearchIndex extends FeedIndex<SearchHit[]> {
  /** In the database's name order. */
  private hits: SearchHit[] = [];
  /** Position of each hit by its name as published (the cursor). */
  private position = new Map<string, number>();
  /**
   * Every hit's lower-cased name and description, `name SEPARATOR description SEPARATOR …` in list order, and
   * where each hit's part starts: one native substring search over the whole catalog instead of two per entry.
   */
  private haystack = '';
  private starts = new Int32Array(0);
  /** Positions of the hits providing each interface, ascending. */
  private byProvides = new Map<string, number[]>();
  /**
   * Answers of the current list by query: a scan for a text found in few descriptions reads the whole catalog
   * (~1 ms at 10,000 components), and the same searches come again (the web catalog's pages, `hsm search`).
   * Emptied whenever the list changes; at most ANSWERS entries.
   */
  private answers = new Map<string, SearchHit[]>();
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly components: ComponentRepository,
    private readonly feed: ChangeFeed,
  ) {
    super();
  }

  /** Up to `q.limit` hits in name order, as ComponentRepository.search answers them. */
  async search(q: SearchQuery): Promise<SearchHit[]> {
    if (!this.feed.live || (q.text !== undefined && !/^[\x20-\x7e]*$/.test(q.text))) return this.components.search(q);
    const generation = this.generation;
    await this.whenLoaded();
    while (this.stale.size) await (this.refreshing ??= this.refresh());
    if (generation !== this.generation || !this.feed.live) return this.components.search(q);
    let from = 0;
    if (q.after !== undefined) {
      const at = this.position.get(q.after);
      if (at === undefined) return this.components.search(q); // a position between names: the database's collation decides
      from = at + 1;
    }
    const key = `${q.text?.toLowerCase() ?? ''}\u0000${q.provides ?? ''}\u0000${from}\u0000${q.limit ?? ''}`;
    let answer = this.answers.get(key);
    if (!answer) {
      if (this.answers.size >= ANSWERS) this.answers.clear();
      this.answers.set(key, (answer = this.scan(q, from)));
    }
    return answer;
  }

  private scan(q: SearchQuery, from: number): SearchHit[] {
    const limit = q.limit ?? Infinity;
    const out: SearchHit[] = [];
    if (q.text === undefined || q.text === '') {
      if (q.provides === undefined) return this.hits.slice(from, from + limit);
      for (const i of this.providers(q.provides, from)) {
        if (out.length >= limit) break;
        out.push(this.hits[i]);
      }
      return out;
    }
    const text = q.text.toLowerCase();
    // hits whose name or description holds the text, merged in order with those providing an interface named so
    const named = this.providers(text, from);
    let n = 0;
    let next = this.nextMatch(text, from);
    while (out.length < limit) {
      const i = n < named.length && named[n] <= next ? named[n] : next;
      if (i >= this.hits.length) break;
      if (i === next) next = this.nextMatch(text, i + 1);
      if (n < named.length && named[n] === i) n++;
      if (q.provides === undefined || this.hits[i].provides.includes(q.provides)) out.push(this.hits[i]);
    }
    return out;
  }

  /** Position of the first hit at or after `from` whose name or description holds `text` (lower case); the length if none. */
  private nextMatch(text: string, from: number): number {
    if (from >= this.hits.length) return this.hits.length;
    const at = this.haystack.indexOf(text, this.starts[from]);
    if (at < 0) return this.hits.length;
    // the hit whose part holds `at`: the last start at or before it
    let lo = from;
    let hi = this.hits.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Positions at or after `from` of the hits providing `name`. */
  private providers(name: string, from: number): number[] {
    const all = this.byProvides.get(name) ?? [];
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (all[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    return lo ? all.slice(lo) : all;
  }

  protected readAll(): Promise<SearchHit[]> {
    return this.components.search({});
  }

  protected drop(): void {
    this.install([]);
    this.refreshing = null;
  }

  /** Re-reads the stale names; a name not in the list yet reloads it whole. */
  private async refresh(): Promise<void> {
    const generation = this.generation;
    const names = [...this.stale];
    this.stale.clear();
    try {
      const fresh = new Map((await this.components.search({ normalizedNames: names })).map((h) => [normalizeName(h.name), h]));
      if (generation !== this.generation) return;
      const known = new Map(this.hits.map((h, i) => [normalizeName(h.name), i]));
      if ([...fresh.keys()].some((k) => !known.has(k))) {
        this.install(await this.components.search({}), generation);
        return;
      }
      const hits = [...this.hits];
      for (const k of names) {
        const i = known.get(k);
        if (i !== undefined) hits[i] = fresh.get(k) ?? DROPPED;
      }
      this.install(
        hits.filter((h) => h !== DROPPED),
        generation,
      );
    } catch (e) {
      if (generation === this.generation) for (const k of names) this.stale.add(k);
      throw e;
    } finally {
      if (generation === this.generation) this.refreshing = null;
    }
  }

  protected install(hits: SearchHit[], generation = this.generation): void {
    if (generation !== this.generation) return;
    this.hits = hits;
    this.answers = new Map();
    this.position = new Map(hits.map((h, i) => [h.name, i]));
    this.starts = new Int32Array(hits.length);
    const parts: string[] = [];
    let offset = 0;
    this.byProvides = new Map();
    hits.forEach((h, i) => {
      if (!serialised.has(h)) serialised.set(h, JSON.stringify(h));
      const part = `${h.name.toLowerCase()}${SEPARATOR}${h.description.toLowerCase()}${SEPARATOR}`;
      this.starts[i] = offset;
      offset += part.length;
      parts.push(part);
      for (const p of new Set(h.provides)) {
        const list = this.byProvides.get(p);
        if (list) list.push(i);
        else this.byProvides.set(p, [i]);
      }
    });
    this.haystack = parts.join('');
  }
}

const DROPPED: SearchHit = { name: '', description: '', provides: [], options: {}, team: '' };
