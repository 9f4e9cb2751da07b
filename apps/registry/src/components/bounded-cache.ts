/**
 * A least-recently-used map with a byte budget: each entry is charged what `sizeOf` says it holds, and the
 * least recently used entries are dropped until the total fits again. So memory stays flat however many
 * different documents are read (HSM_REGISTRY_CACHE_BYTES, docs/registry.md "Sizing").
 *
 * "Least recently used" as CLOCK (second chance) approximates it: a hit only marks its entry; eviction walks the
 * entries oldest first, moving a marked one to the back (unmarked) and dropping the first unmarked one. The order
 * is a linked list of the entries, not the Map's: moving every hit to the back of a Map (delete + set) churned a
 * hash table of 100,000 documents on each read, and dropping from the front of a Map made every eviction walk
 * over the holes that the earlier ones left there until the table was next rebuilt.
 */
interface Entry<K, V> {
  key: K;
  /** Undefined once the entry is dropped (a handle may outlive it: it must not keep the value alive). */
  value: V | undefined;
  bytes: number;
  /** Read since eviction last passed it. */
  used: boolean;
  /** Toward the oldest entry. */
  older: Entry<K, V> | null;
  /** Toward the newest entry. */
  newer: Entry<K, V> | null;
}

/** What `BoundedCache.handle` returns: opaque. */
export type CacheHandle = object;

export class BoundedCache<K, V> {
  private readonly map = new Map<K, Entry<K, V>>();
  private oldest: Entry<K, V> | null = null;
  private newest: Entry<K, V> | null = null;
  private used = 0;

  constructor(
    private readonly budget: number,
    private readonly sizeOf: (key: K, value: V) => number,
  ) {}

  /** Bytes currently charged. */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    e.used = true;
    return e.value;
  }

  /**
   * A handle on the entry under `key`, if any: `read(handle)` is `get(key)` without the key's lookup in a large
   * hash table — its value while the entry is cached, undefined once it is dropped or replaced. A handle holds
   * no value that was dropped.
   */
  handle(key: K): CacheHandle | undefined {
    return this.map.get(key);
  }

  read(handle: CacheHandle): V | undefined {
    const e = handle as Entry<K, V>;
    if (e.value === undefined) return undefined;
    e.used = true;
    return e.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const bytes = this.sizeOf(key, value);
    if (bytes > this.budget) return; // would evict everything and still not fit
    const entry: Entry<K, V> = { key, value, bytes, used: false, older: null, newer: null };
    this.append(entry);
    this.map.set(key, entry);
    this.used += bytes;
    // oldest first; an entry moved to the back is met again (unmarked) only after every other one. The entry just
    // set counts as used: it is not dropped before entries that were only read earlier. Ends: every pass over the
    // list clears the marks it meets, and the new entry alone fits
    while (this.used > this.budget) {
      const e = this.oldest!;
      this.unlink(e);
      if (e.used || e === entry) {
        e.used = false;
        this.append(e);
      } else {
        this.map.delete(e.key);
        this.used -= e.bytes;
        e.value = undefined;
      }
    }
  }

  /**
   * The key `set` would drop first to make room for `bytes` more, if it would drop any (for an admission policy:
   * is the newcomer worth more than what it displaces?). Moves the clock's hand past marked entries as `set` does.
   */
  victim(bytes: number): K | undefined {
    if (this.used + bytes <= this.budget) return undefined;
    for (let e = this.oldest; e; e = this.oldest) {
      if (!e.used) return e.key;
      this.unlink(e);
      e.used = false;
      this.append(e);
    }
    return undefined;
  }

  delete(key: K): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.unlink(e);
    this.used -= e.bytes;
    e.value = undefined;
  }

  /** Drops every entry whose key `drop` accepts. */
  deleteWhere(drop: (key: K) => boolean): void {
    for (const [k, e] of this.map) {
      if (!drop(k)) continue;
      this.map.delete(k);
      this.unlink(e);
      this.used -= e.bytes;
      e.value = undefined;
    }
  }

  private append(e: Entry<K, V>): void {
    e.older = this.newest;
    e.newer = null;
    if (this.newest) this.newest.newer = e;
    else this.oldest = e;
    this.newest = e;
  }

  private unlink(e: Entry<K, V>): void {
    if (e.older) e.older.newer = e.newer;
    else this.oldest = e.newer;
    if (e.newer) e.newer.older = e.older;
    else this.newest = e.older;
    e.older = e.newer = null;
  }
}
