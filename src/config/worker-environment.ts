import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { AirbyteConfigError } from '../airbyte/config';
import type { FIELDS } from './instances-from-env';

// Every environment variable `temporal-airbyte worker` reads, in one place: for its --help, for deployment
// files (the docker-compose test checks each variable it sets is one of these), and to validate the worker's
// own TEMPORAL_AIRBYTE_* settings before anything starts.

export interface WorkerVariable {
  /** The name, or its shape for a family of names (`AIRBYTE_[<NAME>_]API_URL`). */
  name: string;
  /** Matches every name this entry stands for. */
  pattern: RegExp;
  description: string;
}

const exact = (name: string, description: string): WorkerVariable => ({ name, pattern: new RegExp(`^${name}$`), description });

/**
 * Read by @temporalio/envconfig (through temporalTarget), as the `temporal` CLI reads them. It also reads
 * TEMPORAL_CODEC_ENDPOINT and TEMPORAL_CODEC_AUTH, which are left out: the worker has no remote codec, so
 * setting them would do nothing.
 */
const TEMPORAL: WorkerVariable[] = [
  exact('TEMPORAL_ADDRESS', 'host:port of the Temporal frontend (default: the profile, else localhost:7233)'),
  exact('TEMPORAL_NAMESPACE', 'the Temporal namespace (default: the profile, else default)'),
  exact('TEMPORAL_API_KEY', 'API key (Temporal Cloud), sent as a bearer token; turns TLS on'),
  exact('TEMPORAL_TLS', 'true or 1 to connect with TLS, false to turn off a profile\'s TLS'),
  exact('TEMPORAL_TLS_CLIENT_CERT_PATH', 'file of the mTLS client certificate (PEM)'),
  exact('TEMPORAL_TLS_CLIENT_CERT_DATA', 'the mTLS client certificate itself (PEM)'),
  exact('TEMPORAL_TLS_CLIENT_KEY_PATH', 'file of the mTLS client private key (PEM)'),
  exact('TEMPORAL_TLS_CLIENT_KEY_DATA', 'the mTLS client private key itself (PEM)'),
  exact('TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'file of the CA certificate that signed the server\'s (PEM)'),
  exact('TEMPORAL_TLS_SERVER_CA_CERT_DATA', 'the CA certificate that signed the server\'s, itself (PEM)'),
  exact('TEMPORAL_TLS_SERVER_NAME', 'the server name to verify the certificate against (SNI)'),
  exact('TEMPORAL_TLS_DISABLE_HOST_VERIFICATION', 'true or 1 to skip verifying the server\'s host name'),
  { name: 'TEMPORAL_GRPC_META_<HEADER>', pattern: /^TEMPORAL_GRPC_META_\w+$/, description: 'a gRPC header sent with every call, named <HEADER> lower-cased with its first `_` as `-`' },
  exact('TEMPORAL_PROFILE', 'the profile of the temporal.toml to use (default: default)'),
  exact('TEMPORAL_CONFIG_FILE', 'the temporal.toml (default: temporalio/temporal.toml in the user\'s config directory)'),
];

