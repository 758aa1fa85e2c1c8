import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { connectionOptionsOf, temporalTarget, unreachableTemporal } from '../src/config/temporal-connection';

// Temporal is found as the `temporal` CLI finds it: variables and temporal.toml profiles. TLS and API keys are
// checked by the resolved options (the dev server serves neither); a profile's address is used for real.
const dir = mkdtempSync(join(tmpdir(), 'temporal-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const cert = file('client.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const key = file('client.key', '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
const config = file(
  'temporal.toml',
  `[profile.default]
address = "${process.env.TEMPORAL_TEST_ADDRESS ?? 'localhost:7233'}"

[profile.cloud]
address = "acme.a1b2c.tmprl.cloud:7233"
namespace = "acme.a1b2c"

[profile.cloud.tls]
client_cert_path = "${cert}"
client_key_path = "${key}"

[profile.apikey]
address = "us-east-1.aws.api.temporal.io:7233"
namespace = "acme.a1b2c"
api_key = "profile-api-key-123"
`,
);

test('nothing configured: localhost:7233, namespace default, no TLS, and the message says how to change it', () => {
  const target = temporalTarget({ env: { HOME: dir } });
  expect(target).toMatchObject({ address: 'localhost:7233', namespace: 'default', tls: undefined, apiKey: undefined });
  expect(target.source).toMatch(/the default localhost:7233; set TEMPORAL_ADDRESS or a temporal.toml profile/);
});

test('Temporal Cloud by API key from the environment: TLS is on, the key is sent and never printed', () => {
  const target = temporalTarget({
    env: { HOME: dir, TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'acme.a1b2c', TEMPORAL_API_KEY: 'env-api-key-456' },
  });
  expect(connectionOptionsOf(target)).toEqual({ address: 'us-east-1.aws.api.temporal.io:7233', tls: true, apiKey: 'env-api-key-456' });
  expect(target.namespace).toBe('acme.a1b2c');
  const message = unreachableTemporal(target, new Error('handshake failed for env-api-key-456')).message;
  expect(message).toContain('cannot connect to the Temporal server at us-east-1.aws.api.temporal.io:7233 (TEMPORAL_ADDRESS=');
  expect(message).not.toContain('env-api-key-456');
});

test('mTLS from a temporal.toml profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE): the certificate and key are read', () => {
  const target = temporalTarget({ env: { TEMPORAL_CONFIG_FILE: config, TEMPORAL_PROFILE: 'cloud' } });
  expect(target).toMatchObject({ address: 'acme.a1b2c.tmprl.cloud:7233', namespace: 'acme.a1b2c' });
  const tls = target.tls as { clientCertPair?: { crt: Buffer; key: Buffer } };
  expect(Buffer.from(tls.clientCertPair!.crt).toString()).toContain('BEGIN CERTIFICATE');
  expect(Buffer.from(tls.clientCertPair!.key).toString()).toContain('BEGIN PRIVATE KEY');
  expect(target.source).toBe(`profile 'cloud' of ${config}`);
});

test('mTLS from TEMPORAL_TLS_* variables, and the variables win over the profile', () => {
  const target = temporalTarget({
    env: { TEMPORAL_CONFIG_FILE: config, TEMPORAL_PROFILE: 'apikey', TEMPORAL_NAMESPACE: 'override.ns', TEMPORAL_TLS_CLIENT_CERT_PATH: cert, TEMPORAL_TLS_CLIENT_KEY_PATH: key },
  });
  expect(target).toMatchObject({ address: 'us-east-1.aws.api.temporal.io:7233', namespace: 'override.ns', apiKey: 'profile-api-key-123' });
  expect((target.tls as { clientCertPair?: unknown }).clientCertPair).toBeDefined();
});

test('a profile option and a config file option take precedence over the variables that name them', () => {
  const target = temporalTarget({ env: { TEMPORAL_PROFILE: 'nope' }, configFile: config, profile: 'cloud' });
  expect(target.address).toBe('acme.a1b2c.tmprl.cloud:7233');
});

test('a malformed config file is refused, naming the file', () => {
  const broken = file('broken.toml', '[profile.default\naddress = ');
  expect(() => temporalTarget({ env: { TEMPORAL_CONFIG_FILE: broken } })).toThrow(new RegExp(`cannot read the Temporal config file ${broken}: `));
});

test('the default profile of a config file is what a client really connects to', async () => {
  const target = temporalTarget({ env: { TEMPORAL_CONFIG_FILE: config } });
  expect(target.address).toBe(process.env.TEMPORAL_TEST_ADDRESS);
  const connection = await Connection.connect(connectionOptionsOf(target));
  try {
    const client = new Client({ connection, namespace: target.namespace });
    await expect(client.workflowService.getSystemInfo({})).resolves.toBeDefined();
  } finally {
    await connection.close();
  }
});
