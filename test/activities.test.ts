import { MockActivityEnvironment } from '@temporalio/testing';
import { createAirbyteActivities, type AirbyteActivities } from '../src/activities';
import { MockAirbyteServer } from '../src/testing';

// The activities on their own (Temporal's activity test environment), against the mock Airbyte.
let mock: MockAirbyteServer;
let activities: AirbyteActivities;
const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment().run(fn, ...args);

beforeAll(async () => {
  mock = await MockAirbyteServer.start();
  activities = createAirbyteActivities({ default: { url: mock.publicApiUrl, ...mock.credentials! } });
});
afterAll(async () => {
  await mock?.close();
});
beforeEach(() => mock.reset());

test('cancel is a no-op on a job that has already ended', async () => {
  const { connectionId } = mock.addConnection({ script: { phases: [] } });
  const job = mock.startJob(connectionId);
  await mock.waitFor(() => mock.job(job.jobId)?.status === 'succeeded');
  const result = await run(activities.airbyteCancelJob, { jobId: job.jobId });
  expect(result).toMatchObject({ cancelRequested: false, job: { status: 'succeeded', terminal: true } });
  expect(mock.requestsTo('DELETE', /^\/jobs/)).toHaveLength(0);
});

test('cancel of a running job cancels it', async () => {
  const { connectionId } = mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const job = mock.startJob(connectionId);
  const result = await run(activities.airbyteCancelJob, { jobId: job.jobId });
  expect(result).toMatchObject({ cancelRequested: true, job: { status: 'cancelled' } });
});

test.each(['reset', 'clear'] as const)('trigger starts a %s job', async (jobType) => {
  const { connectionId } = mock.addConnection();
  const { job, attached } = await run(activities.airbyteTriggerJob, { connectionId, jobType });
  expect(attached).toBe(false);
  expect(job).toMatchObject({ connectionId, jobType, terminal: false });
});

test('a reset requested while a sync holds the connection waits for it instead of joining the wrong job', async () => {
  const { connectionId } = mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const sync = mock.startJob(connectionId, 'sync');
  const err = await run(activities.airbyteTriggerJob, { connectionId, jobType: 'reset' }).catch((e: unknown) => e);
  expect(err).toMatchObject({ type: 'AirbyteConnectionBusy', nonRetryable: false });
  expect((err as Error).message).toContain(`busy with sync job ${sync.jobId}`);
  expect(mock.jobs({ connectionId })).toHaveLength(1);
});

test('list jobs and get connection', async () => {
  const { connectionId, name } = mock.addConnection({ streams: ['users', 'orders'], tags: [{ name: 'crm' }] });
  mock.startJob(connectionId);
  expect(await run(activities.airbyteListJobs, { filter: { connectionId } })).toHaveLength(1);
  expect(await run(activities.airbyteGetConnection, { connectionId })).toMatchObject({ name, streams: ['users', 'orders'], tags: ['crm'] });
});

test('an unknown connection is a non-retryable failure with Airbyte\'s problem', async () => {
  const err = await run(activities.airbyteTriggerJob, { connectionId: '4c1e3a52-8f4e-4e8a-9d6c-2a1b3c4d5e6f', jobType: 'sync' }).catch((e: unknown) => e);
  expect(err).toMatchObject({ type: 'AirbyteApiError', nonRetryable: true });
  expect((err as Error).message).toMatch(/POST \/jobs answered 404 resource-not-found/);
});
