import { AirbyteAdminClient, AirbyteAdminError, secretsFromMap } from '../src';
import type { AirbyteTestEnvironment } from '../src/testing';
import { FAST_POLL, startTestEnvironment, whenListed } from './helpers/environment';
import { historyText } from './helpers/history-text';

// The management calls through Temporal, one family at a time: the worker holds Airbyte's credentials and the
// secret resolver, the service holds neither, and what it gets back is what the mock (Airbyte) has.
let env: AirbyteTestEnvironment;
let admin: AirbyteAdminClient;
const SOURCE_SECRET = { password: 'pg-password-never-in-history' };

beforeAll(async () => {
  env = await startTestEnvironment({ secrets: secretsFromMap({ 'crm/postgres': SOURCE_SECRET }) });
  admin = new AirbyteAdminClient({ temporal: env.client, taskQueue: env.taskQueue });
});
afterAll(async () => {
  await env?.close();
});

test('workspaces: create (once), get, list by name, update notifications, delete behind the guard', async () => {
  const first = await admin.createWorkspace({ name: 'crm-prod' });
  const again = await admin.createWorkspace({ name: 'crm-prod' });
  expect([first.created, again.created]).toEqual([true, false]);
  expect(again.value.workspaceId).toBe(first.value.workspaceId);
  expect(env.mock.workspaces().filter((w) => w.name === 'crm-prod')).toHaveLength(1);

  const id = first.value.workspaceId;
  expect(await admin.getWorkspace(id)).toMatchObject({ workspaceId: id, name: 'crm-prod' });
  expect((await admin.listWorkspaces({ name: 'crm-prod' })).map((w) => w.workspaceId)).toEqual([id]);

  const webhook = { email: { enabled: false }, webhook: { enabled: true, url: 'https://hooks.example/airbyte' } };
  const updated = await admin.updateWorkspace({ workspaceId: id, notifications: { failure: webhook, success: webhook } });
  expect(updated.notifications?.failure).toMatchObject({ webhook: { enabled: true, url: 'https://hooks.example/airbyte' } });
  expect(env.mock.workspace(id)?.notifications.success.webhook).toMatchObject({ enabled: true, url: 'https://hooks.example/airbyte' });

  await expect(admin.deleteWorkspace({ id, guard: { namePattern: '^staging-' } })).rejects.toMatchObject({ type: 'AirbyteDeleteRefused' });
  expect(env.mock.workspace(id)?.deleted).toBe(false);
  await expect(admin.deleteWorkspace({ id, guard: { namePattern: 'glob:crm-*' } })).resolves.toEqual({ deleted: true, name: 'crm-prod' });
});

test('sources and destinations: credentials from the worker\'s resolver, masked in answers, found by name, patched', async () => {
  const { value: ws } = await admin.createWorkspace({ name: 'crm-connectors' });
  const input = {
    kind: 'source' as const,
    workspaceId: ws.workspaceId,
    name: 'crm-postgres',
    configuration: { sourceType: 'postgres', host: 'db.crm.example', port: 5432 },
    secretRef: 'crm/postgres',
  };
  const { value: source, created } = await admin.createConnector(input);
  expect(created).toBe(true);
  expect((await admin.createConnector(input)).created).toBe(false);
  expect(env.mock.sourceConfiguration(source.id)).toMatchObject({ host: 'db.crm.example', password: SOURCE_SECRET.password });
  // What Airbyte answers has the secret masked, and our summary carries no configuration at all.
  expect(JSON.stringify(await admin.getConnector({ kind: 'source', id: source.id }))).not.toContain(SOURCE_SECRET.password);

  const { value: dest } = await admin.createConnector({ kind: 'destination', workspaceId: ws.workspaceId, name: 'crm-warehouse', configuration: { destinationType: 'e2e-test' } });
  expect((await admin.listConnectors({ kind: 'destination', workspaceIds: [ws.workspaceId] })).map((d) => d.id)).toEqual([dest.id]);
  expect(await admin.listConnectors({ kind: 'source', workspaceIds: [ws.workspaceId], name: 'nope' })).toEqual([]);

  const renamed = await admin.updateConnector({ kind: 'source', id: source.id, name: 'crm-postgres-eu', configuration: { host: 'eu.db.crm.example' } });
  expect(renamed.name).toBe('crm-postgres-eu');
  expect(env.mock.sourceConfiguration(source.id)).toMatchObject({ host: 'eu.db.crm.example', password: SOURCE_SECRET.password });

  // A credential in clear never starts a workflow: it would sit in history.
  const calls = env.mock.requests.length;
  await expect(admin.createConnector({ ...input, name: 'inline', secretRef: undefined, configuration: { ...input.configuration, password: 'in-clear' } })).rejects.toThrow(
    /input\.configuration\.password looks like a credential/,
  );
  expect(env.mock.requests.length).toBe(calls);

  await expect(admin.deleteConnector({ kind: 'destination', id: dest.id, guard: { force: true } })).resolves.toMatchObject({ deleted: true });
  expect(env.mock.destination(dest.id)?.deleted).toBe(true);

  // Visibility lags behind the starts a little: wait for the nine calls of this test at least.
  const listed = await whenListed(listWorkflows, (ids) => ids.length >= 9);
  const histories = await Promise.all(listed.map((id) => env.client.workflow.getHandle(id).fetchHistory()));
  const texts = histories.map(historyText);
  expect(texts.filter((t) => t.includes('crm/postgres')).length).toBeGreaterThanOrEqual(2); // the creates carry the reference
  for (const text of texts) expect(text).not.toContain(SOURCE_SECRET.password);
});

