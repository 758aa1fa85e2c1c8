/** What went wrong, broadly: an HTTP error status, no answer in time, no answer at all, or an answer we cannot read. */
export type AirbyteErrorKind = 'http' | 'timeout' | 'network' | 'invalid-response';

export interface AirbyteApiErrorInit {
  kind: AirbyteErrorKind;
  /** e.g. `POST /jobs` */
  endpoint: string;
  status?: number;
  title?: string;
  detail?: string;
  airbyteMessage?: string;
  retryable: boolean;
  ambiguous?: boolean;
  retryAfterMs?: number;
  reason?: string;
}

/**
 * A failed Airbyte API call. It never carries the request (axios errors hold the Authorization header),
 * only what is safe to log: endpoint, status, Airbyte's problem title and message.
 */
export class AirbyteApiError extends Error {
  override readonly name = 'AirbyteApiError';
  readonly kind: AirbyteErrorKind;
  readonly endpoint: string;
  readonly status?: number;
  /** Problem-details title, e.g. `try-again-later`, `resource-not-found`. */
  readonly title?: string;
  readonly detail?: string;
  /** `data.message` of a problem, or `message` of a Config API error. */
  readonly airbyteMessage?: string;
  /**
   * Whether the same call may succeed later: network trouble, 408, 429, 5xx but 501/505, 409 try-again-later,
   * and an unreadable answer (a proxy's HTML page, a truncated body), which the activity layer bounds.
   */
  readonly retryable: boolean;
  /**
   * A write (POST/PUT/PATCH/DELETE) that the server may have carried out although we got no usable answer:
   * a timeout, a reset connection, 500/502/504, or a 2xx we cannot read. Never for a refused connection, 429,
   * 503 or another 4xx: those requests were not processed.
   */
  readonly ambiguous: boolean;
  /** From a `Retry-After` header; only ever a positive delay (see parseRetryAfter). */
  readonly retryAfterMs?: number;
  /** What went wrong when there is no HTTP error to name (a timeout, an unreadable body). */
  readonly reason?: string;

  constructor(init: AirbyteApiErrorInit) {
    super(describe(init));
    this.kind = init.kind;
    this.endpoint = init.endpoint;
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.airbyteMessage = init.airbyteMessage;
    this.retryable = init.retryable;
    this.ambiguous = init.ambiguous ?? false;
    this.reason = init.reason;
    // 0 or a negative delay means "no particular delay": it must not become Temporal's nextRetryDelay.
    this.retryAfterMs = init.retryAfterMs !== undefined && init.retryAfterMs > 0 ? init.retryAfterMs : undefined;
  }

  /** 409 `try-again-later`: a job is already running on the connection. */
  get isAlreadyRunning(): boolean {
    return isAlreadyRunningConflict(this.status, this.title, this.airbyteMessage);
  }
}

function describe(init: AirbyteApiErrorInit): string {
  const head = `Airbyte ${init.endpoint}`;
  if (init.kind !== 'http') return `${head} failed: ${init.reason ?? init.kind}`;
  const what = [init.status, init.title].filter(Boolean).join(' ');
  const message = init.airbyteMessage ?? init.detail ?? init.reason;
  return `${head} answered ${what}${message ? `: ${message}` : ''}`;
}

/**
 * The one 409 a retry can fix: "a sync is already running" (title `try-again-later`, or a message saying so when
 * the title is missing, as the Config API answers). Any other 409 (`state-conflict`, a locked connection) needs a
 * person, not a retry.
 */
export function isAlreadyRunningConflict(status: number | undefined, title: string | undefined, message: string | undefined): boolean {
  if (status !== 409 || title === 'state-conflict') return false;
  return title === 'try-again-later' || /already running/i.test(message ?? '');
}

/**
 * Statuses worth trying again: request timeout, throttling and server-side trouble. 501 Not Implemented and
 * 505 HTTP Version Not Supported say the server will never do this, so a retry cannot help.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * Whether a write answered with this status may still have been carried out. 500, 502, 504 (and other 5xx
 * such as a proxy's 520-524) can come after the server acted; 503 is load shedding (not processed), 501/505
 * refuse the request outright, and 4xx reject it before anything happens.
 */
export function isAmbiguousStatus(status: number): boolean {
  return status >= 500 && status !== 501 && status !== 503 && status !== 505;
}

/**
 * `Retry-After` (delta-seconds or an HTTP date) as a delay in ms, or undefined when it asks for no particular
 * delay: absent, unparsable, `0`, or a date now or in the past. Those mean "retry with the usual back-off":
 * a delay of 0 must never reach Temporal, which reads a zero next-retry delay as the end of retries.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  const text = value?.trim() ?? '';
  if (text === '') return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else if (/[a-z]/i.test(text)) ms = Date.parse(text) - now; // an HTTP date names its day and month
  else return undefined;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
