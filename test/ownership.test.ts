import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { AirbyteSyncError, jobOwnerWorkflowId, SyncFailureType, type OwnerProgress, type SyncInput } from '../src';
import { joinJobOwner } from '../src/activities/owner/join-owner';
import type { JoinReply, JoinRequest } from '../src/activities/owner/types';
import { OwnerMessages } from '../src/common/job-owner';
import type { AirbyteTestEnvironment } from '../src/testing';
import { FAST_POLL, FAST_RETRY, startTestEnvironment, whenListed } from './helpers/environment';

// One owner workflow per connection holds the Airbyte job; syncs are its waiters. These tests check who may
// cancel what, what a queued request does, and that a trigger still retrying can be cancelled.
let env: AirbyteTestEnvironment;

beforeAll(async () => {
  env = await startTestEnvironment({ defaultInstance: { createJobTimeoutMs: 500 } });
});
afterAll(async () => {
  await env?.close();
});
beforeEach(() => env.mock.reset());

const input = (connectionId: string, extra: Partial<SyncInput> = {}): SyncInput => ({ connectionId, poll: FAST_POLL, retry: FAST_RETRY, ...extra });
const endedWith = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);
const ownerProgress = (connectionId: string) =>
  env.client.workflow.getHandle(jobOwnerWorkflowId(connectionId)).query<OwnerProgress>('airbyteJobOwnerProgress');

async function expectCancelled(promise: Promise<unknown>): Promise<void> {
  const err = await endedWith(promise);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
}

test('a job shared by two syncs is not cancelled when one of them is; it is when the last one is', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], rowsSynced: 5 } });
  const a = await env.syncs.startSync(input(connectionId));
  const b = await env.syncs.startSync(input(connectionId, { timeout: '1h' })); // a different request: its own workflow
  expect(b.workflowId).not.toBe(a.workflowId);
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  const [job] = env.mock.jobs({ connectionId });

  await a.cancel();
  await expectCancelled(a.result());
  expect(env.mock.job(job!.jobId)?.status).toBe('running');
  expect(env.mock.requestsTo('DELETE', /^\/jobs\//)).toHaveLength(0);

  await b.cancel();
  await expectCancelled(b.result());
  expect(env.mock.job(job!.jobId)?.status).toBe('cancelled');
  expect(env.mock.jobs({ connectionId })).toHaveLength(1);
});

test('the sync that stays gets the shared job\'s result', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], rowsSynced: 9 } });
  const a = await env.syncs.startSync(input(connectionId));
  const b = await env.syncs.startSync(input(connectionId, { report: false }));
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  await a.cancel();
  await expectCancelled(a.result());
  env.mock.finishJob(env.mock.jobs({ connectionId })[0]!.jobId, 'succeeded');
  const result = await env.syncs.result(b.workflowId);
  expect(result).toMatchObject({ status: 'succeeded', rowsSynced: 9, owned: true });
  expect(env.mock.jobs({ connectionId })).toHaveLength(1);
});

test('a job someone else started is joined but never cancelled on our behalf', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const theirs = env.mock.startJob(connectionId);
  const handle = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.requestsTo('GET', `/jobs/${theirs.jobId}`).length > 0);
  expect(env.mock.requestsTo('POST', '/jobs')).toHaveLength(0); // seen running first: no create, no 409
  await handle.cancel();
  await expectCancelled(handle.result());
  expect(env.mock.job(theirs.jobId)?.status).toBe('running');
  expect(env.mock.requestsTo('DELETE', /^\/jobs\//)).toHaveLength(0);
  env.mock.finishJob(theirs.jobId, 'succeeded');
});

test('a reset asked for while a sync runs queues behind it and gets a reset job of its own', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], rowsSynced: 3 } });
  const sync = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  const reset = await env.syncs.startSync(input(connectionId, { jobType: 'reset' }));
  expect(reset.workflowId).not.toBe(sync.workflowId);
  const queued = await waitForQueued(connectionId);
  expect(queued).toEqual([{ waiterId: reset.workflowId, jobType: 'reset' }]);
  expect(env.mock.jobs({ connectionId })).toHaveLength(1);

  env.mock.finishJob(env.mock.jobs({ connectionId })[0]!.jobId, 'succeeded');
  expect(await env.syncs.result(sync.workflowId)).toMatchObject({ jobType: 'sync', status: 'succeeded' });
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 2);
  const resetJob = env.mock.jobs({ connectionId })[1]!;
  expect(resetJob.jobType).toBe('reset');
  env.mock.finishJob(resetJob.jobId, 'succeeded');
  expect(await env.syncs.result(reset.workflowId)).toMatchObject({ jobType: 'reset', jobId: resetJob.jobId, status: 'succeeded', attached: false });
});

