/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers (expect.any) are typed any */
import { request as httpRequest } from 'node:http';
import { MockAirbyteServer, runStandalone, type MockConnectionSeed, type MockJob } from '../src/testing/mock-airbyte';

// The mock Airbyte server over plain HTTP: shapes, status codes, lifecycle and faults.

interface Res<T> {
  status: number;
  headers: Headers;
  body: T;
}
interface Job {
  jobId: number;
  status: string;
  jobType: string;
  startTime: string;
  connectionId: string;
  lastUpdatedAt?: string;
  duration?: string;
  rowsSynced?: number;
  bytesSynced?: number;
}
interface Page<T> {
  data: T[];
  next?: string;
  previous?: string;
}
interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  data: { message?: string; resourceType?: string; resourceId?: string };
}

let server: MockAirbyteServer;
let token = '';
const UA = 'mock-airbyte-test/1.0';
const HOLD = { phases: [{ status: 'running', ms: Infinity }] }; // a job that runs until finished by hand

async function call<T = Record<string, unknown>>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
  const res = await fetch(url.startsWith('http') ? url : `${server.publicApiUrl}${url}`, {
    method,
    headers: { 'user-agent': UA, authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** The answer as text, for faults whose body is not JSON. */
async function raw(method: string, path: string, body?: unknown): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${server.publicApiUrl}${path}`, {
    method,
    headers: { 'user-agent': UA, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

async function newToken(): Promise<string> {
  const res = await call<{ access_token: string }>('POST', '/applications/token', { client_id: server.credentials!.clientId, client_secret: server.credentials!.clientSecret, grant_type: 'client_credentials' });
  return res.body.access_token;
}

const connection = (seed: MockConnectionSeed = {}) => server.addConnection(seed).connectionId;
const createJob = (connectionId: string, jobType = 'sync') => call<Job>('POST', '/jobs', { connectionId, jobType });
const ended = (jobId: number) => () => ['succeeded', 'failed', 'cancelled'].includes(server.job(jobId)?.status ?? '');

beforeAll(async () => {
  server = await MockAirbyteServer.start();
  token = await newToken();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

describe('auth', () => {
  test('issues tokens from JSON and form bodies, and redacts the secret in the record', async () => {
    const { clientId, clientSecret } = server.credentials!;
    const json = await call('POST', '/applications/token', { client_id: clientId, client_secret: clientSecret });
    expect(json.status).toBe(200);
    expect(json.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900 });

    const form = await fetch(`${server.cloudStyleUrl}/applications/token`, {
      method: 'POST',
      headers: { 'user-agent': UA, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: 'client_credentials' }),
    });
    expect(form.status).toBe(200);
    expect(server.requests.map((r) => r.body)).toEqual([
      { client_id: clientId, client_secret: '[redacted]' },
      { client_id: clientId, client_secret: '[redacted]', grant_type: 'client_credentials' },
    ]);
    expect(JSON.stringify(server.requests)).not.toContain(clientSecret);
  });

  test('bad credentials, no token and expired tokens get a 401 invalid-api-key problem', async () => {
    const bad = await call<Problem>('POST', '/applications/token', { client_id: server.credentials!.clientId, client_secret: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('content-type')).toBe('application/json');
    expect(bad.body).toMatchObject({ title: 'invalid-api-key', status: 401, type: expect.stringContaining('invalid-api-key') });
    expect((await call('GET', '/jobs', undefined, { authorization: '' })).status).toBe(401);

    expect((await call('GET', '/jobs')).status).toBe(200);
    server.expireTokens();
    expect((await call<Problem>('GET', '/jobs')).body.title).toBe('invalid-api-key');
    token = await newToken();
    expect((await call('GET', '/jobs')).status).toBe(200);
  });

  test('tokens expire after their lifetime on the real clock', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'queueMicrotask', 'hrtime', 'performance'] });
    try {
      jest.setSystemTime(Date.now() + 899_000);
      expect((await call('GET', '/jobs')).status).toBe(200);
      jest.setSystemTime(Date.now() + 2_000);
      expect((await call('GET', '/jobs')).status).toBe(401);
    } finally {
      jest.useRealTimers();
    }
    token = await newToken();
  });

  test('static bearer tokens, basic auth and no auth', async () => {
    const other = await MockAirbyteServer.start({ auth: { bearerTokens: ['static'], basic: { username: 'u', password: 'p' } } });
    const open = await MockAirbyteServer.start({ auth: 'none', requireUserAgent: false });
    try {
      const get = (base: string, authorization: string) => call('GET', `${base}/jobs`, undefined, { authorization });
      expect((await get(other.publicApiUrl, 'Bearer static')).status).toBe(200);
      expect((await get(other.publicApiUrl, `Basic ${Buffer.from('u:p').toString('base64')}`)).status).toBe(200);
      expect((await get(other.publicApiUrl, `Basic ${Buffer.from('u:x').toString('base64')}`)).status).toBe(401);
      expect(other.requests.map((r) => r.auth)).toEqual(['bearer', 'basic', 'basic']);
      expect(open.credentials).toBeUndefined();
      expect((await get(open.publicApiUrl, '')).status).toBe(200);
    } finally {
      await Promise.all([other.close(), open.close()]);
    }
  });

  test('a request without a User-Agent is forbidden', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${server.publicApiUrl}/jobs`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject).end();
    });
    expect(status).toBe(403);
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/jobs', status: 403, auth: 'bearer' });
  });
});

