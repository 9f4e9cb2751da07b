/**
 * What the registry's in-memory indexes (VersionIndex, SearchIndex) share: loaded whole on first use, kept current
 * by the ChangeFeed — a notified name is stale until it is read again, a reconnect (`null`) drops everything — and a
 * generation counter, bumped by each drop, so that a read begun before a drop never installs what it read.
 */
export abstract class FeedIndex<All> {
  /** Normalised names notified since they were last read. */
  protected readonly stale = new Set<string>();
  /** Bumped when everything is dropped. */
  protected generation = 0;
  private loaded: Promise<void> | null = null;
  /** Everything has been read and installed for the current generation (what a synchronous answer may rely on). */
  protected ready = false;

  /** From the feed: `normalizedName` changed (null: anything may have). */
  invalidate(normalizedName: string | null): void {
    if (normalizedName !== null) {
      this.stale.add(normalizedName);
      return;
    }
    this.generation++;
    this.loaded = null;
    this.ready = false;
    this.stale.clear();
    this.drop();
  }

  /** Everything read once (a failed read is tried again by the next caller). */
  protected whenLoaded(): Promise<void> {
    return (this.loaded ??= this.load());
  }

  /** Reads everything (one query). */
  protected abstract readAll(): Promise<All>;
  /** Installs what readAll read. */
  protected abstract install(all: All): void;
  /** Forgets everything held (a drop). */
  protected abstract drop(): void;

  private async load(): Promise<void> {
    const generation = this.generation;
    try {
      const all = await this.readAll();
      // names notified while loading are in `stale` already and are read again when asked for
      if (generation === this.generation) {
        this.install(all);
        this.ready = true;
      }
    } catch (e) {
      if (generation === this.generation) this.loaded = null;
      throw e;
    }
  }
}
