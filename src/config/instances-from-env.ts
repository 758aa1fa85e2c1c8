import { AIRBYTE_CLOUD_API_URL, AirbyteConfigError, resolveInstanceConfig, type AirbyteInstanceConfig, type ConfigFieldNames } from '../airbyte/config';

/**
 * Airbyte instances from environment variables. The `default` instance reads `AIRBYTE_*`; each name listed
 * in `AIRBYTE_INSTANCES` (comma-separated) reads `AIRBYTE_<NAME>_*`, e.g. `AIRBYTE_ONPREM_API_URL` (the name
 * upper-cased, every other character than a letter or a digit turned into `_`).
 *
 *   *_API_URL            public API base (default https://api.airbyte.com/v1, Airbyte Cloud)
 *   *_CLIENT_ID, *_CLIENT_SECRET   OAuth client credentials (an Airbyte application)
 *   *_BEARER_TOKEN       a pre-minted access token
 *   *_USERNAME, *_PASSWORD         basic auth (self-managed)
 *   *_NO_AUTH=true       a self-managed instance without auth
 *   *_CONFIG_API_URL, *_TOKEN_URL, *_REQUEST_TIMEOUT_MS, *_CREATE_JOB_TIMEOUT_MS, *_MAX_RESPONSE_BYTES   optional
 *
 * Every instance is validated here, so a worker stops at start with a message naming the bad variable. Two
 * instances that would read the same variable (`on-prem` and `on_prem` both read `AIRBYTE_ON_PREM_*`) are
 * refused.
 */
export function instancesFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, AirbyteInstanceConfig> {
  const extra = (env.AIRBYTE_INSTANCES ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const plan: { name: string; prefix: string }[] = [];
  const hasDefault = Object.keys(env).some((key) => /^AIRBYTE_(API_URL|CLIENT_ID|CLIENT_SECRET|BEARER_TOKEN|USERNAME|PASSWORD|NO_AUTH)$/.test(key));
  if (hasDefault || extra.length === 0) plan.push({ name: 'default', prefix: 'AIRBYTE_' });
  for (const name of extra) {
    if (!/^[A-Za-z0-9][\w-]*$/.test(name)) throw new AirbyteConfigError(`AIRBYTE_INSTANCES: '${name}' is not a valid instance name`);
    if (plan.some((p) => p.name === name)) {
      throw new AirbyteConfigError(
        name === 'default'
          ? "AIRBYTE_INSTANCES: 'default' is also configured by AIRBYTE_* variables; configure it one way only"
          : `AIRBYTE_INSTANCES: '${name}' is listed twice`,
      );
    }
    plan.push({ name, prefix: `AIRBYTE_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_` });
  }
  refuseSharedVariables(plan);
  const instances: Record<string, AirbyteInstanceConfig> = {};
  for (const { name, prefix } of plan) instances[name] = instanceFromEnv(prefix, name, env);
  return instances;
}

/** The variable suffix of each instance setting: `AIRBYTE_[<NAME>_]<suffix>` (also listed by worker-environment). */
export const FIELDS = {
  API_URL: 'url',
  CLIENT_ID: 'clientId',
  CLIENT_SECRET: 'clientSecret',
  BEARER_TOKEN: 'bearerToken',
  USERNAME: 'username',
  PASSWORD: 'password',
  NO_AUTH: 'noAuth',
  CONFIG_API_URL: 'configApiUrl',
  TOKEN_URL: 'tokenUrl',
  REQUEST_TIMEOUT_MS: 'requestTimeoutMs',
  CREATE_JOB_TIMEOUT_MS: 'createJobTimeoutMs',
  MAX_RESPONSE_BYTES: 'maxResponseBytes',
} as const satisfies Record<string, keyof AirbyteInstanceConfig>;

const UNITS: Partial<Record<keyof AirbyteInstanceConfig, string>> = {
  requestTimeoutMs: 'milliseconds',
  createJobTimeoutMs: 'milliseconds',
  maxResponseBytes: 'bytes',
};

/**
 * Instance names become variable prefixes, and different names can give the same variable: `on-prem` and
 * `on_prem` (or `eu` and `EU`) both read `AIRBYTE_ON_PREM_*`; `a_config` reads `AIRBYTE_A_CONFIG_API_URL` as
 * its URL, which instance `a` reads as its Configuration API URL. Either instance would silently get the other's
 * settings (credentials included), so the configuration is refused.
 */
function refuseSharedVariables(plan: { name: string; prefix: string }[]): void {
  const readers = new Map<string, { name: string; prefix: string }>();
  for (const instance of plan) {
    for (const suffix of Object.keys(FIELDS)) {
      const variable = `${instance.prefix}${suffix}`;
      const other = readers.get(variable);
      if (other === undefined) {
        readers.set(variable, instance);
        continue;
      }
      const why =
        other.prefix === instance.prefix
          ? `both read ${instance.prefix}* (instance names map to variables upper-cased, with '_' for any other character)`
          : `would both read ${variable}`;
      throw new AirbyteConfigError(`AIRBYTE_INSTANCES: instances '${other.name}' and '${instance.name}' ${why}; rename one of them`);
    }
  }
}

function instanceFromEnv(prefix: string, name: string, env: NodeJS.ProcessEnv): AirbyteInstanceConfig {
  const names: ConfigFieldNames = {};
  const config: Record<string, unknown> = { url: AIRBYTE_CLOUD_API_URL };
  for (const [suffix, field] of Object.entries(FIELDS)) {
    const variable = `${prefix}${suffix}`;
    names[field] = variable;
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    const unit = UNITS[field];
    if (field === 'noAuth') {
      if (!/^(true|false|1|0)$/i.test(raw)) throw new AirbyteConfigError(`${variable} must be true or false`);
      config.noAuth = /^(true|1)$/i.test(raw);
    } else if (unit !== undefined) {
      const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isSafeInteger(value)) throw new AirbyteConfigError(`${variable} must be a whole number of ${unit}`);
      config[field] = value; // the range is checked (naming the variable) by resolveInstanceConfig
    } else {
      config[field] = raw;
    }
  }
  const instance = config as unknown as AirbyteInstanceConfig;
  resolveInstanceConfig(instance, `Airbyte instance '${name}'`, names); // validate now, naming variables
  return instance;
}
