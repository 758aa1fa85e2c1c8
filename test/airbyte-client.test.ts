import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { AirbyteApiError, AirbyteClient, AirbyteConfigError, deriveConfigApiUrl, resolveInstanceConfig, type AirbyteInstanceConfig } from '../src/airbyte';
import { isRetryableStatus, parseRetryAfter } from '../src/airbyte/errors';
import { createAuthenticator } from '../src/airbyte/auth';
import { SecretRedactor } from '../src/airbyte/redact';
import { HttpTransport } from '../src/airbyte/transport';
import { jobSchema, connectionsPageSchema } from '../src/airbyte/schemas';
import { MockAirbyteServer } from '../src/testing';

let mock: MockAirbyteServer;
let client: AirbyteClient;

beforeAll(async () => {
  mock = await MockAirbyteServer.start({ auth: { bearerTokens: ['static-token'], basic: { username: 'airbyte', password: 'pw' } } });
});
afterAll(async () => {
  await mock?.close();
});
beforeEach(() => {
  mock.reset();
  client = new AirbyteClient({ url: mock.publicApiUrl, ...mock.credentials!, requestTimeoutMs: 1_000 });
});

const tokenRequests = () => mock.requestsTo('POST', '/applications/token').length;

describe('auth', () => {
  test('client credentials: one token serves many calls, concurrent calls share one token request', async () => {
    const { connectionId } = mock.addConnection();
    await Promise.all([client.getConnection(connectionId), client.getConnection(connectionId), client.listJobs()]);
    await client.getConnection(connectionId);
    expect(tokenRequests()).toBe(1);
    expect(mock.requests.filter((r) => r.path !== '/applications/token').every((r) => r.auth === 'bearer')).toBe(true);
  });

  test('a 401 drops the token, fetches a new one and retries the call once', async () => {
    const { connectionId } = mock.addConnection();
    await client.getConnection(connectionId);
    mock.expireTokens();
    await expect(client.getConnection(connectionId)).resolves.toMatchObject({ connectionId });
    expect(tokenRequests()).toBe(2);
    expect(mock.requestsTo('GET', `/connections/${connectionId}`).map((r) => r.status)).toEqual([200, 401, 200]);
  });

  test('a second 401 is not retried again and is not retryable', async () => {
    const { connectionId } = mock.addConnection();
    mock.injectFault({ path: `/connections/${connectionId}`, kind: 'status', status: 401, times: 2 });
    const err = await client.getConnection(connectionId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AirbyteApiError);
    expect(err).toMatchObject({ status: 401, retryable: false });
    expect(mock.requestsTo('GET', `/connections/${connectionId}`)).toHaveLength(2);
  });

  test('the token is renewed before expires_in runs out', async () => {
    let now = 1_000_000;
    const transport = new HttpTransport({ timeoutMs: 5_000, maxResponseBytes: 1_000_000, userAgent: 'test', redactor: new SecretRedactor() });
    const auth = createAuthenticator({ type: 'clientCredentials', ...mock.credentials! }, transport, {
      tokenUrl: `${mock.publicApiUrl}/applications/token`,
      now: () => now,
    });
    const first = await auth.header();
    now += 839_000; // 900 s lifetime, renewed 60 s early: still the same token at 839 s
    expect(await auth.header()).toBe(first);
    now += 2_000; // 841 s
    expect(await auth.header()).not.toBe(first);
    expect(tokenRequests()).toBe(2);
  });

  test('wrong client credentials give a clear, non-retryable error without the secret', async () => {
    const bad = new AirbyteClient({ url: mock.publicApiUrl, clientId: 'who', clientSecret: 'super-secret-value' });
    const err = await bad.listJobs().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AirbyteApiError);
    expect(err).toMatchObject({ status: 401, retryable: false });
    expect((err as Error).message).toMatch(/client credentials were rejected/);
    expect(inspect(err, { depth: 10 }) + JSON.stringify(err)).not.toContain('super-secret-value');
  });

  test('bearer token and basic auth', async () => {
    const { connectionId } = mock.addConnection();
    await new AirbyteClient({ url: mock.publicApiUrl, bearerToken: 'static-token' }).getConnection(connectionId);
    await new AirbyteClient({ url: mock.publicApiUrl, username: 'airbyte', password: 'pw' }).getConnection(connectionId);
    expect(mock.requests.map((r) => r.auth)).toEqual(['bearer', 'basic']);
    const err = await new AirbyteClient({ url: mock.publicApiUrl, bearerToken: 'wrong-token' }).getConnection(connectionId).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 401, title: 'invalid-api-key', retryable: false });
    expect(inspect(err, { depth: 10 })).not.toContain('wrong-token');
  });

  test.each<[string, object, RegExp]>([
    ['two modes', { clientId: 'a', clientSecret: 'b', bearerToken: 'c' }, /exactly one auth mode .* got clientId \+ clientSecret and bearerToken/],
    ['no mode', {}, /exactly one auth mode .* got none/],
    ['half of client credentials', { clientId: 'a' }, /clientSecret is missing/],
    ['half of basic auth', { username: 'a' }, /password is missing/],
  ])('config with %s is rejected', (_, auth, message) => {
    expect(() => new AirbyteClient({ url: mock.publicApiUrl, ...auth })).toThrow(AirbyteConfigError);
    expect(() => new AirbyteClient({ url: mock.publicApiUrl, ...auth })).toThrow(message);
  });

  test.each<[string, Partial<AirbyteInstanceConfig>, RegExp]>([
    ['credentials in the URL', { url: 'http://admin:hunter2@airbyte.local:8000/api/public/v1' }, /url must not contain credentials/],
    ['a user name in the URL', { url: 'https://admin@api.example.com/v1' }, /url must not contain credentials/],
    ['a file: URL', { url: 'file:///etc/passwd' }, /url must be an http:\/\/ or https:\/\/ URL, not file:/],
    ['a javascript: URL', { url: 'javascript:alert(1)' }, /url must be an http:\/\/ or https:\/\/ URL, not javascript:/],
    ['a query in the URL', { url: 'https://api.example.com/v1?key=1' }, /url must not have a query or a fragment/],
    ['credentials in configApiUrl', { configApiUrl: 'http://u:hunter2@airbyte.local/api/v1' }, /configApiUrl must not contain credentials/],
    ['an ftp: configApiUrl', { configApiUrl: 'ftp://airbyte.local/api/v1' }, /configApiUrl must be an http/],
    ['a file: tokenUrl', { tokenUrl: 'file:///tmp/token', clientId: 'a', clientSecret: 'b', noAuth: undefined }, /tokenUrl must be an http/],
    ['credentials in tokenUrl', { tokenUrl: 'https://u:hunter2@auth.example.com/token', clientId: 'a', clientSecret: 'b', noAuth: undefined }, /tokenUrl must not contain credentials/],
    ['a tokenUrl without client credentials', { tokenUrl: 'https://auth.example.com/token' }, /tokenUrl is only used with clientId \+ clientSecret/],
    ['a timeout below 100 ms', { requestTimeoutMs: 99 }, /requestTimeoutMs must be between 100 and 600000 ms/],
    ['a timeout above 10 minutes', { createJobTimeoutMs: 600_001 }, /createJobTimeoutMs must be between 100 and 600000 ms/],
    ['a timeout Node would clamp to 1 ms', { requestTimeoutMs: 2 ** 31 }, /requestTimeoutMs must be between/],
    ['a fractional timeout', { requestTimeoutMs: 1_000.5 }, /requestTimeoutMs must be a whole number of milliseconds/],
    ['a tiny response cap', { maxResponseBytes: 10 }, /maxResponseBytes must be between 1024 and 1073741824 bytes/],
  ])('an instance with %s is rejected, naming the field and not the secret', (_, fields, message) => {
    const config = { url: 'https://api.example.com/v1', noAuth: true, ...fields };
    expect(() => resolveInstanceConfig(config)).toThrow(AirbyteConfigError);
    expect(() => resolveInstanceConfig(config)).toThrow(message);
    expect(() => resolveInstanceConfig(config)).not.toThrow(/hunter2/);
  });

  test('timeouts at the ends of the range, a tokenUrl and a response cap are accepted', () => {
    expect(
      resolveInstanceConfig({ url: 'https://api.example.com/v1/', clientId: 'a', clientSecret: 'b', requestTimeoutMs: 100, createJobTimeoutMs: 600_000 }),
    ).toMatchObject({ requestTimeoutMs: 100, createJobTimeoutMs: 600_000, tokenUrl: 'https://api.example.com/v1/applications/token', maxResponseBytes: 10 * 1024 * 1024 });
    expect(
      resolveInstanceConfig({ url: 'https://api.example.com/v1', clientId: 'a', clientSecret: 'b', tokenUrl: 'https://auth.example.com/t', maxResponseBytes: 2048 }),
    ).toMatchObject({ tokenUrl: 'https://auth.example.com/t', maxResponseBytes: 2048 });
  });

  test('a URL that is a bare host is rejected with a hint', () => {
    expect(() => resolveInstanceConfig({ url: 'http://airbyte.local:8000', noAuth: true })).toThrow(/public API base/);
    expect(() => resolveInstanceConfig({ url: 'airbyte.local', noAuth: true })).toThrow(/url/);
  });
});

