import { readFileSync } from 'node:fs';
import { instancesFromEnv } from '../src/config/instances-from-env';
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
