import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import {
  createEncryptionCodec,
  ENCRYPTED_ENCODING,
  METADATA_ENCRYPTION_KEY_ID,
  PayloadDecryptionError,
  startCodecServer,
  type RunningCodecServer,
} from '../src/codec';
import type { AirbyteTestEnvironment } from '../src/testing';
import { resolveTemporalCli } from '../src/testing/temporal-cli';
import { startTestEnvironment } from './helpers/environment';

const run = promisify(execFile);
const k1 = randomBytes(32);
const k2 = randomBytes(32);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const plain = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const value = (payload: Payload): unknown => defaultPayloadConverter.fromPayload(payload);

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const err: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PayloadDecryptionError);
  return err as Error;
}

describe('createEncryptionCodec', () => {
  const codec = createEncryptionCodec({ keys: { k1 }, currentKeyId: 'k1' });

  test('round trip: values, null, binary and empty batches come back as they were', async () => {
    const payloads = [plain({ vars: { token: 'abc' } }), plain(null), plain(new Uint8Array([0, 1, 2, 255])), plain('x'.repeat(100_000))];
    const encoded = await codec.encode(payloads);
    for (const p of encoded) {
      expect(text(p.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
      expect(text(p.metadata?.[METADATA_ENCRYPTION_KEY_ID])).toBe('k1');
      expect(text(p.data)).not.toContain('token');
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.map(value)).toEqual([{ vars: { token: 'abc' } }, null, new Uint8Array([0, 1, 2, 255]), 'x'.repeat(100_000)]);
    expect(await codec.encode([])).toEqual([]);
  });

  test('each payload gets its own IV: the same value encrypts differently every time', async () => {
    const [a, b] = await codec.encode([plain('same'), plain('same')]);
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  test('rotation: the new key encrypts, the old key still decrypts, a codec without the new key says which key it lacks', async () => {
    const old = createEncryptionCodec({ keys: { k1 }, currentKeyId: 'k1' });
    const rotated = createEncryptionCodec({ keys: { k1, k2 }, currentKeyId: 'k2' });
    const [before] = await old.encode([plain('written before the rotation')]);
    const [after] = await rotated.encode([plain('written after')]);
    expect(text(after!.metadata?.[METADATA_ENCRYPTION_KEY_ID])).toBe('k2');
    expect((await rotated.decode([before!, after!])).map(value)).toEqual(['written before the rotation', 'written after']);
    const err = await rejection(old.decode([after!]));
    expect(err.message).toBe("payload was encrypted with key 'k2', which this codec does not have (it has: k1); add that key to the codec to read it");
  });

  test('tampering is detected: a changed byte, a changed tag, a relabelled key id, a truncated payload', async () => {
    const both = createEncryptionCodec({ keys: { k1, k2 }, currentKeyId: 'k1' });
    const [good] = await both.encode([plain({ amount: 100 })]);
    const flip = (at: number): Payload => {
      const data = Buffer.from(good!.data!);
      data[at] = data[at]! ^ 1;
      return { ...good, data };
    };
    expect((await rejection(both.decode([flip(20)]))).message).toMatch(/failed authentication with key 'k1'/); // ciphertext
    expect((await rejection(both.decode([flip(good!.data!.length - 1)]))).message).toMatch(/failed authentication/); // tag
    expect((await rejection(both.decode([flip(0)]))).message).toMatch(/failed authentication/); // IV
    const relabelled = { ...good, metadata: { ...good!.metadata, [METADATA_ENCRYPTION_KEY_ID]: Buffer.from('k2') } };
    expect((await rejection(both.decode([relabelled]))).message).toMatch(/failed authentication with key 'k2'/);
    const truncated = { ...good, data: good!.data!.subarray(0, 20) };
    expect((await rejection(both.decode([truncated]))).message).toMatch(/truncated: 20 bytes/);
    const noKeyId = { ...good, metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING) } };
    expect((await rejection(both.decode([noKeyId]))).message).toMatch(/has no 'encryption-key-id' metadata/);
  });

  test('payloads that were never encrypted decode unchanged (history from before the codec)', async () => {
    const old = plain({ before: 'codec' });
    expect(await codec.decode([old])).toEqual([old]);
  });

  test('bad keys are refused when the codec is made', () => {
    expect(() => createEncryptionCodec({ keys: { short: randomBytes(16) }, currentKeyId: 'short' })).toThrow("encryption key 'short' must be 32 bytes (AES-256), got 16");
    expect(() => createEncryptionCodec({ keys: { k1 }, currentKeyId: 'k9' })).toThrow("currentKeyId 'k9' is not one of the keys (k1)");
    expect(() => createEncryptionCodec({ keys: { 'with space': k1 }, currentKeyId: 'with space' })).toThrow(/printable ASCII/);
  });

  test('the codec keeps its own copy of the key', async () => {
    const key = Buffer.from(k1);
    const codec2 = createEncryptionCodec({ keys: { k: key }, currentKeyId: 'k' });
    const encoded = await codec2.encode([plain('v')]);
    key.fill(0);
    expect((await codec2.decode(encoded)).map(value)).toEqual(['v']);
  });
});

describe('codec server', () => {
  const codec = createEncryptionCodec({ keys: { k1 }, currentKeyId: 'k1' });
  const token = 's3cret-codec-token';
  const ui = 'http://localhost:8233';
  let server: RunningCodecServer;
  beforeAll(async () => {
    server = await startCodecServer({ codec, token, corsOrigins: [ui], corsCredentials: true, maxBodyBytes: 64 * 1024 });
  });
  afterAll(() => server?.close());

  const toJson = (p: Payload) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}),
  });
  const fromJson = (j: { metadata?: Record<string, string>; data?: string }): Payload => ({
    metadata: Object.fromEntries(Object.entries(j.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(j.data ?? '', 'base64'),
  });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'X-Namespace': 'default', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  test('listens on 127.0.0.1 by default', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('decode and encode for the right token, also under a namespace path', async () => {
    const encoded = await codec.encode([plain({ vars: { region: 'eu' } })]);
    for (const path of ['/decode', '/default/decode']) {
      const res = await post(path, { payloads: encoded.map(toJson) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      const body = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
      expect(body.payloads.map(fromJson).map(value)).toEqual([{ vars: { region: 'eu' } }]);
    }
    const res = await post('/encode', { payloads: [toJson(plain('from the UI'))] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    const reencoded = body.payloads.map(fromJson);
    expect(text(reencoded[0]!.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect((await codec.decode(reencoded)).map(value)).toEqual(['from the UI']);
  });

  test('refuses a missing or wrong token with 401, decoding nothing', async () => {
    const encoded = await codec.encode([plain('hidden-value')]);
    for (const authorization of [undefined, 'Bearer wrong', `bearer ${token}x`, token]) {
      const headers: Record<string, string> = authorization === undefined ? { Authorization: '' } : { Authorization: authorization };
      const res = await post('/decode', { payloads: encoded.map(toJson) }, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.text()).not.toContain(Buffer.from('hidden-value').toString('base64'));
    }
  });

  test('CORS: the UI origin gets its preflight and its answers, any other origin is refused', async () => {
    const preflight = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: ui, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace,authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ui);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toBe('content-type, x-namespace, authorization');

    const ok = await post('/decode', { payloads: [] }, { Origin: ui });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ui);

    for (const method of ['OPTIONS', 'POST'] as const) {
      const res = await fetch(`${server.url}/decode`, {
        method,
        headers: { Origin: 'http://evil.example', 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        ...(method === 'POST' ? { body: JSON.stringify({ payloads: [] }) } : {}),
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  test('bad requests get the right status and a message', async () => {
    const [tampered] = await codec.encode([plain('x')]);
    const cases: [string, () => Promise<Response>, number, RegExp][] = [
      ['unknown path', () => post('/metrics', { payloads: [] }), 404, /POST \/encode and POST \/decode/],
      ['GET', () => fetch(`${server.url}/decode`, { headers: { Authorization: `Bearer ${token}` } }), 405, /method GET/],
      ['not JSON', () => post('/decode', '{', {}), 400, /not JSON/],
      ['no payloads array', () => post('/decode', { payload: [] }), 400, /payloads/],
      ['bad base64', () => post('/decode', { payloads: [{ data: '@@@' }] }), 400, /payloads\[0\] is not a Temporal payload/],
      ['text/plain', () => post('/decode', { payloads: [] }, { 'Content-Type': 'text/plain' }), 415, /application\/json/],
      ['too large', () => post('/decode', { payloads: [{ data: 'A'.repeat(100_000) }] }), 413, /larger than 65536 bytes/],
      [
        'tampered payload',
        () => post('/decode', { payloads: [{ ...toJson(tampered!), data: Buffer.from(tampered!.data!).fill(7, 12, 14).toString('base64') }] }),
        422,
        /could not decode the payloads: encrypted payload failed authentication with key 'k1'/,
      ],
    ];
    for (const [name, send, status, message] of cases) {
      const res = await send();
      expect([name, res.status]).toEqual([name, status]);
      expect([name, ((await res.json()) as { message: string }).message]).toEqual([name, expect.stringMatching(message)]);
    }
  });

  test('chained codecs run in data-converter order', async () => {
    const calls: string[] = [];
    const tag = (name: string): PayloadCodec => ({
      encode: (p) => (calls.push(`encode ${name}`), Promise.resolve(p)),
      decode: (p) => (calls.push(`decode ${name}`), Promise.resolve(p)),
    });
    const chained = await startCodecServer({ codec: [tag('a'), tag('b')] });
    try {
      for (const action of ['encode', 'decode']) {
        const res = await fetch(`${chained.url}/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"payloads":[]}' });
        expect(res.status).toBe(200);
      }
    } finally {
      await chained.close();
    }
    expect(calls).toEqual(['encode a', 'encode b', 'decode b', 'decode a']);
  });
});

describe('a pipeline on a worker and client with the codec', () => {
  const codec = createEncryptionCodec({ keys: { old: k1, current: k2 }, currentKeyId: 'current' });
  const VAR_MARKER = 'dbt-var-in-clear-7f3a91';
  const ARG_MARKER = 'activity-arg-in-clear-c2e817';
  let env: AirbyteTestEnvironment;
  let codecServer: RunningCodecServer;

  beforeAll(async () => {
    env = await startTestEnvironment({
      dataConverter: { payloadCodecs: [codec] },
      activities: { echoArgs: (...args: unknown[]) => Promise.resolve({ echoed: args }) },
      dbt: {
        projectDir: resolve('test/fixtures/dbt-project'),
        env: { DBT_DUCKDB_PATH: join(mkdtempSync(join(tmpdir(), 'codec-dbt-')), 'warehouse.duckdb') },
      },
    });
    codecServer = await startCodecServer({ codec, token: 'cli-token' });
  }, 300_000);
  afterAll(async () => {
    await codecServer?.close();
    await env?.close();
  });

  test('dbt vars and activity args are nowhere in the raw history; the codec server shows them to the CLI', async () => {
    const workflowId = `codec-pipeline-${Date.now()}`;
    const result = await env.syncs.runPipeline(
      {
        name: 'encrypted',
        steps: [
          { id: 'transform', kind: 'dbt', command: 'run', select: ['customers'], vars: { marker: VAR_MARKER } },
          { id: 'notify', kind: 'activity', activity: 'echoArgs', args: [ARG_MARKER], dependsOn: ['transform'] },
        ],
      },
      { workflowId },
    );
    // The client decrypts: the caller sees its values.
    expect(result.status).toBe('succeeded');
    expect(result.steps.find((s) => s.id === 'notify')?.result).toEqual({ echoed: [ARG_MARKER] });

    // History as the server stores it (fetchHistory does not decode).
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const raw = JSON.stringify(history, (_, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    expect(raw).toContain('dbtRun'); // the history was read: the activity is in it
    expect(raw).not.toContain(VAR_MARKER);
    expect(raw).not.toContain(ARG_MARKER);
    const payloads = collectPayloads(history);
    expect(payloads.length).toBeGreaterThan(4); // input, activity inputs and results, the result
    for (const p of payloads) {
      expect(text(p.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
      expect(text(p.metadata?.[METADATA_ENCRYPTION_KEY_ID])).toBe('current');
    }

    // The Temporal CLI reads it through the codec server, with the token; without the codec it sees ciphertext.
    const executable = resolveTemporalCli();
    if (executable.type !== 'existing-path') throw new Error('this test runs the Temporal CLI: install it (scripts/install-temporal-cli.mjs)');
    const cli = executable.path;
    const base = ['workflow', 'show', '--workflow-id', workflowId, '--address', process.env.TEMPORAL_TEST_ADDRESS!, '--output', 'json'];
    const decoded = await run(cli, [...base, '--codec-endpoint', codecServer.url, '--codec-auth', 'Bearer cli-token'], { maxBuffer: 64 * 1024 * 1024 });
    expect(decodedText(decoded.stdout)).toContain(VAR_MARKER);
    expect(decodedText(decoded.stdout)).toContain(ARG_MARKER);
    const encrypted = await run(cli, base, { maxBuffer: 64 * 1024 * 1024 });
    expect(decodedText(encrypted.stdout)).not.toContain(VAR_MARKER);
    const refused = await run(cli, [...base, '--codec-endpoint', codecServer.url, '--codec-auth', 'Bearer wrong']).then(
      (r) => r.stdout,
      (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
    expect(decodedText(refused)).not.toContain(VAR_MARKER);
  });
});

/**
 * Every Payload in a history: objects with a `metadata` map of bytes (data may be absent). Search attributes are
 * left out: they are the server's index, never encoded by a codec (and this package puts only ids, statuses and
 * names in them).
 */
function collectPayloads(node: unknown, found: Payload[] = []): Payload[] {
  if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return found;
  const record = node as Record<string, unknown>;
  const metadata = record.metadata as Record<string, unknown> | undefined;
  if (metadata && typeof metadata === 'object' && Object.values(metadata).some((v) => v instanceof Uint8Array) && METADATA_ENCODING_KEY in metadata) {
    found.push(record);
    return found;
  }
  for (const [key, child] of Object.entries(record)) if (key !== 'searchAttributes') collectPayloads(child, found);
  return found;
}

/** The CLI's JSON shows payload data as base64 or as JSON: look in both. */
function decodedText(output: string): string {
  const base64 = output.match(/"[A-Za-z0-9+/]{16,}={0,2}"/g) ?? [];
  return [output, ...base64.map((s) => Buffer.from(s.slice(1, -1), 'base64').toString('utf8'))].join('\n');
}