describe('base URLs', () => {
  test('Cloud-style and self-managed bases both work, and the Config API URL is derived', async () => {
    const { connectionId } = mock.addConnection();
    const cloudStyle = new AirbyteClient({ url: mock.cloudStyleUrl, ...mock.credentials! });
    await expect(cloudStyle.getConnection(connectionId)).resolves.toMatchObject({ connectionId });
    expect(deriveConfigApiUrl('https://api.airbyte.com/v1')).toBe('https://cloud.airbyte.com/api/v1');
    expect(deriveConfigApiUrl('http://host:8000/api/public/v1/')).toBe('http://host:8000/api/v1');
    expect(deriveConfigApiUrl('http://host/custom')).toBeUndefined();
  });

  test('the Configuration API gives per-stream stats and failure reasons', async () => {
    const ok = mock.addConnection({ script: { phases: [], streams: [{ name: 'users', records: 3, bytes: 30 }] } });
    const failing = mock.addConnection({ script: { phases: [], outcome: 'failed', failureMessage: 'boom' } });
    const [good, bad] = await Promise.all([ok, failing].map((c) => client.createJob({ connectionId: c.connectionId, jobType: 'sync' })));
    await mock.waitFor(() => mock.job(good!.jobId)?.status === 'succeeded' && mock.job(bad!.jobId)?.status === 'failed');

    const details = await client.getJobDetails(good!.jobId);
    expect(details.attempts.at(-1)?.streams).toEqual([
      { name: 'users', namespace: undefined, recordsEmitted: 3, bytesEmitted: 30, recordsCommitted: 3, bytesCommitted: 30 },
    ]);
    const failed = await client.getJobDetails(bad!.jobId);
    expect(failed.attempts.flatMap((a) => a.failures).map((f) => f.message)).toContain('boom');
  });
});

