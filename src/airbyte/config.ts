import { z } from 'zod';

export const AIRBYTE_CLOUD_API_URL = 'https://api.airbyte.com/v1';
const AIRBYTE_CLOUD_CONFIG_API_URL = 'https://cloud.airbyte.com/api/v1';
/** Airbyte Cloud's web app. */
export const AIRBYTE_CLOUD_WEB_URL = 'https://cloud.airbyte.com';
const SELF_MANAGED_API_PATH = '/api/public/v1';

/** The public API base of a self-managed Airbyte (OSS or Enterprise) served at `host`. */
export function selfManagedApiUrl(host: string): string {
  return `${host.replace(/\/+$/, '')}/api/public/v1`;
}

/**
 * How to reach one Airbyte instance. Give exactly one way to authenticate: `clientId` + `clientSecret`
 * (an application's client credentials), `bearerToken`, `username` + `password` (basic auth, self-managed),
 * or `noAuth: true` (a self-managed instance running without auth).
 */
export interface AirbyteInstanceConfig {
  /** Public API base: `https://api.airbyte.com/v1` (Cloud) or `<host>/api/public/v1` (self-managed). */
  url: string;
  clientId?: string;
  clientSecret?: string;
  bearerToken?: string;
  username?: string;
  password?: string;
  noAuth?: boolean;
  /** Configuration API base for per-stream stats and failure reasons; derived from `url` when omitted. */
  configApiUrl?: string;
  /**
   * Timeout of each call but `POST /jobs` (ms), and of the token request: the whole exchange, from connecting to
   * the last byte of the answer, not only a silence. 100 ms to 10 minutes; default 30 s.
   */
  requestTimeoutMs?: number;
  /** Timeout for `POST /jobs`, which busy servers answer slowly (30-130 s measured by users). Same range; default 120 s. */
  createJobTimeoutMs?: number;
  /**
   * Where client credentials are exchanged for an access token. Default `<url>/applications/token`. Only with
   * `clientId` + `clientSecret`.
   */
  tokenUrl?: string;
  /** Answers larger than this many bytes are refused as they stream in (a retryable invalid response). Default 10 MiB. */
  maxResponseBytes?: number;
  /** Appended to our User-Agent, e.g. your service's name. */
  userAgent?: string;
  /**
   * The Airbyte web app, for links to jobs (see jobWebUrl); derived from `url` when omitted: Cloud's API gives
   * https://cloud.airbyte.com, a self-managed `<host>/api/public/v1` gives `<host>`.
   */
  webUrl?: string;
}

/** Request timeouts must lie in this range (ms): Node turns a timer above 2^31-1 ms into one of 1 ms. */
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 600_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const MIN_RESPONSE_BYTES = 1024;
const MAX_RESPONSE_BYTES = 1024 * 1024 * 1024;

export type AirbyteAuth =
  | { type: 'clientCredentials'; clientId: string; clientSecret: string }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'none' };

export interface ResolvedInstanceConfig {
  url: string;
  configApiUrl?: string;
  auth: AirbyteAuth;
  requestTimeoutMs: number;
  createJobTimeoutMs: number;
  /** Where client credentials are exchanged for a token. */
  tokenUrl: string;
  maxResponseBytes: number;
  userAgent?: string;
  /** The web app's base, without a trailing slash; undefined when it cannot be derived. */
  webUrl?: string;
}

const WELL_KNOWN_SCHEMES = new Set(['file:', 'ftp:', 'javascript:', 'data:', 'blob:', 'ws:', 'wss:', 'mailto:', 'ldap:', 'gopher:']);

/**
 * An absolute http(s) URL without credentials, query or fragment. Messages never repeat the value: a URL given
 * with `user:password@` holds a secret.
 */
