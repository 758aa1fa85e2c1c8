import { inspect } from 'node:util';
import {
  AirbyteApiError,
  AirbyteClient,
  AirbyteConfigError,
  deriveWebUrl,
  jobWebUrl,
  resolveInstanceConfig,
  type AirbyteLogger,
  type AnyConnectorResource,
} from '../src/airbyte';
import { SecretRedactor } from '../src/airbyte/redact';
import { publicJobOf } from '../src/airbyte/resources/job-from-config';
import { tailLines } from '../src/airbyte/resources/log-tail';
import {
  attemptInfoSchema,
  destinationSchema,
  jobAttemptsSchema,
  noContentSchema,
  sourceSchema,
  streamPropertiesListSchema,
  workspaceDetailsSchema,
} from '../src/airbyte/resources/schemas';
import { configurationSecrets } from '../src/airbyte/resources/secrets';
import { connectionSchema } from '../src/airbyte/schemas';
import { MockAirbyteServer } from '../src/testing';

let mock: MockAirbyteServer;
let client: AirbyteClient;
let logged: unknown[];

beforeAll(async () => {
  mock = await MockAirbyteServer.start();
});
afterAll(async () => {
  await mock?.close();
});
beforeEach(() => {
  mock.reset();
  logged = [];
  const logger: AirbyteLogger = { debug: (...args) => logged.push(args), warn: (...args) => logged.push(args) };
  client = new AirbyteClient({ url: mock.publicApiUrl, ...mock.credentials!, requestTimeoutMs: 2_000 }, { logger });
});

/** `expect.any`, typed so a matcher object stays free of `any`. */
const anything = (type: unknown): unknown => expect.any(type);
const uniqueName = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
const everything = (err: unknown) => `${String(err)} ${inspect(err, { depth: 10 })} ${JSON.stringify(err)}`;

describe('workspaces', () => {
  test('create, get, list, iterate, update notifications, delete', async () => {
    const name = uniqueName('ws');
    const created = await client.workspaces.create({ name });
    expect(created).toMatchObject({ name, notifications: anything(Object) });
    await expect(client.workspaces.get(created.workspaceId)).resolves.toMatchObject({ workspaceId: created.workspaceId, name });

    const page = await client.workspaces.list({ workspaceIds: [created.workspaceId] });
    expect(page.data.map((w) => w.workspaceId)).toEqual([created.workspaceId]);
    const all: string[] = [];
    for await (const w of client.workspaces.iterate({}, { pageSize: 1 })) all.push(w.workspaceId);
    expect(all).toContain(created.workspaceId);
    expect(new Set(all).size).toBe(all.length);

    const webhook = 'https://hooks.example.com/services/T000/B000/XXXXXXXX';
    const updated = await client.workspaces.update(created.workspaceId, {
      name: `${name}-renamed`,
      notifications: { failure: { webhook: { enabled: true, url: webhook } }, success: { email: { enabled: false } } },
    });
    expect(updated.name).toBe(`${name}-renamed`);
    expect(updated.notifications.failure?.webhook).toEqual({ enabled: true, url: webhook });
    expect(mock.requestsTo('PATCH', `/workspaces/${created.workspaceId}`)).toHaveLength(1);

    await expect(client.workspaces.delete(created.workspaceId)).resolves.toBeUndefined();
    expect(mock.requestsTo('DELETE', `/workspaces/${created.workspaceId}`).map((r) => r.status)).toEqual([204]);
    const err = await client.workspaces.get(created.workspaceId).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404 });
  });

  test('findByName: exact matches only, every one of several', async () => {
    const name = uniqueName('twin');
    const [a, b] = [await client.workspaces.create({ name }), await client.workspaces.create({ name })];
    await client.workspaces.create({ name: `${name}-other` });
    await client.workspaces.create({ name: name.toUpperCase() });
    const found = await client.workspaces.findByName(name, { pageSize: 1 });
    expect(found.map((w) => w.workspaceId).sort()).toEqual([a.workspaceId, b.workspaceId].sort());
    await expect(client.workspaces.findByName(uniqueName('nobody'))).resolves.toEqual([]);
  });
});

