import type { AxiosResponse, Method } from 'axios';
import type { z } from 'zod';
import { createAuthenticator, secretsOf, type Authenticator } from './auth';
import type { ResolvedInstanceConfig } from './config';
import { AirbyteApiError, isAlreadyRunningConflict, isAmbiguousStatus, isRetryableStatus, parseRetryAfter } from './errors';
import { SecretRedactor } from './redact';
import { errorBodySchema } from './schemas';
import { abortable, headerValue, HttpTransport, invalidResponse, isWrite } from './transport';
import type { AirbyteCallObserver, AirbyteLogger } from './types';
import { PACKAGE_VERSION } from './version';

export interface ApiRequest<S extends z.ZodType> {
  method: Method;
  path: string;
  /** `config` targets the Configuration API (per-attempt stats); `public` is the default. */
  api?: 'public' | 'config';
  params?: Record<string, unknown>;
  data?: unknown;
  timeoutMs?: number;
  schema: S;
  /**
   * Abandons the call when aborted (an activity's cancellation signal): the promise rejects with the signal's
   * reason. A write abandoned in flight may still have been carried out.
   */
  signal?: AbortSignal;
  /**
   * Values sent in this request that may be secrets (the string values of a connector configuration): scrubbed,
   * with the instance's own secrets, from every upstream text that reaches an error. The request body itself
   * never goes into an error or a log line.
   */
  secrets?: Iterable<string>;
  /** Refuse an answer larger than this many bytes (default: the instance's `maxResponseBytes`). */
  maxResponseBytes?: number;
}

/** Airbyte's problem titles: slugs that cannot carry an echo, kept verbatim so classification never depends on scrubbing. */
const KNOWN_TITLES = new Set([
  'bad-request',
  'invalid-api-key',
  'forbidden',
  'resource-not-found',
  'try-again-later',
  'state-conflict',
  'unprocessable-entity',
  'unexpected-problem',
]);

/**
 * One HTTP call to Airbyte: auth header, User-Agent, timeouts, one retry after a 401 with a fresh token, error
 * mapping to `AirbyteApiError` and response validation. It never retries otherwise: retries belong to the caller
 * (a Temporal retry policy). Through `HttpTransport` it follows no redirect, caps the size and the total time
 * of every answer, and scrubs every secret of the instance out of whatever upstream text reaches an error.
 */
export class AirbyteHttp {
  private readonly transport: HttpTransport;
  private readonly auth: Authenticator;
  private readonly redactor: SecretRedactor;

  constructor(
    private readonly config: ResolvedInstanceConfig,
    private readonly logger?: AirbyteLogger,
    private readonly onCall?: AirbyteCallObserver,
  ) {
    this.redactor = new SecretRedactor(secretsOf(config.auth));
    this.transport = new HttpTransport({
      timeoutMs: config.requestTimeoutMs,
      maxResponseBytes: config.maxResponseBytes,
      userAgent: [`temporal-airbyte/${PACKAGE_VERSION}`, config.userAgent].filter(Boolean).join(' '),
      redactor: this.redactor,
    });
    this.auth = createAuthenticator(config.auth, this.transport, { tokenUrl: config.tokenUrl });
  }

  get hasConfigApi(): boolean {
    return this.config.configApiUrl !== undefined;
  }

