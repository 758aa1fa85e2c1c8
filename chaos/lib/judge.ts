import { SyncFailureType } from '../../src';
import type { MockJob, RecordedRequest } from '../../src/testing';
import type { Outcome, OutcomeWithStats } from './outcome';
import type { Expectation, SyncPlan } from './types';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);
export const isTerminal = (status: string): boolean => TERMINAL.has(status);

export interface SyncVerdict {
  index: number;
  connectionId: string;
  workflowIds: string[];
  expected: { status: string; rowsSynced?: number };
  /** Every job of the connection; `outside`: started outside the product (not ours). */
  jobs: { jobId: number; jobType: string; status: string; rowsSynced?: number; cancelledBy?: string; outside?: true }[];
  outcomes: (OutcomeSummary & { expect: Expectation; clientRetries: number; atMs: number })[];
  duplicated: number;
  orphaned: number;
  lost: boolean;
  wrong: boolean;
  apiCalls: number;
  problems: string[];
}

export type OutcomeSummary =
  | { kind: 'result' | 'sync-error'; type?: string; status: string; jobId: number; rowsSynced?: number; connectionId: string }
  | { kind: 'sync-error'; type: string; message: string }
  | { kind: 'cancelled' }
  | { kind: 'failed' | 'no-result' | 'terminated'; message: string };

function summarize(outcome: Outcome): OutcomeSummary {
  switch (outcome.kind) {
    case 'result':
    case 'sync-error': {
      const r = outcome.result;
      const type = outcome.kind === 'sync-error' ? { type: outcome.type } : {};
      if (r) return { kind: outcome.kind, ...type, status: r.status, jobId: r.jobId, rowsSynced: r.rowsSynced, connectionId: r.connectionId };
      return { kind: 'sync-error', type: outcome.kind === 'sync-error' ? outcome.type : '', message: outcome.kind === 'sync-error' ? outcome.message : '' };
    }
    default:
      return outcome;
  }
}

/** The failure type `AirbyteSyncError` carries for a job that ended this way. */
const ERROR_TYPE: Record<string, string> = { failed: SyncFailureType.JobFailed, cancelled: SyncFailureType.JobCancelled };

/** One caller of a sync, as the judge sees it. */
export interface JudgedCaller {
  workflowId: string;
  expect: Expectation;
  /** The job type it asked for (`sync` unless its input says otherwise). */
  jobType: string;
}

/** What an expectation says the caller's job ends as. */
function expectedOf(plan: SyncPlan, expect: Expectation): { status: string; rowsSynced?: number } {
  const scripted = plan.script.outcome ?? 'succeeded';
  if (expect === 'cancelled' || expect === 'aborted' || expect === 'terminated') return { status: 'cancelled' };
  return { status: scripted, ...(scripted === 'succeeded' ? { rowsSynced: plan.script.rowsSynced } : {}) };
}

/**
 * Compares one sync's outcome(s) with the mock's record: exactly one job per job type asked for on the
 * connection (jobs started outside the product aside), none still running, no cancel that reached a job
 * started outside, and every caller told exactly what the mock's job did (or ended as it was expected to).
 * `flagged`: the scenario's own checks that failed; each makes the sync wrong.
 */
