import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApplicationFailure } from '@temporalio/common';
import fc from 'fast-check';
import { checkDeleteGuard, resolveSecretFields, secretsFromDirectory, secretsFromMap } from '../src/activities/manage';
import { compileNamePattern, exactNamePattern } from '../src/common/name-pattern';
import { findInlineSecret } from '../src/common/secret-ref';
import { checkOffboardInput, checkOnboardInput, tenantNames, type OnboardTenantInput } from '../src/workflows/tenant';

const input = (extra: Partial<OnboardTenantInput> = {}): OnboardTenantInput => ({
  tenantId: 'acme',
  source: { configuration: { sourceType: 'postgres', host: 'db', port: 5432 }, secretRef: 'acme/pg' },
  destination: { configuration: { destinationType: 'duckdb', destination_path: '/tmp/x' } },
  ...extra,
});
const message = (value: unknown) => {
  const check = checkOnboardInput(value);
  return check.ok ? 'ok' : check.message;
};

describe('onboardTenant input', () => {
  test('a plain input passes; the default names derive from the tenant id', () => {
    expect(message(input())).toBe('ok');
    expect(tenantNames('acme')).toEqual({ workspace: 'tenant-acme', source: 'tenant-acme-source', destination: 'tenant-acme-destination', connection: 'tenant-acme' });
    expect(tenantNames('acme', { source: 'pg' }).source).toBe('pg');
  });

  test.each([
    ['a tenant id with a slash', input({ tenantId: 'a/b' }), /tenantId: must be letters/],
    ['a tenant id of 101 characters', input({ tenantId: 'a'.repeat(101) }), /tenantId/],
    ['an unknown field', { ...input(), extra: 1 }, /Unrecognized key/i],
    ['a secretRef with ..', input({ source: { configuration: {}, secretRef: '../../etc/passwd' } }), /source.secretRef: must be a secret reference/],
    ['a cron schedule without an expression', input({ connection: { schedule: { scheduleType: 'cron' } } }), /connection.schedule.cronExpression: a cron schedule needs/],
    ['a workspace id that is not a UUID', input({ workspace: { workspaceId: 'nope' } }), /workspace/],
    ['a first sync with a bad timeout', input({ firstSync: { timeout: '1000000y' } }), /firstSync: timeout/],
    ['a password in clear', input({ source: { configuration: { password: 'hunter2' } } }), /source.configuration.password looks like a credential/],
    ['a nested key in clear', input({ destination: { configuration: { credentials: { client_secret: 's3cret' } } } }), /destination.configuration.credentials.client_secret looks like a credential/],
    ['not an object', 'acme', /invalid onboardTenant input/],
  ])('refused: %s', (_, value, expected) => {
    expect(message(value)).toMatch(expected);
  });

  test('credentials in clear pass with allowInlineSecrets (an encrypting codec), and masked or empty values always pass', () => {
    expect(message(input({ source: { configuration: { password: 'x' } }, allowInlineSecrets: true }))).toBe('ok');
    expect(message(input({ source: { configuration: { password: '**********', api_key: '' } } }))).toBe('ok');
  });

  test('never throws, whatever the input', () => {
    fc.assert(fc.property(fc.anything(), (value) => typeof checkOnboardInput(value).ok === 'boolean' && typeof checkOffboardInput(value).ok === 'boolean'));
    const cyclic: Record<string, unknown> = { password: 'x' };
    cyclic.self = cyclic;
    expect(findInlineSecret(cyclic)).toBe('configuration.password');
  });
});

describe('delete guards', () => {
  const refused = (guard: Parameters<typeof checkDeleteGuard>[0], name: string) => {
    try {
      checkDeleteGuard(guard, 'source', name);
      return undefined;
    } catch (err) {
      return (err as ApplicationFailure).type;
    }
  };

  test('no guard refuses; a matching pattern or force allows', () => {
    expect(refused(undefined, 'a')).toBe('AirbyteDeleteRefused');
    expect(refused({}, 'a')).toBe('AirbyteDeleteRefused');
    expect(refused({ namePattern: '^prod-' }, 'test-a')).toBe('AirbyteDeleteRefused');
    expect(refused({ namePattern: '^prod-' }, 'prod-a')).toBeUndefined();
    expect(refused({ force: true }, 'anything')).toBeUndefined();
    expect(refused({ namePattern: '(?=x)' }, 'x')).toBe('AirbyteInvalidInput');
  });

  test('exactNamePattern matches that name and no other, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 50 }), fc.string({ maxLength: 5 }), (name, suffix) => {
        const pattern = compileNamePattern(exactNamePattern(name));
        return pattern.test(name) && (suffix === '' || !pattern.test(name + suffix)) && !pattern.test(`x${name}`);
      }),
    );
  });
});

describe('secret resolvers', () => {
  test('from a directory: <dir>/<ref>.json, re-read at each use; missing and broken files name the ref, never a value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    mkdirSync(join(dir, 'acme'));
    writeFileSync(join(dir, 'acme', 'pg.json'), JSON.stringify({ password: 'one' }));
    const resolve = secretsFromDirectory(dir);
    await expect(resolveSecretFields(resolve, 'acme/pg')).resolves.toEqual({ password: 'one' });
    writeFileSync(join(dir, 'acme', 'pg.json'), JSON.stringify({ password: 'two' }));
    await expect(resolveSecretFields(resolve, 'acme/pg')).resolves.toEqual({ password: 'two' });
    writeFileSync(join(dir, 'acme', 'bad.json'), '{"password": "half');
    const bad = await resolveSecretFields(resolve, 'acme/bad').catch((e: unknown) => e as ApplicationFailure);
    expect(bad).toMatchObject({ type: 'AirbyteSecretUnavailable', nonRetryable: true });
    expect((bad as Error).message).not.toContain('half');
    await expect(resolveSecretFields(resolve, 'acme/none')).rejects.toThrow(/secret 'acme\/none' could not be resolved \(SecretNotFound\)/);
    await expect(resolveSecretFields(resolve, '../x')).rejects.toMatchObject({ type: 'AirbyteInvalidInput' });
  });

  test('a ref without a resolver on the worker is refused, naming the option', async () => {
    await expect(resolveSecretFields(undefined, 'a')).rejects.toThrow(/no secret resolver \(createAirbyteWorker\(\{ secrets \}\)\)/);
    await expect(resolveSecretFields(secretsFromMap({ a: { token: 'xyz1' } }), 'a')).resolves.toEqual({ token: 'xyz1' });
    await expect(resolveSecretFields(undefined, undefined)).resolves.toEqual({});
  });
});