  async request<S extends z.ZodType>(req: ApiRequest<S>): Promise<z.output<S>> {
    const endpoint = `${req.method.toUpperCase()} ${req.api === 'config' ? '/config' : ''}${req.path}`;
    const baseURL = req.api === 'config' ? this.config.configApiUrl : this.config.url;
    if (!baseURL) {
      throw new AirbyteApiError({ kind: 'http', endpoint, retryable: false, reason: 'no Configuration API URL is known for this instance' });
    }
    req.signal?.throwIfAborted();
    const redactor = req.secrets === undefined ? this.redactor : this.redactor.withExtra(req.secrets);
    for (let attempt = 1; ; attempt++) {
      const authorization = await abortable(this.auth.header(), req.signal);
      const started = Date.now();
      const response = await this.observed(endpoint, started, this.transport.exchange({
        endpoint,
        method: req.method,
        baseURL,
        url: req.path,
        params: req.params,
        data: req.data,
        timeoutMs: req.timeoutMs,
        headers: authorization ? { Authorization: authorization } : {},
        signal: req.signal,
        redactor,
        maxResponseBytes: req.maxResponseBytes,
      }));
      this.logger?.debug('airbyte request', { endpoint, status: response.status, ms: Date.now() - started });
      if (response.status === 401 && attempt === 1 && this.auth.refreshable) {
        // The token expired or was revoked early: fetch a new one and try once more.
        this.auth.invalidate();
        continue;
      }
      if (response.status >= 400) throw this.httpError(response, endpoint, req.method, redactor);
      const unreadable = unreadableBody(response);
      if (unreadable) throw invalidResponse(endpoint, req.method, response.status, unreadable);
      const parsed = req.schema.safeParse(response.data);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid';
        throw invalidResponse(endpoint, req.method, response.status, `unexpected response body (${redactor.scrub(where) ?? ''})`);
      }
      return parsed.data;
    }
  }

  private async observed(endpoint: string, started: number, exchange: Promise<AxiosResponse>): Promise<AxiosResponse> {
    if (!this.onCall) return exchange;
    let status: number | undefined;
    try {
      const response = await exchange;
      status = response.status;
      return response;
    } finally {
      this.onCall({ route: routeOf(endpoint), status, durationMs: Date.now() - started });
    }
  }

  /** Instance secrets scrubbed out of `text` (e.g. a log line); nothing is cut. */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  private httpError(response: AxiosResponse, endpoint: string, method: string, redactor: SecretRedactor): AirbyteApiError {
    const body = errorBodySchema.safeParse(response.data);
    const problem: Partial<z.output<typeof errorBodySchema>> = body.success ? body.data : {};
    const rawTitle = problem.title;
    const rawMessage = problem.data?.message ?? problem.message;
    // Everything upstream wrote is scrubbed of our secrets (a 400 may echo the Authorization header back).
    const title = rawTitle !== undefined && KNOWN_TITLES.has(rawTitle) ? rawTitle : redactor.scrub(rawTitle, 200);
    return new AirbyteApiError({
      kind: 'http',
      endpoint,
      status: response.status,
      title,
      detail: redactor.scrub(problem.detail),
      airbyteMessage: redactor.scrub(rawMessage),
      retryable: isRetryableStatus(response.status) || isAlreadyRunningConflict(response.status, rawTitle, rawMessage),
      ambiguous: isWrite(method) && isAmbiguousStatus(response.status),
      retryAfterMs: parseRetryAfter(headerValue(response.headers['retry-after'])),
    });
  }
}

/** Why a 2xx body is not a JSON document at all, or undefined when it is one (the schema judges the rest). */
function unreadableBody(response: AxiosResponse): string | undefined {
  if (response.status === 204) return undefined; // No Content: nothing to read, by design
  const type = headerValue(response.headers['content-type']) ?? '';
  const body: unknown = response.data;
  const text = typeof body === 'string' ? body.trimStart() : undefined;
  if (/html/i.test(type) || text?.startsWith('<')) return `an HTML page instead of JSON (status ${response.status})`;
  // axios hands back the raw text when JSON.parse fails: truncated or otherwise broken JSON, or plain text.
  if (text !== undefined) return text === '' ? 'an empty body' : 'a body that is not valid JSON';
  return undefined;
}

/** `GET /jobs/123` -> `GET /jobs/{id}`: numbers and UUIDs in a path are ids, and ids would make a metric label unbounded. */
export function routeOf(endpoint: string): string {
  return endpoint.replace(/\/(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?=\/|$)/gi, '/{id}');
}
