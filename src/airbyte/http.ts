import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import type { z } from 'zod';
import { createAuthenticator, type Authenticator } from './auth';
import type { ResolvedInstanceConfig } from './config';
import { AirbyteApiError, isAlreadyRunningConflict, isAmbiguousStatus, isRetryableStatus, parseRetryAfter } from './errors';
import { errorBodySchema } from './schemas';
import type { AirbyteLogger } from './types';
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
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * One HTTP exchange with Airbyte: auth header, User-Agent, timeout, one retry after a 401 with a fresh
 * token, error mapping to `AirbyteApiError` and response validation. It never retries otherwise: retries
 * belong to the caller (a Temporal retry policy).
 */
export class AirbyteHttp {
  private readonly http: AxiosInstance;
  private readonly auth: Authenticator;

  constructor(
    private readonly config: ResolvedInstanceConfig,
    private readonly logger?: AirbyteLogger,
  ) {
    this.http = axios.create({
      baseURL: config.url,
      timeout: config.requestTimeoutMs,
      headers: {
        Accept: 'application/json',
        'User-Agent': [`temporal-airbyte/${PACKAGE_VERSION}`, config.userAgent].filter(Boolean).join(' '),
      },
      // Airbyte reads array filters as repeated parameters: workspaceIds=a&workspaceIds=b.
      paramsSerializer: { indexes: null },
      validateStatus: () => true,
      // Our errors are built from the status and body; never let axios attach the request (and its headers).
      transitional: { clarifyTimeoutError: true },
    });
    this.auth = createAuthenticator(config.auth, this.http);
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
    for (let attempt = 1; ; attempt++) {
      const authorization = await this.auth.header();
      const started = Date.now();
      let response: AxiosResponse;
      try {
        response = await this.http.request({
          method: req.method,
          baseURL,
          url: req.path,
          params: req.params,
          data: req.data,
          timeout: req.timeoutMs,
          headers: authorization ? { Authorization: authorization } : {},
        });
      } catch (err) {
        throw this.transportError(err, endpoint, req.method);
      }
      this.logger?.debug('airbyte request', { endpoint, status: response.status, ms: Date.now() - started });
      if (response.status === 401 && attempt === 1 && this.auth.refreshable) {
        // The token expired or was revoked early: fetch a new one and try once more.
        this.auth.invalidate();
        continue;
      }
      if (response.status >= 400) throw this.httpError(response, endpoint, req.method);
      const unreadable = unreadableBody(response);
      if (unreadable) throw invalidResponse(endpoint, req.method, response.status, unreadable);
      const parsed = req.schema.safeParse(response.data);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid';
        throw invalidResponse(endpoint, req.method, response.status, `unexpected response body (${where})`);
      }
      return parsed.data;
    }
  }

  private httpError(response: AxiosResponse, endpoint: string, method: string): AirbyteApiError {
    const body = errorBodySchema.safeParse(response.data);
    const problem: Partial<z.output<typeof errorBodySchema>> = body.success ? body.data : {};
    const title = problem.title;
    const airbyteMessage = problem.data?.message ?? problem.message;
    const write = isWrite(method);
    return new AirbyteApiError({
      kind: 'http',
      endpoint,
      status: response.status,
      title,
      detail: problem.detail,
      airbyteMessage,
      retryable: isRetryableStatus(response.status) || isAlreadyRunningConflict(response.status, title, airbyteMessage),
      ambiguous: write && isAmbiguousStatus(response.status),
      retryAfterMs: parseRetryAfter(headerValue(response.headers['retry-after'])),
    });
  }

  private transportError(err: unknown, endpoint: string, method: string): AirbyteApiError {
    const { code, response } = err as { code?: string; response?: { status?: number } };
    // An answer came but could not be decoded (axios' strict JSON parsing): unreadable, not a network failure.
    if (typeof response?.status === 'number') return invalidResponse(endpoint, method, response.status, 'a body that is not valid JSON');
    const timedOut = code === 'ETIMEDOUT' || code === 'ECONNABORTED';
    return new AirbyteApiError({
      kind: timedOut ? 'timeout' : 'network',
      endpoint,
      retryable: true,
      ambiguous: !NEVER_SENT.has(code ?? '') && isWrite(method),
      reason: timedOut ? 'no answer before the timeout' : `network error (${code ?? 'no response'})`,
    });
  }
}

/** Refused, unresolvable or unreachable: the request never arrived. A reset or a timeout may come after the server acted. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

const isWrite = (method: string) => WRITE_METHODS.has(method.toUpperCase());

/**
 * An answer we cannot read (a proxy's HTML page, truncated JSON, a body of the wrong shape): retryable, as it is
 * usually a passing hiccup (the activity layer bounds how often), and ambiguous on a write, which may have acted.
 */
function invalidResponse(endpoint: string, method: string, status: number, reason: string): AirbyteApiError {
  return new AirbyteApiError({ kind: 'invalid-response', endpoint, status, retryable: true, ambiguous: isWrite(method), reason });
}

/** Why a 2xx/3xx body is not a JSON document at all, or undefined when it is one (the schema judges the rest). */
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

function headerValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
