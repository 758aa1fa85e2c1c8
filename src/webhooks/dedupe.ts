// Airbyte may send the same webhook twice (a timed-out job-status call is retried and sends again): a hint seen
// within the window is not signalled again.

export class RecentKeys {
  /** Key -> when it expires; a Map keeps insertion order, so the oldest come first. */
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly maxKeys = 50_000,
  ) {}

  /** True when `key` was seen within the window; otherwise remembers it and returns false. */
  seen(key: string): boolean {
    const at = this.now();
    const expiry = this.expiries.get(key);
    if (expiry !== undefined && expiry > at) return true;
    this.expiries.delete(key); // re-inserted at the end: the order stays by age
    this.prune(at);
    this.expiries.set(key, at + this.windowMs);
    return false;
  }

  /** Forgets `key`, so a resend is signalled (after a signal that failed for a reason a retry may fix). */
  forget(key: string): void {
    this.expiries.delete(key);
  }

  private prune(at: number): void {
    for (const [key, expiry] of this.expiries) {
      if (expiry > at && this.expiries.size < this.maxKeys) break;
      this.expiries.delete(key);
    }
  }
}
