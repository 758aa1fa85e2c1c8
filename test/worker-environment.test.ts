import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AirbyteConfigError } from '../src/airbyte/config';
import { FIELDS, instancesFromEnv } from '../src/config/instances-from-env';
import { temporalTarget } from '../src/config/temporal-connection';
import { isWorkerVariable, parseWorkerEnvironment, WORKER_ENVIRONMENT, workerEnvironmentSchema } from '../src/config/worker-environment';

// The worker's configuration schema: the list of what it reads, and the checks of its own settings.

/** The TEMPORAL_* names @temporalio/envconfig reads, from its source, so an SDK upgrade that adds one shows here. */
function envconfigVariables(): { names: string[]; prefixes: string[] } {
  const lib = join(dirname(require.resolve('@temporalio/envconfig')), 'envconfig-toml.js');
  const source = readFileSync(lib, 'utf8');
  const names = [...new Set([...source.matchAll(/envProvider\['(TEMPORAL_[A-Z_]+)'\]/g)].map((m) => m[1]!))];
  const prefixes = [...source.matchAll(/PREFIX = '(TEMPORAL_[A-Z_]+_)'/g)].map((m) => m[1]!);
  return { names, prefixes };
}

/** Read by envconfig but of no use to a worker without a remote codec, so deliberately not listed. */
const CODEC = ['TEMPORAL_CODEC_ENDPOINT', 'TEMPORAL_CODEC_AUTH'];

test('the Temporal variables are exactly those @temporalio/envconfig reads (but the codec ones)', () => {
  const { names, prefixes } = envconfigVariables();
  expect(names.length).toBeGreaterThan(10); // the scan still finds them in this SDK version
  expect(names).toEqual(expect.arrayContaining(CODEC));
  for (const name of names.filter((n) => !CODEC.includes(n))) expect([name, isWorkerVariable(name)]).toEqual([name, true]);
  for (const name of CODEC) expect([name, isWorkerVariable(name)]).toEqual([name, false]);
  expect(prefixes).toEqual(['TEMPORAL_GRPC_META_']);

  // Nothing listed that envconfig does not read (the worker's own TEMPORAL_* aside).
  const ours = /^(TEMPORAL_TASK_QUEUE|TEMPORAL_AIRBYTE_\w+|TEMPORAL_GRPC_META_<HEADER>)$/;
  const listed = WORKER_ENVIRONMENT.map((v) => v.name).filter((n) => n.startsWith('TEMPORAL_') && !ours.test(n));
  expect(listed.sort()).toEqual(names.filter((n) => !CODEC.includes(n)).sort());
});

test('TEMPORAL_GRPC_META_* reaches the connection as its description says', () => {
  const target = temporalTarget({ env: { TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_GRPC_META_X_TENANT: 'acme' } });
  expect(target.metadata).toEqual({ 'x-tenant': 'acme' });
});

test('every per-instance setting is listed, for the default instance and for named ones', () => {
  for (const suffix of Object.keys(FIELDS)) {
    expect(WORKER_ENVIRONMENT.map((v) => v.name)).toContain(`AIRBYTE_[<NAME>_]${suffix}`);
    expect(isWorkerVariable(`AIRBYTE_${suffix}`)).toBe(true);
    expect(isWorkerVariable(`AIRBYTE_ON_PREM_${suffix}`)).toBe(true);
  }
  // What the listing says is read, is read: a named instance's variables configure it.
  expect(instancesFromEnv({ AIRBYTE_INSTANCES: 'on-prem', AIRBYTE_ON_PREM_API_URL: 'http://airbyte:8000/api/public/v1', AIRBYTE_ON_PREM_NO_AUTH: 'true' })).toEqual({
    'on-prem': { url: 'http://airbyte:8000/api/public/v1', noAuth: true },
  });
});

test.each([
  'TEMPORAL_ADDRESS', 'TEMPORAL_TLS_CLIENT_KEY_DATA', 'TEMPORAL_GRPC_META_AUTHORIZATION', 'TEMPORAL_TASK_QUEUE',
  'TEMPORAL_AIRBYTE_LOG_LEVEL', 'TEMPORAL_AIRBYTE_WORKFLOW_BUNDLE', 'OTEL_EXPORTER_OTLP_ENDPOINT',
  'AIRBYTE_INSTANCES', 'AIRBYTE_SECRETS_DIR', 'AIRBYTE_CLIENT_SECRET', 'AIRBYTE_EU2_BEARER_TOKEN', 'DBT_EXECUTABLE', 'DBT_PROFILES_DIR',
])('%s is a worker variable', (name) => {
  expect(isWorkerVariable(name)).toBe(true);
});

test.each([
  'TEMPORAL_ADRESS', // a typo
  'TEMPORAL_CODEC_ENDPOINT',
  'TEMPORAL_GRPC_META_',
  'TEMPORAL_AIRBYTE_METRICS_PORT',
  'AIRBYTE_API_URLS',
  'AIRBYTE_',
  'AIRBYTE_onprem_API_URL', // instance names are upper-cased into variable names: this one is never read
  'OTEL_RESOURCE_ATTRIBUTES',
  'NODE_ENV',
  'airbyte_api_url',
])('%s is not a worker variable', (name) => {
  expect(isWorkerVariable(name)).toBe(false);
});

