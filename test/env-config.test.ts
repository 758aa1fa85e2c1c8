import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { AirbyteConfigError } from '../src/airbyte';
import { instancesFromEnv } from '../src/config/instances-from-env';
import { createAirbyteWorker, runWorkerFromEnv } from '../src/worker';
import { PACKAGE_VERSION } from '../src/airbyte/version';

test('the default instance comes from AIRBYTE_* and defaults to Airbyte Cloud', () => {
  expect(instancesFromEnv({ AIRBYTE_CLIENT_ID: 'id', AIRBYTE_CLIENT_SECRET: 'secret' })).toEqual({
    default: { url: 'https://api.airbyte.com/v1', clientId: 'id', clientSecret: 'secret' },
  });
});

test('named instances come from AIRBYTE_<NAME>_*, several at once', () => {
  const instances = instancesFromEnv({
    AIRBYTE_INSTANCES: 'cloud, on-prem',
    AIRBYTE_CLOUD_CLIENT_ID: 'id',
    AIRBYTE_CLOUD_CLIENT_SECRET: 'secret',
    AIRBYTE_ON_PREM_API_URL: 'http://airbyte.internal:8000/api/public/v1',
    AIRBYTE_ON_PREM_USERNAME: 'airbyte',
    AIRBYTE_ON_PREM_PASSWORD: 'password',
    AIRBYTE_ON_PREM_REQUEST_TIMEOUT_MS: '5000',
  });
  expect(Object.keys(instances)).toEqual(['cloud', 'on-prem']);
  expect(instances['on-prem']).toMatchObject({ url: 'http://airbyte.internal:8000/api/public/v1', username: 'airbyte', requestTimeoutMs: 5000 });
});