/** The join request the run of this syncAndWait workflow sends (as its join activity would send it again). */
async function joinRequestOf(workflowId: string): Promise<JoinRequest> {
  const { runId } = await env.client.workflow.getHandle(workflowId).describe();
  return { waiterId: workflowId, waiterRunId: runId, jobType: 'sync', poll: { initialMs: 100, maxMs: 100, latenessRatio: 0.1 }, retry: {}, report: true, searchAttributes: false, historyBound: 2000 };
}

/** The join activity, as a waiter's (local) activity runs it. */
const joinAs = (connectionId: string, request: JoinRequest, by?: 'signal') =>
  new MockActivityEnvironment({ taskQueue: env.taskQueue }, { client: env.client }).run(joinJobOwner, { connectionId, request, ...(by && { by }) });

test('a waiter run that joins again after its job ended is told again, not given another job, after continue-as-new too', async () => {
  // The join of a pipeline step is a local activity: a workflow task lost after the owner took it runs it again.
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], rowsSynced: 3 } });
  const sync = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  // The reset's waiter keeps the owner's runs short: it continues as new while it watches the reset.
  const reset = await env.syncs.startSync(input(connectionId, { jobType: 'reset', historyBound: 50 }));
  await waitForQueued(connectionId);
  const [first] = env.mock.jobs({ connectionId });
  env.mock.finishJob(first!.jobId, 'succeeded');
  expect(await env.syncs.result(sync.workflowId)).toMatchObject({ jobId: first!.jobId, status: 'succeeded' });
  // The owner goes on with the reset, in a new run by now; the sync's run joins again.
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 2);
  const resetJobId = env.mock.jobs({ connectionId })[1]!.jobId;
  await env.mock.waitFor(() => env.mock.requestsTo('GET', `/jobs/${resetJobId}`).length >= 6);
  expect((await ownerProgress(connectionId)).runs).toBeGreaterThanOrEqual(1);
  const again = await joinRequestOf(sync.workflowId);
  const owner = env.client.workflow.getHandle(jobOwnerWorkflowId(connectionId));
  expect(await owner.executeUpdate<JoinReply, [JoinRequest]>(OwnerMessages.join, { args: [again] })).toEqual({ ownerWorkflowId: owner.workflowId, state: 'joined', jobId: first!.jobId });
  // Another run of the same workflow id is a new waiter: it is queued for a job of its own.
  expect(await owner.executeUpdate<JoinReply, [JoinRequest]>(OwnerMessages.join, { args: [{ ...again, waiterRunId: 'another-run' }] })).toMatchObject({ state: 'queued' });
  await owner.signal(OwnerMessages.leave, { waiterId: sync.workflowId, cancelJob: false, reason: 'test' });
  env.mock.finishJob(env.mock.jobs({ connectionId })[1]!.jobId, 'succeeded');
  await env.syncs.result(reset.workflowId);
  await owner.result();
  expect(env.mock.jobs({ connectionId }).map((j) => j.jobType)).toEqual(['sync', 'reset']);
});

test('a waiter run that joins again after its owner closed gets the word it was told, and no owner or job starts', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 100 }], rowsSynced: 3 } });
  const sync = await env.syncs.startSync(input(connectionId));
  const result = await env.syncs.result(sync.workflowId);
  const owner = env.client.workflow.getHandle(jobOwnerWorkflowId(connectionId));
  await owner.result();
  const closedRun = (await owner.describe()).runId;
  const request = await joinRequestOf(sync.workflowId);
  // The join as its activity runs it again (the first answer lost with a workflow task).
  const joinAgain = (r: JoinRequest) => joinAs(connectionId, r);
  const reply = await joinAgain(request);
  expect(reply).toMatchObject({ ownerWorkflowId: owner.workflowId, state: 'ended', jobId: result.jobId, told: { kind: 'terminal', job: { jobId: result.jobId, status: 'succeeded' } } });
  expect((await owner.describe()).runId).toBe(closedRun);
  expect(env.mock.jobs({ connectionId })).toHaveLength(1);
  // Another run is a new waiter: a new owner runs a job for it.
  expect(await joinAgain({ ...request, waiterRunId: 'another-run' })).toMatchObject({ state: 'queued' });
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 2);
  await owner.signal(OwnerMessages.leave, { waiterId: sync.workflowId, cancelJob: true, reason: 'test' });
  await owner.result();
});

