// The edge cases of issue 7: creates whose answer is late or unreadable, a job shared by two requests of
// which one is cancelled, a reset asked for while a sync runs, bad answers while polling, a terminated
// owner cleaned up by the reconciler, and cancels around a job that has ended on a busy connection.
import { jobOwnerWorkflowId, SyncFailureType } from '../../src';
import type { MockConnectionScript, MockJob } from '../../src/testing';
import { FAST_INSTANCE } from '../lib/harness';
import { isTerminal } from '../lib/judge';
import type { Outcome } from '../lib/outcome';
import type { Scenario, ScenarioContext, SyncPlan } from '../lib/types';

/** A job that runs until the scenario ends it (mock.finishJob), a cancel, or the reconciler. */
const holds = (index: number): MockConnectionScript => {
  const rowsSynced = 4_000 + index * 37;
  return { phases: [{ status: 'pending', ms: 100 }, { status: 'running', ms: Infinity }], rowsSynced, bytesSynced: rowsSynced * 64 };
};

/** A job that runs `ms`, then succeeds. */
const runs = (ms: number) => (index: number): MockConnectionScript => {
  const rowsSynced = 5_000 + index * 41;
  return { phases: [{ status: 'pending', ms: 100 }, { status: 'running', ms }], rowsSynced, bytesSynced: rowsSynced * 64 };
};

const jobPath = (job: MockJob) => `/jobs/${job.jobId}`;
const postsFor = (ctx: ScenarioContext, plan: SyncPlan) =>
  ctx.mock.requestsTo('POST', '/jobs').filter((r) => (r.body as { connectionId?: unknown } | undefined)?.connectionId === plan.connectionId);
const pollsOf = (ctx: ScenarioContext, job: MockJob) => ctx.mock.requestsTo('GET', jobPath(job));