describe('jobs', () => {
  test('create, get, cancel; cancel of a finished job changes nothing', async () => {
    const { connectionId } = mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
    const created = await client.createJob({ connectionId, jobType: 'sync' });
    expect(created).toMatchObject({ connectionId, jobType: 'sync' });
    expect((await client.getJob(created.jobId)).jobId).toBe(created.jobId);
    expect((await client.cancelJob(created.jobId)).status).toBe('cancelled');
    expect((await client.cancelJob(created.jobId)).status).toBe('cancelled');
  });

  test('409 already running is a typed, retryable error with Airbyte\'s message', async () => {
    const { connectionId } = mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
    mock.startJob(connectionId);
    const err = (await client.createJob({ connectionId, jobType: 'sync' }).catch((e: unknown) => e)) as AirbyteApiError;
    expect(err).toMatchObject({ status: 409, title: 'try-again-later', retryable: true, endpoint: 'POST /jobs', isAlreadyRunning: true });
    expect(err.airbyteMessage).toBe(`A sync is already running for: ${connectionId}`);
    expect(err.message).toContain(`A sync is already running for: ${connectionId}`);
  });

  test('listing filters, orders newest first, and paginates to the end', async () => {
    const { connectionId } = mock.addConnection({ script: { phases: [] } });
    const other = mock.addConnection({ script: { phases: [] } });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const job = mock.startJob(connectionId);
      await mock.waitFor(() => mock.job(job.jobId)?.status === 'succeeded');
      ids.push(job.jobId);
    }
    mock.startJob(other.connectionId);

    const newest = await client.listJobs({ connectionId, orderBy: 'createdAt|DESC' }, { limit: 2 });
    expect(newest.data.map((j) => j.jobId)).toEqual([ids[4], ids[3]]);

    const listCalls = () => mock.requestsTo('GET', '/jobs').length;
    let before = listCalls();
    const all: number[] = [];
    for await (const job of client.iterateJobs({ connectionId }, { pageSize: 2 })) all.push(job.jobId);
    expect(all).toEqual(ids);
    expect(listCalls() - before).toBe(3); // 2 + 2 + 1: a short page ends it, whatever `next` says

    before = listCalls();
    const four: number[] = [];
    for await (const job of client.iterateJobs({ connectionId }, { pageSize: 2, max: 4 })) four.push(job.jobId);
    expect(four).toHaveLength(4);
    expect(listCalls() - before).toBe(2);
  });

  test('unknown job ids are a non-retryable 404', async () => {
    const err = await client.getJob(987_654).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, title: 'resource-not-found', retryable: false });
  });
});