test('a join by signal is taken as the update is: shared once, a repeat ignored, a malformed one dropped', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], rowsSynced: 3 } });
  const sync = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  const other = { ...(await joinRequestOf(sync.workflowId)), waiterId: 'a-wide-pipeline/step', replyTo: 'a-wide-pipeline', waiterRunId: 'its-run', quiet: true };
  const joinBySignal = (r: JoinRequest) => joinAs(connectionId, r, 'signal');
  const owner = env.client.workflow.getHandle(jobOwnerWorkflowId(connectionId));
  expect(await joinBySignal(other)).toEqual({ ownerWorkflowId: owner.workflowId, state: 'sent' });
  expect(await joinBySignal(other)).toEqual({ ownerWorkflowId: owner.workflowId, state: 'sent' });
  await owner.signal(OwnerMessages.joinBySignal, { ...other, waiterId: 'malformed', poll: { initialMs: -1 } });
  await owner.signal(OwnerMessages.joinBySignal, 'nonsense');
  expect((await ownerProgress(connectionId)).waiters).toEqual([sync.workflowId, other.waiterId]);
  const [job] = env.mock.jobs({ connectionId });
  env.mock.finishJob(job!.jobId, 'succeeded');
  expect(await env.syncs.result(sync.workflowId)).toMatchObject({ jobId: job!.jobId, status: 'succeeded', sharedWith: 1 });
  // The waiter's word went to the workflow it named (gone here: the owner shrugs), and the owner closed.
  expect(await owner.result()).toMatchObject({ jobs: 1, told: { [`${other.waiterId}@its-run`]: { kind: 'terminal', job: { jobId: job!.jobId } } } });
  expect(env.mock.jobs({ connectionId })).toHaveLength(1);
  // The same waiter run joining by signal again (its first answer lost) is told its word; no owner or job starts.
  const closedRun = (await owner.describe()).runId;
  expect(await joinBySignal(other)).toMatchObject({ state: 'ended', told: { kind: 'terminal', job: { jobId: job!.jobId } } });
  expect((await owner.describe()).runId).toBe(closedRun);
  // Another run is a new waiter: a signal starts a new owner, which runs a job for it.
  expect(await joinBySignal({ ...other, waiterRunId: 'another-run' })).toMatchObject({ state: 'sent' });
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 2);
  await owner.signal(OwnerMessages.leave, { waiterId: other.waiterId, replyTo: other.replyTo, cancelJob: true, reason: 'test' });
  await owner.result();
  expect(env.mock.jobs({ connectionId })[1]).toMatchObject({ status: 'cancelled' });
});

test('joins by signal that stream in while the job runs, ends and its owner closes are each told a word', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 50 }], rowsSynced: 3 } });
  const id = jobOwnerWorkflowId(connectionId);
  const sync = await env.syncs.startSync(input(connectionId));
  const base = { ...(await joinRequestOf(sync.workflowId)), replyTo: 'a-wide-pipeline', waiterRunId: 'its-run', quiet: true };
  const joinBySignal = (r: JoinRequest) => joinAs(connectionId, r, 'signal');
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  const firstRun = (await env.client.workflow.getHandle(id).describe()).runId;
  // Three streams of joins, each from a new waiter, while the job runs, ends and the owner closes: some share the
  // job, some queue behind it, some may land on the run as it closes (a signal in the closing task fails its
  // completion, so the run sees it), some start the next run.
  let sent = 0;
  const stream = async () => {
    while (sent < 30 && (await env.client.workflow.getHandle(id).describe()).runId === firstRun) await joinBySignal({ ...base, waiterId: `a-wide-pipeline/s${sent++}` });
  };
  await Promise.all([stream(), stream(), stream()]);
  await env.syncs.result(sync.workflowId);

  // Every waiter that reached a run was told a word by one: by the joins and words in the runs' histories.
  const payload = (p: { data?: Uint8Array | null } | undefined) => JSON.parse(Buffer.from(p?.data ?? []).toString()) as { waiterId: string };
  const joined = new Set<string>();
  const told = new Set<string>();
  await env.client.workflow.getHandle(id).result();
  // Visibility lags: wait until it lists the last run (each run was started after the one before it closed).
  const lastRun = (await env.client.workflow.getHandle(id).describe()).runId;
  const listRuns = async () => {
    const runs: string[] = [];
    for await (const run of env.client.workflow.list({ query: `WorkflowId = '${id}'` })) runs.push(run.runId);
    return runs;
  };
  for (const runId of await whenListed(listRuns, (runs) => runs.includes(lastRun))) {
    await env.client.workflow.getHandle(id, runId, { followRuns: false }).result();
    for (const e of (await env.client.workflow.getHandle(id, runId, { followRuns: false }).fetchHistory()).events ?? []) {
      const signal = e.workflowExecutionSignaledEventAttributes;
      if (signal?.signalName === OwnerMessages.joinBySignal) joined.add(payload(signal.input?.payloads?.[0]).waiterId);
      const word = e.signalExternalWorkflowExecutionInitiatedEventAttributes;
      if (word?.signalName === OwnerMessages.jobEnded) told.add(payload(word.input?.payloads?.[0]).waiterId);
    }
  }
  expect(joined.size).toBe(sent);
  expect([...joined].filter((w) => !told.has(w))).toEqual([]);
});