const httpUrl = (kind: 'base' | 'endpoint') =>
  z.string().superRefine((value, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (!URL.canParse(value)) return fail('must be an absolute http:// or https:// URL');
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      // Name the scheme only when it is a well-known one: in `admin:hunter2@host` the "scheme" is a user name.
      const known = WELL_KNOWN_SCHEMES.has(url.protocol) ? `, not ${url.protocol}` : '';
      return fail(`must be an http:// or https:// URL${known}`);
    }
    if (url.username !== '' || url.password !== '') {
      return fail('must not contain credentials (user:password@): configure the authentication on its own');
    }
    if (url.search !== '' || url.hash !== '' || /[?#]/.test(value)) return fail('must not have a query or a fragment');
    if (kind === 'base' && url.pathname.replace(/\/+$/, '') === '') {
      fail('must be the public API base, e.g. https://api.airbyte.com/v1 or http://airbyte.example.com:8000/api/public/v1');
    }
  });

const timeoutMs = z
  .number()
  .int(`must be a whole number of milliseconds between ${MIN_TIMEOUT_MS} and ${MAX_TIMEOUT_MS} (10 minutes)`)
  .min(MIN_TIMEOUT_MS, `must be between ${MIN_TIMEOUT_MS} and ${MAX_TIMEOUT_MS} ms (10 minutes)`)
  .max(MAX_TIMEOUT_MS, `must be between ${MIN_TIMEOUT_MS} and ${MAX_TIMEOUT_MS} ms (10 minutes)`);

const responseBytes = z
  .number()
  .int(`must be a whole number of bytes between ${MIN_RESPONSE_BYTES} and ${MAX_RESPONSE_BYTES}`)
  .min(MIN_RESPONSE_BYTES, `must be between ${MIN_RESPONSE_BYTES} and ${MAX_RESPONSE_BYTES} bytes`)
  .max(MAX_RESPONSE_BYTES, `must be between ${MIN_RESPONSE_BYTES} and ${MAX_RESPONSE_BYTES} bytes`);

const configSchema = z.object({
  url: httpUrl('base'),
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  bearerToken: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  password: z.string().optional(),
  noAuth: z.boolean().optional(),
  configApiUrl: httpUrl('endpoint').optional(),
  requestTimeoutMs: timeoutMs.optional(),
  createJobTimeoutMs: timeoutMs.optional(),
  tokenUrl: httpUrl('endpoint').optional(),
  maxResponseBytes: responseBytes.optional(),
  userAgent: z.string().optional(),
  webUrl: httpUrl('endpoint').optional(),
});

export class AirbyteConfigError extends Error {
  override readonly name = 'AirbyteConfigError';
}

/** How to name each field in messages, e.g. the environment variable it came from. */
export type ConfigFieldNames = Partial<Record<keyof AirbyteInstanceConfig, string>>;

/** Validates an instance config and picks its single auth mode; the error names the bad field, never a secret. */
export function resolveInstanceConfig(
  config: AirbyteInstanceConfig,
  label = 'Airbyte instance',
  names: ConfigFieldNames = {},
): ResolvedInstanceConfig {
  const n = (field: keyof AirbyteInstanceConfig) => names[field] ?? field;
  const parsed = configSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0];
    const where = typeof field === 'string' ? n(field as keyof AirbyteInstanceConfig) : 'config';
    throw new AirbyteConfigError(`${label}: ${where} ${issue?.message ?? 'is invalid'}`);
  }
  const c = parsed.data;
  const modes: AirbyteAuth[] = [];
  const given: string[] = [];
  if (c.clientId !== undefined || c.clientSecret !== undefined) {
    if (!c.clientId || !c.clientSecret) {
      throw new AirbyteConfigError(`${label}: ${n(c.clientId ? 'clientSecret' : 'clientId')} is missing (client credentials need both)`);
    }
    modes.push({ type: 'clientCredentials', clientId: c.clientId, clientSecret: c.clientSecret });
    given.push(`${n('clientId')} + ${n('clientSecret')}`);
  }
  if (c.bearerToken !== undefined) {
    modes.push({ type: 'bearer', token: c.bearerToken });
    given.push(n('bearerToken'));
  }
  if (c.username !== undefined || c.password !== undefined) {
    if (!c.username || c.password === undefined) {
      throw new AirbyteConfigError(`${label}: ${n(c.username ? 'password' : 'username')} is missing (basic auth needs both)`);
    }
    modes.push({ type: 'basic', username: c.username, password: c.password });
    given.push(`${n('username')} + ${n('password')}`);
  }
  if (c.noAuth) {
    modes.push({ type: 'none' });
    given.push(n('noAuth'));
  }
  if (modes.length !== 1) {
    throw new AirbyteConfigError(
      `${label}: give exactly one auth mode (${n('clientId')} + ${n('clientSecret')}, ${n('bearerToken')}, ` +
        `${n('username')} + ${n('password')}, or ${n('noAuth')}); ` +
        (modes.length ? `got ${given.join(' and ')}` : 'got none'),
    );
  }
  const auth = modes[0] as AirbyteAuth;
  if (c.tokenUrl !== undefined && auth.type !== 'clientCredentials') {
    throw new AirbyteConfigError(`${label}: ${n('tokenUrl')} is only used with ${n('clientId')} + ${n('clientSecret')}`);
  }
  const url = c.url.replace(/\/+$/, '');
  return {
    url,
    configApiUrl: c.configApiUrl?.replace(/\/+$/, '') ?? deriveConfigApiUrl(c.url),
    auth,
    requestTimeoutMs: c.requestTimeoutMs ?? 30_000,
    createJobTimeoutMs: c.createJobTimeoutMs ?? 120_000,
    tokenUrl: c.tokenUrl ?? `${url}/applications/token`,
    maxResponseBytes: c.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    userAgent: c.userAgent,
    webUrl: c.webUrl?.replace(/\/+$/, '') ?? deriveWebUrl(c.url),
  };
}

/** Integrations reach the Configuration API by swapping `/api/public/v1` for `/api/v1`; Cloud has its own host. */
export function deriveConfigApiUrl(publicUrl: string): string | undefined {
  const url = publicUrl.replace(/\/+$/, '');
  if (url === AIRBYTE_CLOUD_API_URL) return AIRBYTE_CLOUD_CONFIG_API_URL;
  if (url.endsWith(SELF_MANAGED_API_PATH)) return `${url.slice(0, -SELF_MANAGED_API_PATH.length)}/api/v1`;
  return undefined;
}

/** The web app of the instance whose public API is `publicUrl`: Cloud's, or the host a self-managed API is served on. */
export function deriveWebUrl(publicUrl: string): string | undefined {
  const url = publicUrl.replace(/\/+$/, '');
  if (url === AIRBYTE_CLOUD_API_URL) return AIRBYTE_CLOUD_WEB_URL;
  if (url.endsWith(SELF_MANAGED_API_PATH)) return url.slice(0, -SELF_MANAGED_API_PATH.length) || undefined;
  return undefined;
}
