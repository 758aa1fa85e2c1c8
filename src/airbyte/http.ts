import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import type { z } from 'zod';
import { createAuthenticator, type Authenticator } from './auth';
import type { ResolvedInstanceConfig } from './config';
import { AirbyteApiError, isRetryableStatus, parseRetryAfter } from './errors';
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
      const parsed = req.schema.safeParse(response.data);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new AirbyteApiError({
          kind: 'invalid-response',
          endpoint,
          status: response.status,
          retryable: false,
          reason: `unexpected response body (${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'})`,
        });
      }
      return parsed.data;
    }
  }

  private httpError(response: AxiosResponse, endpoint: string, method: string): AirbyteApiError {
    const body = errorBodySchema.safeParse(response.data);
    const problem: Partial<z.output<typeof errorBodySchema>> = body.success ? body.data : {};
    const title = problem.title;
    const airbyteMessage = problem.data?.message ?? problem.message;
    const alreadyRunning = response.status === 409 && title !== 'state-conflict';
    return new AirbyteApiError({
      kind: 'http',
      endpoint,
      status: response.status,
      title,
      detail: problem.detail,
      airbyteMessage,
      retryable: isRetryableStatus(response.status) || alreadyRunning,
      ambiguous: response.status >= 500 && WRITE_METHODS.has(method.toUpperCase()),
      retryAfterMs: parseRetryAfter(headerValue(response.headers['retry-after'])),
    });
  }

  private transportError(err: unknown, endpoint: string, method: string): AirbyteApiError {
    const code = (err as { code?: string }).code;
    const timedOut = code === 'ETIMEDOUT' || code === 'ECONNABORTED';
    // Refused or unresolvable means the request never arrived; a reset or timeout may come after the server acted.
    const neverSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
    return new AirbyteApiError({
      kind: timedOut ? 'timeout' : 'network',
      endpoint,
      retryable: true,
      ambiguous: !neverSent && WRITE_METHODS.has(method.toUpperCase()),
      reason: timedOut ? 'no answer before the timeout' : `network error (${code ?? 'no response'})`,
    });
  }
}

function headerValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
