import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { AirbyteInputError, AirbyteSearchAttributes, AirbyteSyncError, jobOwnerWorkflowId, SyncFailureType, syncWorkflowId, type SyncInput } from '../src';
import type { AirbyteTestEnvironment } from '../src/testing';
import { FAST_POLL, FAST_RETRY, startTestEnvironment } from './helpers/environment';
import { historyText } from './helpers/history-text';
import { startAndExpectFailure } from './helpers/rejection';

// Every test runs the real syncAndWait workflow on the shared Temporal dev server, against the mock Airbyte.
let env: AirbyteTestEnvironment;

beforeAll(async () => {
  env = await startTestEnvironment({ defaultInstance: { createJobTimeoutMs: 500 } });
});
afterAll(async () => {
  await env?.close();
});
beforeEach(() => env.mock.reset());

const input = (connectionId: string, extra: Partial<SyncInput> = {}): SyncInput => ({
  connectionId,
  poll: FAST_POLL,
  retry: FAST_RETRY,
  ...extra,
});

const jobRequests = (method: string) => env.mock.requestsTo(method, '/jobs');

async function expectSyncError(promise: Promise<unknown>, type: SyncFailureType): Promise<AirbyteSyncError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AirbyteSyncError);
  expect((err as AirbyteSyncError).type).toBe(type);
  return err as AirbyteSyncError;
}

test('a successful sync returns the job id, status, rows, bytes, per-stream stats, duration, start and end', async () => {
  const { connectionId } = env.mock.addConnection({
    script: {
      phases: [{ status: 'pending', ms: 30 }, { status: 'running', ms: 200 }],
      streams: [
        { name: 'customers', records: 120, bytes: 9_000 },
        { name: 'invoices', records: 30, bytes: 3_000 },
      ],
    },
  });
  const result = await env.syncs.syncAndWait(input(connectionId));

  const job = env.mock.jobs({ connectionId });
  expect(job).toHaveLength(1);
  expect(result).toMatchObject({
    connectionId,
    instance: 'default',
    jobId: job[0]!.jobId,
    jobType: 'sync',
    status: 'succeeded',
    attached: false,
    rowsSynced: 150,
    bytesSynced: 12_000,
  });
  expect(result.streams?.map((s) => [s.name, s.recordsCommitted])).toEqual([
    ['customers', 120],
    ['invoices', 30],
  ]);
  // Airbyte reports whole seconds (updatedAt - createdAt): a sub-second job lasts PT0S or PT1S.
  expect(result.durationMs).toBeGreaterThanOrEqual(0);
  expect(result.durationMs! % 1000).toBe(0);
  expect(Date.parse(result.endTime)).toBeGreaterThanOrEqual(Date.parse(result.startTime));
  expect(result.polls).toBeGreaterThan(0);
});

/** The owner's history once it has closed: activity types in order, and how many memo and search attribute upserts. */
async function ownerHistory(connectionId: string) {
  const owner = env.client.workflow.getHandle(jobOwnerWorkflowId(connectionId, 'default'));
  await owner.result();
  const events = (await owner.fetchHistory()).events ?? [];
  return {
    activities: events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : [])),
    memoUpserts: events.filter((e) => e.workflowPropertiesModifiedEventAttributes).length,
    // Ours only: the SDK upserts TemporalChangeVersion for each patch it meets.
    attributeUpserts: events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.AirbyteJobStatus).length,
  };
}

test('the check that sees the job end brings its report, and the owner writes an unchanged record once', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 300 }], streams: [{ name: 'customers', records: 5, bytes: 50 }] } });
  const result = await env.syncs.syncAndWait(input(connectionId, { searchAttributes: true }));
  expect(result.streams?.map((s) => [s.name, s.recordsCommitted])).toEqual([['customers', 5]]);
  const history = await ownerHistory(connectionId);
  expect(history.activities).not.toContain('airbyteGetJobReport');
  expect(history.activities.filter((a) => a === 'airbyteGetJob')).toHaveLength(result.polls);
  // The job and whether we own it once; its status when it started and when it ended.
  expect(history.memoUpserts).toBe(1);
  expect(history.attributeUpserts).toBe(2);
});

