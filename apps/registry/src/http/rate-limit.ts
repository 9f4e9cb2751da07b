/**
 * Write rate limit: a token bucket per client (token id, or address when anonymous), refilled continuously at
 * `perMinute` per minute. In-memory, so per instance: several instances behind a balancer each apply it.
 */
import { ErrorCodes, HsmError } from '@hsm/core';

interface Bucket {
  tokens: number;
  at: number;
}

export class WriteRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one write from `client`'s bucket or throws HSM_RATE_LIMITED with the seconds to wait. */
  take(client: string): void {
    const t = this.now();
    const rate = this.perMinute / 60_000;
    const b = this.buckets.get(client) ?? { tokens: this.perMinute, at: t };
    b.tokens = Math.min(this.perMinute, b.tokens + (t - b.at) * rate);
    b.at = t;
    if (b.tokens < 1) {
      this.buckets.set(client, b);
      const wait = Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000));
      throw new HsmError(ErrorCodes.RATE_LIMITED, `too many writes; retry in ${wait}s`, { details: [String(wait)] });
    }
    b.tokens -= 1;
    this.buckets.set(client, b);
    if (this.buckets.size > 10_000) this.evictFull(t, rate);
  }

  private evictFull(t: number, rate: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + (t - b.at) * rate >= this.perMinute) this.buckets.delete(k);
  }
}
