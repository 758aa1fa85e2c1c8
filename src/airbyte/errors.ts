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
  /** Whether the same call may succeed later (network trouble, 5xx, 429, 409 try-again-later). */
  readonly retryable: boolean;
  /** The server may have acted although we got no usable answer (timeout, reset, 5xx on a write). */
  readonly ambiguous: boolean;
  /** From a `Retry-After` header. */
  readonly retryAfterMs?: number;

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
    this.retryAfterMs = init.retryAfterMs;
  }

  /** 409 `try-again-later`: a job is already running on the connection. */
  get isAlreadyRunning(): boolean {
    return this.status === 409 && (this.title === 'try-again-later' || /already running/i.test(this.airbyteMessage ?? ''));
  }
}

function describe(init: AirbyteApiErrorInit): string {
  const head = `Airbyte ${init.endpoint}`;
  if (init.kind !== 'http') return `${head} failed: ${init.reason ?? init.kind}`;
  const what = [init.status, init.title].filter(Boolean).join(' ');
  const message = init.airbyteMessage ?? init.detail ?? init.reason;
  return `${head} answered ${what}${message ? `: ${message}` : ''}`;
}

/** Statuses worth trying again: throttling, timeouts and server-side trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** `Retry-After` as delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