describe.each(['sources', 'destinations'] as const)('%s', (family) => {
  const kind = family === 'sources' ? 'source' : 'destination';
  const idOf = (item: object) => (item as Record<string, string>)[`${kind}Id`]!;
  const api = (): AnyConnectorResource => client[family];

  test('create, get, list, patch, replace, delete', async () => {
    const workspaceId = (await client.workspaces.create({ name: uniqueName('ws') })).workspaceId;
    const name = uniqueName(kind);
    const configuration = { [`${kind}Type`]: 'postgres', host: 'db.example.com', port: 5432, password: 'p4ssw0rd-secret' };
    const created = await api().create({ name, workspaceId, configuration });
    expect(created).toMatchObject({ name, workspaceId, configuration: anything(Object) });
    expect(created).toHaveProperty(`${kind}Type`);
    expect(created).toHaveProperty('definitionId');
    const id = idOf(created);
    await expect(api().get(id)).resolves.toMatchObject({ name, workspaceId });

    const page = await api().list({ workspaceIds: [workspaceId] });
    expect(page.data.map(idOf)).toEqual([id]);
    expect((await api().list({ workspaceIds: [workspaceId], name: 'no such name' })).data).toEqual([]);

    const patched = await api().patch(id, { name: `${name}-2` });
    expect(patched.name).toBe(`${name}-2`);
    const replaced = await api().replace(id, { name: `${name}-3`, configuration: { ...configuration, host: 'db2.example.com' } });
    expect(replaced.name).toBe(`${name}-3`);
    expect(mock.requestsTo('PUT', `/${family}/${id}`)).toHaveLength(1);
    expect(mock.requestsTo('PATCH', `/${family}/${id}`)).toHaveLength(1);

    await expect(api().delete(id)).resolves.toBeUndefined();
    expect(mock.requestsTo('DELETE', `/${family}/${id}`).map((r) => r.status)).toEqual([204]);
    // Airbyte keeps a deleted connector readable by id; lists leave it out unless includeDeleted.
    expect((await api().list({ workspaceIds: [workspaceId] })).data).toEqual([]);
    expect((await api().list({ workspaceIds: [workspaceId], includeDeleted: true })).data.map(idOf)).toEqual([id]);
  });

  test('findByName and iterate with a name: exact, in that workspace only, across pages', async () => {
    const [ws1, ws2] = [await client.workspaces.create({ name: uniqueName('ws') }), await client.workspaces.create({ name: uniqueName('ws') })];
    const name = uniqueName('twin');
    const configuration = { [`${kind}Type`]: 'postgres' };
    const mine = [await api().create({ name, workspaceId: ws1.workspaceId, configuration })];
    await api().create({ name: `${name}-x`, workspaceId: ws1.workspaceId, configuration });
    await api().create({ name: `${name}-y`, workspaceId: ws1.workspaceId, configuration });
    mine.push(await api().create({ name, workspaceId: ws1.workspaceId, configuration }));
    await api().create({ name, workspaceId: ws2.workspaceId, configuration }); // same name, other workspace

    const found = await api().findByName(ws1.workspaceId, name, { pageSize: 1 });
    expect(found.map(idOf).sort()).toEqual(mine.map(idOf).sort());
    const iterated: string[] = [];
    for await (const item of api().iterate({ workspaceIds: [ws1.workspaceId], name }, { pageSize: 2 })) iterated.push(idOf(item));
    expect(iterated.sort()).toEqual(mine.map(idOf).sort());
    await expect(api().findByName(ws2.workspaceId, `${name}-x`)).resolves.toEqual([]);
  });
});

