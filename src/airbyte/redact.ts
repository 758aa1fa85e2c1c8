/** What a scrubbed secret is replaced with. */
export const REDACTED = '[redacted]';

/** Upstream text longer than this is cut when it goes into an error (a message, not a body dump). */
export const MAX_UPSTREAM_CHARS = 1000;

/** Access tokens issued by a token endpoint that are remembered for scrubbing; older ones have long expired. */
const MAX_ISSUED_TOKENS = 16;

/**
 * Per-request secrets (values of a connector configuration) shorter than this are not scrubbed: a 1-3 character
 * value ('1', 'us', 'dev') would shred every message and protects nothing.
 */
export const MIN_REQUEST_SECRET_LENGTH = 4;
/**
 * Per-request secrets shorter than this are scrubbed only as a whole token (not next to a letter, digit or `_`),
 * so a value such as `5432` or `prod` does not cut up job ids or words that merely contain it.
 */
export const WHOLE_TOKEN_BELOW = 8;
/** Configuration values that are never secrets, whatever their length: JSON literals. */
const NEVER_SECRET = new Set(['true', 'false', 'null', 'undefined']);

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
  /** Short per-request secrets, matched as whole tokens only. */
  private tokens: RegExp[] = [];
  /** Set on a redactor made by `withExtra`: the instance whose secrets (and issued tokens) count too. */
  private parent?: SecretRedactor;

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const secret of secrets) this.addVariants(this.fixed, secret);
    this.rebuild();
  }

  /**
   * A redactor for one request: this one's secrets, including tokens issued later, plus `extra` (e.g. the string
   * values of a connector configuration being sent). Nothing is added to this redactor.
   */
  withExtra(extra: Iterable<string>): SecretRedactor {
    const long: string[] = [];
    const short = new Set<string>();
    for (const value of extra) {
      if (value.length < MIN_REQUEST_SECRET_LENGTH || NEVER_SECRET.has(value.toLowerCase())) continue;
      if (value.length >= WHOLE_TOKEN_BELOW) long.push(value);
      else this.addVariants(short, value);
    }
    if (long.length === 0 && short.size === 0) return this;
    const scoped = new SecretRedactor(long);
    scoped.tokens = [...short].sort((a, b) => b.length - a.length).map((t) => new RegExp(`(?<![A-Za-z0-9_])${escapeRegExp(t)}(?![A-Za-z0-9_])`, 'g'));
    scoped.parent = this;
    return scoped;
  }

  /** Remembers an access token the token endpoint just issued. */
  addIssued(token: string): void {
    if (this.parent) return this.parent.addIssued(token);
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
    for (const secret of this.currentPatterns()) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    for (const token of this.tokens) out = out.replace(token, REDACTED);
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

  /** Every pattern to replace, longest first, so a secret that contains another is replaced whole. */
  private currentPatterns(): readonly string[] {
    if (!this.parent) return this.patterns;
    return [...new Set([...this.parent.currentPatterns(), ...this.patterns])].sort((a, b) => b.length - a.length);
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
