/**
 * A least-recently-used map with a byte budget: each entry is charged what `sizeOf` says it holds, and the
 * least recently used entries are dropped until the total fits again. So memory stays flat however many
 * different documents are read (HSM_REGISTRY_CACHE_BYTES, docs/registry.md "Sizing").
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, { value: V; bytes: number }>();
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
    // most recently used last: Map keeps insertion order
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const bytes = this.sizeOf(key, value);
    if (bytes > this.budget) return; // would evict everything and still not fit
    this.map.set(key, { value, bytes });
    this.used += bytes;
    for (const [k, e] of this.map) {
      if (this.used <= this.budget) break;
      this.map.delete(k);
      this.used -= e.bytes;
    }
  }

  delete(key: K): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.used -= e.bytes;
  }

  /** Drops every entry whose key `drop` accepts. */
  deleteWhere(drop: (key: K) => boolean): void {
    for (const [k, e] of this.map) {
      if (!drop(k)) continue;
      this.map.delete(k);
      this.used -= e.bytes;
    }
  }
}