/** The plan's only job (of a type), or an error saying what there is instead. */
function onlyJob(ctx: ScenarioContext, plan: SyncPlan, jobType = 'sync'): MockJob {
  const jobs = ctx.jobsOf(plan).filter((j) => j.jobType === jobType);
  const [job] = jobs;
  if (!job || jobs.length > 1) throw new Error(`sync #${plan.index}: expected one ${jobType} job, found ${jobs.map((j) => `#${j.jobId} ${j.status}`).join(', ') || 'none'}`);
  return job;
}

/** Until the plan's (first) job of this type runs. */
async function untilRunning(ctx: ScenarioContext, plan: SyncPlan, jobType = 'sync'): Promise<MockJob> {
  const find = () => ctx.jobsOf(plan).find((j) => j.jobType === jobType);
  await ctx.until(() => find()?.status === 'running', `sync #${plan.index}'s ${jobType} job running`);
  return find() as MockJob;
}

/** Until the owner has polled the job (so it has recorded the job in its memo: the poll comes after). */
async function untilPolled(ctx: ScenarioContext, plan: SyncPlan): Promise<MockJob> {
  const job = await untilRunning(ctx, plan);
  await ctx.until(() => pollsOf(ctx, job).some((r) => r.status === 200), `job #${job.jobId} polled`);
  return job;
}

/** Resolves once the workflow has ended, however it ended. */
const ended = (ctx: ScenarioContext, workflowId: string): Promise<void> =>
  ctx.client.workflow.getHandle(workflowId).result().then(() => undefined, () => undefined);

type HistoryPage = Awaited<ReturnType<ScenarioContext['client']['workflowService']['getWorkflowExecutionHistory']>>;
type HistoryEvent = NonNullable<NonNullable<HistoryPage['history']>['events']>[number];

/** Until the workflow's history holds an event that passes `test`: a long poll on its history, no timers. */
async function untilInHistory(ctx: ScenarioContext, workflowId: string, test: (e: HistoryEvent) => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let nextPageToken: Uint8Array | undefined;
  while (Date.now() < deadline) {
    const page = await ctx.client.withDeadline(deadline, () =>
      ctx.client.workflowService.getWorkflowExecutionHistory({ namespace: ctx.client.options.namespace, execution: { workflowId }, nextPageToken, waitNewEvent: true }),
    );
    if (page.history?.events?.some(test)) return;
    if (!page.nextPageToken?.length) throw new Error(`waiting for ${what}: ${workflowId} closed first`);
    nextPageToken = page.nextPageToken;
  }
  throw new Error(`waiting for ${what}: not within ${timeoutMs} ms`);
}

/**
 * Until the connection's owner has registered this waiter: `syncAndWait`'s only activity is its join
 * (an update-with-start on the owner), which completes once the owner has answered.
 */
const untilJoined = (ctx: ScenarioContext, workflowId: string) =>
  untilInHistory(ctx, workflowId, (e) => e.activityTaskCompletedEventAttributes != null, `${workflowId} joined its owner`);

/** The create was answered ambiguously, and its job adopted: one POST /jobs, and the result says we made the job. */
function adoptedOnce(ctx: ScenarioContext, plan: SyncPlan, outcomes: Outcome[]): string[] {
  const problems: string[] = [];
  const posts = postsFor(ctx, plan);
  if (posts.length !== 1) problems.push(`${posts.length} POST /jobs for the connection (statuses ${posts.map((r) => r.status).join(', ')}): the job was not adopted after the first`);
  for (const o of outcomes) if (o.kind === 'result' && o.result.owned !== true) problems.push(`the result says owned: ${String(o.result.owned)}, but our create made the job`);
  return problems;
}

const CREATE_LATE_MS = FAST_INSTANCE.createJobTimeoutMs + 1_000;
const CANCEL_DELAY_MS = 5_000;
const HTML = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>';

export const edgeScenarios: Scenario[] = [
  {
    name: 'create-lands-late',
    summary: `POST /jobs reaches Airbyte ${CREATE_LATE_MS / 1000} s late, after the client gave up (createJobTimeoutMs ${FAST_INSTANCE.createJobTimeoutMs / 1000} s): its job is found and adopted, not doubled`,
    syncs: { small: 2, full: 6 },
    script: runs(1_500),
    fault: async (ctx) => {
      ctx.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'latency', ms: CREATE_LATE_MS, times: ctx.plans.length });
      ctx.note(`${ctx.plans.length} x POST /jobs ${CREATE_LATE_MS} ms late armed`);
      await ctx.started;
    },
    check: adoptedOnce,
  },
  {
    name: 'create-answer-unreadable',
    summary: 'POST /jobs creates the job but its answer is cut in half (handle-then-truncate) or a 200 `{}` without a jobId (handle-then-replace): the job is found and adopted, not doubled',
    syncs: { small: 2, full: 6 },
    script: runs(1_500),
    fault: async (ctx) => {
      // Each create takes the next fault, whichever sync it is for: half get one, half the other.
      const half = Math.ceil(ctx.plans.length / 2);
      ctx.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'handle-then-truncate', times: half });
      ctx.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'handle-then-replace', status: 200, body: {}, times: ctx.plans.length - half });
      ctx.note(`${half} x truncated and ${ctx.plans.length - half} x 200 {} answers to POST /jobs armed`);
      await ctx.started;
    },
    check: adoptedOnce,
  },
  {
    name: 'shared-job-one-cancels',
    summary: 'two different requests (one with a 1 h timeout) share a connection\'s job; one is cancelled while it runs: the job goes on and the other gets its result',
    syncs: { small: 2, full: 4 },
    callers: 2,
    script: holds,
    // Caller 1 starts (and causes the job); caller 2 joins it once it runs, and is the one cancelled.
    caller: (index, caller) =>
      caller === 0 ? {} : { input: { timeout: '1h' }, expect: 'cancelled-job-kept', startWhen: async (ctx) => void (await untilRunning(ctx, ctx.plans[index] as SyncPlan)) },
    fault: async (ctx) => {
      await ctx.started;
      await Promise.all(
        ctx.plans.map(async (plan) => {
          const [stays, leaves] = ctx.callerIds[plan.index] ?? [];
          if (!stays || !leaves || stays === leaves) throw new Error(`sync #${plan.index}: expected two workflows, got ${stays} and ${leaves}`);
          await untilJoined(ctx, leaves);
          await ctx.syncs.cancel(leaves);
          await ended(ctx, leaves);
          const job = onlyJob(ctx, plan);
          ctx.note(`sync #${plan.index}: the second request was cancelled; job #${job.jobId} is ${job.status}`);
          if (job.status !== 'running') ctx.flag(plan, `job #${job.jobId} is ${job.status} once the cancelled request left; it should run on for the other`);
          ctx.mock.finishJob(job.jobId, plan.script.outcome ?? 'succeeded');
        }),
      );
    },
  },
  {
    name: 'reset-while-sync',
    summary: 'a reset is asked for while a sync runs on the connection: it queues, the sync gets the sync job, the reset its own reset job after it',
    syncs: { small: 2, full: 4 },
    callers: 2,
    script: holds,
    caller: (index, caller) =>
      caller === 0 ? {} : { input: { jobType: 'reset' }, startWhen: async (ctx) => void (await untilRunning(ctx, ctx.plans[index] as SyncPlan)) },
    fault: async (ctx) => {
      await ctx.started;
      await Promise.all(
        ctx.plans.map(async (plan) => {
          const reset = ctx.callerIds[plan.index]?.[1] ?? '';
          await untilJoined(ctx, reset);
          const sync = onlyJob(ctx, plan);
          if (sync.status !== 'running') ctx.flag(plan, `sync job #${sync.jobId} is ${sync.status} once the reset was registered: the reset was not asked for while it ran`);
          if (ctx.jobsOf(plan).length !== 1) ctx.flag(plan, `a job was started for the reset while the sync ran: ${ctx.jobsOf(plan).map((j) => `#${j.jobId} ${j.jobType}`).join(', ')}`);
          ctx.mock.finishJob(sync.jobId, plan.script.outcome ?? 'succeeded');
          const resetJob = await untilRunning(ctx, plan, 'reset');
          ctx.note(`sync #${plan.index}: sync job #${sync.jobId} ended; reset job #${resetJob.jobId} runs`);
          ctx.mock.finishJob(resetJob.jobId, plan.script.outcome ?? 'succeeded');
        }),
      );
    },
    check: (ctx, plan) => {
      const sync = ctx.jobsOf(plan).find((j) => j.jobType === 'sync');
      const reset = ctx.jobsOf(plan).find((j) => j.jobType === 'reset');
      if (!sync || !reset) return []; // the judge says which is missing
      return reset.createdAt < (sync.endedAt ?? Infinity) ? [`reset job #${reset.jobId} was created before sync job #${sync.jobId} ended`] : [];
    },
  },
  {
    name: 'poll-404-html',
    summary: 'mid-wait, GET /jobs/{id} answers a 200 HTML page (retried: the sync succeeds) or, on every other connection, a 404 (the sync is aborted naming its job, and the job is cancelled)',
    syncs: { small: 2, full: 6 },
    // Even syncs: the HTML page, on a job that ends by itself; odd ones: the 404, on a job that would run on.
    script: (index) => (index % 2 === 0 ? runs(3_000)(index) : holds(index)),
    caller: (index) => ({ expect: index % 2 === 0 ? 'job' : 'aborted' }),
    fault: async (ctx) => {
      await ctx.started;
      await Promise.all(
        ctx.plans.map(async (plan) => {
          const job = await untilPolled(ctx, plan);
          const before = pollsOf(ctx, job).length;
          if (plan.index % 2 === 0) {
            ctx.mock.injectFault({ method: 'GET', path: jobPath(job), kind: 'status', status: 200, body: HTML, contentType: 'text/html' });
            // The next poll gets the page; the one after it proves it was retried rather than taken for an answer.
            await ctx.until(() => pollsOf(ctx, job).length >= before + 2, `job #${job.jobId} polled again after the HTML page`);
            ctx.note(`sync #${plan.index}: job #${job.jobId} polled again after an HTML page`);
          } else {
            ctx.mock.injectFault({ method: 'GET', path: jobPath(job), kind: 'status', status: 404 });
            ctx.note(`sync #${plan.index}: 404 on GET ${jobPath(job)} armed`);
          }
        }),
      );
    },
    check: (ctx, plan, outcomes) => {
      if (plan.index % 2 === 0) return [];
      const job = ctx.jobsOf(plan)[0];
      return outcomes.flatMap((o) => {
        if (o.kind !== 'sync-error' || o.type !== SyncFailureType.Aborted || !job) return []; // the judge says what is wrong
        return [
          ...(o.message.includes(String(job.jobId)) ? [] : [`the error message does not name job ${job.jobId}: ${o.message.slice(0, 200)}`]),
          ...(/the job was cancelled/.test(o.message) ? [] : [`the error message does not say the job was cancelled: ${o.message.slice(0, 200)}`]),
        ];
      });
    },
  },
  {
    name: 'terminated-then-reconciled',
    summary: 'the sync and its owner workflow are terminated while the job runs (no result, by design); the reconciler reports the job orphaned and cancels it',
    syncs: { small: 2, full: 6 },
    script: holds,
    expect: 'terminated',
    fault: async (ctx) => {
      await ctx.started;
      // Polled once: the owner has recorded the job (and that it created it) in its memo.
      await Promise.all(ctx.plans.map((plan) => untilPolled(ctx, plan)));
      for (const plan of ctx.plans) {
        await ctx.client.workflow.getHandle(ctx.workflowIds[plan.index] ?? '').terminate('chaos: terminated with its job running');
        await ctx.client.workflow.getHandle(jobOwnerWorkflowId(plan.connectionId)).terminate('chaos: terminated with its job running');
      }
      ctx.note('every sync and owner workflow terminated; the jobs still run');
      if (!ctx.plans.every((plan) => onlyJob(ctx, plan).status === 'running')) throw new Error('a job ended with its workflows terminated');
      const report = await ctx.syncs.reconcile({ connectionIds: ctx.plans.map((p) => p.connectionId) });
      ctx.note(`reconciler: ${report.orphaned.length} orphaned, ${report.watched.length} watched, ${report.unmanaged.length} unmanaged, ${report.cancelled.length} cancelled`);
      for (const plan of ctx.plans) {
        const job = onlyJob(ctx, plan);
        const orphan = report.orphaned.find((j) => j.jobId === job.jobId);
        if (!orphan) {
          const where = [...report.watched.map((j) => ['watched', j] as const), ...report.unmanaged.map((j) => ['unmanaged', j] as const)].find(([, j]) => j.jobId === job.jobId);
          ctx.flag(plan, `the reconciler did not report job #${job.jobId} orphaned${where ? ` (it says ${where[0]}: ${where[1].reason})` : ' (not reported at all)'}`);
        } else if (orphan.connectionId !== plan.connectionId) {
          ctx.flag(plan, `the reconciler reports job #${job.jobId} on connection ${orphan.connectionId}`);
        }
        if (!report.cancelled.some((j) => j.jobId === job.jobId)) ctx.flag(plan, `the reconciler did not cancel job #${job.jobId}`);
      }
      await ctx.until(() => ctx.everyJob((j) => isTerminal(j.status)), 'every job ended');
    },
  },
  {
    name: 'cancel-after-job-ended',
    summary: `a sync is cancelled right after its job ended and another job started outside on the connection (Airbyte cancels by connection; cancels take ${CANCEL_DELAY_MS / 1000} s): no cancel may reach the outside job`,
    syncs: { small: 2, full: 4 },
    mock: { cancelDelayMs: CANCEL_DELAY_MS },
    script: holds,
    // Even syncs: the job ends while the owner sleeps on a long poll, then the sync is cancelled. Odd ones: the
    // sync is cancelled while its job runs; the outside job starts the moment Airbyte has cancelled ours.
    caller: (index) =>
      index % 2 === 0 ? { input: { poll: { initialInterval: '1h', maxInterval: '1h' } }, expect: 'cancelled-job-kept' } : { expect: 'cancelled' },
    fault: async (ctx) => {
      await ctx.started;
      await Promise.all(
        ctx.plans.map(async (plan) => {
          const workflowId = ctx.workflowIds[plan.index] ?? '';
          let outside: MockJob;
          if (plan.index % 2 === 0) {
            const ours = await untilRunning(ctx, plan);
            await untilJoined(ctx, workflowId);
            ctx.mock.finishJob(ours.jobId, plan.script.outcome ?? 'succeeded');
            outside = ctx.startOutsideJob(plan);
            await ctx.syncs.cancel(workflowId);
            ctx.note(`sync #${plan.index}: job #${ours.jobId} ended, #${outside.jobId} started outside, then the sync was cancelled`);
            await ended(ctx, workflowId);
          } else {
            const ours = await untilPolled(ctx, plan);
            let syncEnded = false;
            const syncEnd = ended(ctx, workflowId).then(() => void (syncEnded = true));
            await ctx.syncs.cancel(workflowId);
            await ctx.until(() => ctx.mock.job(ours.jobId)?.status === 'cancelled', `job #${ours.jobId} cancelled on Airbyte`);
            outside = ctx.startOutsideJob(plan);
            if (syncEnded) ctx.flag(plan, `the sync ended before Airbyte had cancelled job #${ours.jobId}`);
            await syncEnd;
          }
          // The owner is the only one that cancels: once it has ended, nothing more can reach the outside job.
          await ended(ctx, jobOwnerWorkflowId(plan.connectionId));
          const seen = ctx.mock.job(outside.jobId);
          ctx.note(`sync #${plan.index}: owner ended; outside job #${outside.jobId} is ${seen?.status}${seen?.cancelRequestedAt ? ' (a cancel reached it)' : ''}`);
          ctx.mock.finishJob(outside.jobId, 'succeeded');
        }),
      );
    },
  },
];
