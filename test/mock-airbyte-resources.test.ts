/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return,
   @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-explicit-any --
   jest's asymmetric matchers are typed any, and response bodies are read as loose JSON */
import { MockAirbyteServer } from '../src/testing/mock-airbyte';
import { isoDuration } from '../src/testing/mock-airbyte/views';

// The mock's workspaces, sources, destinations, connections, streams, job history and Config API reads, over
// plain HTTP, with the behaviours taken from Airbyte's server code.

interface Res<T> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}
type Json = Record<string, any>;
interface Page<T = Json> {
  data: T[];
  next: string;
  previous: string;
}

let server: MockAirbyteServer;
let token = '';
const UA = 'mock-airbyte-resources-test/1.0';
const HOLD = { phases: [{ status: 'running', ms: Infinity }] };
const SECRETS = ['hunter2-pw', 'sk_live_abc123', 'ghp_tokenvalue', '-----BEGIN KEY-----', 'refresh-me', 'nested-secret'];

async function call<T = Json>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
  const res = await fetch(url.startsWith('http') ? url : `${server.publicApiUrl}${url}`, {
    method,
    headers: { 'user-agent': UA, authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, text, body: parsed as T };
}
const config = <T = Json>(path: string, body: unknown) => call<T>('POST', `${server.configApiUrl}${path}`, body);

const workspace = async (name = 'ws') => (await call('POST', '/workspaces', { name })).body.workspaceId as string;
const source = async (workspaceId: string, configuration: Json = { sourceType: 'postgres' }, name = 'src') =>
  (await call('POST', '/sources', { name, workspaceId, configuration })).body.sourceId as string;
const destination = async (workspaceId: string, name = 'dst') =>
  (await call('POST', '/destinations', { name, workspaceId, configuration: { destinationType: 'postgres', password: SECRETS[0] } })).body
    .destinationId as string;
const ended = (jobId: number) => () => ['succeeded', 'failed', 'cancelled'].includes(server.job(jobId)?.status ?? '');
const noSecretIn = (text: string) => SECRETS.forEach((secret) => expect(text).not.toContain(secret));

beforeAll(async () => {
  server = await MockAirbyteServer.start();
  const { clientId, clientSecret } = server.credentials!;
  token = (await call<{ access_token: string }>('POST', '/applications/token', { client_id: clientId, client_secret: clientSecret })).body.access_token;
});
afterAll(() => server.close());
beforeEach(() => server.reset());

describe('workspaces', () => {
  test('create, get, list, patch notifications; names may repeat', async () => {
    const created = await call('POST', '/workspaces', { name: 'Acme', organizationId: '00000000-0000-0000-0000-000000000000' });
    expect(created.status).toBe(200);
    const { workspaceId } = created.body;
    const email = (enabled: boolean) => ({ email: { enabled }, webhook: { enabled: false } });
    expect(created.body).toEqual({
      workspaceId: expect.any(String),
      name: 'Acme',
      dataResidency: 'auto',
      // Airbyte fills every kind in: an email for all but success.
      notifications: {
        failure: email(true),
        success: email(false),
        connectionUpdate: email(true),
        connectionUpdateActionRequired: email(true),
        syncDisabled: email(true),
        syncDisabledWarning: email(true),
      },
    });
    const twin = (await call('POST', '/workspaces', { name: 'Acme' })).body.workspaceId as string;
    expect(twin).not.toBe(workspaceId);
    expect((await call('GET', `/workspaces/${workspaceId}`)).body).toEqual(created.body);

    const listed = await call<Page>('GET', `/workspaces?workspaceIds=${workspaceId},${twin}`);
    expect(listed.body.data.map((w) => w.name)).toEqual(['Acme', 'Acme']);

    const hook = 'https://hooks.example.com/T0/B0/x';
    const patched = await call('PATCH', `/workspaces/${workspaceId}`, {
      name: 'Acme 2',
      notifications: { failure: { webhook: { enabled: true, url: hook } }, success: { email: { enabled: true } }, syncDisabled: { email: { enabled: false } } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.name).toBe('Acme 2');
    expect(patched.body.notifications).toMatchObject({
      failure: { email: { enabled: true }, webhook: { enabled: true, url: hook } }, // a patch keeps what it does not name
      success: { email: { enabled: true }, webhook: { enabled: false } },
      syncDisabled: { email: { enabled: false } },
    });
    expect((await call('GET', `/workspaces/${workspaceId}`)).body.notifications.failure.webhook).toEqual({ enabled: true, url: hook });
    expect(server.workspace(workspaceId)).toMatchObject({ name: 'Acme 2', deleted: false });
  });

  test('on create a webhook URL is kept only when enabled; bad bodies are 400s, unknown ids 404s', async () => {
    const created = await call('POST', '/workspaces', {
      name: 'n',
      notifications: { failure: { webhook: { enabled: false, url: 'https://x' } }, success: { webhook: { enabled: true, url: 'https://y' } } },
    });
    expect(created.body.notifications.failure).toEqual({ email: { enabled: true }, webhook: { enabled: false } });
    expect(created.body.notifications.success).toEqual({ email: { enabled: false }, webhook: { enabled: true, url: 'https://y' } });

    expect((await call('POST', '/workspaces', {})).body).toMatchObject({ status: 400, title: 'bad-request' });
    expect((await call('POST', '/workspaces', { name: 'x', notifications: { failure: { email: { enabled: 'yes' } } } })).status).toBe(400);
    expect((await call('POST', '/workspaces', 'not json')).status).toBe(400);
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      expect((await call(method, '/workspaces/nope', method === 'PATCH' ? { name: 'x' } : undefined)).body).toMatchObject({
        status: 404,
        title: 'resource-not-found',
        data: { resourceType: 'STANDARD_WORKSPACE', resourceId: 'nope' },
      });
    }
  });

  test('DELETE cascades: connections deprecated, destinations and sources deleted; the workspace is gone but listed with includeDeleted', async () => {
    const workspaceId = await workspace('doomed');
    const sourceId = await source(workspaceId);
    const destinationId = await destination(workspaceId);
    const { connectionId } = (await call('POST', '/connections', { sourceId, destinationId })).body;
    const other = server.addConnection({ script: HOLD }); // another workspace: untouched
    const { jobId } = (await call('POST', '/jobs', { connectionId, jobType: 'sync' })).body;

    const deleted = await call('DELETE', `/workspaces/${workspaceId}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await call('GET', `/workspaces/${workspaceId}`)).status).toBe(404);
    expect((await call('DELETE', `/workspaces/${workspaceId}`)).status).toBe(404);
    const ids = async (query: string) => (await call<Page>('GET', `/workspaces?${query}`)).body.data.map((w) => w.workspaceId);
    expect(await ids(`workspaceIds=${workspaceId}`)).toEqual([]);
    expect(await ids(`workspaceIds=${workspaceId}&includeDeleted=true`)).toEqual([workspaceId]);

    expect((await call('GET', `/connections/${connectionId}`)).body.status).toBe('deprecated');
    expect(server.job(jobId as number)?.status).toBe('cancelled'); // deleting the connection stops its sync
    expect(server.source(sourceId)).toMatchObject({ deleted: true, configuration: null });
    expect(server.destination(destinationId)).toMatchObject({ deleted: true });
    expect(server.workspaces().find((w) => w.workspaceId === workspaceId)).toMatchObject({ deleted: true });
    expect(server.connection(other.connectionId)?.status).toBe('active');
  });
});

describe.each(['source', 'destination'] as const)('%ss', (kind) => {
  const family = `/${kind}s`;
  const idKey = `${kind}Id`;
  const typeKey = `${kind}Type`;
  const secretConfig = () => ({
    [typeKey]: 'postgres',
    host: 'db.example.com',
    port: 5432,
    password: SECRETS[0],
    client_secret: SECRETS[1],
    tunnel: { method: 'SSH_KEY_AUTH', ssh_private_key: SECRETS[3], apiToken: SECRETS[2] },
    credentials: [{ refresh_token: SECRETS[4], deep: { some_secret_value: SECRETS[5] } }],
  });

  test('create masks secrets in every answer, keeps the real values, and redacts them from the record', async () => {
    const workspaceId = await workspace();
    const created = await call('POST', family, { name: 'pg', workspaceId, configuration: secretConfig() });
    expect(created.status).toBe(200);
    const definitionId = kind === 'source' ? 'decd338e-5647-4c0b-adf4-da0e75f5a750' : '25c5221d-dce2-4163-ade9-739ef790f503';
    expect(created.body).toEqual({
      [idKey]: expect.any(String),
      name: 'pg',
      [typeKey]: 'postgres',
      definitionId,
      workspaceId,
      configuration: {
        host: 'db.example.com', // the type field is taken out of the configuration, as Airbyte does
        port: 5432,
        password: '**********',
        client_secret: '**********',
        tunnel: { method: 'SSH_KEY_AUTH', ssh_private_key: '**********', apiToken: '**********' },
        credentials: [{ refresh_token: '**********', deep: { some_secret_value: '**********' } }],
      },
      createdAt: expect.any(Number),
    });
    expect(Number.isInteger(created.body.createdAt) && created.body.createdAt < 1e11).toBe(true); // epoch seconds
    const id = created.body[idKey] as string;
    const stored = kind === 'source' ? server.sourceConfiguration(id) : server.destinationConfiguration(id);
    expect(stored).toMatchObject({ password: SECRETS[0], tunnel: { apiToken: SECRETS[2] }, credentials: [{ deep: { some_secret_value: SECRETS[5] } }] });

    const answers = [created, await call('GET', `${family}/${id}`), await call('GET', `${family}?workspaceIds=${workspaceId}`)];
    answers.push(await call('PATCH', `${family}/${id}`, { name: 'pg2' }), await call('PUT', `${family}/${id}`, { name: 'pg3', configuration: secretConfig() }));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      noSecretIn(answer.text);
    }
    noSecretIn(JSON.stringify(server.requests));
    expect(server.requestsTo('POST', family)[0]?.body).toMatchObject({ configuration: { password: '[redacted]', host: 'db.example.com' } });
  });

  test('PATCH merges the configuration, PUT replaces it; a secret sent back masked keeps its value', async () => {
    const workspaceId = await workspace();
    const id = (await call('POST', family, { name: 'a', workspaceId, configuration: secretConfig() })).body[idKey] as string;
    const read = () => (kind === 'source' ? server.sourceConfiguration(id) : server.destinationConfiguration(id));

    const patched = await call('PATCH', `${family}/${id}`, { configuration: { port: 6543, tunnel: { method: 'NO_TUNNEL' }, password: '**********' } });
    expect(patched.body.name).toBe('a');
    expect(read()).toMatchObject({ host: 'db.example.com', port: 6543, password: SECRETS[0], tunnel: { method: 'NO_TUNNEL', ssh_private_key: SECRETS[3] } });

    const replaced = await call('PUT', `${family}/${id}`, { name: 'b', configuration: { [typeKey]: 'postgres', host: 'other', password: '**********' } });
    expect(replaced.body).toMatchObject({ name: 'b', configuration: { host: 'other', password: '**********' } });
    expect(read()).toEqual({ host: 'other', password: SECRETS[0] });

    expect((await call('PUT', `${family}/${id}`, { name: 'c' })).status).toBe(400); // PUT needs both
    expect((await call('PATCH', `${family}/${id}`, { configuration: 'x' })).status).toBe(400);
  });

  test('the type comes from configuration or definitionId; bad input is 400/422, unknown workspace 404', async () => {
    const workspaceId = await workspace();
    const post = (body: Json) => call('POST', family, { name: 'x', workspaceId, ...body });
    const byDefinition = await post({ definitionId: '11111111-2222-3333-4444-555555555555', configuration: { host: 'h' } });
    expect(byDefinition.body).toMatchObject({ definitionId: '11111111-2222-3333-4444-555555555555', [typeKey]: '' }); // a name Airbyte does not know
    const nested = await post({ configuration: { options: { [typeKey]: 'bigquery' } } }); // Airbyte's findValue looks at any depth
    expect(nested.body[typeKey]).toBe('bigquery');
    expect((await post({ configuration: { [typeKey]: 'some-custom-connector' } })).body[typeKey]).toBe('some-custom-connector');

    expect((await post({ configuration: { host: 'h' } })).body).toMatchObject({ status: 422, title: 'unprocessable-entity' });
    expect((await post({ configuration: { [typeKey]: 'Not A Connector' } })).body).toMatchObject({ status: 400, title: 'value-not-found', data: { value: 'Not A Connector' } });
    expect((await call('POST', family, { workspaceId, configuration: { [typeKey]: 'postgres' } })).status).toBe(400);
    expect((await call('POST', family, { name: 'x', workspaceId })).status).toBe(400);
    expect((await call('POST', family, { name: 'x', configuration: { [typeKey]: 'postgres' } })).status).toBe(400);
    expect((await call('POST', family, { name: 'x', workspaceId: 'nope', configuration: { [typeKey]: 'postgres' } })).body).toMatchObject({
      status: 404,
      data: { resourceType: 'STANDARD_WORKSPACE', resourceId: 'nope' },
    });
    const resourceType = kind === 'source' ? 'SOURCE_CONNECTION' : 'DESTINATION_CONNECTION';
    for (const method of ['GET', 'PATCH', 'PUT', 'DELETE']) {
      const res = await call(method, `${family}/nope`, ['PATCH', 'PUT'].includes(method) ? { name: 'x', configuration: {} } : undefined);
      expect(res.body).toMatchObject({ status: 404, data: { resourceType, resourceId: 'nope' } });
    }
  });

  test('names may repeat; list pages; DELETE voids it, still readable by id, listed only with includeDeleted', async () => {
    const workspaceId = await workspace();
    const [a, b] = [await call('POST', family, { name: 'same', workspaceId, configuration: { [typeKey]: 'postgres' } }), await call('POST', family, { name: 'same', workspaceId, configuration: { [typeKey]: 'postgres' } })];
    const [idA, idB] = [a.body[idKey] as string, b.body[idKey] as string];
    expect(idA).not.toBe(idB);

    const first = await call<Page>('GET', `${family}?workspaceIds=${workspaceId}&limit=1`);
    expect(first.body.data.map((x) => x[idKey])).toEqual([idA]);
    expect(first.body.previous).toBe('');
    expect(first.body.next).toBe(`${server.publicApiUrl}${family}?includeDeleted=false&workspaceIds=${workspaceId}&limit=1&offset=1`);
    const empty = await call<Page>('GET', `${family}?workspaceIds=${workspaceId}&offset=5`);
    expect(empty.body).toEqual({ data: [], next: '', previous: `${server.publicApiUrl}${family}?includeDeleted=false&workspaceIds=${workspaceId}&limit=20&offset=0` });

    const deleted = await call('DELETE', `${family}/${idA}`);
    expect(deleted.status).toBe(204);
    expect((await call('DELETE', `${family}/${idA}`)).status).toBe(204); // again: no error
    // Airbyte reads sources and destinations without filtering tombstones: still there, configuration voided.
    expect((await call('GET', `${family}/${idA}`)).body).toMatchObject({ [idKey]: idA, name: 'same', configuration: null });
    const ids = async (query: string) => (await call<Page>('GET', `${family}?workspaceIds=${workspaceId}${query}`)).body.data.map((x) => x[idKey]);
    expect(await ids('')).toEqual([idB]);
    expect(await ids('&includeDeleted=true')).toEqual([idA, idB]);
    const all = kind === 'source' ? server.sources({ workspaceId }) : server.destinations({ workspaceId });
    expect(all.map((x) => x.deleted)).toEqual([true, false]);
  });

  test('DELETE deprecates its connections', async () => {
    const workspaceId = await workspace();
    const [sourceId, destinationId] = [await source(workspaceId), await destination(workspaceId)];
    const { connectionId } = (await call('POST', '/connections', { sourceId, destinationId })).body;
    const untouched = (await call('POST', '/connections', { sourceId: await source(workspaceId), destinationId: await destination(workspaceId) })).body.connectionId as string;
    expect((await call('DELETE', `${family}/${kind === 'source' ? sourceId : destinationId}`)).status).toBe(204);
    expect((await call('GET', `/connections/${connectionId}`)).body.status).toBe('deprecated');
    expect((await call('GET', `/connections/${untouched}`)).body.status).toBe('active');
  });
});

describe('connections', () => {
  test('a minimal create: Airbyte defaults, every stream full refresh, the default name, and it syncs', async () => {
    const workspaceId = await workspace();
    const [sourceId, destinationId] = [await source(workspaceId, { sourceType: 'postgres' }, 'Postgres'), await destination(workspaceId, 'Warehouse')];
    const created = await call('POST', '/connections', { sourceId, destinationId });
    expect(created.status).toBe(200);
    const stream = (name: string) => ({ name, syncMode: 'full_refresh_overwrite', cursorField: ['updated_at'], primaryKey: [['id']] });
    expect(created.body).toEqual({
      connectionId: expect.any(String),
      name: 'Postgres <> Warehouse',
      sourceId,
      destinationId,
      workspaceId,
      status: 'active',
      schedule: { scheduleType: 'manual' },
      configurations: { streams: [stream('customers'), stream('orders')] },
      namespaceDefinition: 'destination',
      prefix: '',
      nonBreakingSchemaUpdatesBehavior: 'ignore',
      createdAt: expect.any(Number),
      tags: [],
    });
    const { connectionId } = created.body;
    expect((await call('GET', `/connections/${connectionId}`)).body).toEqual(created.body);
    expect(server.connection(connectionId as string)).toEqual(created.body);
    // Same name again is fine.
    expect((await call('POST', '/connections', { sourceId, destinationId, name: 'Postgres <> Warehouse' })).status).toBe(200);

    const { jobId } = (await call('POST', '/jobs', { connectionId, jobType: 'sync' })).body;
    await server.waitFor(ended(jobId as number));
    expect(server.job(jobId as number)?.status).toBe('succeeded'); // the default script
  });

  test('a full create: streams checked against the catalogue, cron answered with its time zone', async () => {
    const workspaceId = await workspace();
    const [sourceId, destinationId] = [await source(workspaceId), await destination(workspaceId)];
    server.setSourceStreams(sourceId, ['users', { name: 'events', namespace: 'app', sourceDefinedCursor: true, defaultCursorField: ['ts'], fields: ['id', 'ts'] }]);
    const created = await call('POST', '/connections', {
      sourceId,
      destinationId,
      name: 'full',
      configurations: {
        streams: [
          { name: 'users', syncMode: 'incremental_deduped_history', cursorField: ['updated_at'], primaryKey: [['id']] },
          { name: 'events', syncMode: 'incremental_append' },
        ],
      },
      schedule: { scheduleType: 'cron', cronExpression: '0 0 * * * ?' },
      namespaceDefinition: 'custom_format',
      namespaceFormat: '${SOURCE_NAMESPACE}_raw',
      prefix: 'raw_',
      status: 'inactive',
      nonBreakingSchemaUpdatesBehavior: 'propagate_columns',
      tags: [{ tagId: 't-1', workspaceId, name: 'prod', color: '#000000' }],
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      schedule: { scheduleType: 'cron', cronExpression: '0 0 * * * ? UTC' },
      namespaceDefinition: 'custom_format',
      namespaceFormat: '${SOURCE_NAMESPACE}_raw',
      prefix: 'raw_',
      status: 'inactive',
      nonBreakingSchemaUpdatesBehavior: 'propagate_columns',
      tags: [{ tagId: 't-1', workspaceId, name: 'prod', color: '#000000' }],
      configurations: {
        streams: [
          { name: 'users', syncMode: 'incremental_deduped_history', cursorField: ['updated_at'], primaryKey: [['id']] },
          { name: 'events', namespace: 'app', syncMode: 'incremental_append', cursorField: ['ts'], primaryKey: [['id']] },
        ],
      },
    });
    // A trailing UTC is taken off before Airbyte appends its own.
    const utc = await call('POST', '/connections', { sourceId, destinationId, schedule: { scheduleType: 'cron', cronExpression: '0 30 2 * * ? UTC' } });
    expect(utc.body.schedule).toEqual({ scheduleType: 'cron', cronExpression: '0 30 2 * * ? UTC' });
  });

  test('create errors: 400 for bodies, schedules and streams, 404 for unknown ends, 500 across workspaces', async () => {
    const workspaceId = await workspace();
    const [sourceId, destinationId] = [await source(workspaceId), await destination(workspaceId)];
    const create = (body: Json) => call('POST', '/connections', { sourceId, destinationId, ...body });
    const message = async (body: Json) => {
      const res = await create(body);
      expect(res.body).toMatchObject({ status: 400, title: 'bad-request' });
      return res.body.data.message as string;
    };
    expect(await message({ schedule: { scheduleType: 'cron' } })).toMatch(/Missing cron expression/);
    expect(await message({ schedule: { scheduleType: 'cron', cronExpression: '* * * * * ?' } })).toMatch(/one hour minimum/);
    expect(await message({ schedule: { scheduleType: 'cron', cronExpression: '0 0 * * *' } })).toMatch(/not valid/);
    expect(await message({ schedule: { scheduleType: 'basic' } })).toMatch(/scheduleType/); // requests take manual or cron
    expect(await message({ configurations: { streams: [{ name: 'nope' }] } })).toMatch(/no stream with name \[nope\]/);
    expect(await message({ configurations: { streams: [{ name: 'orders' }, { name: 'orders' }] } })).toMatch(/twice/);
    expect(await message({ configurations: { streams: [{ name: 'orders', syncMode: 'incremental_update' }] } })).toMatch(/Cannot set sync mode/);
    expect(await message({ configurations: { streams: [{ name: 'orders', syncMode: 'incremental_append', cursorField: ['nope'] }] } })).toMatch(/cursor/);
    expect(await message({ configurations: { streams: [{ name: 'orders', syncMode: 'sideways' }] } })).toMatch(/syncMode/);
    expect(await message({ status: 'paused' })).toMatch(/status/);
    expect((await call('POST', '/connections', { destinationId })).status).toBe(400);

    expect((await create({ sourceId: 'nope' })).body).toMatchObject({ status: 404, data: { resourceType: 'SOURCE_CONNECTION', resourceId: 'nope' } });
    expect((await create({ destinationId: 'nope' })).body).toMatchObject({ status: 404, data: { resourceType: 'DESTINATION_CONNECTION' } });
    const elsewhere = await source(await workspace());
    expect((await create({ sourceId: elsewhere })).body).toMatchObject({ status: 500, title: 'unexpected-problem' });
  });

  test('PATCH changes what it names and keeps the rest; a locked connection refuses', async () => {
    const workspaceId = await workspace();
    const [sourceId, destinationId] = [await source(workspaceId), await destination(workspaceId)];
    const { connectionId } = (await call('POST', '/connections', { sourceId, destinationId, configurations: { streams: [{ name: 'orders' }] } })).body;
    const patch = (body: Json) => call('PATCH', `/connections/${connectionId}`, body);

    const renamed = await patch({ name: 'renamed', status: 'inactive', schedule: { scheduleType: 'cron', cronExpression: '0 15 * * * ?' }, prefix: 'p_' });
    expect(renamed.body).toMatchObject({ name: 'renamed', status: 'inactive', prefix: 'p_', schedule: { cronExpression: '0 15 * * * ? UTC' } });
    expect(renamed.body.configurations.streams.map((s: Json) => s.name)).toEqual(['orders']);
    const streams = await patch({ configurations: { streams: [{ name: 'customers', syncMode: 'full_refresh_append' }] }, namespaceDefinition: 'source' });
    expect(streams.body).toMatchObject({ name: 'renamed', namespaceDefinition: 'source', configurations: { streams: [{ name: 'customers', syncMode: 'full_refresh_append' }] } });
    expect((await patch({ schedule: { scheduleType: 'manual' }, nonBreakingSchemaUpdatesBehavior: 'disable_connection' })).body).toMatchObject({
      schedule: { scheduleType: 'manual' },
      nonBreakingSchemaUpdatesBehavior: 'disable_connection',
    });
    expect((await patch({ configurations: { streams: [{ name: 'nope' }] } })).status).toBe(400);
    expect((await patch({ schedule: { scheduleType: 'cron' } })).status).toBe(400);
    expect((await call('PATCH', '/connections/nope', { name: 'x' })).body).toMatchObject({ status: 404, data: { resourceType: 'STANDARD_SYNC' } });

    const locked = server.addConnection({ status: 'locked' });
    expect((await call('PATCH', `/connections/${locked.connectionId}`, { name: 'x' })).body).toMatchObject({ status: 409, title: 'Connection is locked' });
  });

  test('DELETE: 204, then deprecated (still readable), listed only with includeDeleted, and no more jobs', async () => {
    const { connectionId, workspaceId } = server.addConnection({ script: HOLD });
    const { jobId } = (await call('POST', '/jobs', { connectionId, jobType: 'sync' })).body;
    expect((await call('DELETE', `/connections/${connectionId}`)).status).toBe(204);
    expect(server.job(jobId as number)?.status).toBe('cancelled');
    expect((await call('GET', `/connections/${connectionId}`)).body).toMatchObject({ connectionId, status: 'deprecated' });
    const ids = async (query: string) => (await call<Page>('GET', `/connections?workspaceIds=${workspaceId}${query}`)).body.data.map((c) => c.connectionId);
    expect(await ids('')).not.toContain(connectionId);
    expect(await ids('&includeDeleted=true')).toContain(connectionId);
    expect((await call('POST', '/jobs', { connectionId, jobType: 'sync' })).body).toMatchObject({ status: 409, title: 'state-conflict' });
    expect((await call('DELETE', '/connections/nope')).status).toBe(404);
  });
});

describe('streams', () => {
  test("the source's catalogue; sync modes only when a destination is named", async () => {
    const workspaceId = await workspace();
    const [sourceId, destinationId] = [await source(workspaceId), await destination(workspaceId)];
    const bare = await call<Json[]>('GET', `/streams?sourceId=${sourceId}&ignoreCache=true`);
    expect(bare.status).toBe(200);
    expect(bare.body).toEqual(['customers', 'orders'].map((streamName) => ({
      streamName,
      defaultCursorField: ['updated_at'],
      sourceDefinedCursorField: false,
      sourceDefinedPrimaryKey: [['id']],
      propertyFields: [['id'], ['name'], ['updated_at']],
    })));
    const paired = await call<Json[]>('GET', `/streams?sourceId=${sourceId}&destinationId=${destinationId}`);
    expect(paired.body[0]!.syncModes).toEqual(['full_refresh_append', 'full_refresh_overwrite', 'incremental_append', 'incremental_deduped_history']);

    server.setSourceStreams(sourceId, [{ name: 'logs', namespace: 'ops', syncModes: ['full_refresh'], fields: ['id', 'line'] }]);
    expect((await call<Json[]>('GET', `/streams?sourceId=${sourceId}&destinationId=${destinationId}`)).body).toEqual([
      expect.objectContaining({ streamName: 'logs', streamnamespace: 'ops', syncModes: ['full_refresh_append', 'full_refresh_overwrite'], propertyFields: [['id'], ['line']] }),
    ]);
    expect(server.source(sourceId)?.streams).toEqual(['logs']);

    expect((await call('GET', '/streams')).status).toBe(400);
    expect((await call('GET', '/streams?sourceId=nope')).body).toMatchObject({ status: 404, data: { resourceType: 'SOURCE_CONNECTION' } });
    expect((await call('GET', `/streams?sourceId=${sourceId}&destinationId=nope`)).status).toBe(404);
  });
});

describe('job history as Airbyte lists it', () => {
  test('an unknown status or jobType is a 400; values are single and any case; queued is a status', async () => {
    const connectionId = server.addConnection({ script: HOLD }).connectionId;
    const running = server.startJob(connectionId).jobId;
    server.finishJob(running, 'succeeded');
    const held = server.startJob(connectionId).jobId;
    const ids = async (query: string) => (await call<Page>('GET', `/jobs?connectionId=${connectionId}&${query}`)).body.data.map((j) => j.jobId);

    for (const query of ['status=bogus', 'jobType=bogus', 'status=running,pending', 'jobType=sync,reset']) {
      expect((await call('GET', `/jobs?${query}`)).body).toMatchObject({ status: 400, title: 'bad-request' });
    }
    expect(await ids('status=RUNNING')).toEqual([held]);
    expect(await ids('status=running&status=succeeded')).toEqual([held]); // the first value counts
    expect(await ids('status=queued')).toEqual([]);
    const waiting = server.addConnection({ script: { phases: [{ status: 'queued', ms: Infinity }] } }).connectionId;
    const queued = server.startJob(waiting).jobId;
    expect((await call<Page>('GET', '/jobs?status=queued')).body.data.map((j) => j.jobId)).toEqual([queued]);
    expect(await ids('jobType=refresh')).toEqual([]);
    expect(await ids('jobType=Sync')).toEqual([running, held]);
  });

  test('links: next and previous are strings, "" when there is none; filters other than jobType and the scope are dropped', async () => {
    const connectionId = server.addConnection({ script: { phases: [] } }).connectionId;
    for (let i = 0; i < 3; i++) server.startJob(connectionId);
    const base = `${server.publicApiUrl}/jobs`;
    const first = await call<Page>('GET', `/jobs?connectionId=${connectionId}&status=succeeded&jobType=sync&orderBy=createdAt|DESC&limit=2`);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.previous).toBe('');
    expect(first.body.next).toBe(`${base}?jobType=sync&connectionId=${connectionId}&limit=2&offset=2`);
    const second = await call<Page>('GET', `/jobs?connectionId=${connectionId}&limit=2&offset=2`);
    expect(second.body.next).toBe(`${base}?connectionId=${connectionId}&limit=2&offset=4`);
    expect(second.body.previous).toBe(`${base}?connectionId=${connectionId}&limit=2&limit=2&offset=0`); // one UriBuilder for both links
    const empty = await call<Page>('GET', `/jobs?connectionId=${connectionId}&limit=2&offset=4`);
    expect(empty.body).toEqual({ data: [], next: '', previous: `${base}?connectionId=${connectionId}&limit=2&offset=2` });
    const workspaceScoped = await call<Page>('GET', `/jobs?workspaceIds=${server.defaultWorkspaceId}&limit=1`);
    expect(workspaceScoped.body.next).toBe(`${base}?workspaceIds=${server.defaultWorkspaceId}&limit=1&offset=1`);
  });

  test('durations are whole seconds, as java.time.Duration prints them', async () => {
    expect([0, 1, 65, 600, 3600, 3661, 90_061].map(isoDuration)).toEqual(['PT0S', 'PT1S', 'PT1M5S', 'PT10M', 'PT1H', 'PT1H1M1S', 'PT25H1M1S']);
    const connectionId = server.addConnection({ script: { phases: [{ status: 'running', ms: 30 }] } }).connectionId;
    const { jobId } = server.startJob(connectionId);
    await server.waitFor(ended(jobId));
    const { body } = await call(`GET`, `/jobs/${jobId}`);
    expect(body.duration).toMatch(/^PT(\d+H)?(\d+M)?(\d+S)?$/);
    expect(body.duration).not.toContain('.');
  });

  test('DELETE of a job that has ended answers 200 with it unchanged, and cancels the connection’s current job', async () => {
    const connectionId = server.addConnection({ script: HOLD }).connectionId;
    const old = server.finishJob(server.startJob(connectionId).jobId, 'failed');
    const current = server.startJob(connectionId);
    const res = await call('DELETE', `/jobs/${old.jobId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ jobId: old.jobId, status: 'failed' });
    expect(server.job(current.jobId)).toMatchObject({ status: 'cancelled', cancelRequestedVia: old.jobId });
    expect((await call('DELETE', `/jobs/${old.jobId}`)).body).toMatchObject({ jobId: old.jobId, status: 'failed' }); // nothing left to cancel

    // A deleted connection's scheduling workflow is gone: the cancel fails.
    expect((await call('DELETE', `/connections/${connectionId}`)).status).toBe(204);
    expect((await call('DELETE', `/jobs/${old.jobId}`)).body).toMatchObject({ status: 409, title: 'state-conflict' });
  });
});

describe('Config API', () => {
  const failing = () =>
    server.addConnection({
      script: {
        phases: [{ status: 'running', ms: 0 }, { status: 'incomplete', ms: 0 }, { status: 'running', ms: 0 }],
        outcome: 'failed',
        failureMessage: 'Source said no',
        streams: [{ name: 'users', namespace: 'public', records: 4, bytes: 40 }],
      },
    }).connectionId;

  test('jobs/get_without_logs: attempts without logs, the job with its aggregated stats', async () => {
    const { jobId } = server.startJob(failing());
    await server.waitFor(ended(jobId));
    const { status, body } = await config('/jobs/get_without_logs', { id: jobId });
    expect(status).toBe(200);
    expect(body.job).toMatchObject({
      id: jobId,
      configType: 'sync',
      configId: expect.any(String),
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
      status: 'failed',
      aggregatedStats: { recordsEmitted: 4, bytesEmitted: 40, recordsCommitted: 4, bytesCommitted: 40, recordsRejected: 0 },
      streamAggregatedStats: [expect.objectContaining({ streamName: 'users', streamNamespace: 'public', recordsCommitted: 4 })],
    });
    expect(body.attempts).toHaveLength(2);
    for (const attempt of body.attempts) expect(Object.keys(attempt)).toEqual(['attempt']);
    expect(body.attempts[1].attempt).toMatchObject({
      id: 1,
      status: 'failed',
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
      endedAt: expect.any(Number),
      recordsSynced: 4,
      bytesSynced: 40,
      totalStats: expect.objectContaining({ recordsCommitted: 4 }),
      streamStats: [{ streamName: 'users', streamNamespace: 'public', stats: { recordsEmitted: 4, bytesEmitted: 40, recordsCommitted: 4, bytesCommitted: 40 } }],
      failureSummary: {
        failures: [
          {
            failureOrigin: 'source',
            failureType: 'system_error',
            externalMessage: 'Source said no',
            internalMessage: expect.stringContaining('Source said no'),
            stacktrace: expect.any(String),
            retryable: false,
            timestamp: expect.any(Number),
          },
        ],
        partialSuccess: true,
      },
    });
    expect((await config('/jobs/get_without_logs', { id: 99_999 })).body).toEqual({ message: expect.any(String), errorId: expect.any(String) });
    expect((await config('/jobs/get_without_logs', { id: 'x' })).status).toBe(422);
  });

  test('jobs/get and attempt/get_for_job carry formatted logs; a script may give its own, of any size, or ask for structured ones', async () => {
    const { jobId } = server.startJob(failing());
    await server.waitFor(ended(jobId));
    const full = await config('/jobs/get', { id: jobId });
    expect(full.body.job.aggregatedStats).toBeUndefined(); // Airbyte's jobs/get does not hydrate the stats
    expect(full.body.attempts[0]).toMatchObject({ attempt: { id: 0 }, logType: 'formatted', logs: { logLines: expect.any(Array) } });
    const one = await config('/attempt/get_for_job', { jobId, attemptNumber: 1 });
    expect(one.body).toMatchObject({ attempt: { id: 1, status: 'failed' }, logType: 'formatted' });
    const lines = one.body.logs.logLines as string[];
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d platform > Starting attempt 1 /);
    expect(lines.at(-1)).toMatch(/ source > ERROR Source said no$/);

    const logLines = Array.from({ length: 10_000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
    const big = server.startJob(server.addConnection({ script: { phases: [], logLines } }).connectionId).jobId;
    const huge = await config('/attempt/get_for_job', { jobId: big, attemptNumber: 0 });
    expect(huge.body.logs.logLines).toEqual(logLines);
    expect(huge.text.length).toBeGreaterThan(450_000);

    const structured = server.startJob(server.addConnection({ script: { phases: [], logFormat: 'structured' } }).connectionId).jobId;
    const events = await config('/attempt/get_for_job', { jobId: structured, attemptNumber: 0 });
    expect(events.body).toMatchObject({ logType: 'structured', logs: { version: '1', events: expect.any(Array) } });
    expect(events.body.logs.events[0]).toEqual({ timestamp: expect.any(Number), message: expect.stringContaining('Starting attempt 0'), level: 'info', logSource: 'platform' });
    expect(events.body.logs.logLines).toBeUndefined();

    expect((await config('/attempt/get_for_job', { jobId, attemptNumber: 7 })).status).toBe(404);
    expect((await config('/attempt/get_for_job', { jobId: 99_999, attemptNumber: 0 })).status).toBe(404);
    expect((await config('/attempt/get_for_job', { jobId })).status).toBe(422);
  });

  test("connections/get: the Config API's ConnectionRead, deleted ones too", async () => {
    const workspaceId = await workspace();
    const [sourceId, destinationId] = [await source(workspaceId), await destination(workspaceId)];
    const { connectionId } = (
      await call('POST', '/connections', {
        sourceId,
        destinationId,
        name: 'read me',
        configurations: { streams: [{ name: 'orders', syncMode: 'incremental_deduped_history' }] },
        schedule: { scheduleType: 'cron', cronExpression: '0 0 12 * * ?' },
        namespaceDefinition: 'custom_format',
        nonBreakingSchemaUpdatesBehavior: 'disable_connection',
      })
    ).body;
    const read = await config('/connections/get', { connectionId });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      connectionId,
      name: 'read me',
      sourceId,
      destinationId,
      workspaceId,
      status: 'active',
      breakingChange: false,
      namespaceDefinition: 'customformat',
      nonBreakingChangesPreference: 'disable',
      prefix: '',
      scheduleType: 'cron',
      scheduleData: { cron: { cronExpression: '0 0 12 * * ?', cronTimeZone: 'UTC' } },
      syncCatalog: {
        streams: [
          {
            stream: { name: 'orders', jsonSchema: { type: 'object', properties: expect.objectContaining({ id: { type: 'integer' } }) }, supportedSyncModes: ['full_refresh', 'incremental'] },
            config: { syncMode: 'incremental', destinationSyncMode: 'append_dedup', cursorField: ['updated_at'], primaryKey: [['id']], aliasName: 'orders', selected: true },
          },
        ],
      },
    });
    await call('DELETE', `/connections/${connectionId}`);
    expect((await config('/connections/get', { connectionId })).body.status).toBe('deprecated');
    expect((await config('/connections/get', { connectionId: 'nope' })).body).toEqual({ message: expect.any(String), errorId: expect.any(String) });
    expect((await config('/connections/get', {})).status).toBe(422);
  });

  test('health answers without credentials, on both APIs', async () => {
    const anonymous = { authorization: '' };
    const configHealth = await call('GET', `${server.configApiUrl}/health`, undefined, anonymous);
    expect(configHealth).toMatchObject({ status: 200, body: { available: true } });
    for (const base of [server.publicApiUrl, server.cloudStyleUrl]) {
      const res = await call('GET', `${base}/health`, undefined, anonymous);
      expect(res.status).toBe(200);
      expect(res.text).toBe('Successful operation');
    }
    expect(server.requestsTo('GET', '/health').map((r) => [r.status, r.auth])).toEqual([[200, 'none'], [200, 'none']]);
    expect((await call('GET', '/jobs', undefined, anonymous)).status).toBe(401); // only health is open
  });
});

test('seeding: addSource, addDestination, addConnection make the objects the API serves', async () => {
  const source = server.addSource({ name: 'seeded', sourceType: 'stripe', configuration: { api_key: SECRETS[1] }, streams: ['charges'] });
  expect(source).toMatchObject({ sourceType: 'stripe', definitionId: 'e094cb9a-26de-4645-8761-65c0c425d1de', configuration: { api_key: '**********' }, streams: ['charges'], deleted: false });
  const destination = server.addDestination({ name: 'sink' });
  const seeded = server.addConnection({ sourceId: source.sourceId, destinationId: destination.destinationId, streams: ['charges'] });
  expect((await call('GET', `/sources/${source.sourceId}`)).body).toMatchObject({ name: 'seeded', sourceType: 'stripe' });
  expect((await call('GET', `/destinations/${destination.destinationId}`)).body).toMatchObject({ name: 'sink', destinationType: 'e2e-test' });
  expect(seeded).toMatchObject({ sourceId: source.sourceId, destinationId: destination.destinationId });

  // A seeded connection without ends gets a source offering its streams, and a destination.
  const bare = server.addConnection({ streams: ['a', 'b'] });
  expect(server.source(bare.sourceId)?.streams).toEqual(['a', 'b']);
  expect(server.destination(bare.destinationId)).toMatchObject({ deleted: false });
  expect(server.connections({ workspaceId: server.defaultWorkspaceId }).map((c) => c.connectionId)).toContain(bare.connectionId);
  expect(() => server.addSource({ sourceType: 'Not A Name' })).toThrow(/connector name/);
});