describe('connections and workspaces', () => {
  test('connections paginate; a workspace is read', async () => {
    const workspace = mock.addWorkspace({ name: 'acme' });
    for (let i = 0; i < 3; i++) mock.addConnection({ workspaceId: workspace.workspaceId, name: `c${i}` });
    const names: string[] = [];
    for await (const c of client.iterateConnections({ workspaceIds: [workspace.workspaceId] }, { pageSize: 2 })) names.push(c.name);
    expect(names).toEqual(['c0', 'c1', 'c2']);
    await expect(client.getWorkspace(workspace.workspaceId)).resolves.toMatchObject({ name: 'acme' });
  });
});

describe('errors', () => {
  test('429 carries Retry-After; 5xx is retryable; a reset on a write is ambiguous; a slow answer times out', async () => {
    const { connectionId } = mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
    mock.injectFault({ path: '/jobs', method: 'GET', kind: 'status', status: 429, retryAfterSeconds: 7 });
    expect(await client.listJobs().catch((e: unknown) => e)).toMatchObject({ status: 429, retryable: true, retryAfterMs: 7_000 });
    mock.injectFault({ path: '/jobs', method: 'GET', kind: 'status', status: 429 });
    expect(await client.listJobs().catch((e: unknown) => e)).toMatchObject({ status: 429, retryable: true, retryAfterMs: undefined });
    mock.injectFault({ path: '/jobs', method: 'GET', kind: 'status', status: 502 });
    expect(await client.listJobs().catch((e: unknown) => e)).toMatchObject({ status: 502, retryable: true, ambiguous: false });
    mock.injectFault({ path: '/jobs', method: 'POST', kind: 'handle-then-reset' });
    expect(await client.createJob({ connectionId, jobType: 'sync' }).catch((e: unknown) => e)).toMatchObject({
      kind: 'network',
      retryable: true,
      ambiguous: true,
    });
    mock.injectFault({ path: '/jobs', method: 'GET', kind: 'latency', ms: 3_000 });
    expect(await client.listJobs().catch((e: unknown) => e)).toMatchObject({ kind: 'timeout', retryable: true });
  });

  test('only the "already running" 409 is retryable; any other 409 fails at once with Airbyte\'s message', async () => {
    const inactive = mock.addConnection({ status: 'inactive' });
    const stateConflict = await client.createJob({ connectionId: inactive.connectionId, jobType: 'sync' }).catch((e: unknown) => e);
    expect(stateConflict).toMatchObject({ status: 409, title: 'state-conflict', retryable: false, isAlreadyRunning: false, ambiguous: false });
    expect((stateConflict as Error).message).toContain(`Connection ${inactive.connectionId} is inactive.`);

    const { connectionId } = mock.addConnection();
    const create = () => client.createJob({ connectionId, jobType: 'sync' }).catch((e: unknown) => e);
    mock.injectFault({ path: '/jobs', method: 'POST', kind: 'status', status: 409, body: { message: 'The connection is locked.' } });
    const locked = await create();
    expect(locked).toMatchObject({ status: 409, title: undefined, retryable: false, airbyteMessage: 'The connection is locked.' });
    expect((locked as Error).message).toContain('The connection is locked.');
    // The Config API's form of "already running": no title, only the message.
    mock.injectFault({ path: '/jobs', method: 'POST', kind: 'status', status: 409, body: { message: `A sync is already running for: ${connectionId}` } });
    expect(await create()).toMatchObject({ status: 409, retryable: true, isAlreadyRunning: true });
    mock.injectFault({ path: '/jobs', method: 'POST', kind: 'status', status: 409, body: { title: 'state-conflict', data: { message: 'already running, allegedly' } } });
    expect(await create()).toMatchObject({ status: 409, retryable: false, isAlreadyRunning: false });
    expect(mock.jobs({ connectionId })).toEqual([]);
  });

  test.each<[number, boolean, boolean]>([
    // status, retryable, ambiguous on POST /jobs
    [408, true, false],
    [429, true, false],
    [500, true, true],
    [501, false, false],
    [502, true, true],
    [503, true, false],
    [504, true, true],
    [505, false, false],
    [400, false, false],
    [422, false, false],
  ])('POST /jobs answered %i: retryable %s, ambiguous %s', async (status, retryable, ambiguous) => {
    const { connectionId } = mock.addConnection();
    mock.injectFault({ path: '/jobs', method: 'POST', kind: 'status', status });
    const err = await client.createJob({ connectionId, jobType: 'sync' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'http', status, retryable, ambiguous });
    mock.injectFault({ path: '/jobs', method: 'GET', kind: 'status', status });
    expect(await client.listJobs().catch((e: unknown) => e)).toMatchObject({ status, retryable, ambiguous: false }); // a read is never ambiguous
  });

  test('a refused connection on a write is retryable but not ambiguous: the request never arrived', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const nowhere = new AirbyteClient({ url: `http://127.0.0.1:${port}/api/public/v1`, bearerToken: 'static-token' });
    const err = await nowhere.createJob({ connectionId: 'c', jobType: 'sync' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'network', retryable: true, ambiguous: false });
    expect((err as Error).message).toContain('ECONNREFUSED');
  });

  test('Retry-After 0 asks for no particular delay', async () => {
    mock.injectFault({ path: '/jobs', method: 'GET', kind: 'status', status: 429, retryAfterSeconds: 0 });
    const err = await client.listJobs().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, retryable: true });
    expect((err as AirbyteApiError).retryAfterMs).toBeUndefined();
  });

  test('no error, message or inspection shows the Authorization header or a token', async () => {
    const withBearer = new AirbyteClient({ url: mock.publicApiUrl, bearerToken: 'static-token', requestTimeoutMs: 200 });
    mock.injectFault({ path: '/jobs', method: 'GET', kind: 'latency', ms: 1_000 });
    mock.injectFault({ path: '/jobs', method: 'GET', kind: 'reset' });
    for (const err of [await withBearer.listJobs().catch((e: unknown) => e), await withBearer.listJobs().catch((e: unknown) => e)]) {
      expect(err).toBeInstanceOf(AirbyteApiError);
      const seen = `${inspect(err, { depth: 20, showHidden: true })} ${JSON.stringify(err)} ${(err as Error).stack}`;
      expect(seen).not.toContain('static-token');
      expect(seen).not.toMatch(/authorization/i);
    }
  });
});

