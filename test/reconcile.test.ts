import { ScheduleOverlapPolicy, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { AirbyteInputError, SyncFailureType, type ReconcileInput, type ReconcileReport } from '../src';
import { classifyJob, createReconcileActivities, legacySyncWorkflowId, type ClassifiedJob, type ReconcileActivities } from '../src/activities/reconcile';
import type { AirbyteTestEnvironment } from '../src/testing';
import { JOB_OWNER_WORKFLOW_TYPE, jobOwnerWorkflowId, OwnerMemo } from '../src/workflows/owner/ids';
import { FAST_POLL, FAST_RETRY, startTestEnvironment } from './helpers/environment';
import { startAndExpectFailure } from './helpers/rejection';

// The reconciler on the shared Temporal dev server against the mock Airbyte. A "terminated owner" is either
// a real sync whose workflows are terminated, or a workflow of the owner's type and id, with the owner's
// memo, on a task queue no worker polls (it stays RUNNING until terminated, and runs no code).
let env: AirbyteTestEnvironment;
const started: WorkflowHandle[] = [];

beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(async () => {
  for (const handle of started) await handle.terminate('test cleanup').catch(() => undefined);
  await env?.close();
});
beforeEach(() => env.mock.reset());

const RUNS_UNTIL_CANCELLED = { phases: [{ status: 'running', ms: Infinity }] };

function runningJob(seed: { workspaceId?: string } = {}) {
  const { connectionId } = env.mock.addConnection({ ...seed, script: RUNS_UNTIL_CANCELLED });
  return env.mock.startJob(connectionId);
}

/** A stand-in for the owner workflow: its id, type and memo, and no code ever runs. */
async function fakeOwner(connectionId: string, memo: { jobId?: number; owned?: boolean } = {}): Promise<WorkflowHandle> {
  const handle = await env.client.workflow.start(JOB_OWNER_WORKFLOW_TYPE, {
    taskQueue: `no-worker-${Math.random().toString(36).slice(2)}`,
    workflowId: jobOwnerWorkflowId(connectionId),
    memo: {
      [OwnerMemo.instance]: 'default',
      [OwnerMemo.connectionId]: connectionId,
      ...(memo.jobId !== undefined && { [OwnerMemo.jobId]: memo.jobId }),
      ...(memo.owned !== undefined && { [OwnerMemo.jobOwned]: memo.owned }),
    },
  });
  started.push(handle);
  return handle;
}

/** Jest's asymmetric matcher, typed for the object it stands in. */
const text = (pattern: RegExp | string): string => (typeof pattern === 'string' ? expect.stringContaining(pattern) : expect.stringMatching(pattern)) as string;
const ids = (jobs: { jobId: number }[]) => jobs.map((j) => j.jobId);
const deletesOf = (jobId: number) => env.mock.requestsTo('DELETE', `/jobs/${jobId}`);
const reconcile = (input: ReconcileInput): Promise<ReconcileReport> => env.syncs.reconcile(input);

async function terminateIfRunning(workflowId: string): Promise<void> {
  try {
    const handle = env.client.workflow.getHandle(workflowId);
    if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('simulating an operator who terminates a sync');
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}

test('a real sync terminated mid-job leaves an orphan; the reconciler finds it and cancels it on Airbyte', async () => {
  const { connectionId } = env.mock.addConnection({ script: RUNS_UNTIL_CANCELLED });
  const handle = await env.syncs.startSync({ connectionId, poll: FAST_POLL, retry: FAST_RETRY });
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  const { jobId } = env.mock.jobs({ connectionId })[0]!;
  // A poll of the job means its workflow has recorded the job id (trigger result, or the owner's memo).
  await env.mock.waitFor(() => env.mock.requestsTo('GET', `/jobs/${jobId}`).length > 0);
  // Terminate runs no workflow code: the caller and (when there is one) the owner leave the job running.
  await terminateIfRunning(handle.workflowId);
  await terminateIfRunning(jobOwnerWorkflowId(connectionId));
  expect(env.mock.job(jobId)?.status).toBe('running');

  const report = await reconcile({ connectionIds: [connectionId] });

  expect(report).toMatchObject({ instance: 'default', checked: 1, connectionsChecked: 1, truncated: false, watched: [], unmanaged: [] });
  expect(report.orphaned).toEqual([expect.objectContaining({ jobId, connectionId, status: 'running', reason: text(/terminated.*created/) })]);
  expect(report.cancelled).toEqual([expect.objectContaining({ jobId, connectionId, status: 'cancelled' })]);
  expect(env.mock.job(jobId)).toMatchObject({ status: 'cancelled', cancelledBy: 'api' });
  expect(deletesOf(jobId)).toHaveLength(1);
});

test("a terminated owner whose memo says it created the job: orphaned, cancelled, the reason names the owner", async () => {
  const job = runningJob();
  const owner = await fakeOwner(job.connectionId, { jobId: job.jobId, owned: true });
  await owner.terminate('lost');

  const report = await reconcile({ connectionIds: [job.connectionId] });

  expect(report.orphaned).toEqual([
    {
      jobId: job.jobId,
      connectionId: job.connectionId,
      jobType: 'sync',
      status: 'running',
      workflowId: owner.workflowId,
      reason: text(`owner workflow ${owner.workflowId} ended (terminated`),
    },
  ]);
  expect(ids(report.cancelled)).toEqual([job.jobId]);
  expect(env.mock.job(job.jobId)?.status).toBe('cancelled');
});

test('an ended owner that had joined the job (someone else started it) leaves it unmanaged, not orphaned', async () => {
  const job = runningJob();
  await (await fakeOwner(job.connectionId, { jobId: job.jobId, owned: false })).terminate();
  const earlier = runningJob();
  await (await fakeOwner(earlier.connectionId, { jobId: earlier.jobId - 1, owned: true })).terminate(); // it made another job

  const report = await reconcile({ connectionIds: [job.connectionId, earlier.connectionId] });

  expect(ids(report.unmanaged).sort()).toEqual([job.jobId, earlier.jobId].sort());
  expect(report.unmanaged.find((j) => j.jobId === job.jobId)?.reason).toMatch(/joined job .* someone else started/);
  expect(report.unmanaged.find((j) => j.jobId === earlier.jobId)?.reason).toMatch(new RegExp(`last job was ${earlier.jobId - 1}, not ${earlier.jobId}`));
  expect(report.orphaned).toEqual([]);
  expect(report.cancelled).toEqual([]);
  expect(env.mock.requestsTo('DELETE', /^\/jobs\//)).toHaveLength(0);
});

test('a job nobody of ours started is unmanaged and left running; cancelUnmanaged cancels it', async () => {
  const job = runningJob();

  const report = await reconcile({ connectionIds: [job.connectionId] });
  expect(report.unmanaged).toEqual([expect.objectContaining({ jobId: job.jobId, status: 'running', reason: text(/no workflow of ours/) })]);
  expect(report.unmanaged[0]?.workflowId).toBeUndefined();
  expect(report.cancelled).toEqual([]);
  expect(env.mock.job(job.jobId)?.status).toBe('running');
  expect(deletesOf(job.jobId)).toHaveLength(0);

  const forced = await reconcile({ connectionIds: [job.connectionId], cancelUnmanaged: true });
  expect(ids(forced.unmanaged)).toEqual([job.jobId]);
  expect(forced.cancelled).toEqual([expect.objectContaining({ jobId: job.jobId, status: 'cancelled', reason: text(/^unmanaged: /) })]);
  expect(env.mock.job(job.jobId)).toMatchObject({ status: 'cancelled', cancelledBy: 'api' });
});

test('watched jobs are left alone, even with cancelUnmanaged: a running owner whatever its memo says, a running sync', async () => {
  const byOwner = runningJob();
  const owner = await fakeOwner(byOwner.connectionId, { jobId: byOwner.jobId - 1, owned: true }); // has not recorded this job yet
  const { connectionId } = env.mock.addConnection({ script: RUNS_UNTIL_CANCELLED });
  const sync = await env.syncs.startSync({ connectionId, poll: FAST_POLL, retry: FAST_RETRY });
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  const bySync = env.mock.jobs({ connectionId })[0]!;

  const report = await reconcile({ connectionIds: [byOwner.connectionId, connectionId], cancelUnmanaged: true });

  expect(ids(report.watched).sort()).toEqual([byOwner.jobId, bySync.jobId].sort());
  expect(report.watched.find((j) => j.jobId === byOwner.jobId)).toMatchObject({ workflowId: owner.workflowId, reason: text(/is running/) });
  expect(report.cancelled).toEqual([]);
  expect(env.mock.requestsTo('DELETE', /^\/jobs\//)).toHaveLength(0);
  expect([env.mock.job(byOwner.jobId)?.status, env.mock.job(bySync.jobId)?.status]).toEqual(['running', 'running']);

  await env.syncs.cancel(sync.workflowId); // the sync's own cleanup cancels its job
  await env.client.workflow.getHandle(sync.workflowId).result().catch(() => undefined);
  expect(env.mock.job(bySync.jobId)?.status).toBe('cancelled');
});

test('a running syncAndWait of an earlier release (one per connection, polling its own job) counts as watching', async () => {
  const job = runningJob();
  // Its worker is not answering here, so the reconciler cannot ask it which job it watches: running is enough.
  const legacy = await env.client.workflow.start('syncAndWait', {
    taskQueue: `no-worker-${Math.random().toString(36).slice(2)}`,
    workflowId: legacySyncWorkflowId(job.connectionId, 'default'),
    args: [{ connectionId: job.connectionId }],
  });
  started.push(legacy);

  const report = await reconcile({ connectionIds: [job.connectionId], cancelUnmanaged: true });

  expect(report.watched).toEqual([expect.objectContaining({ jobId: job.jobId, workflowId: legacy.workflowId, reason: text(/earlier release\) is running/) })]);
  expect(report.cancelled).toEqual([]);
  expect(env.mock.job(job.jobId)?.status).toBe('running');
});

test("a waiter of this release at the old id watches nothing itself: once its owner is terminated, the job is orphaned", async () => {
  const { connectionId } = env.mock.addConnection({ script: RUNS_UNTIL_CANCELLED });
  // An old client starts syncAndWait at the old per-connection id; the new code makes it a waiter of the owner.
  const waiter = await env.client.workflow.start('syncAndWait', {
    taskQueue: env.taskQueue,
    workflowId: legacySyncWorkflowId(connectionId, 'default'),
    args: [{ connectionId, poll: FAST_POLL, retry: FAST_RETRY }],
  });
  started.push(waiter);
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  const { jobId } = env.mock.jobs({ connectionId })[0]!;
  await env.mock.waitFor(() => env.mock.requestsTo('GET', `/jobs/${jobId}`).length > 0);
  await env.client.workflow.getHandle(jobOwnerWorkflowId(connectionId)).terminate('lost');

  const report = await reconcile({ connectionIds: [connectionId] });

  expect(report.orphaned).toEqual([expect.objectContaining({ jobId, workflowId: jobOwnerWorkflowId(connectionId) })]);
  expect(ids(report.cancelled)).toEqual([jobId]);
  expect(env.mock.job(jobId)?.status).toBe('cancelled');
});

test('reportOnly classifies everything and cancels nothing', async () => {
  const orphan = runningJob();
  await (await fakeOwner(orphan.connectionId, { jobId: orphan.jobId, owned: true })).terminate();
  const stranger = runningJob();

  const report = await reconcile({ connectionIds: [orphan.connectionId, stranger.connectionId], reportOnly: true, cancelUnmanaged: true });

  expect(report.reportOnly).toBe(true);
  expect(ids(report.orphaned)).toEqual([orphan.jobId]);
  expect(ids(report.unmanaged)).toEqual([stranger.jobId]);
  expect(report.cancelled).toEqual([]);
  expect(report.notCancelled).toEqual([]);
  expect(env.mock.requestsTo('DELETE', /^\/jobs\//)).toHaveLength(0);
  expect([env.mock.job(orphan.jobId)?.status, env.mock.job(stranger.jobId)?.status]).toEqual(['running', 'running']);
});

test('scope: only the given workspaces, or every connection; ended jobs are not looked at; maxConnections bounds the scan', async () => {
  const { workspaceId } = env.mock.addWorkspace({ name: 'reconcile scope' });
  const inside = runningJob({ workspaceId });
  const ended = runningJob({ workspaceId });
  env.mock.finishJob(ended.jobId, 'succeeded');
  const outside = runningJob();

  const scoped = await reconcile({ workspaceIds: [workspaceId], reportOnly: true });
  expect(scoped).toMatchObject({ checked: 1, connectionsChecked: 2, truncated: false });
  expect(ids(scoped.unmanaged)).toEqual([inside.jobId]);

  const everything = await reconcile({ reportOnly: true });
  expect(ids(everything.unmanaged).sort()).toEqual([inside.jobId, outside.jobId].sort());

  const bounded = await reconcile({ workspaceIds: [workspaceId], reportOnly: true, maxConnections: 1 });
  expect(bounded).toMatchObject({ connectionsChecked: 1, truncated: true });
});

describe('invalid input fails before any Airbyte call, naming the field', () => {
  const uuid = '9924bcd0-99be-453d-ba47-c2c9766f7da5';
  test.each<[string, unknown, RegExp]>([
    ['a connection id that is not a UUID', { connectionIds: [uuid, 'nope'] }, /connectionIds\[1\] must be a UUID, got "nope"/],
    ['an empty connection list', { connectionIds: [] }, /connectionIds must be a non-empty list/],
    ['a workspace list that is not a list', { workspaceIds: uuid }, /workspaceIds must be a non-empty list/],
    ['connections and workspaces together', { connectionIds: [uuid], workspaceIds: [uuid] }, /connectionIds or workspaceIds, not both/],
    ['a non-boolean reportOnly', { reportOnly: 'yes' }, /reportOnly must be true or false/],
    ['a non-boolean cancelUnmanaged', { cancelUnmanaged: 1 }, /cancelUnmanaged must be true or false/],
    ['a bad instance name', { instance: '../etc' }, /instance must be an instance name/],
    ['an unknown option', { cancelWatched: true }, /unknown field 'cancelWatched'/],
    ['a bound out of range', { maxConnections: 0 }, /maxConnections must be an integer from 1 to 5000/],
  ])('%s', async (_, input, message) => {
    const failure = await startAndExpectFailure(env, 'airbyteReconcile', [input]);
    expect(failure.type).toBe(SyncFailureType.InvalidInput);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(message);
    await expect(env.syncs.reconcile(input as ReconcileInput)).rejects.toThrow(AirbyteInputError);
    expect(env.mock.requests).toHaveLength(0);
  });
});

test('the cancel checks again right before it is sent: a job watched by now, or ended by now, is spared', async () => {
  const activities: ReconcileActivities = createReconcileActivities({
    default: { url: env.mock.publicApiUrl, ...(env.mock.credentials ?? { noAuth: true }) },
  });
  const cancel = (job: ClassifiedJob) => new MockActivityEnvironment(undefined, { client: env.client }).run(activities.airbyteReconcileCancelJob, { job });
  const asOrphan = (job: { jobId: number; connectionId: string }): ClassifiedJob => ({
    ...job,
    jobType: 'sync',
    status: 'running',
    classification: 'orphaned',
    reason: 'found orphaned a moment ago',
  });

  // Found orphaned; then a new owner started for the connection (it will join the running job).
  const rejoined = runningJob();
  await (await fakeOwner(rejoined.connectionId, { jobId: rejoined.jobId, owned: true })).terminate();
  await fakeOwner(rejoined.connectionId);
  const spared = await cancel(asOrphan(rejoined));
  expect(spared).toMatchObject({ cancelled: false, status: 'running', reason: text(/^not cancelled: now watched/) });

  // Found orphaned; then it ended: a DELETE now would cancel the connection's next job instead.
  const finished = runningJob();
  await (await fakeOwner(finished.connectionId, { jobId: finished.jobId, owned: true })).terminate();
  env.mock.finishJob(finished.jobId, 'succeeded');
  const next = await cancel(asOrphan(finished));
  expect(next).toMatchObject({ cancelled: false, status: 'succeeded', reason: 'not cancelled: it had already ended succeeded' });

  expect(env.mock.requestsTo('DELETE', /^\/jobs\//)).toHaveLength(0);
});

test('scheduleReconcile creates a SKIP schedule that runs the reconciler; bad input is refused before it exists', async () => {
  const orphan = runningJob();
  await (await fakeOwner(orphan.connectionId, { jobId: orphan.jobId, owned: true })).terminate();
  const schedule = await env.syncs.scheduleReconcile(
    { connectionIds: [orphan.connectionId] },
    { spec: { intervals: [{ every: '1d' }] }, scheduleId: `reconcile-test-${orphan.jobId}` },
  );
  try {
    const description = await schedule.describe();
    expect(description.action).toMatchObject({ workflowType: 'airbyteReconcile', args: [{ connectionIds: [orphan.connectionId] }] });
    expect(description.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    await schedule.trigger();
    await env.mock.waitFor(() => env.mock.job(orphan.jobId)?.status === 'cancelled', 30_000);
  } finally {
    await schedule.delete();
  }
  await expect(env.syncs.scheduleReconcile({ connectionIds: ['nope'] }, { spec: { intervals: [{ every: '1h' }] } })).rejects.toThrow(/connectionIds\[0\]/);
});

describe('a closed syncAndWait of an earlier release, asked which job it watched (stubbed Temporal client)', () => {
  const connectionId = '4c1e3a52-8f4e-4e8a-9d6c-2a1b3c4d5e6f';
  const job = { jobId: 42, connectionId, jobType: 'sync', status: 'running' };
  /** No owner ever ran; the old per-connection id holds a terminated run whose progress query answers `progress`. */
  const temporal = (progress: () => unknown) =>
    ({
      withDeadline: <R>(_: number, fn: () => Promise<R>) => fn(),
      workflow: {
        getHandle: (workflowId: string) => ({
          describe: () =>
            workflowId === legacySyncWorkflowId(connectionId, 'default')
              ? Promise.resolve({ status: { name: 'TERMINATED' }, closeTime: new Date(0), memo: {} })
              : Promise.reject(new WorkflowNotFoundError('not found', workflowId, undefined)),
          query: () => Promise.resolve().then(progress),
        }),
      },
    }) as unknown as Client;

  test.each<[string, () => unknown, string, RegExp]>([
    ['it created the job', () => ({ jobId: 42, attached: false }), 'orphaned', /ended \(terminated at .*\) and left running job 42, which it had created/],
    ['it had joined the job', () => ({ jobId: 42, attached: true }), 'unmanaged', /joined job 42, which someone else started/],
    ['it watched another job', () => ({ jobId: 41, attached: false }), 'unmanaged', /last job was 41, not 42/],
    ['it cannot be asked', () => Promise.reject(new Error('no worker')), 'unmanaged', /could not be asked/],
  ])('%s', async (_, progress, classification, reason) => {
    const classified = await classifyJob(temporal(progress), 'default', job);
    expect(classified).toMatchObject({ classification, workflowId: legacySyncWorkflowId(connectionId, 'default') });
    expect(classified.reason).toMatch(reason);
  });
});