test('a report that fails twice comes with a retry of the last check; one that cannot be had leaves the result without it', async () => {
  const flaky = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 200 }], streams: [{ name: 'orders', records: 2, bytes: 20 }] } });
  env.mock.injectFault({ method: 'POST', path: /^\/config\/jobs\/get/, kind: 'status', status: 503, times: 2 });
  const recovered = await env.syncs.syncAndWait(input(flaky.connectionId));
  expect(recovered.streams?.map((s) => s.name)).toEqual(['orders']);

  const broken = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 200 }] } });
  env.mock.injectFault({ method: 'POST', path: /^\/config\/jobs\/get/, kind: 'status', status: 503, times: 3 });
  const alone = await env.syncs.syncAndWait(input(broken.connectionId));
  expect(alone.status).toBe('succeeded');
  expect(alone.streams).toBeUndefined();
  expect(env.mock.jobs({ connectionId: broken.connectionId })).toHaveLength(1);
});

test('the result lists every attempt with its failures and links to the job in Airbyte\'s UI', async () => {
  const { connectionId, workspaceId } = env.mock.addConnection({
    script: {
      phases: [{ status: 'running', ms: 50 }, { status: 'incomplete', ms: 50 }, { status: 'running', ms: 100 }],
      failureMessage: 'connection reset by peer',
      streams: [{ name: 'customers', records: 10, bytes: 500 }],
    },
  });
  const result = await env.syncs.syncAndWait(input(connectionId));
  expect(result.status).toBe('succeeded');
  expect(result.attempts?.map((a) => a.status)).toEqual(['failed', 'succeeded']);
  expect(result.attempts?.[0]?.failures[0]?.message).toContain('connection reset by peer');
  expect(result.attempts?.[1]?.failures).toEqual([]);
  // The mock's API is served under /api/public/v1, so the web app is its host, as for self-managed Airbyte.
  const webUrl = new URL(env.mock.publicApiUrl).origin;
  expect(result.jobUrl).toBe(`${webUrl}/workspaces/${workspaceId}/connections/${connectionId}/job-history#${result.jobId}::0`);
});

test('a failed job fails the workflow with a typed failure naming the job and Airbyte\'s message', async () => {
  const { connectionId } = env.mock.addConnection({
    script: { phases: [{ status: 'running', ms: 50 }], outcome: 'failed', failureMessage: 'Stripe API key is invalid' },
  });
  const err = await expectSyncError(env.syncs.syncAndWait(input(connectionId)), SyncFailureType.JobFailed);
  const jobId = env.mock.jobs({ connectionId })[0]!.jobId;
  expect(err.message).toContain(`job ${jobId}`);
  expect(err.message).toContain('Stripe API key is invalid');
  expect(err.result).toMatchObject({ jobId, status: 'failed', failureMessage: 'Stripe API key is invalid' });
});

test('onFailure "return" returns a failed job as a result instead of failing', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 50 }], outcome: 'failed' } });
  const result = await env.syncs.syncAndWait(input(connectionId, { onFailure: 'return' }));
  expect(result.status).toBe('failed');
  expect(result.jobId).toBe(env.mock.jobs({ connectionId })[0]!.jobId);
});

test('a job cancelled on Airbyte fails the workflow as cancelled, not as success', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const handle = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  env.mock.finishJob(env.mock.jobs({ connectionId })[0]!.jobId, 'cancelled');
  const err = await expectSyncError(env.syncs.result(handle.workflowId), SyncFailureType.JobCancelled);
  expect(err.result?.status).toBe('cancelled');
});

test('cancelling the workflow cancels the Airbyte job', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const handle = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.requestsTo('GET', /^\/jobs\/\d+$/).length >= 1);
  await handle.cancel();

  const err = await handle.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  const [job] = env.mock.jobs({ connectionId });
  expect(job).toMatchObject({ status: 'cancelled', cancelledBy: 'api' });
  expect(env.mock.requestsTo('DELETE', `/jobs/${job!.jobId}`)).toHaveLength(1);
});

