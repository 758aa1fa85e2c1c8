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
  jobs: { jobId: number; status: string; rowsSynced?: number; cancelledBy?: string }[];
  outcomes: (OutcomeSummary & { clientRetries: number; atMs: number })[];
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
  | { kind: 'failed' | 'no-result'; message: string };

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

/**
 * Compares one sync's outcome(s) with the mock's record: exactly one job on the connection, none still
 * running, and every caller told exactly what the mock's job did.
 */
export function judgeSync(plan: SyncPlan, workflowIds: string[], outcomes: OutcomeWithStats[], jobs: MockJob[], expect: Expectation, apiCalls: number): SyncVerdict {
  const problems: string[] = [];
  const scripted = plan.script.outcome ?? 'succeeded';
  const expected = expect === 'cancelled' ? { status: 'cancelled' } : { status: scripted, ...(scripted === 'succeeded' ? { rowsSynced: plan.script.rowsSynced } : {}) };
  const duplicated = Math.max(0, jobs.length - 1);
  if (duplicated) problems.push(`${jobs.length} jobs on the connection: ${jobs.map((j) => `#${j.jobId} ${j.status}`).join(', ')}`);
  const running = jobs.filter((j) => !isTerminal(j.status));
  if (running.length) problems.push(`left running: ${running.map((j) => `#${j.jobId} ${j.status}`).join(', ')}`);

  let lost = jobs.length === 0;
  if (lost) problems.push('no Airbyte job was ever created');
  let wrong = false;
  // The job a cancellation must have reached: the newest (a duplicate is counted above).
  const newest = jobs.at(-1);
  for (const [i, { outcome }] of outcomes.entries()) {
    const who = outcomes.length > 1 ? `caller ${i + 1}: ` : '';
    if (outcome.kind === 'failed' || outcome.kind === 'no-result') {
      lost = true;
      problems.push(`${who}${outcome.kind === 'failed' ? 'workflow failed' : 'no result'}: ${outcome.message.slice(0, 400)}`);
      continue;
    }
    const mismatch = (what: string) => {
      wrong = true;
      problems.push(`${who}${what}`);
    };
    if (expect === 'cancelled') {
      if (outcome.kind !== 'cancelled') mismatch(`expected the workflow to end cancelled, got ${JSON.stringify(summarize(outcome))}`);
      if (newest && newest.status === 'cancelled' && newest.cancelledBy !== 'api') mismatch(`job #${newest.jobId} ended cancelled but not through the API`);
      if (newest && isTerminal(newest.status) && newest.status !== 'cancelled') mismatch(`job #${newest.jobId} ended ${newest.status}, not cancelled`);
      continue;
    }
    if (outcome.kind === 'cancelled') {
      mismatch('the workflow ended cancelled, nobody cancelled it');
      continue;
    }
    const result = outcome.result;
    if (!result) {
      mismatch(`${outcome.kind === 'sync-error' ? `${outcome.type}: ${outcome.message.slice(0, 300)}` : 'no result'} (no job outcome attached)`);
      continue;
    }
    if (outcome.kind === 'result' && result.status !== 'succeeded') mismatch(`returned status ${result.status} (only succeeded is returned by default)`);
    if (outcome.kind === 'sync-error' && outcome.type !== ERROR_TYPE[result.status]) mismatch(`error type ${outcome.type} for a ${result.status} job`);
    if (result.connectionId !== plan.connectionId) mismatch(`result names connection ${result.connectionId}`);
    if (result.status !== scripted) mismatch(`status ${result.status}, the mock scripted ${scripted}`);
    // Compared with the job the result names (with duplicates, any one of them may be it).
    const job = jobs.find((j) => j.jobId === result.jobId);
    if (!job) {
      mismatch(`result names job ${result.jobId}, not a job of this connection (${jobs.map((j) => `#${j.jobId}`).join(', ') || 'none'})`);
      continue;
    }
    if (job.status !== scripted) mismatch(`the mock's job #${job.jobId} ended ${job.status}, scripted ${scripted}`);
    if (result.status !== job.status) mismatch(`status ${result.status}, the mock's job #${job.jobId} is ${job.status}`);
    if (result.rowsSynced !== job.rowsSynced) mismatch(`rowsSynced ${result.rowsSynced}, the mock's job #${job.jobId} synced ${job.rowsSynced}`);
    if (scripted === 'succeeded' && plan.script.rowsSynced !== undefined && result.rowsSynced !== plan.script.rowsSynced) {
      mismatch(`rowsSynced ${result.rowsSynced}, scripted ${plan.script.rowsSynced}`);
    }
  }
  return {
    index: plan.index,
    connectionId: plan.connectionId,
    workflowIds,
    expected,
    jobs: jobs.map((j) => ({ jobId: j.jobId, status: j.status, rowsSynced: j.rowsSynced, cancelledBy: j.cancelledBy })),
    outcomes: outcomes.map((o) => ({ ...summarize(o.outcome), clientRetries: o.clientRetries, atMs: o.atMs })),
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