test('cancel acts while the trigger is still retrying, and no job is left behind', async () => {
  const { connectionId } = env.mock.addConnection();
  env.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'status', status: 429, times: Infinity });
  const handle = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.requestsTo('POST', '/jobs').length >= 2);
  await handle.cancel();
  await expectCancelled(handle.result());
  env.mock.clearFaults();
  expect(env.mock.jobs({ connectionId })).toHaveLength(0);
});

test('cancel during an outage before anything was created ends at once, with nothing created', async () => {
  const { connectionId } = env.mock.addConnection();
  env.mock.injectFault({ method: 'GET', path: '/jobs', kind: 'status', status: 503, times: Infinity });
  const handle = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.requestsTo('GET', '/jobs').length >= 2);
  await handle.cancel();
  await expectCancelled(handle.result());
  expect(env.mock.requestsTo('POST', '/jobs')).toHaveLength(0);
  env.mock.clearFaults();
});

test('the overall timeout acts while the trigger is still retrying', async () => {
  const { connectionId } = env.mock.addConnection();
  env.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'status', status: 503, times: Infinity });
  const err = await endedWith(env.syncs.syncAndWait(input(connectionId, { timeout: '2s' })));
  expect(err).toBeInstanceOf(AirbyteSyncError);
  expect((err as AirbyteSyncError).type).toBe(SyncFailureType.TimedOut);
  expect((err as AirbyteSyncError).message).toMatch(/did not start within 2000 ms/);
  env.mock.clearFaults();
  expect(env.mock.jobs({ connectionId })).toHaveLength(0);
});

test('a trigger cancelled after an unanswered create cancels the job that create made', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  // The first create lands but its answer is lost; every later look at the job list fails for a while.
  env.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'handle-then-reset' });
  const handle = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.requestsTo('POST', '/jobs').length === 1);
  env.mock.injectFault({ method: 'GET', path: '/jobs', kind: 'status', status: 503, times: Infinity });
  await env.mock.waitFor(() => env.mock.requestsTo('GET', '/jobs').filter((r) => r.status === 503).length >= 2);
  await handle.cancel();
  await env.mock.waitFor(() => env.mock.requestsTo('GET', '/jobs').filter((r) => r.status === 503).length >= 3);
  env.mock.clearFaults();
  await expectCancelled(handle.result());
  const jobs = env.mock.jobs({ connectionId });
  expect(jobs).toHaveLength(1);
  expect(jobs[0]!.status).toBe('cancelled');
});

test('a Retry-After: 0 storm on the create is retried with backoff, not given up', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 100 }] } });
  env.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'status', status: 429, retryAfterSeconds: 0, times: 5 });
  const result = await env.syncs.syncAndWait(input(connectionId));
  expect(result.status).toBe('succeeded');
  expect(env.mock.jobs({ connectionId })).toHaveLength(1);
});

test('after a 429 on the create, a job that had ended before we began is not taken for ours', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], rowsSynced: 1 } });
  const previous = env.mock.startJob(connectionId);
  env.mock.finishJob(previous.jobId, 'failed');
  env.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'status', status: 429 });
  env.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'status', status: 500 });
  const handle = await env.syncs.startSync(input(connectionId, { retry: { ...FAST_RETRY, createGrace: '1s' } }));
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 2);
  const ours = env.mock.jobs({ connectionId })[1]!;
  env.mock.finishJob(ours.jobId, 'succeeded');
  const result = await env.syncs.result(handle.workflowId);
  expect(result).toMatchObject({ jobId: ours.jobId, status: 'succeeded', owned: true });
});

