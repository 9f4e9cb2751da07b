/**
 * Rendered page bodies, kept while the ChangeFeed is live and dropped on any change (a page shows many
 * components: a publish anywhere may change it). Same rules as ComponentService's caches: nothing is served from
 * memory while the feed is down, and a render that raced with an invalidation is not stored. Without this a page
 * view costs several database round trips; with it, a hit is a string concatenation.
 */
import { Injectable } from '@nestjs/common';
import { ChangeFeed } from '../database/change-feed.js';
import { BoundedCache } from '../components/bounded-cache.js';
import type { Html } from './html.js';

export interface RenderedPage {
  title: string;
  body: Html;
}

@Injectable()
export class PageCache {
  private readonly pages = new BoundedCache<string, RenderedPage>(500);
  private epoch = 0;

  constructor(private readonly feed: ChangeFeed) {
    feed.subscribe(() => {
      this.epoch++;
      this.pages.clear();
    });
  }

  /** The cached page for `key`, or `render()`'s (stored when still current). Failures are never cached. */
  async get(key: string, render: () => Promise<RenderedPage>): Promise<RenderedPage> {
    const hit = this.feed.live ? this.pages.get(key) : undefined;
    if (hit) return hit;
    const epoch = this.epoch;
    const page = await render();
    if (this.feed.live && epoch === this.epoch) this.pages.set(key, page);
    return page;
  }
}