describe('jobs', () => {
  test('pending -> running -> succeeded, with optional fields absent until terminal', async () => {
    const connectionId = connection({ script: { phases: [{ status: 'pending', ms: Infinity }] } });
    const created = await createJob(connectionId);
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ jobId: expect.any(Number), status: 'pending', jobType: 'sync', startTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), connectionId });
    server.finishJob(created.body.jobId, 'cancelled');

    server.setScript(connectionId, { phases: [{ status: 'pending', ms: 5 }, { status: 'running', ms: Infinity }], rowsSynced: 7, bytesSynced: 70 });
    const seen: string[] = [];
    server.on('job', (job: MockJob) => seen.push(job.status));
    const { jobId } = (await createJob(connectionId)).body;
    await server.waitFor(() => server.job(jobId)?.status === 'running');
    const running = (await call<Job>('GET', `/jobs/${jobId}`)).body;
    expect(running).toEqual({ jobId, status: 'running', jobType: 'sync', startTime: expect.any(String), connectionId, duration: expect.stringMatching(/^PT/) });
    expect(server.job(jobId)).toMatchObject({ attempts: 1, startedAt: expect.any(Number) });

    server.finishJob(jobId, 'succeeded');
    server.removeAllListeners('job');
    expect(seen).toEqual(['pending', 'running', 'succeeded']);
    const done = (await call<Job>('GET', `/jobs/${jobId}`)).body;
    expect(done).toMatchObject({ status: 'succeeded', rowsSynced: 7, bytesSynced: 70, lastUpdatedAt: expect.any(String), duration: expect.stringMatching(/^PT[\d.HMS]+$/) });
    expect(Object.values(done)).not.toContain(null);
  });

  test('the default lifecycle ends by itself', async () => {
    const { jobId } = (await createJob(connection())).body;
    await server.waitFor(ended(jobId));
    expect(server.job(jobId)).toMatchObject({ status: 'succeeded', rowsSynced: 1000, bytesSynced: 64000, attempts: 1 });
  });

  test('a second sync is a 409 try-again-later; an inactive connection a 409 state-conflict', async () => {
    const connectionId = connection({ script: HOLD });
    expect((await createJob(connectionId)).status).toBe(200);
    const second = await createJob(connectionId);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ title: 'try-again-later', data: { message: `A sync is already running for: ${connectionId}` } });

    const inactive = await createJob(connection({ status: 'inactive' }));
    expect(inactive.body).toMatchObject({ status: 409, title: 'state-conflict' });
  });

  test('bad requests: 400, 404 and 422', async () => {
    const connectionId = connection();
    expect((await createJob(connectionId, 'bogus')).body).toMatchObject({ status: 400, title: 'bad-request' });
    expect((await call('POST', '/jobs', { jobType: 'sync' })).status).toBe(400);
    expect((await createJob(connectionId, 'refresh')).body).toMatchObject({ status: 422, title: 'unprocessable-entity' });
    expect((await createJob('missing')).body).toMatchObject({ status: 404, title: 'resource-not-found', data: { resourceType: 'STANDARD_SYNC', resourceId: 'missing' } });
    expect((await call('GET', '/jobs/999')).body).toMatchObject({ status: 404, data: { resourceType: 'job', resourceId: '999' } });
    expect((await call('GET', '/jobs/abc')).status).toBe(400);
  });

  test('cancel a running job; cancelling a finished job with nothing running changes nothing', async () => {
    const connectionId = connection({ script: HOLD });
    const { jobId } = (await createJob(connectionId)).body;
    const cancelled = await call<Job>('DELETE', `/jobs/${jobId}`);
    expect(cancelled.body).toMatchObject({ jobId, status: 'cancelled', rowsSynced: 0 });
    expect(server.job(jobId)).toMatchObject({ cancelledBy: 'api', cancelRequestedVia: jobId, cancelRequestedAt: expect.any(Number) });

    const { jobId: doneId } = server.startJob(connectionId);
    server.finishJob(doneId, 'succeeded');
    const before = (await call<Job>('GET', `/jobs/${doneId}`)).body;
    expect((await call<Job>('DELETE', `/jobs/${doneId}`)).body).toEqual(before);
    expect(server.job(doneId)?.status).toBe('succeeded');
    expect(server.jobs({ connectionId }).map((j) => j.status)).toEqual(['cancelled', 'succeeded']);
  });

  test('cancel is by connection: cancelling an ended job cancels the job that runs on its connection now', async () => {
    const connectionId = connection({ script: HOLD });
    const bystander = connection({ script: HOLD });
    const { jobId: oldId } = server.startJob(connectionId);
    server.finishJob(oldId, 'succeeded');
    const { jobId: currentId } = server.startJob(connectionId); // someone else's sync on the same connection
    const { jobId: otherId } = server.startJob(bystander);

    const answer = await call<Job>('DELETE', `/jobs/${oldId}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ jobId: oldId, status: 'succeeded' }); // the named job, as it stands
    expect(server.job(oldId)).toMatchObject({ status: 'succeeded' });
    expect(server.job(oldId)).not.toHaveProperty('cancelRequestedAt');
    expect(server.job(currentId)).toMatchObject({ status: 'cancelled', cancelledBy: 'api', cancelRequestedVia: oldId });
    expect(server.job(otherId)?.status).toBe('running'); // another connection is untouched
  });

  test('cancelDelayMs: after a DELETE the job keeps its status (and stops moving on) for a while, then becomes cancelled', async () => {
    const slow = await MockAirbyteServer.start({ auth: 'none', cancelDelayMs: 1_000 });
    try {
      // Left alone, this job would succeed 500 ms after it starts: the pending cancel must hold it where it is.
      const connectionId = slow.addConnection({ script: { phases: [{ status: 'running', ms: 500 }] } }).connectionId;
      const { jobId } = slow.startJob(connectionId);
      const requested = Date.now();
      const answer = await call<Job>('DELETE', `${slow.publicApiUrl}/jobs/${jobId}`);
      expect(answer.body).toMatchObject({ jobId, status: 'running' }); // accepted, not done
      expect((await call<Job>('GET', `${slow.publicApiUrl}/jobs/${jobId}`)).body.status).toBe('running');
      expect(slow.job(jobId)).toMatchObject({ status: 'running', cancelRequestedAt: expect.any(Number), cancelRequestedVia: jobId });
      const second = await call<Job>('DELETE', `${slow.publicApiUrl}/jobs/${jobId}`); // a repeated cancel does not restart the delay
      expect(second.body.status).toBe('running');

      await slow.waitFor(() => slow.job(jobId)?.status === 'cancelled');
      expect(Date.now() - requested).toBeGreaterThanOrEqual(990);
      expect(slow.job(jobId)).toMatchObject({ cancelledBy: 'api', rowsSynced: 0 });
      expect((await call<Job>('GET', `${slow.publicApiUrl}/jobs/${jobId}`)).body).toMatchObject({ status: 'cancelled', lastUpdatedAt: expect.any(String) });
    } finally {
      await slow.close();
    }
  });

  test('cancelDelayMs must not be negative', async () => {
    await expect(MockAirbyteServer.start({ cancelDelayMs: -1 })).rejects.toThrow(/cancelDelayMs/);
  });

  test('list filters, order and paging', async () => {
    const workspaceId = server.addWorkspace({ name: 'other' }).workspaceId;
    const a = connection({ script: HOLD });
    const b = connection({ script: HOLD, workspaceId });
    const done = [1, 2, 3].map(() => server.finishJob(server.startJob(a).jobId, 'succeeded').jobId);
    const { jobId: resetId } = server.startJob(b, 'reset');

    const ids = (page: Res<Page<Job>>) => page.body.data.map((j) => j.jobId);
    expect(ids(await call('GET', '/jobs'))).toEqual([...done, resetId]);
    expect(ids(await call('GET', `/jobs?connectionId=${a}&orderBy=createdAt|DESC`))).toEqual([...done].reverse());
    expect(ids(await call('GET', '/jobs?status=running'))).toEqual([resetId]);
    expect(ids(await call('GET', '/jobs?jobType=reset'))).toEqual([resetId]);
    expect(ids(await call('GET', `/jobs?workspaceIds=${workspaceId}`))).toEqual([resetId]);
    expect(ids(await call('GET', `/jobs?workspaceIds=${workspaceId},${server.defaultWorkspaceId}`))).toHaveLength(4);
    expect(ids(await call('GET', `/jobs?createdAtEnd=${new Date(0).toISOString()}`))).toEqual([]);

    const first = await call<Page<Job>>('GET', `/jobs?connectionId=${a}&limit=2`);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.previous).toBe(''); // Airbyte sends an empty string, not nothing
    expect(first.body.next).toBe(`${server.publicApiUrl}/jobs?connectionId=${a}&limit=2&offset=2`);
    const second = await call<Page<Job>>('GET', first.body.next!);
    expect(second.body.data).toHaveLength(1);
    expect(second.body.next).toContain('offset=4'); // a short page still links onward, as Airbyte does
    expect(second.body.previous).toContain('offset=0');
    const third = await call<Page<Job>>('GET', second.body.next!);
    expect(third.body).toEqual({ data: [], next: '', previous: expect.stringContaining('offset=2') });

    expect((await call('GET', '/jobs?limit=0')).status).toBe(400);
    expect((await call('GET', '/jobs?limit=101')).status).toBe(400);
    expect((await call('GET', '/jobs?orderBy=name|ASC')).status).toBe(400);
  });

  test('peakConcurrentJobs counts jobs in flight at the same time', () => {
    const ids = [1, 2, 3].map(() => server.startJob(connection({ script: HOLD })).jobId);
    expect(server.peakConcurrentJobs()).toBe(3);
    ids.forEach((id) => server.finishJob(id, 'succeeded'));
    server.finishJob(server.startJob(connection({ script: HOLD })).jobId, 'failed');
    expect(server.peakConcurrentJobs()).toBe(3);
    server.reset();
    expect(server.peakConcurrentJobs()).toBe(0);
  });

  test('waitFor resolves on a transition and rejects clearly on timeout', async () => {
    const { jobId } = server.startJob(connection({ script: HOLD }));
    const waiting = server.waitFor(() => server.job(jobId)?.status === 'failed');
    server.finishJob(jobId, 'failed');
    await expect(waiting).resolves.toBeUndefined();
    await expect(server.waitFor(() => false, 10)).rejects.toThrow(/condition not met within 10 ms/);
  });
});

describe('connections and workspaces', () => {
  test('shapes, filters and paging', async () => {
    const workspaceId = server.addWorkspace({ name: 'Tagged' }).workspaceId;
    const live = server.addConnection({ workspaceId, name: 'live', tags: [{ name: 'prod' }], streams: ['users'] });
    server.addConnection({ workspaceId, status: 'deprecated' });
    const got = await call('GET', `/connections/${live.connectionId}`);
    expect(got.body).toEqual({
      connectionId: live.connectionId,
      name: 'live',
      sourceId: expect.any(String),
      destinationId: expect.any(String),
      workspaceId,
      status: 'active',
      schedule: { scheduleType: 'manual' },
      configurations: { streams: [{ name: 'users', syncMode: 'full_refresh_overwrite' }] },
      namespaceDefinition: 'destination',
      prefix: '',
      nonBreakingSchemaUpdatesBehavior: 'ignore',
      createdAt: expect.any(Number),
      tags: [{ tagId: expect.any(String), workspaceId, name: 'prod', color: expect.any(String) }],
    });
    const list = (query: string) => call<Page<{ connectionId: string }>>('GET', `/connections?${query}`);
    expect((await list(`workspaceIds=${workspaceId}`)).body.data).toHaveLength(1);
    expect((await list(`workspaceIds=${workspaceId}&includeDeleted=true`)).body.data).toHaveLength(2);
    expect((await list(`tagIds=${live.tags[0]!.tagId}`)).body.data.map((c) => c.connectionId)).toEqual([live.connectionId]);
    expect((await list(`workspaceIds=${workspaceId}&limit=1`)).body.next).toContain('offset=1');

    expect((await call('GET', `/workspaces/${workspaceId}`)).body).toEqual({ workspaceId, name: 'Tagged', dataResidency: 'auto', notifications: expect.any(Object) });
    expect((await call('GET', '/workspaces/nope')).body).toMatchObject({ status: 404, data: { resourceType: 'STANDARD_WORKSPACE', resourceId: 'nope' } });
  });
});

describe('faults', () => {
  test('a 500 once, then normal service', async () => {
    server.injectFault({ method: 'GET', path: '/jobs', kind: 'status', status: 500 });
    const failed = await call<Problem>('GET', '/jobs');
    expect(failed.status).toBe(500);
    expect(failed.body.title).toBe('unexpected-problem');
    expect((await call('GET', '/jobs')).status).toBe(200);
    expect(server.requestsTo('GET', '/jobs').map((r) => r.status)).toEqual([500, 200]);
  });

  test('429 with and without Retry-After', async () => {
    server.injectFault({ kind: 'status', status: 429 });
    server.injectFault({ path: /^\/jobs/, kind: 'status', status: 429, retryAfterSeconds: 3 });
    const bare = await call('GET', '/jobs');
    expect(bare.status).toBe(429);
    expect(bare.body).toEqual({ message: 'You are being rate limited.' });
    expect(bare.headers.get('retry-after')).toBeNull();
    const polite = await call('GET', '/jobs/1');
    expect(polite.status).toBe(429);
    expect(polite.headers.get('retry-after')).toBe('3');
  });

  test('reset destroys the socket without handling the request', async () => {
    const connectionId = connection();
    server.injectFault({ method: 'POST', path: '/jobs', kind: 'reset' });
    await expect(createJob(connectionId)).rejects.toThrow();
    expect(server.jobs({ connectionId })).toEqual([]);
    expect(server.requestsTo('POST', '/jobs')[0]?.status).toBe(0);
  });

  test('handle-then-delay and handle-then-reset create the job anyway', async () => {
    const slow = connection({ script: HOLD });
    server.injectFault({ method: 'POST', path: '/jobs', kind: 'handle-then-delay', ms: 60_000 });
    const abort = new AbortController();
    const pending = fetch(`${server.publicApiUrl}/jobs`, {
      method: 'POST',
      headers: { 'user-agent': UA, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ connectionId: slow, jobType: 'sync' }),
      signal: abort.signal,
    });
    await server.waitFor(() => server.jobs({ connectionId: slow }).length === 1);
    abort.abort(); // the client gives up, as one would on a create that takes 60 s
    await expect(pending).rejects.toThrow();
    expect((await createJob(slow)).status).toBe(409);

    const lost = connection({ script: HOLD });
    server.injectFault({ method: 'POST', path: '/jobs', kind: 'handle-then-reset' });
    await expect(createJob(lost)).rejects.toThrow();
    expect(server.jobs({ connectionId: lost })).toMatchObject([{ status: 'running' }]);
  });

  test('a status fault can answer a page of another content type, e.g. a proxy\'s HTML with status 200', async () => {
    const page = '<html><body>Bad gateway, try again</body></html>';
    server.injectFault({ method: 'GET', path: '/jobs', kind: 'status', status: 200, body: page, contentType: 'text/html' });
    expect(await raw('GET', '/jobs')).toEqual({ status: 200, type: 'text/html', text: page });
    expect((await raw('GET', '/jobs')).type).toBe('application/json'); // consumed: normal service again
    expect(() => server.injectFault({ kind: 'status', status: 42 })).toThrow(/HTTP status/);
  });

  test('handle-then-truncate creates the job and cuts its JSON answer in half', async () => {
    const connectionId = connection({ script: HOLD });
    server.injectFault({ method: 'POST', path: '/jobs', kind: 'handle-then-truncate' });
    const answer = await raw('POST', '/jobs', { connectionId, jobType: 'sync' });
    const [job] = server.jobs({ connectionId });
    expect(job).toMatchObject({ status: 'running' });
    const full = (await call<Job>('GET', `/jobs/${job!.jobId}`)).body;
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('application/json');
    expect(() => JSON.parse(answer.text) as unknown).toThrow(SyntaxError);
    expect(answer.text.startsWith(`{"jobId":${job!.jobId},"status":"running"`)).toBe(true);
    expect(answer.text.length).toBeLessThan(JSON.stringify(full).length * 0.6); // about half of the real answer
    expect(server.requestsTo('POST', '/jobs').map((r) => r.status)).toEqual([200]);
  });

  test('handle-then-replace creates the job and answers something else (200 {} without a jobId)', async () => {
    const connectionId = connection({ script: HOLD });
    server.injectFault({ method: 'POST', path: '/jobs', kind: 'handle-then-replace', status: 200, body: {} });
    const answer = await call('POST', '/jobs', { connectionId, jobType: 'sync' });
    expect(answer).toMatchObject({ status: 200, body: {} });
    expect(server.jobs({ connectionId })).toMatchObject([{ status: 'running' }]);
    expect((await createJob(connectionId)).status).toBe(409); // the job is real

    server.injectFault({ method: 'DELETE', kind: 'handle-then-replace', status: 502, body: '<html>502</html>', contentType: 'text/html' });
    const { jobId } = server.jobs({ connectionId })[0]!;
    expect(await raw('DELETE', `/jobs/${jobId}`)).toEqual({ status: 502, type: 'text/html', text: '<html>502</html>' });
    expect(server.job(jobId)?.status).toBe('cancelled'); // the cancel happened all the same
    expect(server.requestsTo('DELETE', `/jobs/${jobId}`).map((r) => r.status)).toEqual([502]);
  });

  test('latency delays and then answers; times and clearFaults', async () => {
    server.injectFault({ kind: 'latency', ms: 5 });
    expect((await call('GET', '/jobs')).status).toBe(200);
    server.injectFault({ path: '/jobs', kind: 'status', status: 503, times: Infinity });
    expect((await call('GET', '/jobs')).status).toBe(503);
    expect((await call('GET', '/jobs')).status).toBe(503);
    server.clearFaults();
    expect((await call('GET', '/jobs')).status).toBe(200);
  });
});

describe('config API', () => {
  const jobInfo = (id: unknown) =>
    call<{ job: { id: number; status: string; configType: string }; attempts: { attempt: Record<string, unknown> & { streamStats?: unknown[]; failureSummary?: { failures: { externalMessage: string }[] } } }[] }>(
      'POST',
      `${server.configApiUrl}/jobs/get`,
      { id },
    );

  test('per-stream stats of a succeeded job', async () => {
    const streams = [{ name: 'users', records: 10, bytes: 100 }, { name: 'orders', namespace: 'shop', records: 5, bytes: 50 }];
    const { jobId } = server.startJob(connection({ script: { phases: [{ status: 'running', ms: 0 }, { status: 'incomplete', ms: 0 }, { status: 'running', ms: 0 }], streams } }));
    await server.waitFor(ended(jobId));
    const info = await jobInfo(jobId);
    expect(info.status).toBe(200);
    expect(info.body.job).toMatchObject({ id: jobId, status: 'succeeded', configType: 'sync' });
    expect(info.body.attempts).toHaveLength(2);
    expect(info.body.attempts[0]!.attempt).toMatchObject({ status: 'failed', failureSummary: { failures: [{ failureType: 'transient_error', retryable: true }] } });
    expect(info.body.attempts[1]).toEqual({
      attempt: expect.objectContaining({
        id: 1,
        status: 'succeeded',
        recordsSynced: 15,
        bytesSynced: 150,
        streamStats: [
          { streamName: 'users', stats: { recordsEmitted: 10, bytesEmitted: 100, recordsCommitted: 10, bytesCommitted: 100 } },
          { streamName: 'orders', streamNamespace: 'shop', stats: { recordsEmitted: 5, bytesEmitted: 50, recordsCommitted: 5, bytesCommitted: 50 } },
        ],
      }),
      logType: 'formatted',
      logs: { logLines: expect.arrayContaining([expect.stringContaining('Stream shop.orders: 5 records')]) },
    });
    expect((await call<Job>('GET', `/jobs/${jobId}`)).body.rowsSynced).toBe(15);
    expect(server.requestsTo('POST', '/config/jobs/get')).toHaveLength(1);
  });

  test('the failure message and partial stats of a failed job, and Config API errors', async () => {
    const streams = [{ name: 'users', records: 3, bytes: 30 }];
    const { jobId } = server.startJob(connection({ script: { phases: [], outcome: 'failed', failureMessage: 'Source said no', streams } }));
    await server.waitFor(ended(jobId));
    const attempt = (await jobInfo(jobId)).body.attempts[0]!.attempt;
    expect(attempt).toMatchObject({ status: 'failed', recordsSynced: 3, streamStats: [{ streamName: 'users' }] });
    expect(attempt.failureSummary?.failures[0]).toMatchObject({ externalMessage: 'Source said no', failureType: 'system_error' });
    expect((await call<Job>('GET', `/jobs/${jobId}`)).body).toMatchObject({ status: 'failed', rowsSynced: 3, bytesSynced: 30 });

    const quiet = server.startJob(connection({ script: { phases: [], outcome: 'failed' } })).jobId;
    expect((await jobInfo(quiet)).body.attempts[0]!.attempt.streamStats).toBeUndefined(); // nothing moved

    const missing = await jobInfo(12345);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: expect.any(String), errorId: expect.any(String) });
    expect((await jobInfo('x')).status).toBe(422);
  });
});

test('runStandalone seeds demo connections and prints how to connect', async () => {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const standalone = await runStandalone(['--port', '0', '--connections', '2', '--running-ms', '10']);
  try {
    const printed = log.mock.calls.flat().join('\n');
    expect(printed).toContain(standalone.publicApiUrl);
    expect(printed).toContain(standalone.credentials!.clientSecret);
    expect(printed.match(/connection: +\S+/g)).toHaveLength(2);
  } finally {
    log.mockRestore();
    await standalone.close();
  }
});