test('the overall timeout cancels the Airbyte job and fails as timed out', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const err = await expectSyncError(env.syncs.syncAndWait(input(connectionId, { timeout: '1s' })), SyncFailureType.TimedOut);
  const [job] = env.mock.jobs({ connectionId });
  expect(job).toMatchObject({ status: 'cancelled', cancelledBy: 'api' });
  expect(err.result).toMatchObject({ jobId: job!.jobId, status: 'cancelled', timedOut: true });
});

test('with cancelOnTimeout false the timeout leaves the Airbyte job running', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const err = await expectSyncError(
    env.syncs.syncAndWait(input(connectionId, { timeout: '1s', cancelOnTimeout: false })),
    SyncFailureType.TimedOut,
  );
  expect(err.message).toMatch(/it was left running/);
  expect(err.result).toMatchObject({ status: 'running', timedOut: true });
  expect(env.mock.jobs({ connectionId })[0]!.status).toBe('running');
  expect(env.mock.requestsTo('DELETE', /^\/jobs/)).toHaveLength(0);
});

test('a sync already running at start is joined: exactly one job, and its result', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], rowsSynced: 7 } });
  const running = env.mock.startJob(connectionId);
  const handle = await env.syncs.startSync(input(connectionId));
  // Joined once the owner watches it (a job that ended before we looked is not ours to report).
  await env.mock.waitFor(() => env.mock.requestsTo('GET', `/jobs/${running.jobId}`).length > 0);
  env.mock.finishJob(running.jobId, 'succeeded');

  const result = await env.syncs.result(handle.workflowId);
  expect(result).toMatchObject({ jobId: running.jobId, status: 'succeeded', attached: true, owned: false, rowsSynced: 7 });
  expect(env.mock.jobs({ connectionId })).toHaveLength(1);
});

test('a create that times out after Airbyte created the job ends with exactly one job', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 300 }] } });
  env.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'handle-then-delay', ms: 2_000 });
  const result = await env.syncs.syncAndWait(input(connectionId));

  const jobs = env.mock.jobs({ connectionId });
  expect(jobs).toHaveLength(1);
  // Adopted as ours: the unanswered create made it.
  expect(result).toMatchObject({ jobId: jobs[0]!.jobId, status: 'succeeded', attached: false, owned: true });
});

test('a create whose connection is reset after Airbyte created the job ends with exactly one job', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 300 }] } });
  env.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'handle-then-reset' });
  const result = await env.syncs.syncAndWait(input(connectionId));

  const jobs = env.mock.jobs({ connectionId });
  expect(jobs).toHaveLength(1);
  expect(result).toMatchObject({ jobId: jobs[0]!.jobId, status: 'succeeded', attached: false, owned: true });
});

test('bursts of 429 (with and without Retry-After) and 5xx are retried to success, with one job', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 300 }] } });
  env.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'status', status: 429, times: 2 });
  env.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'status', status: 429, retryAfterSeconds: 1 });
  env.mock.injectFault({ method: 'GET', path: /^\/jobs\/\d+$/, kind: 'status', status: 503, times: 2 });
  env.mock.injectFault({ method: 'GET', path: /^\/jobs\/\d+$/, kind: 'status', status: 500 });
  env.mock.injectFault({ method: 'GET', path: /^\/jobs\/\d+$/, kind: 'reset' });

  const result = await env.syncs.syncAndWait(input(connectionId));
  expect(result.status).toBe('succeeded');
  expect(env.mock.jobs({ connectionId })).toHaveLength(1);
  const statuses = env.mock.requests.map((r) => r.status);
  expect(statuses.filter((s) => s === 429)).toHaveLength(3);
  expect(statuses.filter((s) => s >= 500)).toHaveLength(3);
  expect(statuses.filter((s) => s === 0)).toHaveLength(1);
});

test('a token that expires mid-sync is renewed and the sync completes', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const handle = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.requestsTo('GET', /^\/jobs\/\d+$/).length >= 1);
  const tokensBefore = env.mock.requestsTo('POST', '/applications/token').length;
  env.mock.expireTokens();
  await env.mock.waitFor(() => env.mock.requestsTo('POST', '/applications/token').length > tokensBefore);
  env.mock.finishJob(env.mock.jobs({ connectionId })[0]!.jobId, 'succeeded');

  const result = await env.syncs.result(handle.workflowId);
  expect(result.status).toBe('succeeded');
  expect(env.mock.requests.some((r) => r.status === 401)).toBe(true);
});