export function judgeSync(
  plan: SyncPlan,
  callers: JudgedCaller[],
  outcomes: OutcomeWithStats[],
  allJobs: MockJob[],
  outsideJobIds: ReadonlySet<number>,
  apiCalls: number,
  flagged: readonly string[] = [],
): SyncVerdict {
  const problems: string[] = [];
  const scripted = plan.script.outcome ?? 'succeeded';
  const expected = expectedOf(plan, callers[0]?.expect ?? 'job');
  const outside = allJobs.filter((j) => outsideJobIds.has(j.jobId));
  const jobs = allJobs.filter((j) => !outsideJobIds.has(j.jobId));
  const types = [...new Set(callers.map((c) => c.jobType))];
  const ofType = (type: string) => jobs.filter((j) => j.jobType === type);
  // One job per job type asked for; a job of a type nobody asked for is one too many.
  const duplicated = Math.max(0, jobs.length - types.filter((t) => ofType(t).length > 0).length);
  if (duplicated) problems.push(`${jobs.length} jobs on the connection for ${types.join(' + ')}: ${jobs.map((j) => `#${j.jobId} ${j.jobType} ${j.status}`).join(', ')}`);
  const running = allJobs.filter((j) => !isTerminal(j.status));
  if (running.length) problems.push(`left running: ${running.map((j) => `#${j.jobId} ${j.status}${outsideJobIds.has(j.jobId) ? ' (started outside)' : ''}`).join(', ')}`);

  const missing = types.filter((t) => ofType(t).length === 0);
  let lost = missing.length > 0;
  if (lost) problems.push(`no Airbyte ${missing.join(', ')} job was ever created`);
  let wrong = false;
  const mismatch = (what: string) => {
    wrong = true;
    problems.push(what);
  };
  for (const job of outside) {
    if (job.cancelRequestedAt !== undefined || job.status === 'cancelled') {
      mismatch(`job #${job.jobId}, started outside, was cancelled (by a DELETE naming #${job.cancelRequestedVia ?? '?'})`);
    }
  }
  for (const problem of flagged) mismatch(problem);

  for (const [i, { outcome }] of outcomes.entries()) {
    const caller = callers[i] ?? { workflowId: '', expect: 'job', jobType: 'sync' };
    const { expect } = caller;
    const who = outcomes.length > 1 ? `caller ${i + 1} (${caller.jobType}, expected ${expect}): ` : '';
    const typed = ofType(caller.jobType);
    // The job a cancellation must have reached: the newest (a duplicate is counted above).
    const newest = typed.at(-1);
    const mismatchOf = (what: string) => mismatch(`${who}${what}`);
    const cancelledByUs = (what: string) => {
      if (!newest) return;
      if (newest.status !== 'cancelled') mismatchOf(`${what}: job #${newest.jobId} ended ${newest.status}, not cancelled`);
      else if (newest.cancelledBy !== 'api') mismatchOf(`${what}: job #${newest.jobId} ended cancelled but not through the API`);
    };
    if (outcome.kind === 'terminated' && expect === 'terminated') {
      cancelledByUs('terminated');
      continue;
    }
    if (outcome.kind === 'failed' || outcome.kind === 'no-result' || outcome.kind === 'terminated') {
      lost = true;
      problems.push(`${who}${outcome.kind === 'no-result' ? 'no result' : outcome.kind === 'failed' ? 'workflow failed' : 'workflow terminated'}: ${outcome.message.slice(0, 400)}`);
      continue;
    }
    if (expect === 'terminated') {
      mismatchOf(`expected the workflow to be terminated, got ${JSON.stringify(summarize(outcome))}`);
      continue;
    }
    if (expect === 'cancelled') {
      if (outcome.kind !== 'cancelled') mismatchOf(`expected the workflow to end cancelled, got ${JSON.stringify(summarize(outcome))}`);
      if (newest && isTerminal(newest.status)) cancelledByUs('cancelled');
      continue;
    }
    if (expect === 'cancelled-job-kept') {
      if (outcome.kind !== 'cancelled') mismatchOf(`expected the workflow to end cancelled, got ${JSON.stringify(summarize(outcome))}`);
      if (newest?.cancelRequestedAt !== undefined) mismatchOf(`job #${newest.jobId} got a cancel, though the sync should have left it alone`);
      if (newest && isTerminal(newest.status) && newest.status !== scripted) mismatchOf(`job #${newest.jobId} ended ${newest.status}, scripted ${scripted}`);
      continue;
    }
    if (expect === 'aborted') {
      if (outcome.kind !== 'sync-error' || outcome.type !== SyncFailureType.Aborted) {
        mismatchOf(`expected ${SyncFailureType.Aborted}, got ${JSON.stringify(summarize(outcome))}`);
      } else if (newest && outcome.result?.jobId !== newest.jobId) {
        mismatchOf(`${SyncFailureType.Aborted} names job ${outcome.result?.jobId ?? 'none'}, not #${newest.jobId}`);
      }
      if (newest && isTerminal(newest.status)) cancelledByUs('aborted');
      continue;
    }
    if (outcome.kind === 'cancelled') {
      mismatchOf('the workflow ended cancelled, nobody cancelled it');
      continue;
    }
    const result = outcome.result;
    if (!result) {
      mismatchOf(`${outcome.kind === 'sync-error' ? `${outcome.type}: ${outcome.message.slice(0, 300)}` : 'no result'} (no job outcome attached)`);
      continue;
    }
    if (outcome.kind === 'result' && result.status !== 'succeeded') mismatchOf(`returned status ${result.status} (only succeeded is returned by default)`);
    if (outcome.kind === 'sync-error' && outcome.type !== ERROR_TYPE[result.status]) mismatchOf(`error type ${outcome.type} for a ${result.status} job`);
    if (result.connectionId !== plan.connectionId) mismatchOf(`result names connection ${result.connectionId}`);
    if (result.jobType !== caller.jobType) mismatchOf(`result is of a ${result.jobType} job, ${caller.jobType} was asked for`);
    if (result.status !== scripted) mismatchOf(`status ${result.status}, the mock scripted ${scripted}`);
    // Compared with the job the result names (with duplicates, any one of them may be it).
    const job = typed.find((j) => j.jobId === result.jobId);
    if (!job) {
      mismatchOf(`result names job ${result.jobId}, not a ${caller.jobType} job of ours on this connection (${allJobs.map((j) => `#${j.jobId}`).join(', ') || 'none'})`);
      continue;
    }
    if (job.status !== scripted) mismatchOf(`the mock's job #${job.jobId} ended ${job.status}, scripted ${scripted}`);
    if (result.status !== job.status) mismatchOf(`status ${result.status}, the mock's job #${job.jobId} is ${job.status}`);
    if (result.rowsSynced !== job.rowsSynced) mismatchOf(`rowsSynced ${result.rowsSynced}, the mock's job #${job.jobId} synced ${job.rowsSynced}`);
    if (scripted === 'succeeded' && plan.script.rowsSynced !== undefined && result.rowsSynced !== plan.script.rowsSynced) {
      mismatchOf(`rowsSynced ${result.rowsSynced}, scripted ${plan.script.rowsSynced}`);
    }
  }
  return {
    index: plan.index,
    connectionId: plan.connectionId,
    workflowIds: callers.map((c) => c.workflowId),
    expected,
    jobs: allJobs.map((j) => ({
      jobId: j.jobId,
      jobType: j.jobType,
      status: j.status,
      rowsSynced: j.rowsSynced,
      cancelledBy: j.cancelledBy,
      ...(outsideJobIds.has(j.jobId) && { outside: true }),
    })),
    outcomes: outcomes.map((o, i) => ({ ...summarize(o.outcome), expect: callers[i]?.expect ?? 'job', clientRetries: o.clientRetries, atMs: o.atMs })),
    duplicated,
    orphaned: running.length,
    lost,
    wrong,
    apiCalls,
    problems,
  };
}

/**
 * Airbyte API calls recorded by the mock, by connection (token requests are shared by all syncs and are
 * counted in the total only), and by endpoint.
 */
export function attributeRequests(requests: readonly RecordedRequest[], jobs: MockJob[]): { byConnection: Map<string, number>; byEndpoint: Record<string, number> } {
  const connectionOfJob = new Map(jobs.map((j) => [j.jobId, j.connectionId]));
  const byConnection = new Map<string, number>();
  const byEndpoint: Record<string, number> = {};
  for (const r of requests) {
    const endpoint = `${r.method} ${r.path.replace(/\/\d+$/, '/{id}')}`;
    byEndpoint[endpoint] = (byEndpoint[endpoint] ?? 0) + 1;
    const connection = connectionOf(r, connectionOfJob);
    if (connection) byConnection.set(connection, (byConnection.get(connection) ?? 0) + 1);
  }
  return { byConnection, byEndpoint };
}

function connectionOf(r: RecordedRequest, connectionOfJob: Map<number, string>): string | undefined {
  const body = typeof r.body === 'object' && r.body !== null ? (r.body as Record<string, unknown>) : {};
  if (r.path === '/jobs' && r.method === 'POST') return typeof body.connectionId === 'string' ? body.connectionId : undefined;
  if (r.path === '/jobs') return typeof r.query.connectionId === 'string' ? r.query.connectionId : undefined;
  const jobId = /^\/jobs\/(\d+)$/.exec(r.path)?.[1] ?? (r.path.startsWith('/config/') && typeof body.id === 'number' ? String(body.id) : undefined);
  return jobId === undefined ? undefined : connectionOfJob.get(Number(jobId));
}