describe('secrets in connector configurations', () => {
  const password = 'p@ss "w0rd"/s3cret';
  const apiKey = 'key-0123456789abcdef';
  const configuration = {
    sourceType: 'postgres',
    host: 'db.internal.example.com',
    port: '5432',
    ssl: true,
    tunnel: { method: 'SSH_KEY_AUTH', keys: [{ private: apiKey }] },
    password,
  };
  const echo = (text: string) => ({
    type: 'https://reference.airbyte.com/reference/errors#bad-request',
    title: `bad-request for ${password}`,
    status: 400,
    detail: `configuration ${JSON.stringify(configuration)} is invalid (url-encoded: ${encodeURIComponent(password)})`,
    data: { message: text },
  });

  test('a 400 that echoes the configuration gives an error without any of its secrets', async () => {
    const workspaceId = mock.defaultWorkspaceId;
    mock.injectFault({
      method: 'POST',
      path: '/sources',
      kind: 'status',
      status: 400,
      body: echo(`password ${password} and key ${apiKey} rejected on port 5432 (job 154321), ssl true, sourceType postgres`),
    });
    const err = await client.sources.create({ name: 'pg', workspaceId, configuration }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AirbyteApiError);
    const e = err as AirbyteApiError;
    expect(e).toMatchObject({ status: 400, retryable: false, endpoint: 'POST /sources' });
    for (const secret of [password, apiKey, JSON.stringify(password).slice(1, -1), encodeURIComponent(password), 'db.internal.example.com']) {
      expect(everything(err)).not.toContain(secret);
      expect([e.message, e.title, e.detail, e.airbyteMessage].join(' ')).not.toContain(secret);
    }
    expect(e.airbyteMessage).toContain('[redacted]');
    // Short and common values do not shred the message: a port is scrubbed only as a whole token.
    expect(e.airbyteMessage).toContain('(job 154321)');
    expect(e.airbyteMessage).toContain('on port [redacted]');
    expect(e.airbyteMessage).toContain('ssl true, sourceType postgres');
    // Neither the body nor its secrets reach the logger.
    expect(JSON.stringify(logged)).not.toContain(password);
    expect(JSON.stringify(logged)).not.toContain(apiKey);
  });

  test.each(['patch', 'replace'] as const)('%s scrubs the configuration it sends, and the instance secrets too', async (method) => {
    const secret = mock.credentials!.clientSecret;
    mock.injectFault({ method: method === 'patch' ? 'PATCH' : 'PUT', path: '/destinations/d-1', kind: 'status', status: 422, body: echo(`${password} / ${secret}`) });
    const request = { name: 'warehouse', configuration: { ...configuration, sourceType: undefined, destinationType: 'snowflake' } };
    const err = await client.destinations[method]('d-1', request).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 422 });
    expect(everything(err)).not.toContain(password);
    expect(everything(err)).not.toContain(secret);
  });

  test('the scrubbing is per request: the next call does not scrub the last one\'s values', async () => {
    mock.injectFault({ method: 'POST', path: '/sources', kind: 'status', status: 400, body: echo(password) });
    await client.sources.create({ name: 'pg', workspaceId: 'w', configuration }).catch(() => undefined);
    mock.injectFault({ method: 'GET', path: '/sources/s-1', kind: 'status', status: 400, body: { title: 'bad-request', data: { message: 'db.internal.example.com' } } });
    await expect(client.sources.get('s-1')).rejects.toMatchObject({ airbyteMessage: 'db.internal.example.com' });
  });

  test('webhook URLs of notifications are scrubbed from errors', async () => {
    const url = 'https://hooks.slack.com/services/T1/B2/sekrit-token';
    mock.injectFault({ method: 'PATCH', kind: 'status', status: 400, body: { title: 'bad-request', data: { message: `cannot reach ${url}` } } });
    const err = await client.workspaces.update('w-1', { notifications: { failure: { webhook: { enabled: true, url } } } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400 });
    expect(everything(err)).not.toContain('sekrit-token');
  });

  test('which values count as secrets', () => {
    expect(configurationSecrets({ sourceType: 'postgres', a: 'x', n: 1, nested: { sourceType: 'deep', list: ['s1', { k: 's2' }] } })).toEqual(['x', 'deep', 's1', 's2']);
    const redactor = new SecretRedactor(['instance-secret']).withExtra(['ab', 'true', 'False', '5432', 'longer-secret-value']);
    expect(redactor.redact('ab true False 5432 15432 longer-secret-valueX instance-secret')).toBe(
      'ab true False [redacted] 15432 [redacted]X [redacted]',
    );
    // Tokens issued later are still scrubbed by a request's redactor.
    const base = new SecretRedactor();
    const scoped = base.withExtra(['request-secret']);
    base.addIssued('late-token-123');
    expect(scoped.redact('late-token-123 request-secret')).toBe('[redacted] [redacted]');
    expect(base.redact('request-secret')).toBe('request-secret');
  });
});

