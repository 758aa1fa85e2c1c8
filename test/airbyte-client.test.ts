import { inspect } from 'node:util';
import axios from 'axios';
import { AirbyteApiError, AirbyteClient, AirbyteConfigError, deriveConfigApiUrl, resolveInstanceConfig } from '../src/airbyte';
import { createAuthenticator } from '../src/airbyte/auth';
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
    const http = axios.create({ baseURL: mock.publicApiUrl, headers: { 'User-Agent': 'test' } });
    const auth = createAuthenticator({ type: 'clientCredentials', ...mock.credentials! }, http, () => now);
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

  test('a response of the wrong shape is an invalid-response error naming the field', async () => {
    mock.injectFault({ path: '/jobs', method: 'GET', kind: 'status', status: 200, body: { data: [{ jobId: 'x' }] } });
    const err = await client.listJobs().catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'invalid-response', retryable: false });
    expect((err as Error).message).toMatch(/data\.0\.jobId/);
  });
});
