import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { AirbyteAdminClient, AirbyteAdminError, jobOwnerWorkflowId, tenantWorkflowId, TenantFailureType, type OnboardTenantInput } from '../src';
import { MockAirbyteServer, WorkerProcess } from '../src/testing';
import { historyText } from './helpers/history-text';

// Onboarding tenants end to end, on a worker in a child process (killed once in the middle) and the mock Airbyte:
// one workspace, source, destination and connection per tenant whatever happens, compensation on a permanent
// failure, and the tenants' credentials nowhere in Temporal.
let mock: MockAirbyteServer;
let connection: Connection;
let client: Client;
let worker: WorkerProcess;
let admin: AirbyteAdminClient;
let secretsDir: string;
const secretValues: string[] = [];
const taskQueue = `tenants-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  mock = await MockAirbyteServer.start({ defaultScript: { phases: [{ status: 'running', ms: 300 }] } });
  connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS });
  client = new Client({ connection });
  secretsDir = mkdtempSync(join(tmpdir(), 'tenant-secrets-'));
  worker = await WorkerProcess.start({
    address: process.env.TEMPORAL_TEST_ADDRESS as string,
    taskQueue,
    instances: { default: { url: mock.publicApiUrl, ...mock.credentials, requestTimeoutMs: 2_000 } },
    workflowBundlePath: process.env.TEMPORAL_TEST_BUNDLE as string,
    maxAirbyteCallsPerSecond: 500,
    secretsDir,
  });
  admin = new AirbyteAdminClient({ temporal: client, taskQueue });
});
afterAll(async () => {
  await worker?.stop();
  await connection?.close();
  await mock?.close();
});

function writeSecret(ref: string, fields: Record<string, string>): void {
  const file = join(secretsDir, `${ref}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(fields));
  secretValues.push(...Object.values(fields));
}

function tenant(id: string, extra: Partial<OnboardTenantInput> = {}): OnboardTenantInput {
  const password = `pw-${id}-${Math.random().toString(36).slice(2)}`;
  writeSecret(`tenants/${id}/source`, { password });
  writeSecret(`tenants/${id}/destination`, { credentials_json: `{"private_key":"key-${id}-${Math.random().toString(36).slice(2)}"}` });
  return {
    tenantId: id,
    source: { configuration: { sourceType: 'postgres', host: `${id}.db.example`, port: 5432, username: id }, secretRef: `tenants/${id}/source` },
    destination: { configuration: { destinationType: 'bigquery', project_id: 'warehouse', dataset_id: id }, secretRef: `tenants/${id}/destination` },
    connection: { streams: [{ name: 'customers', syncMode: 'full_refresh_overwrite' }], prefix: `${id}_` },
    firstSync: { poll: { initialInterval: '100ms', maxInterval: '500ms' } },
    ...extra,
  };
}

/** The tenant's live objects on the mock, by its default names. */
function objectsOf(id: string) {
  const workspaces = mock.workspaces().filter((w) => w.name === `tenant-${id}` && !w.deleted);
  const inWorkspace = <T extends { workspaceId: string; deleted?: boolean }>(items: T[]) =>
    items.filter((item) => workspaces.some((w) => w.workspaceId === item.workspaceId) && !item.deleted);
  return {
    workspaces,
    sources: inWorkspace(mock.sources()),
    destinations: inWorkspace(mock.destinations()),
    connections: inWorkspace(mock.connectionsList()).filter((c) => c.status !== 'deprecated'),
  };
}

test('ten tenants at once, a worker killed mid-provisioning, one failing for good: one of each per tenant, compensated, no secret in history', async () => {
  const ids = Array.from({ length: 10 }, (_, i) => `t${i}`);
  // The first source create is carried out but its answer is held back, and the worker dies meanwhile.
  mock.injectFault({ kind: 'handle-then-delay', method: 'POST', path: '/sources', ms: 20_000 });
  const runs = ids.map((id) =>
    admin
      .onboardTenant(
        id === 't7'
          ? tenant(id, { onFailure: 'compensate', connection: { streams: [{ name: 'no_such_stream' }] } }) // Airbyte refuses the connection
          : tenant(id),
      )
      .then((value) => ({ id, value }), (error: unknown) => ({ id, error })),
  );
  await mock.waitFor(() => mock.sources().length >= 1);
  await worker.kill('SIGKILL');
  await worker.start();
  const outcomes = await Promise.all(runs);

  for (const outcome of outcomes) {
    if (outcome.id === 't7') {
      expect('error' in outcome).toBe(true);
      const error = (outcome as { error: unknown }).error;
      expect(error).toBeInstanceOf(AirbyteAdminError);
      expect((error as AirbyteAdminError).type).toBe(TenantFailureType.OnboardingFailed);
      expect((error as Error).message).toMatch(/stopped at the connection step: .*compensated: deleted destination .*, source .*, workspace /);
      const left = objectsOf('t7');
      expect([left.workspaces, left.sources, left.destinations, left.connections].map((l) => l.length)).toEqual([0, 0, 0, 0]);
      continue;
    }
    expect(outcome).toHaveProperty('value');
    const result = (outcome as { value: Awaited<ReturnType<AirbyteAdminClient['onboardTenant']>> }).value;
    expect(result.firstSync).toMatchObject({ status: 'succeeded', connectionId: result.connectionId });
    const objects = objectsOf(outcome.id);
    expect([objects.workspaces, objects.sources, objects.destinations, objects.connections].map((l) => l.length)).toEqual([1, 1, 1, 1]);
    expect(objects.connections[0]).toMatchObject({ connectionId: result.connectionId, sourceId: result.sourceId, destinationId: result.destinationId, prefix: `${outcome.id}_` });
    // The credentials reached Airbyte, from the worker's secret files.
    expect(mock.sourceConfiguration(result.sourceId)).toMatchObject({ host: `${outcome.id}.db.example`, password: expect.stringMatching(/^pw-/) as unknown });
  }

  // Nothing of the credentials in any history: tenant workflows, their first syncs, the job owners.
  const workflowIds = ids.flatMap((id) => [tenantWorkflowId(id), `${tenantWorkflowId(id)}/first-sync`]);
  for (const c of mock.connectionsList()) workflowIds.push(jobOwnerWorkflowId(c.connectionId));
  let histories = 0;
  for (const workflowId of workflowIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory().catch(() => undefined);
    if (!history) continue;
    histories++;
    const text = historyText(history);
    // The search does look into payloads: a tenant's history holds its secret reference (and only that).
    if (workflowId.startsWith('airbyte-tenant:') && !workflowId.includes('/')) expect(text).toMatch(/tenants\/t\d\/source/);
    for (const secret of secretValues) expect(text).not.toContain(secret);
  }
  expect(histories).toBeGreaterThanOrEqual(19);
});