test('an unknown job status is treated as still running', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'waiting_for_capacity', ms: Infinity }] } });
  const handle = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.requestsTo('GET', /^\/jobs\/\d+$/).length >= 3);
  const progress = await env.syncs.progress(handle.workflowId);
  expect(progress.status).toBe('waiting_for_capacity');
  env.mock.finishJob(env.mock.jobs({ connectionId })[0]!.jobId, 'succeeded');

  expect((await env.syncs.result(handle.workflowId)).status).toBe('succeeded');
  expect(env.mock.requestsTo('DELETE', /^\/jobs/)).toHaveLength(0);
});

describe('bad input fails at once, before any Airbyte call', () => {
  test.each<[string, Partial<SyncInput>, RegExp]>([
    ['a connection id that is not a UUID', { connectionId: 'stripe-prod' }, /connectionId must be an Airbyte connection id/],
    ['an unsupported job type', { jobType: 'refresh' as 'sync' }, /jobType must be one of sync, reset, clear/],
    ['a negative timeout', { timeout: -5 }, /timeout must be a positive duration/],
    ['an unreadable poll interval', { poll: { initialInterval: 'soon' as unknown as number } }, /poll.initialInterval must be a positive duration/],
    ['an unknown option', { cancelOnTimout: false } as Partial<SyncInput>, /Unrecognized key.*cancelOnTimout/],
  ])('%s', async (_, bad, message) => {
    const connectionId = env.mock.addConnection().connectionId;
    const inputs = { ...input(connectionId), ...bad };

    // Through our client: rejected before Temporal is called.
    await expect(env.syncs.startSync(inputs)).rejects.toThrow(AirbyteInputError);
    await expect(env.syncs.startSync(inputs)).rejects.toThrow(message);

    // Straight to Temporal: the workflow fails with a non-retryable failure, and Airbyte is never called.
    const cause = await startAndExpectFailure(env, 'syncAndWait', [inputs]);
    expect(cause.type).toBe(SyncFailureType.InvalidInput);
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toMatch(message);
    expect(env.mock.requests).toHaveLength(0);
  });

  test('an Airbyte instance the worker does not know', async () => {
    const { connectionId } = env.mock.addConnection();
    const err = await expectSyncError(env.syncs.syncAndWait(input(connectionId, { instance: 'nope' })), SyncFailureType.Aborted);
    expect(err.message).toMatch(/unknown Airbyte instance 'nope'; this worker knows: default/);
    expect(env.mock.requests).toHaveLength(0);
  });
});

test('a long sync continues-as-new, keeps watching the same job, and returns the right result', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], rowsSynced: 42 } });
  const handle = await env.syncs.startSync(input(connectionId, { historyBound: 50 }));
  const owner = env.client.workflow.getHandle(jobOwnerWorkflowId(connectionId));
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  const firstRunId = (await owner.describe()).runId;
  // About 8 history events per check: a bound of 50 hands over every 5 or 6 checks.
  await env.mock.waitFor(() => env.mock.requestsTo('GET', /^\/jobs\/\d+$/).length >= 12, 30_000);
  env.mock.finishJob(env.mock.jobs({ connectionId })[0]!.jobId, 'succeeded');

  const result = await env.syncs.result(handle.workflowId);
  expect(result).toMatchObject({ status: 'succeeded', rowsSynced: 42 });
  expect(result.continuedAsNew).toBeGreaterThanOrEqual(2);
  expect(result.polls).toBeGreaterThanOrEqual(12);
  // The owner polls and continues-as-new; the waiting sync itself stays small.
  expect((await owner.describe()).runId).not.toBe(firstRunId);
  expect(env.mock.jobs({ connectionId })).toHaveLength(1);
  expect(jobRequests('POST')).toHaveLength(1);
});

