import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { jobOwnerWorkflowId, type PipelineDefinition, type SyncInput } from '../src';
import type { AirbyteTestEnvironment } from '../src/testing';
import { FAST_POLL, FAST_RETRY, startTestEnvironment } from './helpers/environment';

// Faults that arrive at an unlucky moment: answers that cannot be read, Retry-After 0 everywhere, a cancel
// through an outage, Airbyte cancelling slowly, and two pipelines sharing a connection.
let env: AirbyteTestEnvironment;

beforeAll(async () => {
  // Airbyte cancels asynchronously: a cancelled job turns `cancelled` a second after the DELETE.
  env = await startTestEnvironment({ defaultInstance: { createJobTimeoutMs: 500 }, mock: { cancelDelayMs: 1_000 } });
});
afterAll(async () => {
  await env?.close();
});
beforeEach(() => env.mock.reset());

const input = (connectionId: string, extra: Partial<SyncInput> = {}): SyncInput => ({ connectionId, poll: FAST_POLL, retry: FAST_RETRY, ...extra });
const endedWith = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

async function expectCancelled(promise: Promise<unknown>): Promise<void> {
  const err = await endedWith(promise);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
}

test.each([
  ['a truncated body', { kind: 'handle-then-truncate' as const }],
  ['a 200 without a jobId', { kind: 'handle-then-replace' as const, status: 200, body: {} }],
])('a create answered with %s is ambiguous: its job is found and adopted, not doubled', async (_name, fault) => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 300 }], rowsSynced: 4 } });
  env.mock.injectFault({ method: 'POST', path: '/jobs', ...fault });
  const result = await env.syncs.syncAndWait(input(connectionId));
  const jobs = env.mock.jobs({ connectionId });
  expect(jobs).toHaveLength(1);
  expect(result).toMatchObject({ jobId: jobs[0]!.jobId, status: 'succeeded', rowsSynced: 4, owned: true });
});

test('an HTML page while polling is retried, not taken as the end of the sync', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 800 }], rowsSynced: 6 } });
  env.mock.injectFault({ method: 'GET', path: /^\/jobs\/\d+$/, kind: 'status', status: 200, body: '<html><body>Bad gateway</body></html>', contentType: 'text/html' });
  const result = await env.syncs.syncAndWait(input(connectionId));
  expect(result).toMatchObject({ status: 'succeeded', rowsSynced: 6 });
  expect(env.mock.requestsTo('GET', /^\/jobs\/\d+$/).filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(2);
});

test('Retry-After: 0 on polls and on the cancel delays them; the sync is cancelled and so is its job', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  env.mock.injectFault({ method: 'GET', path: /^\/jobs\/\d+$/, kind: 'status', status: 429, retryAfterSeconds: 0, times: 4 });
  const handle = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.requestsTo('GET', /^\/jobs\/\d+$/).filter((r) => r.status === 200).length >= 1);
  env.mock.injectFault({ method: 'DELETE', path: /^\/jobs\/\d+$/, kind: 'status', status: 429, retryAfterSeconds: 0, times: 4 });
  await handle.cancel();
  await expectCancelled(handle.result());
  const [job] = env.mock.jobs({ connectionId });
  expect(job!.status).toBe('cancelled');
  expect(env.mock.requestsTo('DELETE', /^\/jobs\/\d+$/).length).toBeGreaterThanOrEqual(5);
});

test('a cancel during an Airbyte outage waits it out and ends cancelled once Airbyte confirms', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const handle = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  env.mock.injectFault({ path: /^\/jobs/, kind: 'status', status: 503, times: Infinity });
  await handle.cancel();
  // Many more failed attempts than any bounded policy would make; then Airbyte is back.
  await env.mock.waitFor(() => env.mock.requests.filter((r) => r.status === 503).length >= 15, 30_000);
  expect(env.mock.jobs({ connectionId })[0]!.status).toBe('running');
  env.mock.clearFaults();
  await expectCancelled(handle.result());
  expect(env.mock.jobs({ connectionId })[0]!.status).toBe('cancelled');
});

test('the workflow ends cancelled only after Airbyte has actually cancelled the job', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const handle = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  await handle.cancel();
  await expectCancelled(handle.result());
  // cancelDelayMs: the DELETE only asked; the owner kept checking until the job was cancelled.
  expect(env.mock.jobs({ connectionId })[0]!.status).toBe('cancelled');
});

test('two pipelines share a connection: one failing fast does not cancel the other\'s sync', async () => {
  const shared = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], rowsSynced: 11 } });
  const failing = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], outcome: 'failed' } });
  const step = { kind: 'sync' as const, poll: FAST_POLL };
  const a: PipelineDefinition = { name: 'a', failurePolicy: 'failFast', steps: [{ ...step, id: 'shared', connectionId: shared.connectionId }, { ...step, id: 'failing', connectionId: failing.connectionId }] };
  const b: PipelineDefinition = { name: 'b', steps: [{ ...step, id: 'shared', connectionId: shared.connectionId }] };
  const ha = await env.syncs.startPipeline(a);
  const hb = await env.syncs.startPipeline(b);
  await env.mock.waitFor(() => env.mock.jobs({ connectionId: shared.connectionId }).length === 1 && env.mock.jobs({ connectionId: failing.connectionId }).length === 1);
  const [sharedJob] = env.mock.jobs({ connectionId: shared.connectionId });
  // Both pipelines' syncs wait on the shared job before the other one fails.
  await waitForOwnerWaiters(shared.connectionId, 2);
  env.mock.finishJob(env.mock.jobs({ connectionId: failing.connectionId })[0]!.jobId, 'failed');
  await expect(env.syncs.pipelineResult(ha.workflowId)).rejects.toThrow(/failed/);
  expect(env.mock.job(sharedJob!.jobId)?.status).toBe('running');

  env.mock.finishJob(sharedJob!.jobId, 'succeeded');
  const result = await env.syncs.pipelineResult(hb.workflowId);
  expect(result.status).toBe('succeeded');
  expect(result.steps[0]).toMatchObject({ state: 'succeeded', jobId: sharedJob!.jobId, rowsSynced: 11 });
  expect(env.mock.jobs({ connectionId: shared.connectionId })).toHaveLength(1);
});

async function waitForOwnerWaiters(connectionId: string, count: number): Promise<void> {
  const owner = env.client.workflow.getHandle(jobOwnerWorkflowId(connectionId));
  for (let asked = 0; asked < 600; asked++) {
    const progress = await owner.query<{ waiters: string[] }>('airbyteJobOwnerProgress').catch(() => ({ waiters: [] }));
    if (progress.waiters.length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the owner never had ${count} waiters`);
}
