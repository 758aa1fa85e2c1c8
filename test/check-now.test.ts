import type { OwnerProgress } from '../src/workflows/owner/protocol';
import { jobOwnerWorkflowId } from '../src/common/job-owner';
import type { AirbyteTestEnvironment } from '../src/testing';
import { startTestEnvironment } from './helpers/environment';

// Knowing the moment a job ends without polling for it: a hint (a webhook, or `checkNow`) makes the owner look
// at once, confirmed by one GET /jobs/{id}; with webhooks the schedule keeps only a slow safety net; and a
// connection's past durations shape the schedule of its next job.
let env: AirbyteTestEnvironment;

beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(async () => {
  await env?.close();
});

const ownerProgress = (connectionId: string) => env.client.workflow.getHandle(jobOwnerWorkflowId(connectionId, 'default')).query<OwnerProgress>('airbyteJobOwnerProgress');

test('with webhooks the owner waits an hour for a connection without history; a hint ends that wait with one check', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], streams: [{ name: 'users', records: 7, bytes: 70 }] } });
  const handle = await env.syncs.startSync({ connectionId, poll: { webhooks: true } });
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  const [job] = env.mock.jobs({ connectionId });
  let progress = await ownerProgress(connectionId);
  for (; progress.nextCheckAt === undefined; ) progress = await ownerProgress(connectionId);
  // The safety net: the next look is about an hour away (no history to shape it).
  expect(Date.parse(progress.nextCheckAt) - Date.now()).toBeGreaterThan(50 * 60_000);

  env.mock.finishJob(job!.jobId, 'succeeded');
  const checksBefore = env.mock.requestsTo('GET', `/jobs/${job!.jobId}`).length;
  // A hint for another job changes nothing; one for this job is confirmed with Airbyte.
  await env.client.workflow.getHandle(jobOwnerWorkflowId(connectionId, 'default')).signal('airbyteCheckJob', { jobId: job!.jobId + 1000, source: 'webhook' });
  expect(await env.syncs.checkNow(handle.workflowId)).toBe(true);
  const result = await env.syncs.result(handle.workflowId);
  expect(result).toMatchObject({ status: 'succeeded', jobId: job!.jobId, rowsSynced: 7 });
  expect(env.mock.requestsTo('GET', `/jobs/${job!.jobId}`).length - checksBefore).toBe(1);
});

test("a connection's recent durations shape the next job's schedule", async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 2_000 }] } });
  // Five successes: enough to read how much the durations vary, too (the window of checks narrows with it).
  for (let i = 0; i < 5; i++) expect((await env.syncs.syncAndWait({ connectionId, poll: { initialInterval: '200ms', maxInterval: '500ms' } })).status).toBe('succeeded');
  env.mock.setScript(connectionId, { phases: [{ status: 'running', ms: Infinity }] });
  const handle = await env.syncs.startSync({ connectionId, poll: { initialInterval: '100ms' } });
  let progress = await ownerProgress(connectionId);
  for (; progress.job === undefined || progress.nextCheckAt === undefined; ) progress = await ownerProgress(connectionId);
  // Airbyte's durations are whole seconds: the 2 s jobs read as 2 or 3 s.
  expect(progress.expectedMs).toBeGreaterThanOrEqual(2_000);
  expect(progress.expectedMs).toBeLessThanOrEqual(3_000);
  expect(progress.spread).toBeGreaterThanOrEqual(0);
  expect(progress.spread).toBeLessThan(0.5);
  await env.syncs.cancel(handle.workflowId);
});