test('every run of the owner stays within historyBound: it hands over with room for its last check and its end', async () => {
  const bound = 120;
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], rowsSynced: 7 } });
  const handle = await env.syncs.startSync(input(connectionId, { historyBound: bound }));
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  // Enough checks for two hand-overs at about 8-11 events a check; then the job ends, so the last run has its tail too.
  await env.mock.waitFor(() => env.mock.requestsTo('GET', /^\/jobs\/\d+$/).length >= 28, 150_000);
  env.mock.finishJob(env.mock.jobs({ connectionId })[0]!.jobId, 'succeeded');
  const result = await env.syncs.result(handle.workflowId);
  expect(result.continuedAsNew).toBeGreaterThanOrEqual(2);

  const ownerId = jobOwnerWorkflowId(connectionId);
  await env.client.workflow.getHandle(ownerId).result();
  const lengths: number[] = [];
  for (let runId: string | undefined = (await env.client.workflow.getHandle(ownerId).describe()).runId; runId; ) {
    const history: { events?: { workflowExecutionStartedEventAttributes?: { continuedExecutionRunId?: string | null } | null }[] | null } = await env.client.workflow
      .getHandle(ownerId, runId)
      .fetchHistory();
    const events = history.events ?? [];
    lengths.push(events.length);
    const previous: string | null | undefined = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    runId = previous || undefined;
  }
  expect(lengths.length).toBeGreaterThanOrEqual(3);
  for (const length of lengths) expect(length).toBeLessThanOrEqual(bound);
});

test('a worker restart mid-sync (a deploy, a crash) neither loses nor duplicates the sync', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], rowsSynced: 9 } });
  const handle = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.requestsTo('GET', /^\/jobs\/\d+$/).length >= 1);
  await env.restartWorker();
  env.mock.finishJob(env.mock.jobs({ connectionId })[0]!.jobId, 'succeeded');

  expect(await env.syncs.result(handle.workflowId)).toMatchObject({ status: 'succeeded', rowsSynced: 9 });
  expect(env.mock.jobs({ connectionId })).toHaveLength(1);
  expect(jobRequests('POST')).toHaveLength(1);
});

test('search attributes let the UI filter syncs by connection, job and status', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 100 }] } });
  const handle = await env.syncs.startSync(input(connectionId, { searchAttributes: true }));
  const result = await env.syncs.result(handle.workflowId);
  const attributes = (await handle.describe()).typedSearchAttributes;
  expect(attributes.get(AirbyteSearchAttributes.connectionId)).toBe(connectionId);
  expect(attributes.get(AirbyteSearchAttributes.instance)).toBe('default');
  expect(attributes.get(AirbyteSearchAttributes.jobId)).toBe(result.jobId);
  expect(attributes.get(AirbyteSearchAttributes.jobStatus)).toBe('succeeded');
});

test('two starts for the same connection share one workflow and one job', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const [a, b] = await Promise.all([env.syncs.startSync(input(connectionId)), env.syncs.startSync(input(connectionId))]);
  expect(a.workflowId).toBe(syncWorkflowId(input(connectionId)));
  expect(b.firstExecutionRunId).toBe(a.firstExecutionRunId);
  expect((await a.describe()).memo).toEqual({ airbyteInstance: 'default', airbyteConnectionId: connectionId, airbyteJobType: 'sync' });
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  env.mock.finishJob(env.mock.jobs({ connectionId })[0]!.jobId, 'succeeded');
  await env.syncs.result(a.workflowId);
  expect(jobRequests('POST')).toHaveLength(1);
});

test('no secret reaches the workflow history', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 100 }], outcome: 'failed' } });
  env.mock.injectFault({ method: 'GET', path: /^\/jobs\/\d+$/, kind: 'status', status: 500 });
  const handle = await env.syncs.startSync(input(connectionId, { onFailure: 'return' }));
  await handle.result();

  const decoded = historyText(await handle.fetchHistory());
  const { clientId, clientSecret } = env.mock.credentials!;
  expect(decoded).toContain(connectionId); // the search below does look into payloads
  expect(decoded).not.toContain(clientSecret);
  expect(decoded).not.toMatch(/Bearer|Authorization|access_token/i);
  for (const token of env.mock.issuedTokens()) expect(decoded).not.toContain(token);
  expect(clientId.length).toBeGreaterThan(0);
});