test.each<[string, Record<string, string>, RegExp]>([
  ['no auth at all', {}, /give exactly one auth mode \(AIRBYTE_CLIENT_ID \+ AIRBYTE_CLIENT_SECRET, AIRBYTE_BEARER_TOKEN/],
  ['a secret without its id', { AIRBYTE_CLIENT_SECRET: 's' }, /AIRBYTE_CLIENT_ID is missing/],
  ['two modes', { AIRBYTE_BEARER_TOKEN: 't', AIRBYTE_USERNAME: 'u', AIRBYTE_PASSWORD: 'p' }, /got AIRBYTE_BEARER_TOKEN and AIRBYTE_USERNAME \+ AIRBYTE_PASSWORD/],
  ['a bad URL', { AIRBYTE_API_URL: 'airbyte:8000', AIRBYTE_NO_AUTH: 'true' }, /AIRBYTE_API_URL/],
  ['a bad timeout', { AIRBYTE_BEARER_TOKEN: 't', AIRBYTE_REQUEST_TIMEOUT_MS: 'soon' }, /AIRBYTE_REQUEST_TIMEOUT_MS must be a whole number/],
  ['a bad flag', { AIRBYTE_NO_AUTH: 'yes please' }, /AIRBYTE_NO_AUTH must be true or false/],
  ['a named instance without auth', { AIRBYTE_INSTANCES: 'eu', AIRBYTE_EU_API_URL: 'https://eu.example.com/api/public/v1' }, /Airbyte instance 'eu'.*AIRBYTE_EU_CLIENT_ID/],
])('a bad environment (%s) is rejected with a message naming the variable', (_, env, message) => {
  expect(() => instancesFromEnv(env)).toThrow(message);
});

test.each<[string, Record<string, string>, RegExp]>([
  ['credentials in AIRBYTE_API_URL', { AIRBYTE_API_URL: 'http://admin:hunter2@airbyte.internal:8000/api/public/v1', AIRBYTE_NO_AUTH: 'true' }, /AIRBYTE_API_URL must not contain credentials/],
  ['a file: AIRBYTE_API_URL', { AIRBYTE_API_URL: 'file:///etc/passwd', AIRBYTE_NO_AUTH: 'true' }, /AIRBYTE_API_URL must be an http:\/\/ or https:\/\/ URL, not file:/],
  ['a javascript: AIRBYTE_API_URL', { AIRBYTE_API_URL: 'javascript:alert(1)', AIRBYTE_NO_AUTH: 'true' }, /AIRBYTE_API_URL must be an http/],
  ['credentials in a named instance\'s config API URL', { AIRBYTE_INSTANCES: 'eu', AIRBYTE_EU_NO_AUTH: 'true', AIRBYTE_EU_CONFIG_API_URL: 'https://u:hunter2@eu.example.com/api/v1' }, /Airbyte instance 'eu': AIRBYTE_EU_CONFIG_API_URL must not contain credentials/],
  ['a bad AIRBYTE_TOKEN_URL', { AIRBYTE_CLIENT_ID: 'i', AIRBYTE_CLIENT_SECRET: 's', AIRBYTE_TOKEN_URL: 'file:///token' }, /AIRBYTE_TOKEN_URL must be an http/],
  ['a timeout below 100 ms', { AIRBYTE_BEARER_TOKEN: 't', AIRBYTE_REQUEST_TIMEOUT_MS: '50' }, /AIRBYTE_REQUEST_TIMEOUT_MS must be between 100 and 600000 ms/],
  ['a timeout Node would clamp', { AIRBYTE_BEARER_TOKEN: 't', AIRBYTE_CREATE_JOB_TIMEOUT_MS: '2147483648' }, /AIRBYTE_CREATE_JOB_TIMEOUT_MS must be between 100 and 600000 ms/],
  ['a negative timeout', { AIRBYTE_BEARER_TOKEN: 't', AIRBYTE_REQUEST_TIMEOUT_MS: '-5' }, /AIRBYTE_REQUEST_TIMEOUT_MS must be a whole number of milliseconds/],
  ['a timeout in exponent form', { AIRBYTE_BEARER_TOKEN: 't', AIRBYTE_REQUEST_TIMEOUT_MS: '1e4' }, /AIRBYTE_REQUEST_TIMEOUT_MS must be a whole number of milliseconds/],
  ['a response cap that is not a number', { AIRBYTE_BEARER_TOKEN: 't', AIRBYTE_MAX_RESPONSE_BYTES: '10MB' }, /AIRBYTE_MAX_RESPONSE_BYTES must be a whole number of bytes/],
  ['two names for one prefix', { AIRBYTE_INSTANCES: 'on-prem,on_prem', AIRBYTE_ON_PREM_NO_AUTH: 'true' }, /instances 'on-prem' and 'on_prem' both read AIRBYTE_ON_PREM_\*/],
  ['names that differ in case', { AIRBYTE_INSTANCES: 'eu,EU', AIRBYTE_EU_NO_AUTH: 'true' }, /instances 'eu' and 'EU' both read AIRBYTE_EU_\*/],
  ['a name whose variables overlap another\'s', { AIRBYTE_INSTANCES: 'a,a_config', AIRBYTE_A_NO_AUTH: 'true' }, /instances 'a' and 'a_config' would both read AIRBYTE_A_CONFIG_API_URL/],
  ['a name that overlaps the default instance', { AIRBYTE_BEARER_TOKEN: 't', AIRBYTE_INSTANCES: 'config' }, /instances 'default' and 'config' would both read AIRBYTE_CONFIG_API_URL/],
  ['a name listed twice', { AIRBYTE_INSTANCES: 'eu,eu', AIRBYTE_EU_NO_AUTH: 'true' }, /'eu' is listed twice/],
  ['default configured twice', { AIRBYTE_BEARER_TOKEN: 't', AIRBYTE_INSTANCES: 'default' }, /'default' is also configured by AIRBYTE_\* variables/],
])('a hostile environment (%s) is rejected, naming the variable', (_, env, message) => {
  expect(() => instancesFromEnv(env)).toThrow(AirbyteConfigError);
  expect(() => instancesFromEnv(env)).toThrow(message);
  expect(() => instancesFromEnv(env)).not.toThrow(/hunter2/);
});

test('timeouts at the ends of the range, a token URL and a response cap are read', () => {
  expect(
    instancesFromEnv({
      AIRBYTE_CLIENT_ID: 'id',
      AIRBYTE_CLIENT_SECRET: 'secret',
      AIRBYTE_TOKEN_URL: 'https://auth.example.com/oauth/token',
      AIRBYTE_REQUEST_TIMEOUT_MS: '100',
      AIRBYTE_CREATE_JOB_TIMEOUT_MS: '600000',
      AIRBYTE_MAX_RESPONSE_BYTES: '2097152',
    }).default,
  ).toMatchObject({ tokenUrl: 'https://auth.example.com/oauth/token', requestTimeoutMs: 100, createJobTimeoutMs: 600_000, maxResponseBytes: 2_097_152 });
});

describe('a worker whose Temporal server is unreachable', () => {
  const freePort = () =>
    new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });

  test('runWorkerFromEnv names Temporal, the address and TEMPORAL_ADDRESS', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const err = (await runWorkerFromEnv({ TEMPORAL_ADDRESS: address, AIRBYTE_NO_AUTH: 'true', AIRBYTE_API_URL: 'http://127.0.0.1:1/api/public/v1' }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(new RegExp(`^cannot connect to the Temporal server at ${address} \\(TEMPORAL_ADDRESS=${address}\\): `));
    expect(err.cause).toBeDefined();
  });

  test('createAirbyteWorker says so too, and how to change the default address', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const saved = process.env.TEMPORAL_ADDRESS;
    process.env.TEMPORAL_ADDRESS = address;
    try {
      const err = (await createAirbyteWorker({ instances: { default: { url: 'http://127.0.0.1:1/api/public/v1', noAuth: true } } }).catch((e: unknown) => e)) as Error;
      expect(err.message).toContain(`cannot connect to the Temporal server at ${address} (TEMPORAL_ADDRESS=${address})`);
    } finally {
      if (saved === undefined) delete process.env.TEMPORAL_ADDRESS;
      else process.env.TEMPORAL_ADDRESS = saved;
    }
  });
});

test('no secret appears in a configuration error', () => {
  let message = '';
  try {
    instancesFromEnv({ AIRBYTE_CLIENT_SECRET: 'hunter2-secret', AIRBYTE_BEARER_TOKEN: 'tok-secret' });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toMatch(/AIRBYTE_CLIENT_ID is missing/);
  expect(message).not.toMatch(/hunter2-secret|tok-secret/);
});

test('the User-Agent version matches package.json', () => {
  expect(PACKAGE_VERSION).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
});

test('a URL without a scheme whose "scheme" is a user name does not echo it', () => {
  let message = '';
  try {
    instancesFromEnv({ AIRBYTE_API_URL: 'admin:hunter2@airbyte.internal/api/public/v1', AIRBYTE_NO_AUTH: 'true' });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toMatch(/AIRBYTE_API_URL must be an http:\/\/ or https:\/\/ URL$/);
  expect(message).not.toMatch(/admin|hunter2/);
});