const WORKER: WorkerVariable[] = [
  exact('TEMPORAL_TASK_QUEUE', 'the task queue the worker polls (default: airbyte)'),
  exact('TEMPORAL_AIRBYTE_LOG_LEVEL', 'TRACE, DEBUG, INFO, WARN or ERROR (default: INFO)'),
  exact('TEMPORAL_AIRBYTE_LOG_FORMAT', 'json or text (default: json)'),
  exact('TEMPORAL_AIRBYTE_METRICS_ADDRESS', 'ip:port to serve Prometheus metrics on at /metrics, e.g. 0.0.0.0:9464 (default: no metrics)'),
  exact('TEMPORAL_AIRBYTE_WORKFLOW_BUNDLE', 'a prebuilt workflow bundle to run (default: the one in the package)'),
  exact('TEMPORAL_AIRBYTE_MAX_CACHED_WORKFLOWS', 'workflows the worker keeps cached, 2 to 100000 (default: 500; fewer saves memory when syncs mostly wait, more saves replays in wide fan-outs)'),
  exact('OTEL_EXPORTER_OTLP_ENDPOINT', 'an OTLP/HTTP collector URL; when set, the worker sends OpenTelemetry traces there'),
  exact('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'the same for traces only (the full URL, e.g. http://collector:4318/v1/traces)'),
  exact('OTEL_SERVICE_NAME', 'service.name of the spans (default: temporal-airbyte-worker)'),
  exact('TEMPORAL_AIRBYTE_WEBHOOK_ADDRESS', 'ip:port to receive Airbyte\'s notification webhooks on, in the worker process, e.g. 0.0.0.0:8088 (default: no receiver)'),
  // One entry for the family: TEMPORAL_AIRBYTE_WEBHOOK_TOKEN (default instance) and TEMPORAL_AIRBYTE_WEBHOOK_TOKEN_<NAME>.
  {
    name: 'TEMPORAL_AIRBYTE_WEBHOOK_TOKEN',
    pattern: /^TEMPORAL_AIRBYTE_WEBHOOK_TOKEN(?:_[A-Z0-9_]+)?$/,
    description: 'the secret in the webhook URL <base>/airbyte/webhooks/<instance>/<token>, 24+ characters; _<NAME> for instance <NAME> (as in AIRBYTE_<NAME>_*)',
  },
  exact('TEMPORAL_AIRBYTE_SEARCH_ATTRIBUTES', 'true: syncs and pipelines started by the CLI keep the Airbyte search attributes (the server must have them)'),
];

/** What each per-instance suffix means; typed by FIELDS, so a new instance setting cannot go undescribed. */
const INSTANCE_FIELDS: Record<keyof typeof FIELDS, string> = {
  API_URL: 'public API base URL (default: https://api.airbyte.com/v1, Airbyte Cloud)',
  CLIENT_ID: 'OAuth client id of an Airbyte application (with CLIENT_SECRET)',
  CLIENT_SECRET: 'OAuth client secret of that application',
  BEARER_TOKEN: 'a pre-minted access token',
  USERNAME: 'basic auth user (self-managed; with PASSWORD)',
  PASSWORD: 'basic auth password',
  NO_AUTH: 'true for a self-managed instance without auth',
  CONFIG_API_URL: 'Configuration API base URL, for per-stream stats and failure reasons (default: derived from API_URL)',
  TOKEN_URL: 'where to exchange the client credentials for a token (default: <API_URL>/applications/token)',
  REQUEST_TIMEOUT_MS: 'timeout of each Airbyte request but the one that starts a job, in ms (default: 30000)',
  CREATE_JOB_TIMEOUT_MS: 'timeout of the request that starts a job, in ms (default: 120000)',
  MAX_RESPONSE_BYTES: 'larger Airbyte answers are refused, in bytes (default: 10 MiB)',
};

const AIRBYTE: WorkerVariable[] = [
  exact('AIRBYTE_INSTANCES', 'comma-separated names of more Airbyte instances, each read from AIRBYTE_<NAME>_*'),
  exact('AIRBYTE_SECRETS_DIR', 'directory of connector credentials, one <secretRef>.json each'),
  // `<NAME>_` is optional: AIRBYTE_API_URL is the default instance's, AIRBYTE_ONPREM_API_URL instance onprem's.
  ...Object.entries(INSTANCE_FIELDS).map(([suffix, description]) => ({
    name: `AIRBYTE_[<NAME>_]${suffix}`,
    pattern: new RegExp(`^AIRBYTE_(?:[A-Z0-9_]+_)?${suffix}$`),
    description,
  })),
];

/** Read by the dbt activity (pipelines' dbt steps); the DBT_* variables are handed on to dbt itself. */
const DBT: WorkerVariable[] = [
  exact('DBT_EXECUTABLE', 'the dbt to run (default: dbt on PATH, else .dbt-venv/bin/dbt)'),
  { name: 'DBT_<SETTING>', pattern: /^DBT_\w+$/, description: 'passed on to dbt (DBT_PROFILES_DIR, DBT_TARGET_PATH; DBT_ENV_SECRET_* masked in logs)' },
];

export const WORKER_ENVIRONMENT: readonly WorkerVariable[] = [...TEMPORAL, ...WORKER, ...AIRBYTE, ...DBT];

/** Whether `temporal-airbyte worker` reads this variable (a name in WORKER_ENVIRONMENT, or of one of its families). */
export function isWorkerVariable(name: string): boolean {
  return WORKER_ENVIRONMENT.some((variable) => variable.pattern.test(name));
}

// Compose files pass `${VAR:-}` as an empty string: empty means unset, as it does for AIRBYTE_*.
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);
const caseless = <T extends z.ZodType>(schema: T, normalise: (s: string) => string) =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    const trimmed = v.trim();
    return trimmed === '' ? undefined : normalise(trimmed);
  }, schema);