test('onboarding a tenant again provisions nothing and does not sync again; offboarding removes exactly its objects', async () => {
  const input = tenant('again');
  const first = await admin.onboardTenant(input);
  const posts = () => ['/workspaces', '/sources', '/destinations', '/connections', '/jobs'].map((p) => mock.requestsTo('POST', p).length);
  const before = posts();
  const second = await admin.onboardTenant(input);
  expect(second).toMatchObject({ workspaceId: first.workspaceId, sourceId: first.sourceId, destinationId: first.destinationId, connectionId: first.connectionId });
  expect(second.firstSync).toBeUndefined();
  expect(second.steps.map((s) => s.state)).toEqual(['found', 'found', 'found', 'found', 'skipped']);
  expect(posts()).toEqual(before);

  const neighbour = await admin.onboardTenant(tenant('neighbour', { firstSync: false }));
  const removed = await admin.offboardTenant({ tenantId: 'again' });
  expect(removed.deleted.map((d) => d.kind)).toEqual(['connection', 'destination', 'source', 'workspace']);
  expect(objectsOf('again').workspaces).toHaveLength(0);
  const kept = objectsOf('neighbour');
  expect([kept.workspaces, kept.sources, kept.destinations, kept.connections].map((l) => l.length)).toEqual([1, 1, 1, 1]);
  expect(kept.connections[0]?.connectionId).toBe(neighbour.connectionId);
  // Idempotent: a second offboarding finds nothing to do.
  expect((await admin.offboardTenant({ tenantId: 'again' })).deleted).toEqual([]);
});

test('a permanent failure with onFailure keep leaves a resumable state; fixing the input and starting again finishes', async () => {
  const bad = tenant('resume', { connection: { streams: [{ name: 'no_such_stream' }] } });
  const error = await admin.onboardTenant(bad).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AirbyteAdminError);
  expect((error as Error).message).toMatch(/stopped at the connection step: .*kept workspace .*, source .*, destination .*; start onboardTenant again/);
  const progress = await admin.tenantProgress('resume');
  expect(progress.phase).toBe('failed');
  expect(progress.steps.map((s) => s.state)).toEqual(['created', 'created', 'created', 'failed', 'pending']);

  const fixed = await admin.onboardTenant({ ...bad, connection: { streams: [{ name: 'orders' }] } });
  expect(fixed.steps.map((s) => s.state)).toEqual(['found', 'found', 'found', 'created', 'succeeded']);
  const objects = objectsOf('resume');
  expect([objects.workspaces, objects.sources, objects.destinations, objects.connections].map((l) => l.length)).toEqual([1, 1, 1, 1]);
});

test('bad input is refused before anything is called, a credential in clear among it', async () => {
  const calls = mock.requests.length;
  const inline = tenant('inline');
  inline.source.configuration.password = 'hunter2-in-clear';
  await expect(admin.onboardTenant(inline)).rejects.toThrow(/source\.configuration\.password looks like a credential/);
  await expect(admin.onboardTenant({ ...tenant('x'), tenantId: '../etc' })).rejects.toThrow(/tenantId: must be letters/);
  await expect(admin.onboardTenant({ ...tenant('y'), firstSync: { timeout: '1000000y' } })).rejects.toThrow(/firstSync: timeout/);
  // Started straight on Temporal, the workflow refuses it in one task.
  const handle = await client.workflow.start('onboardTenant', { taskQueue, workflowId: `raw-${Date.now()}`, args: [{ tenantId: 'z', source: {}, destination: {} }] });
  await expect(handle.result()).rejects.toMatchObject({ cause: { type: TenantFailureType.InvalidInput } });
  expect(mock.requests.length).toBe(calls);
});

test('deletes need a guard: a name pattern that matches, or force', async () => {
  const direct = new AirbyteAdminClient({ airbyte: { url: mock.publicApiUrl, ...mock.credentials } });
  const { value: ws } = await direct.createWorkspace({ name: 'prod-acme' });
  await expect(direct.deleteWorkspace({ id: ws.workspaceId, guard: {} })).rejects.toMatchObject({ type: 'AirbyteDeleteRefused' });
  await expect(direct.deleteWorkspace({ id: ws.workspaceId, guard: { namePattern: '^test-' } })).rejects.toThrow(/does not match guard.namePattern/);
  await expect(direct.deleteWorkspace({ id: ws.workspaceId, guard: { namePattern: 'glob:prod-*' } })).resolves.toEqual({ deleted: true, name: 'prod-acme' });
  await expect(direct.deleteWorkspace({ id: ws.workspaceId, guard: { force: true } })).resolves.toEqual({ deleted: false });
});