describe('classification helpers', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  test.each<[string | undefined, number | undefined]>([
    ['7', 7_000],
    [' 120 ', 120_000],
    ['Sun, 01 Mar 2026 12:00:30 GMT', 30_000],
    ['0', undefined],
    ['Sun, 01 Mar 2026 12:00:00 GMT', undefined], // now
    ['Sun, 01 Mar 2026 11:00:00 GMT', undefined], // the past
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('Retry-After %p is %p ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  test('a delay of 0 never survives into an error', () => {
    expect(new AirbyteApiError({ kind: 'http', endpoint: 'GET /jobs', retryable: true, retryAfterMs: 0 }).retryAfterMs).toBeUndefined();
    expect(new AirbyteApiError({ kind: 'http', endpoint: 'GET /jobs', retryable: true, retryAfterMs: -1 }).retryAfterMs).toBeUndefined();
  });

  test('retryable statuses', () => {
    expect([400, 401, 403, 404, 409, 422, 501, 505].filter(isRetryableStatus)).toEqual([]);
    expect([408, 429, 500, 502, 503, 504, 507, 522].every(isRetryableStatus)).toBe(true);
  });
});

describe('tolerant parsing', () => {
  test('extra fields, nulls for optional fields and unknown statuses are accepted', () => {
    const job = jobSchema.parse({
      jobId: 1,
      status: 'waiting_for_capacity',
      jobType: 'sync',
      startTime: '2026-01-01T00:00:00Z',
      connectionId: 'c',
      duration: null,
      rowsSynced: null,
      somethingNew: { nested: true },
    });
    expect(job).toMatchObject({ status: 'waiting_for_capacity', duration: undefined, rowsSynced: undefined });
    expect(job).not.toHaveProperty('somethingNew');
    expect(connectionsPageSchema.parse({ data: null }).data).toEqual([]);
  });

  test('a response of the wrong shape is a retryable invalid-response error naming the field', async () => {
    mock.injectFault({ path: '/jobs', method: 'GET', kind: 'status', status: 200, body: { data: [{ jobId: 'x' }] } });
    const err = await client.listJobs().catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'invalid-response', retryable: true, ambiguous: false });
    expect((err as Error).message).toMatch(/data\.0\.jobId/);
  });

  test('an HTML page with status 200 on a read is a retryable, unambiguous invalid-response', async () => {
    const { connectionId } = mock.addConnection();
    const page = '<!DOCTYPE html><html><body><h1>Gateway hiccup</h1></body></html>';
    mock.injectFault({ path: `/connections/${connectionId}`, kind: 'status', status: 200, body: page, contentType: 'text/html; charset=utf-8' });
    const err = await client.getConnection(connectionId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AirbyteApiError);
    expect(err).toMatchObject({ kind: 'invalid-response', status: 200, retryable: true, ambiguous: false, endpoint: `GET /connections/${connectionId}` });
    expect((err as Error).message).toMatch(/HTML page/);
    expect((err as Error).message).not.toContain('Gateway hiccup'); // the page itself is not carried along

    // Labelled JSON but an HTML body, or HTML labelled JSON: both are caught.
    mock.injectFault({ path: `/connections/${connectionId}`, kind: 'status', status: 200, body: page, contentType: 'application/json' });
    expect(await client.getConnection(connectionId).catch((e: unknown) => e)).toMatchObject({ kind: 'invalid-response', retryable: true });
    mock.injectFault({ path: `/connections/${connectionId}`, kind: 'status', status: 200, body: { connectionId }, contentType: 'text/html' });
    expect(await client.getConnection(connectionId).catch((e: unknown) => e)).toMatchObject({ kind: 'invalid-response', retryable: true });
    await expect(client.getConnection(connectionId)).resolves.toMatchObject({ connectionId });
  });

  test('a truncated answer to POST /jobs is an ambiguous, retryable invalid-response: the job exists', async () => {
    const { connectionId } = mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
    mock.injectFault({ path: '/jobs', method: 'POST', kind: 'handle-then-truncate' });
    const err = await client.createJob({ connectionId, jobType: 'sync' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'invalid-response', endpoint: 'POST /jobs', status: 200, retryable: true, ambiguous: true });
    expect(mock.jobs({ connectionId })).toMatchObject([{ status: 'running' }]);
  });

  test('a 200 without a jobId on POST /jobs is ambiguous too', async () => {
    const { connectionId } = mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
    mock.injectFault({ path: '/jobs', method: 'POST', kind: 'handle-then-replace', status: 200, body: {} });
    const err = await client.createJob({ connectionId, jobType: 'sync' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'invalid-response', retryable: true, ambiguous: true });
    expect((err as Error).message).toMatch(/jobId/);
    expect(mock.jobs({ connectionId })).toHaveLength(1);
  });
});