test('each variable is listed once, with a one-line description', () => {
  const names = WORKER_ENVIRONMENT.map((v) => v.name);
  expect(new Set(names).size).toBe(names.length);
  for (const { name, description } of WORKER_ENVIRONMENT) {
    expect([name, description.length > 10 && !description.includes('\n')]).toEqual([name, true]);
  }
  for (const key of Object.keys(workerEnvironmentSchema.shape)) expect([key, isWorkerVariable(key)]).toEqual([key, true]);
});

test('the worker settings default, ignore empty values and take any case', () => {
  const defaults = { TEMPORAL_AIRBYTE_LOG_LEVEL: 'INFO', TEMPORAL_AIRBYTE_LOG_FORMAT: 'json' };
  expect(parseWorkerEnvironment({})).toMatchObject(defaults);
  // docker compose passes `${VAR:-}` as an empty string: it means unset.
  const empty = parseWorkerEnvironment({ TEMPORAL_AIRBYTE_LOG_LEVEL: '', TEMPORAL_AIRBYTE_LOG_FORMAT: ' ', TEMPORAL_AIRBYTE_METRICS_ADDRESS: '', OTEL_EXPORTER_OTLP_ENDPOINT: '' });
  expect(empty).toMatchObject(defaults);
  expect(empty.TEMPORAL_AIRBYTE_METRICS_ADDRESS).toBeUndefined();
  expect(empty.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  expect(
    parseWorkerEnvironment({
      TEMPORAL_AIRBYTE_LOG_LEVEL: 'debug',
      TEMPORAL_AIRBYTE_LOG_FORMAT: 'TEXT',
      TEMPORAL_AIRBYTE_METRICS_ADDRESS: '0.0.0.0:9464',
      TEMPORAL_AIRBYTE_WORKFLOW_BUNDLE: '/opt/bundle.js',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
    }),
  ).toEqual({
    TEMPORAL_AIRBYTE_LOG_LEVEL: 'DEBUG',
    TEMPORAL_AIRBYTE_LOG_FORMAT: 'text',
    TEMPORAL_AIRBYTE_METRICS_ADDRESS: '0.0.0.0:9464',
    TEMPORAL_AIRBYTE_WORKFLOW_BUNDLE: '/opt/bundle.js',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
  });
});

test.each(['0.0.0.0:9464', '127.0.0.1:1', '10.1.2.3:65535', '[::]:9464', '[::1]:9464'])('metrics address %s is accepted', (address) => {
  expect(parseWorkerEnvironment({ TEMPORAL_AIRBYTE_METRICS_ADDRESS: address }).TEMPORAL_AIRBYTE_METRICS_ADDRESS).toBe(address);
});

// Temporal's core parses the address as a socket address: a host name fails there, so it must fail here first.
test.each(['localhost:9464', 'metrics.internal:9464', '9464', ':9464', '0.0.0.0', '0.0.0.0:0', '0.0.0.0:65536', '256.0.0.1:9464', '::1:9464', '[::1]9464', '0.0.0.0:9464/metrics'])(
  'metrics address %s is refused, naming the variable',
  (address) => {
    expect(() => parseWorkerEnvironment({ TEMPORAL_AIRBYTE_METRICS_ADDRESS: address })).toThrow(/^TEMPORAL_AIRBYTE_METRICS_ADDRESS must be <ip>:<port>/);
  },
);

test('bad settings are refused together, each by its variable, without echoing values', () => {
  const bad = { TEMPORAL_AIRBYTE_LOG_LEVEL: 'verbose', TEMPORAL_AIRBYTE_LOG_FORMAT: 'xml', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317-s3cr3t' };
  let error: unknown;
  try {
    parseWorkerEnvironment(bad);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(AirbyteConfigError); // the CLI's exit code 2, as for a bad AIRBYTE_* variable
  const message = (error as Error).message;
  expect(message).toContain('TEMPORAL_AIRBYTE_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR');
  expect(message).toContain('TEMPORAL_AIRBYTE_LOG_FORMAT must be one of json, text');
  expect(message).toContain('OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL');
  expect(message).not.toMatch(/verbose|xml|s3cr3t/);
});

test('the workflow cache size is a whole number from 2 to 100,000; unset leaves the worker default', () => {
  expect(parseWorkerEnvironment({ TEMPORAL_AIRBYTE_MAX_CACHED_WORKFLOWS: '150' }).TEMPORAL_AIRBYTE_MAX_CACHED_WORKFLOWS).toBe(150);
  expect(parseWorkerEnvironment({ TEMPORAL_AIRBYTE_MAX_CACHED_WORKFLOWS: '' }).TEMPORAL_AIRBYTE_MAX_CACHED_WORKFLOWS).toBeUndefined();
  for (const bad of ['1', '0', '-5', '1.5', 'lots', '100001', '1e3']) {
    expect(() => parseWorkerEnvironment({ TEMPORAL_AIRBYTE_MAX_CACHED_WORKFLOWS: bad })).toThrow(/^TEMPORAL_AIRBYTE_MAX_CACHED_WORKFLOWS must be a whole number from 2 to 100000$/);
  }
});
