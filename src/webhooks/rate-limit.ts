// Token buckets: `burst` requests at once, refilled at `perSecond`. One per source address and one for everything.

export interface RateLimit {
  /** Requests allowed at once. */
  burst: number;
  /** Sustained requests per second. */
  perSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = now();
  }

  /** Takes one token; false when there is none left. */
  take(): boolean {
    const at = this.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((at - this.updatedAt) / 1000) * this.limit.perSecond);
    this.updatedAt = at;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whether the bucket is back to full, so forgetting it changes nothing. */
  get full(): boolean {
    return this.tokens + ((this.now() - this.updatedAt) / 1000) * this.limit.perSecond >= this.limit.burst;
  }
}

/** A bucket per key (a source address), at most `maxKeys` of them: full buckets are dropped first, then the oldest. */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
    private readonly maxKeys = 10_000,
  ) {}

  take(key: string): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.evict();
      bucket = new TokenBucket(this.limit, this.now);
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }

  private evict(): void {
    for (const [key, bucket] of this.buckets) if (bucket.full) this.buckets.delete(key);
    // Still full of busy sources (many addresses at once): forget the oldest, it starts afresh if it comes back.
    if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
  }
}

export function checkRateLimit(name: string, limit: RateLimit): void {
  if (!(limit.burst >= 1) || !Number.isFinite(limit.burst)) throw new TypeError(`${name}.burst must be a number >= 1`);
  if (!(limit.perSecond >= 0) || !Number.isFinite(limit.perSecond)) throw new TypeError(`${name}.perSecond must be a number >= 0`);
}
