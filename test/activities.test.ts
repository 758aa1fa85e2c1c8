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

describe('checking a job Airbyte says has ended (likelyEnded)', () => {
  const ended = async (streams = [{ name: 'customers', records: 3, bytes: 30 }]) => {
    const { connectionId } = mock.addConnection({ script: { phases: [], streams } });
    const job = mock.startJob(connectionId);
    await mock.waitFor(() => mock.job(job.jobId)?.status === 'succeeded');
    return { connectionId, jobId: job.jobId, since: mock.requests.length };
  };

  test('one Configuration API call brings the job and its report', async () => {
    const { connectionId, jobId, since } = await ended();
    const checked = await run(activities.airbyteGetJob, { jobId, report: { connectionId }, likelyEnded: true });
    expect(mock.requests.slice(since).map((r) => `${r.method} ${r.path}`).filter((r) => !r.includes('token'))).toEqual(['POST /config/jobs/get_without_logs', `GET /connections/${connectionId}`]);
    const plain = await run(activities.airbyteGetJob, { jobId, report: { connectionId } });
    expect(checked).toEqual(plain);
  });

  test('a job still running: its status only, and no report', async () => {
    const { connectionId } = mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
    const job = mock.startJob(connectionId);
    const checked = await run(activities.airbyteGetJob, { jobId: job.jobId, report: { connectionId }, likelyEnded: true });
    expect(checked).toMatchObject({ status: 'running', terminal: false });
    expect(checked.report).toBeUndefined();
  });

  test('when the Configuration API refuses, the usual way: GET /jobs/{id}, then the report', async () => {
    const { connectionId, jobId, since } = await ended();
    mock.injectFault({ path: '/config/jobs/get_without_logs', kind: 'status', status: 404, times: 1 });
    const checked = await run(activities.airbyteGetJob, { jobId, report: { connectionId }, likelyEnded: true });
    expect(checked).toMatchObject({ status: 'succeeded', terminal: true, report: { streams: [{ name: 'customers', recordsCommitted: 3 }] } });
    expect(mock.requests.slice(since).filter((r) => r.path === `/jobs/${jobId}`)).toHaveLength(1);
  });
});
