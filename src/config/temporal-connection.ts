import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/client';

// Where Temporal is, the way every Temporal tool finds it: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
// TEMPORAL_TLS_* and a `temporal.toml` profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE), read by Temporal's own
// @temporalio/envconfig. So Temporal Cloud works by API key or mTLS with the same variables as the `temporal` CLI.

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';

export interface TemporalTargetOptions {
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** A profile of the config file (default TEMPORAL_PROFILE, else `default`). */
  profile?: string;
  /** The config file (default TEMPORAL_CONFIG_FILE, else `temporal.toml` in the user's config directory). */
  configFile?: string;
}

/** Connection options for a Temporal client or worker connection, and the namespace. */
export interface TemporalTarget {
  address: string;
  namespace: string;
  tls?: TLSConfig | boolean;
  /** Temporal Cloud's API key: sent as a bearer token, never logged. */
  apiKey?: string;
  metadata?: Record<string, string>;
  /** Where the address came from, for error messages (never holds a credential). */
  source: string;
}

/** Resolves the Temporal target; a malformed config file or variable throws naming it, before any connection. */
export function temporalTarget(options: TemporalTargetOptions = {}): TemporalTarget {
  const env = options.env ?? process.env;
  const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const configFile = options.configFile ?? vars.TEMPORAL_CONFIG_FILE;
  let loaded: ReturnType<typeof loadClientConnectConfig>;
  try {
    loaded = loadClientConnectConfig({
      profile: options.profile,
      configSource: options.configFile ? { path: options.configFile } : undefined,
      overrideEnvVars: vars,
    });
  } catch (err) {
    const where = configFile ? `the Temporal config file ${configFile}` : 'the Temporal configuration (TEMPORAL_* variables, temporal.toml)';
    throw new Error(`cannot read ${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const { address, tls, apiKey, metadata } = loaded.connectionOptions;
  const profile = options.profile ?? vars.TEMPORAL_PROFILE;
  const source = vars.TEMPORAL_ADDRESS?.trim()
    ? `TEMPORAL_ADDRESS=${vars.TEMPORAL_ADDRESS.trim()}`
    : address
      ? `profile '${profile ?? 'default'}'${configFile ? ` of ${configFile}` : ''}`
      : `the default ${DEFAULT_TEMPORAL_ADDRESS}; set TEMPORAL_ADDRESS or a temporal.toml profile to change it`;
  return {
    address: address?.trim() || DEFAULT_TEMPORAL_ADDRESS,
    namespace: loaded.namespace?.trim() || 'default',
    tls: tls ?? undefined,
    apiKey: typeof apiKey === 'string' ? apiKey : undefined,
    metadata: textMetadata(metadata),
    source,
  };
}

/** The options `Connection.connect` and `NativeConnection.connect` both take. */
export function connectionOptionsOf(target: TemporalTarget): { address: string; tls?: TLSConfig | boolean; apiKey?: string; metadata?: Record<string, string> } {
  const { address, tls, apiKey, metadata } = target;
  return { address, ...(tls !== undefined ? { tls } : {}), ...(apiKey ? { apiKey } : {}), ...(metadata ? { metadata } : {}) };
}

/** An error that says what could not be reached and how to change it (the SDK's own message kept at the end). */
/** The Temporal server could not be reached (connecting, or a call that found it unavailable). */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
}

export function unreachableTemporal(target: TemporalTarget, err: unknown): TemporalUnreachableError {
  const detail = err instanceof Error ? err.message : String(err);
  const scrubbed = target.apiKey ? detail.split(target.apiKey).join('***') : detail;
  return new TemporalUnreachableError(`cannot connect to the Temporal server at ${target.address} (${target.source}): ${scrubbed}`, { cause: err });
}

/** gRPC metadata from the configuration is text (TEMPORAL_GRPC_META_*, `grpc_meta`): binary values are left out. */
function textMetadata(metadata: Record<string, unknown> | undefined): Record<string, string> | undefined {
  const text = Object.entries(metadata ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string');
  return text.length > 0 ? Object.fromEntries(text) : undefined;
}