describe('connections', () => {
  test('create, get, list, iterate, patch, delete', async () => {
    const workspaceId = (await client.workspaces.create({ name: uniqueName('ws') })).workspaceId;
    const source = await client.sources.create({ name: uniqueName('src'), workspaceId, configuration: { sourceType: 'postgres' } });
    const destination = await client.destinations.create({ name: uniqueName('dst'), workspaceId, configuration: { destinationType: 'postgres' } });
    const name = uniqueName('conn');
    const created = await client.connections.create({
      sourceId: source.sourceId,
      destinationId: destination.destinationId,
      name,
      configurations: {
        streams: [
          { name: 'customers', syncMode: 'incremental_deduped_history', cursorField: ['updated_at'], primaryKey: [['id']] },
          { name: 'orders', syncMode: 'full_refresh_overwrite' },
        ],
      },
      schedule: { scheduleType: 'cron', cronExpression: '0 0 * * * ?' },
      namespaceDefinition: 'custom_format',
      namespaceFormat: '${SOURCE_NAMESPACE}_raw',
      prefix: 'raw_',
      status: 'inactive',
      nonBreakingSchemaUpdatesBehavior: 'propagate_columns',
    });
    expect(created).toMatchObject({
      name,
      workspaceId,
      sourceId: source.sourceId,
      destinationId: destination.destinationId,
      status: 'inactive',
      namespaceDefinition: 'custom_format',
      namespaceFormat: '${SOURCE_NAMESPACE}_raw',
      prefix: 'raw_',
      nonBreakingSchemaUpdatesBehavior: 'propagate_columns',
      schedule: { scheduleType: 'cron' },
    });
    expect(created.schedule?.cronExpression).toMatch(/^0 0 \* \* \* \?/); // Airbyte appends the time zone
    expect(created.configurations?.streams?.find((s) => s.name === 'customers')).toMatchObject({ cursorField: ['updated_at'], primaryKey: [['id']] });
    const id = created.connectionId;
    await expect(client.connections.get(id)).resolves.toMatchObject({ connectionId: id, name });
    expect((await client.connections.list({ workspaceIds: [workspaceId] })).data.map((c) => c.connectionId)).toEqual([id]);
    const iterated: string[] = [];
    for await (const c of client.connections.iterate({ workspaceIds: [workspaceId] }, { pageSize: 1 })) iterated.push(c.connectionId);
    expect(iterated).toEqual([id]);

    const patched = await client.connections.patch(id, { status: 'active', schedule: { scheduleType: 'manual' }, name: `${name}-2` });
    expect(patched).toMatchObject({ status: 'active', name: `${name}-2`, schedule: { scheduleType: 'manual' } });
    expect(patched.configurations?.streams).toHaveLength(2); // untouched by a patch that does not name them

    await expect(client.connections.delete(id)).resolves.toBeUndefined();
    expect(mock.requestsTo('DELETE', `/connections/${id}`).map((r) => r.status)).toEqual([204]);
  });

  test('findByName: exact, in that workspace only', async () => {
    const [ws1, ws2] = [await client.workspaces.create({ name: uniqueName('ws') }), await client.workspaces.create({ name: uniqueName('ws') })];
    const make = async (workspaceId: string, name: string) => {
      const s = await client.sources.create({ name: uniqueName('s'), workspaceId, configuration: { sourceType: 'faker' } });
      const d = await client.destinations.create({ name: uniqueName('d'), workspaceId, configuration: { destinationType: 'dev-null' } });
      return client.connections.create({ sourceId: s.sourceId, destinationId: d.destinationId, name });
    };
    const name = uniqueName('twin');
    const mine = [await make(ws1.workspaceId, name), await make(ws1.workspaceId, name)];
    await make(ws1.workspaceId, `${name}-other`);
    await make(ws2.workspaceId, name);
    const found = await client.connections.findByName(ws1.workspaceId, name, { pageSize: 1 });
    expect(found.map((c) => c.connectionId).sort()).toEqual(mine.map((c) => c.connectionId).sort());
  });
});

