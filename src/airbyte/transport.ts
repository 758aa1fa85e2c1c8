import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import { AirbyteApiError } from './errors';
import type { SecretRedactor } from './redact';

export interface TransportOptions {
  /** Default timeout of an exchange (ms), from the first byte sent to the last byte received. */
  timeoutMs: number;
  /** Answers larger than this (after decompression) are refused while they stream in. */
  maxResponseBytes: number;
  userAgent: string;
  redactor: SecretRedactor;
}

export interface Exchange {
  /** e.g. `GET /jobs`, for messages. */
  endpoint: string;
  method: Method;
  /** Relative to `baseURL`, or absolute. */
  url: string;
  baseURL?: string;
  params?: Record<string, unknown>;
  data?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Aborting it abandons the exchange; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** A call that changes nothing whatever its method (the token request): never ambiguous. */
  idempotent?: boolean;
  /** Scrubs upstream text in errors (default: the transport's): a request's own secrets may be added. */
  redactor?: SecretRedactor;
  /** Overrides the transport's `maxResponseBytes` for this exchange. */
  maxResponseBytes?: number;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Refused, unresolvable or unreachable: the request never arrived. A reset or a timeout may come after the server acted. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * One HTTP exchange that trusts nothing about the other side: redirects are never followed (a 3xx is an error
 * naming where it pointed, so no credential is ever sent to a second address), the answer is capped in size
 * while it streams in, and the whole exchange, not only each silence, is bounded in time. Every answer that
 * is not a redirect is handed back whatever its status; transport trouble becomes an `AirbyteApiError`.
 */
export class HttpTransport {
  readonly redactor: SecretRedactor;
  readonly maxResponseBytes: number;
  private readonly http: AxiosInstance;
  private readonly timeoutMs: number;

  constructor(options: TransportOptions) {
    this.redactor = options.redactor;
    this.maxResponseBytes = options.maxResponseBytes;
    this.timeoutMs = options.timeoutMs;
    this.http = axios.create({
      timeout: options.timeoutMs,
      headers: { Accept: 'application/json', 'User-Agent': options.userAgent },
      // Airbyte reads array filters as repeated parameters: workspaceIds=a&workspaceIds=b.
      paramsSerializer: { indexes: null },
      validateStatus: () => true,
      // Our errors are built from the status and body; never let axios attach the request (and its headers).
      transitional: { clarifyTimeoutError: true },
      // Never follow a redirect: the Authorization header or the client secret would go wherever it points.
      maxRedirects: 0,
      beforeRedirect: () => {
        throw new Error('redirects are not followed');
      },
      maxContentLength: options.maxResponseBytes,
    });
  }

  async exchange(x: Exchange): Promise<AxiosResponse> {
    x.signal?.throwIfAborted();
    const timeoutMs = x.timeoutMs ?? this.timeoutMs;
    // axios' own timeout covers connecting and each silence; this one covers the whole exchange, so a server
    // that trickles a byte now and then cannot hold a call open for ever.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const forward = () => controller.abort(x.signal?.reason);
    x.signal?.addEventListener('abort', forward, { once: true });
    try {
      const response = await this.http.request({
        method: x.method,
        baseURL: x.baseURL,
        url: x.url,
        params: x.params,
        data: x.data,
        headers: x.headers,
        timeout: timeoutMs,
        signal: controller.signal,
        ...(x.maxResponseBytes !== undefined && { maxContentLength: x.maxResponseBytes }),
      });
      if (response.status >= 300 && response.status < 400) throw this.redirectError(response, x);
      return response;
    } catch (err) {
      if (err instanceof AirbyteApiError) throw err;
      if (x.signal?.aborted) throw abortReason(x.signal);
      throw this.transportError(err, x, timedOut, timeoutMs);
    } finally {
      clearTimeout(timer);
      x.signal?.removeEventListener('abort', forward);
    }
  }

  private redirectError(response: AxiosResponse, x: Exchange): AirbyteApiError {
    const location = headerValue(response.headers.location);
    let target = 'an address it did not give';
    if (location !== undefined) {
      try {
        const url = new URL(location, x.baseURL ?? x.url);
        // The host only: a query or a path may carry anything, including what we sent.
        target = /^https?:$/.test(url.protocol) ? `${url.protocol}//${url.host}` : `a ${url.protocol} address`;
      } catch {
        target = 'an address that is not a URL';
      }
    }
    return new AirbyteApiError({
      kind: 'http',
      endpoint: x.endpoint,
      status: response.status,
      retryable: false,
      reason: (x.redactor ?? this.redactor).redact(
        `a redirect to ${target}, which is not followed (redirects could carry credentials elsewhere): configure the address the server redirects to`,
      ),
    });
  }

  private transportError(err: unknown, x: Exchange, timedOut: boolean, timeoutMs: number): AirbyteApiError {
    const { code, message, response } = err as { code?: string; message?: string; response?: { status?: number } };
    const ambiguous = !x.idempotent && isWrite(x.method);
    if (timedOut) {
      return new AirbyteApiError({
        kind: 'timeout',
        endpoint: x.endpoint,
        retryable: true,
        ambiguous,
        reason: `no complete answer within ${timeoutMs} ms`,
      });
    }
    if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(message ?? '')) {
      const cap = x.maxResponseBytes ?? this.maxResponseBytes;
      return invalidResponse(x.endpoint, x.method, undefined, `response larger than ${cap} bytes (maxResponseBytes)`, x.idempotent);
    }
    // An answer came but could not be decoded or was cut short: unreadable, not a network failure.
    if (typeof response?.status === 'number') {
      return invalidResponse(x.endpoint, x.method, response.status, 'a body that is not valid JSON', x.idempotent);
    }
    const idle = code === 'ETIMEDOUT' || code === 'ECONNABORTED';
    return new AirbyteApiError({
      kind: idle ? 'timeout' : 'network',
      endpoint: x.endpoint,
      retryable: true,
      ambiguous: ambiguous && !NEVER_SENT.has(code ?? ''),
      reason: idle ? 'no answer before the timeout' : `network error (${code ?? 'no response'})`,
    });
  }
}

export const isWrite = (method: string) => WRITE_METHODS.has(method.toUpperCase());

/**
 * An answer we cannot read (a proxy's HTML page, truncated JSON, a body of the wrong shape, one too large):
 * retryable, as it is usually a passing hiccup (the activity layer bounds how often), and ambiguous on a write,
 * which may have acted.
 */
export function invalidResponse(endpoint: string, method: string, status: number | undefined, reason: string, idempotent = false): AirbyteApiError {
  return new AirbyteApiError({ kind: 'invalid-response', endpoint, status, retryable: true, ambiguous: !idempotent && isWrite(method), reason });
}

export function headerValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The reason an aborted signal carries (an `AbortError` unless its owner gave one, e.g. Temporal's `CancelledFailure`). */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason as unknown;
}

/** Waits for `promise`, or rejects with the signal's reason as soon as it is aborted. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => rejectWith(reject, abortReason(signal));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        rejectWith(reject, err);
      },
    );
  });
}

function rejectWith(reject: (reason: Error) => void, reason: unknown): void {
  // The reason is handed on unchanged, whatever it is: callers compare it with the one they aborted with.
  reject(reason as Error);
}