/**
 * The metrics endpoint is handed to Temporal's Rust core, which takes a socket address: an IP literal and a
 * port. A host name (`localhost:9464`) would only fail later, deep in Runtime.install, so refuse it here.
 */
export function isSocketAddress(value: string): boolean {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  if (!match) return false;
  const [, ipv6, ipv4, port] = match;
  const validHost = ipv6 !== undefined ? isIPv6(ipv6) : isIPv4(ipv4 ?? '');
  return validHost && Number(port) >= 1 && Number(port) <= 65_535;
}

const httpUrl = (value: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export const LOG_FORMATS = ['json', 'text'] as const;

/** The worker's own settings (the Temporal and Airbyte ones are validated by temporalTarget and instancesFromEnv). */
export const workerEnvironmentSchema = z.object({
  TEMPORAL_AIRBYTE_LOG_LEVEL: caseless(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('INFO'), (s) => s.toUpperCase()),
  TEMPORAL_AIRBYTE_LOG_FORMAT: caseless(z.enum(LOG_FORMATS, { error: `must be one of ${LOG_FORMATS.join(', ')}` }).default('json'), (s) => s.toLowerCase()),
  TEMPORAL_AIRBYTE_METRICS_ADDRESS: z.preprocess(
    unsetIfEmpty,
    z.string().refine(isSocketAddress, 'must be <ip>:<port> such as 0.0.0.0:9464, 127.0.0.1:9464 or [::]:9464 (an IP address, not a host name)').optional(),
  ),
  TEMPORAL_AIRBYTE_WORKFLOW_BUNDLE: z.preprocess(unsetIfEmpty, z.string().optional()),
  TEMPORAL_AIRBYTE_MAX_CACHED_WORKFLOWS: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number from 2 to 100000')
      .transform(Number)
      .refine((n) => n >= 2 && n <= 100_000, 'must be a whole number from 2 to 100000')
      .optional(),
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(unsetIfEmpty, z.string().refine(httpUrl, 'must be an http:// or https:// URL, such as http://otel-collector:4318').optional()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.preprocess(unsetIfEmpty, z.string().refine(httpUrl, 'must be an http:// or https:// URL, such as http://otel-collector:4318/v1/traces').optional()),
});

export type WorkerEnvironment = z.output<typeof workerEnvironmentSchema>;

/** The worker's TEMPORAL_AIRBYTE_* and OTEL_* settings, defaults applied; throws naming every bad variable. */
export function parseWorkerEnvironment(env: NodeJS.ProcessEnv = process.env): WorkerEnvironment {
  const parsed = workerEnvironmentSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  // Name the variable and the rule, never the value: a mistyped variable could hold a secret.
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  throw new AirbyteConfigError(problems.join('; '));
}