describe('streams', () => {
  test('the streams a source offers', async () => {
    const workspaceId = (await client.workspaces.create({ name: uniqueName('ws') })).workspaceId;
    const source = await client.sources.create({ name: uniqueName('src'), workspaceId, configuration: { sourceType: 'faker' } });
    const streams = await client.streams.list({ sourceId: source.sourceId, ignoreCache: true });
    expect(streams.length).toBeGreaterThan(0);
    for (const s of streams) {
      expect(s).toMatchObject({
        streamName: anything(String),
        syncModes: anything(Array),
        defaultCursorField: anything(Array),
        sourceDefinedCursorField: anything(Boolean),
        sourceDefinedPrimaryKey: anything(Array),
      });
    }
    expect(mock.requestsTo('GET', '/streams')[0]?.query).toMatchObject({ sourceId: source.sourceId, ignoreCache: 'true' });
  });

  test('an empty source id is refused before any call', async () => {
    await expect(client.streams.list({ sourceId: '' })).rejects.toThrow(AirbyteConfigError);
    await expect(client.sources.delete(' ')).rejects.toThrow(AirbyteConfigError);
    expect(mock.requests).toHaveLength(0);
  });
});

describe('job history', () => {
  test('list and iterate are newest first by default and scoped to the connection', async () => {
    const { connectionId } = mock.addConnection({ script: { phases: [] } });
    const other = mock.addConnection({ script: { phases: [] } });
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const job = await client.createJob({ connectionId, jobType: 'sync' });
      ids.push(job.jobId);
      await mock.waitFor(() => mock.job(job.jobId)?.status === 'succeeded');
    }
    await client.createJob({ connectionId: other.connectionId, jobType: 'sync' });
    const page = await client.jobHistory.list(connectionId);
    expect(page.data.map((j) => j.jobId)).toEqual([...ids].reverse());
    const iterated: number[] = [];
    for await (const job of client.jobHistory.iterate(connectionId, {}, { pageSize: 1 })) iterated.push(job.jobId);
    expect(iterated).toEqual([...ids].reverse());
    const oldest = await client.jobHistory.list(connectionId, { orderBy: 'createdAt|ASC' }, { limit: 1 });
    expect(oldest.data.map((j) => j.jobId)).toEqual([ids[0]]);
  });

  test('attempts: per attempt stats and failures, job-level fields', async () => {
    const { connectionId } = mock.addConnection({
      script: {
        phases: [{ status: 'running', ms: 10 }, { status: 'incomplete', ms: 10 }, { status: 'running', ms: 10 }],
        outcome: 'failed',
        failureMessage: 'the source broke',
        streams: [{ name: 'users', namespace: 'public', records: 5, bytes: 50 }],
      },
    });
    const job = await client.createJob({ connectionId, jobType: 'sync' });
    await mock.waitFor(() => mock.job(job.jobId)?.status === 'failed');
    const details = await client.jobHistory.attempts(job.jobId);
    expect(details).toMatchObject({ jobId: job.jobId, status: 'failed', configType: 'sync', createdAt: anything(Number) });
    expect(details.attempts.map((a) => a.attemptNumber)).toEqual([0, 1]);
    expect(details.attempts.map((a) => a.status)).toEqual(['failed', 'failed']);
    const last = details.attempts.at(-1)!;
    expect(last.failures[0]).toMatchObject({ message: 'the source broke', timestamp: anything(Number) });
    expect(last.endedAt).toEqual(anything(Number));
    expect(mock.requestsTo('POST', '/config/jobs/get_without_logs')).toHaveLength(1);

    // getJobDetails keeps its shape.
    const legacy = await client.getJobDetails(job.jobId);
    expect(legacy.attempts).toHaveLength(2);
    expect(Object.keys(legacy.attempts[1]!.failures[0]!).sort()).toEqual(['message', 'origin', 'retryable', 'type']);

    // getJobWithDetails: the same call shows the job as GET /jobs/{id} does (Airbyte's JobResponseMapper).
    const both = await client.getJobWithDetails(job.jobId);
    expect(both.job).toEqual(await client.getJob(job.jobId));
    expect(both.details).toEqual(legacy);
  });

  test('publicJobOf maps a Configuration API job as the public API does, or gives up on a partial one', () => {
    const info = { jobId: 7, configId: 'c', createdAt: 1_700_000_000, updatedAt: 1_700_003_723, attempts: [] };
    expect(publicJobOf({ ...info, status: 'succeeded', configType: 'reset_connection', aggregatedStats: { recordsCommitted: 5, bytesCommitted: 9, recordsEmitted: 6 } })).toEqual({
      jobId: 7,
      status: 'succeeded',
      jobType: 'reset',
      connectionId: 'c',
      startTime: '2023-11-14T22:13:20Z',
      lastUpdatedAt: '2023-11-14T23:15:23Z',
      duration: 'PT1H2M3S',
      rowsSynced: 5,
      bytesSynced: 9,
    });
    expect(publicJobOf({ ...info, status: 'running', configType: 'sync' })).toMatchObject({ status: 'running', lastUpdatedAt: undefined, duration: 'PT1H2M3S', rowsSynced: undefined });
    expect(publicJobOf({ ...info, status: 'pending', configType: 'sync' })?.duration).toBeUndefined();
    // Not a job the public API shows, or missing what it needs: the caller asks GET /jobs/{id} instead.
    expect(publicJobOf({ ...info, status: 'succeeded', configType: 'check_connection_source' })).toBeUndefined();
    expect(publicJobOf({ ...info, configType: 'sync' })).toBeUndefined();
    expect(publicJobOf({ ...info, status: 'succeeded', configType: 'sync', configId: undefined })).toBeUndefined();
  });

  test('attemptLogs: the last maxBytes of a big log, scrubbed of the instance secrets', async () => {
    const secret = mock.credentials!.clientSecret;
    const logLines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'x'.repeat(50)}${i === 19_990 ? ` leaked ${secret}` : ''}`);
    const { connectionId } = mock.addConnection({ script: { phases: [], logLines } });
    const job = await client.createJob({ connectionId, jobType: 'sync' });
    await mock.waitFor(() => mock.job(job.jobId)?.status === 'succeeded');

    const tail = await client.jobHistory.attemptLogs(job.jobId, 0, { maxBytes: 64 * 1024 });
    expect(tail.truncated).toBe(true);
    expect(tail.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(tail.bytes).toBe(Buffer.byteLength(tail.lines.join('\n')));
    expect(tail.lines.at(-1)).toMatch(/^line 19999 /);
    expect(tail.lines.join('\n')).not.toContain(secret);
    expect(tail.lines.some((l) => l.includes('leaked [redacted]'))).toBe(true);

    const whole = await client.jobHistory.attemptLogs(job.jobId, 0, { maxBytes: 4 * 1024 * 1024 });
    expect(whole.truncated).toBe(false);
    expect(whole.lines).toHaveLength(20_000);
    expect(mock.requestsTo('POST', '/config/attempt/get_for_job')[0]?.body).toEqual({ jobId: job.jobId, attemptNumber: 0 });

    // Airbyte sends the whole log: one larger than maxResponseBytes is refused, not read.
    const capped = await client.jobHistory.attemptLogs(job.jobId, 0, { maxResponseBytes: 64 * 1024 }).catch((e: unknown) => e);
    expect(capped).toMatchObject({ kind: 'invalid-response', reason: expect.stringMatching(/larger than 65536 bytes/) as unknown });
    await expect(client.jobHistory.attemptLogs(job.jobId, 0, { maxResponseBytes: -1 })).rejects.toThrow(AirbyteConfigError);
    await expect(client.jobHistory.attemptLogs(job.jobId, 0, { maxBytes: Number.NaN })).rejects.toThrow(AirbyteConfigError);
  });

  test('attemptLogs reads structured events too, as lines with their stack traces', async () => {
    const events = [
      { timestamp: Date.UTC(2026, 0, 2, 3, 4, 5), message: 'starting', level: 'info', logSource: 'platform' },
      { timestamp: Date.UTC(2026, 0, 2, 3, 4, 6), message: 'boom', level: 'error', logSource: 'source', stackTrace: 'Error: boom\n  at read()' },
    ];
    mock.injectFault({ path: '/config/attempt/get_for_job', kind: 'status', status: 200, body: { attempt: { id: 0, status: 'failed' }, logType: 'structured', logs: { events, version: '1' } } });
    await expect(client.jobHistory.attemptLogs(9, 0)).resolves.toEqual({
      lines: ['2026-01-02T03:04:05.000Z platform > INFO starting', '2026-01-02T03:04:06.000Z source > ERROR boom', 'Error: boom', '  at read()'],
      truncated: false,
      bytes: anything(Number),
    });
    await expect(client.jobHistory.attemptLogs(-1, 0)).rejects.toThrow(AirbyteConfigError);
  });

  test('tailLines keeps whole lines from the end, and the end of a line longer than the budget', () => {
    const id = (s: string) => s;
    expect(tailLines(['a', 'bb', 'ccc'], 6, id)).toEqual({ lines: ['bb', 'ccc'], truncated: true, bytes: 6 });
    expect(tailLines(['a', 'bb', 'ccc'], 100, id)).toEqual({ lines: ['a', 'bb', 'ccc'], truncated: false, bytes: 8 });
    expect(tailLines(['a', 'éééé'], 5, id)).toEqual({ lines: ['éé'], truncated: true, bytes: 4 }); // never half a character
    expect(tailLines(['abc'], 0, id)).toEqual({ lines: [], truncated: true, bytes: 0 });
    expect(tailLines([], 10, id)).toEqual({ lines: [], truncated: false, bytes: 0 });
  });
});

describe('web app links', () => {
  test('derived for Cloud and self-managed, configurable, and a job link as Airbyte builds it', () => {
    expect(new AirbyteClient({ url: 'https://api.airbyte.com/v1', noAuth: true }).webUrl).toBe('https://cloud.airbyte.com');
    expect(new AirbyteClient({ url: 'http://airbyte.local:8000/api/public/v1/', noAuth: true }).webUrl).toBe('http://airbyte.local:8000');
    expect(new AirbyteClient({ url: 'https://airbyte.example.com/custom/v1', noAuth: true }).webUrl).toBeUndefined();
    expect(new AirbyteClient({ url: 'https://airbyte.example.com/custom/v1', noAuth: true, webUrl: 'https://ui.example.com/' }).webUrl).toBe('https://ui.example.com');
    expect(deriveWebUrl('https://api.airbyte.com/v1/')).toBe('https://cloud.airbyte.com');
    expect(() => resolveInstanceConfig({ url: 'https://api.airbyte.com/v1', noAuth: true, webUrl: 'javascript:alert(1)' })).toThrow(/webUrl must be an http/);
    expect(jobWebUrl('https://cloud.airbyte.com', { workspaceId: 'ws-1', connectionId: 'c-1', jobId: 42 })).toBe(
      'https://cloud.airbyte.com/workspaces/ws-1/connections/c-1/job-history#42::0',
    );
    expect(jobWebUrl('http://airbyte.local:8000/', { workspaceId: 'w', connectionId: 'c', jobId: 7, attemptNumber: 2 })).toBe(
      'http://airbyte.local:8000/workspaces/w/connections/c/job-history#7::2',
    );
  });
});

describe('tolerant parsing', () => {
  test('extra fields are dropped and nulls become undefined or empty', () => {
    const base = { name: 'n', workspaceId: 'w', definitionId: 'd', extra: 1 };
    expect(sourceSchema.parse({ ...base, sourceId: 's', sourceType: 'pg', configuration: null, createdAt: null })).toEqual({
      ...base,
      extra: undefined,
      sourceId: 's',
      sourceType: 'pg',
      configuration: {},
      createdAt: undefined,
    });
    expect(destinationSchema.parse({ ...base, destinationId: 'x', destinationType: 'pg', configuration: { password: '**********' } })).not.toHaveProperty('extra');
    expect(workspaceDetailsSchema.parse({ workspaceId: 'w', name: 'n', dataResidency: null, notifications: null, organizationId: 'o' })).toEqual({
      workspaceId: 'w',
      name: 'n',
      dataResidency: undefined,
      notifications: {},
    });
    expect(
      workspaceDetailsSchema.parse({ workspaceId: 'w', name: 'n', notifications: { failure: { webhook: { url: null, enabled: true }, email: null }, newKind: {} } })
        .notifications,
    ).toEqual({ failure: { webhook: { url: undefined, enabled: true }, email: undefined } });
    expect(
      streamPropertiesListSchema.parse([
        { streamName: 'users', streamnamespace: 'public', syncModes: ['full_refresh_append', 'something_new'], defaultCursorField: null, sourceDefinedPrimaryKey: [['id']] },
      ]),
    ).toEqual([
      {
        streamName: 'users',
        namespace: 'public',
        syncModes: ['full_refresh_append', 'something_new'],
        defaultCursorField: [],
        sourceDefinedCursorField: false,
        sourceDefinedPrimaryKey: [['id']],
        propertyFields: undefined,
      },
    ]);
    expect(streamPropertiesListSchema.parse(null)).toEqual([]);
    expect(noContentSchema.parse('')).toBeUndefined();
    expect(noContentSchema.parse(undefined)).toBeUndefined();

    const connection = connectionSchema.parse({
      connectionId: 'c',
      name: 'n',
      sourceId: 's',
      destinationId: 'd',
      workspaceId: 'w',
      status: 'something_new',
      nonBreakingSchemaUpdatesBehavior: 'propagate_fully',
      statusReason: null,
      configurations: { streams: [{ name: 'u', mappers: [{ type: 'hashing', mapperConfiguration: { targetField: 'email' } }], selectedFields: [{ fieldPath: ['id'] }], unknown: 1 }] },
      tags: null,
    });
    expect(connection).toMatchObject({ status: 'something_new', nonBreakingSchemaUpdatesBehavior: 'propagate_fully', tags: [] });
    expect(connection.configurations?.streams?.[0]).toMatchObject({ mappers: [{ type: 'hashing' }], selectedFields: [{ fieldPath: ['id'] }] });
    expect(connection.configurations?.streams?.[0]).not.toHaveProperty('unknown');
  });

  test('Config API answers: attempts with nulls, formatted and structured logs', () => {
    const info = jobAttemptsSchema.parse({
      job: { id: 1, configType: 'sync', status: 'weird', createdAt: 10, updatedAt: null, extra: true },
      attempts: [
        { attempt: { id: 0, status: 'failed', streamStats: null, failureSummary: { failures: [{ failureOrigin: 'source', externalMessage: 'x', timestamp: 5 }] } } },
        { attempt: { id: 1, status: 'running', failureSummary: null }, logs: { logLines: ['ignored'] } },
      ],
    });
    expect(info.job).toEqual({ id: 1, configType: 'sync', status: 'weird', createdAt: 10, updatedAt: undefined });
    expect(info.attempts[0]?.attempt.streamStats).toEqual([]);
    expect(jobAttemptsSchema.parse({ job: null, attempts: null })).toEqual({ job: undefined, attempts: [] });
    expect(attemptInfoSchema.parse({ logType: 'structured', logs: { events: [{ timestamp: 0, message: 'm', level: 'info', logSource: 'source', caller: {} }], version: '1' } }).logs?.events).toEqual([
      { timestamp: 0, message: 'm', level: 'info', logSource: 'source', stackTrace: undefined },
    ]);
    expect(attemptInfoSchema.parse({ attempt: { id: 0, status: 'succeeded' }, logs: null })).toEqual({ logType: undefined, logs: undefined });
  });
});