test('connections: create with streams, sync modes and prefix; enable, disable, schedule, rename, reselect; streams of a source', async () => {
  const { value: ws } = await admin.createWorkspace({ name: 'crm-connections' });
  const { value: source } = await admin.createConnector({ kind: 'source', workspaceId: ws.workspaceId, name: 'src', configuration: { sourceType: 'faker' } });
  const { value: dest } = await admin.createConnector({ kind: 'destination', workspaceId: ws.workspaceId, name: 'dst', configuration: { destinationType: 'e2e-test' } });

  const streams = await admin.listStreams({ sourceId: source.id, destinationId: dest.id });
  expect(streams.map((s) => s.name).sort()).toEqual(['customers', 'orders']);

  const create = {
    workspaceId: ws.workspaceId,
    name: 'crm sync',
    sourceId: source.id,
    destinationId: dest.id,
    prefix: 'crm_',
    configurations: { streams: [{ name: 'customers', syncMode: 'incremental_deduped_history' as const }] },
  };
  const { value: conn } = await admin.createConnection(create);
  expect((await admin.createConnection(create)).created).toBe(false);
  expect(env.mock.connectionsList().filter((c) => c.name === 'crm sync')).toHaveLength(1);
  expect(env.mock.connection(conn.connectionId)).toMatchObject({ prefix: 'crm_', configurations: { streams: [{ name: 'customers', syncMode: 'incremental_deduped_history' }] } });

  await admin.setConnectionEnabled(conn.connectionId, false);
  expect(env.mock.connection(conn.connectionId)?.status).toBe('inactive');
  await admin.setConnectionEnabled(conn.connectionId, true);
  const patched = await admin.updateConnection({
    connectionId: conn.connectionId,
    name: 'crm nightly',
    schedule: { scheduleType: 'cron', cronExpression: '0 0 2 * * ?' },
    configurations: { streams: [{ name: 'customers' }, { name: 'orders', syncMode: 'full_refresh_overwrite' }] },
  });
  expect(patched).toMatchObject({ name: 'crm nightly', status: 'active', schedule: { scheduleType: 'cron' } });
  expect(patched.streams.map((s) => s.name)).toEqual(['customers', 'orders']);

  // Airbyte refuses a stream the source does not have: a typed, non-retried failure, nothing changed.
  await expect(admin.updateConnection({ connectionId: conn.connectionId, configurations: { streams: [{ name: 'ghost' }] } })).rejects.toBeInstanceOf(AirbyteAdminError);
  expect(env.mock.connection(conn.connectionId)?.configurations.streams.map((s) => s.name)).toEqual(['customers', 'orders']);

  await expect(admin.deleteConnection({ id: conn.connectionId, guard: { namePattern: 'glob:crm *' } })).resolves.toEqual({ deleted: true, name: 'crm nightly' });
  expect(env.mock.connection(conn.connectionId)?.status).toBe('deprecated');
});

test('job history with filters, attempts with their failures, and the end of an attempt\'s log, capped', async () => {
  const logLines = Array.from({ length: 2_000 }, (_, i) => `2026-12-02 10:00:00 INFO line ${i} ${'x'.repeat(40)}`);
  const { connectionId } = env.mock.addConnection({
    script: { phases: [{ status: 'running', ms: 30 }], outcome: 'failed', failureMessage: 'source timed out', logLines },
  });
  await env.syncs.syncAndWait({ connectionId, poll: FAST_POLL, onFailure: 'return' });
  env.mock.setScript(connectionId, { phases: [{ status: 'running', ms: 30 }], outcome: 'succeeded', logLines });
  await env.syncs.syncAndWait({ connectionId, poll: FAST_POLL });

  const history = await admin.jobHistory({ connectionId });
  expect(history.map((j) => j.status)).toEqual(['succeeded', 'failed']);
  expect((await admin.jobHistory({ connectionId, filter: { status: 'failed' } })).map((j) => j.jobId)).toEqual([history[1]!.jobId]);
  expect(await admin.jobHistory({ connectionId, max: 1 })).toHaveLength(1);

  const logs = await admin.attemptLogs({ jobId: history[1]!.jobId, maxBytes: 4_096 });
  expect(logs).toMatchObject({ jobId: history[1]!.jobId, attemptNumber: 0, truncated: true });
  expect(logs.lines.join('\n').length).toBeLessThanOrEqual(4_096);
  expect(logs.lines.at(-1)).toContain('line 1999'); // the end, where the failure is
});

async function listWorkflows(): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of env.client.workflow.list({ query: `TaskQueue = '${env.taskQueue}'` })) ids.push(w.workflowId);
  return ids;
}
