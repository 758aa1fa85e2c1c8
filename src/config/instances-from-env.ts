import { AIRBYTE_CLOUD_API_URL, AirbyteConfigError, resolveInstanceConfig, type AirbyteInstanceConfig, type ConfigFieldNames } from '../airbyte/config';

/**
 * Airbyte instances from environment variables. The `default` instance reads `AIRBYTE_*`; each name listed
 * in `AIRBYTE_INSTANCES` (comma-separated) reads `AIRBYTE_<NAME>_*`, e.g. `AIRBYTE_ONPREM_API_URL`.
 *
 *   *_API_URL            public API base (default https://api.airbyte.com/v1, Airbyte Cloud)
 *   *_CLIENT_ID, *_CLIENT_SECRET   OAuth client credentials (an Airbyte application)
 *   *_BEARER_TOKEN       a pre-minted access token
 *   *_USERNAME, *_PASSWORD         basic auth (self-managed)
 *   *_NO_AUTH=true       a self-managed instance without auth
 *   *_CONFIG_API_URL, *_REQUEST_TIMEOUT_MS, *_CREATE_JOB_TIMEOUT_MS   optional
 *
 * Every instance is validated here, so a worker stops at start with a message naming the bad variable.
 */
export function instancesFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, AirbyteInstanceConfig> {
  const extra = (env.AIRBYTE_INSTANCES ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const instances: Record<string, AirbyteInstanceConfig> = {};
  const hasDefault = Object.keys(env).some((key) => /^AIRBYTE_(API_URL|CLIENT_ID|CLIENT_SECRET|BEARER_TOKEN|USERNAME|PASSWORD|NO_AUTH)$/.test(key));
  if (hasDefault || extra.length === 0) instances.default = instanceFromEnv('AIRBYTE_', 'default', env);
  for (const name of extra) {
    if (!/^[A-Za-z0-9][\w-]*$/.test(name)) throw new AirbyteConfigError(`AIRBYTE_INSTANCES: '${name}' is not a valid instance name`);
    instances[name] = instanceFromEnv(`AIRBYTE_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`, name, env);
  }
  return instances;
}

const FIELDS: Record<string, keyof AirbyteInstanceConfig> = {
  API_URL: 'url',
  CLIENT_ID: 'clientId',
  CLIENT_SECRET: 'clientSecret',
  BEARER_TOKEN: 'bearerToken',
  USERNAME: 'username',
  PASSWORD: 'password',
  NO_AUTH: 'noAuth',
  CONFIG_API_URL: 'configApiUrl',
  REQUEST_TIMEOUT_MS: 'requestTimeoutMs',
  CREATE_JOB_TIMEOUT_MS: 'createJobTimeoutMs',
};

function instanceFromEnv(prefix: string, name: string, env: NodeJS.ProcessEnv): AirbyteInstanceConfig {
  const names: ConfigFieldNames = {};
  const config: Record<string, unknown> = { url: AIRBYTE_CLOUD_API_URL };
  for (const [suffix, field] of Object.entries(FIELDS)) {
    const variable = `${prefix}${suffix}`;
    names[field] = variable;
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    if (field === 'noAuth') {
      if (!/^(true|false|1|0)$/i.test(raw)) throw new AirbyteConfigError(`${variable} must be true or false`);
      config.noAuth = /^(true|1)$/i.test(raw);
    } else if (field.endsWith('Ms')) {
      const ms = Number(raw);
      if (!Number.isInteger(ms) || ms <= 0) throw new AirbyteConfigError(`${variable} must be a whole number of milliseconds`);
      config[field] = ms;
    } else {
      config[field] = raw;
    }
  }
  const instance = config as unknown as AirbyteInstanceConfig;
  resolveInstanceConfig(instance, `Airbyte instance '${name}'`, names); // validate now, naming variables
  return instance;
}
