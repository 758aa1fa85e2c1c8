import { z } from 'zod';

export const AIRBYTE_CLOUD_API_URL = 'https://api.airbyte.com/v1';
const AIRBYTE_CLOUD_CONFIG_API_URL = 'https://cloud.airbyte.com/api/v1';

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
  /** Per-request timeout for reads and cancels (ms). Default 30 s. */
  requestTimeoutMs?: number;
  /** Timeout for `POST /jobs`, which busy servers answer slowly (30-130 s measured by users). Default 120 s. */
  createJobTimeoutMs?: number;
  /** Appended to our User-Agent, e.g. your service's name. */
  userAgent?: string;
}

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
  userAgent?: string;
}

const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//.test(value), 'must start with http:// or https://')
  .refine(
    (value) => !URL.canParse(value) || new URL(value).pathname.replace(/\/+$/, '') !== '',
    'must be the public API base, e.g. https://api.airbyte.com/v1 or http://airbyte.example.com:8000/api/public/v1',
  );

const configSchema = z.object({
  url: httpUrl,
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  bearerToken: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  password: z.string().optional(),
  noAuth: z.boolean().optional(),
  configApiUrl: z.string().url().optional(),
  requestTimeoutMs: z.number().int().positive().optional(),
  createJobTimeoutMs: z.number().int().positive().optional(),
  userAgent: z.string().optional(),
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
  return {
    url: c.url.replace(/\/+$/, ''),
    configApiUrl: c.configApiUrl?.replace(/\/+$/, '') ?? deriveConfigApiUrl(c.url),
    auth: modes[0] as AirbyteAuth,
    requestTimeoutMs: c.requestTimeoutMs ?? 30_000,
    createJobTimeoutMs: c.createJobTimeoutMs ?? 120_000,
    userAgent: c.userAgent,
  };
}

/** Integrations reach the Configuration API by swapping `/api/public/v1` for `/api/v1`; Cloud has its own host. */
export function deriveConfigApiUrl(publicUrl: string): string | undefined {
  const url = publicUrl.replace(/\/+$/, '');
  if (url === AIRBYTE_CLOUD_API_URL) return AIRBYTE_CLOUD_CONFIG_API_URL;
  if (url.endsWith('/api/public/v1')) return `${url.slice(0, -'/api/public/v1'.length)}/api/v1`;
  return undefined;
}
