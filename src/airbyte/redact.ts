/** What a scrubbed secret is replaced with. */
export const REDACTED = '[redacted]';

/** Upstream text longer than this is cut when it goes into an error (a message, not a body dump). */
export const MAX_UPSTREAM_CHARS = 1000;

/** Access tokens issued by a token endpoint that are remembered for scrubbing; older ones have long expired. */
const MAX_ISSUED_TOKENS = 16;

/**
 * Scrubs the secrets of one Airbyte instance out of text that came from upstream (a problem detail, a
 * message, a Location header) before it goes into an error. It knows the configured secrets (client secret,
 * bearer token, password, the basic-auth header value) and every access token the instance was issued
 * recently. Each secret is also matched in the forms an echo is likely to take: URL-encoded (a form body or
 * a query) and JSON-escaped (a raw body excerpt).
 */
export class SecretRedactor {
  private readonly fixed = new Set<string>();
  private readonly issued: string[] = [];
  private patterns: string[] = [];

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const secret of secrets) this.addVariants(this.fixed, secret);
    this.rebuild();
  }

  /** Remembers an access token the token endpoint just issued. */
  addIssued(token: string): void {
    if (token === '' || this.issued.includes(token)) return;
    this.issued.push(token);
    if (this.issued.length > MAX_ISSUED_TOKENS) this.issued.shift();
    this.rebuild();
  }

  redact(text: string): string;
  redact(text: string | undefined): string | undefined;
  redact(text: string | undefined): string | undefined {
    if (text === undefined || text === '') return text;
    let out = text;
    for (const secret of this.patterns) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  /**
   * Upstream text made fit for an error: secrets scrubbed first, then cut to `max` characters (cutting first
   * could leave half a secret that no longer matches).
   */
  scrub(text: string | undefined, max = MAX_UPSTREAM_CHARS): string | undefined {
    const clean = this.redact(text);
    if (clean === undefined || clean.length <= max) return clean;
    return `${clean.slice(0, max)}... (${clean.length - max} more characters)`;
  }

  private rebuild(): void {
    const all = new Set(this.fixed);
    for (const token of this.issued) this.addVariants(all, token);
    // Longest first, so a secret that contains another is replaced whole.
    this.patterns = [...all].sort((a, b) => b.length - a.length);
  }

  private addVariants(into: Set<string>, secret: string | undefined): void {
    if (secret === undefined || secret === '') return;
    into.add(secret);
    into.add(encodeURIComponent(secret));
    into.add(new URLSearchParams({ s: secret }).toString().slice(2)); // form encoding: spaces as '+'
    into.add(JSON.stringify(secret).slice(1, -1));
  }
}