test('a create that lands after its timeout is found and adopted, not doubled', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 200 }] } });
  // The request reaches Airbyte 1.5 s late, after our 0.5 s timeout: the job appears only then.
  env.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'latency', ms: 1_500 });
  const result = await env.syncs.syncAndWait(input(connectionId));
  const jobs = env.mock.jobs({ connectionId });
  expect(jobs).toHaveLength(1);
  expect(result).toMatchObject({ jobId: jobs[0]!.jobId, status: 'succeeded', owned: true });
  expect(env.mock.requestsTo('POST', '/jobs')).toHaveLength(1);
});

test('a permanent error while waiting cancels the job we created and fails with the job id and reason', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const handle = await env.syncs.startSync(input(connectionId));
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  const [job] = env.mock.jobs({ connectionId });
  env.mock.injectFault({ method: 'GET', path: `/jobs/${job!.jobId}`, kind: 'status', status: 404 });
  const err = await endedWith(env.syncs.result(handle.workflowId));
  expect(err).toBeInstanceOf(AirbyteSyncError);
  expect((err as AirbyteSyncError).type).toBe(SyncFailureType.Aborted);
  expect((err as AirbyteSyncError).result?.jobId).toBe(job!.jobId);
  expect((err as AirbyteSyncError).message).toMatch(/404.*the job was cancelled/);
  expect(env.mock.job(job!.jobId)?.status).toBe('cancelled');
});

test('an unknown connection fails as an AirbyteSyncError with Airbyte\'s message, not a bare workflow failure', async () => {
  const err = await endedWith(env.syncs.syncAndWait(input('0b3f9c8e-1111-4aaa-8bbb-123456789abc')));
  expect(err).toBeInstanceOf(AirbyteSyncError);
  expect((err as AirbyteSyncError).type).toBe(SyncFailureType.Aborted);
  expect((err as AirbyteSyncError).message).toMatch(/404/);
});

test('a cancel never reaches Airbyte for a job that has ended: the connection\'s next job is someone else\'s', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const handle = await env.syncs.startSync(input(connectionId, { poll: { initialInterval: '1h', maxInterval: '1h' } }));
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  const [ours] = env.mock.jobs({ connectionId });
  // Our job ends and someone starts another before the owner next looks; then our sync is cancelled.
  env.mock.finishJob(ours!.jobId, 'succeeded');
  const theirs = env.mock.startJob(connectionId);
  await handle.cancel();
  await expectCancelled(handle.result());
  expect(env.mock.job(theirs.jobId)?.status).toBe('running');
  expect(env.mock.requestsTo('DELETE', /^\/jobs\//)).toHaveLength(0);
  env.mock.finishJob(theirs.jobId, 'succeeded');
});

/** Asks the owner until the reset's join has reached it (the start returns before the join is sent). */
async function waitForQueued(connectionId: string): Promise<OwnerProgress['queued']> {
  for (let asked = 0; asked < 600; asked++) {
    const progress = await ownerProgress(connectionId);
    if (progress.queued.length > 0) return progress.queued;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the reset never reached the owner');
}

test('a waiter that joins again and again does not postpone the owner\'s checks of its job', async () => {
  // A join from a known waiter wakes the owner (it is answered at once); the check that was due must still come.
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
  const sync = await env.syncs.startSync(input(connectionId, { poll: { initialInterval: '1s', maxInterval: '1s' } }));
  await env.mock.waitFor(() => env.mock.jobs({ connectionId }).length === 1);
  const [job] = env.mock.jobs({ connectionId });
  const checks = () => env.mock.requestsTo('GET', `/jobs/${job!.jobId}`).length + env.mock.requestsTo('POST', '/config/jobs/get_without_logs').length;
  await env.mock.waitFor(() => checks() >= 1);
  const before = checks();
  const owner = env.client.workflow.getHandle(jobOwnerWorkflowId(connectionId));
  const again = await joinRequestOf(sync.workflowId);
  // Joins far faster than the 1 s between checks (each waits for its answer): before the fix each one restarted the wait.
  let joins = 0;
  while (checks() === before && joins < 2_000) {
    expect(await owner.executeUpdate<JoinReply, [JoinRequest]>(OwnerMessages.join, { args: [again] })).toMatchObject({ state: 'joined', jobId: job!.jobId });
    joins++;
  }
  expect(checks()).toBeGreaterThan(before);
  await sync.cancel();
  await expectCancelled(sync.result());
});
