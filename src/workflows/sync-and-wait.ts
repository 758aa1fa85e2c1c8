import {
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AirbyteActivities, JobReport, JobSnapshot } from '../activities';
import { SyncFailureType } from './failure-types';
import { isoDurationToMs } from './iso-duration';
import type * as LegacyV1 from './legacy/sync-and-wait-v1';
import { jobOwnerWorkflowId } from './owner/ids';
import { jobEndedSignal, jobKnownSignal, leaveJobSignal, type JobEnded, type JobKnown } from './owner/protocol';
import { AirbyteSearchAttributes as SA } from './search-attributes';
import { syncJobStartedSignal } from './signals';
import { parseSyncInput, type ParsedSyncInput, type SyncInput, type SyncResult } from './sync-input';
import { syncProgressQuery, type SyncProgress } from './sync-progress';
import { connectionLabel } from './summaries';
import { recordFailure, recordJobKnown, recordResult } from './sync-telemetry';

export { syncProgressQuery, type SyncProgress };

/** Histories without this marker were started by a release before the job owner: they go on with its code. */
export const JOB_OWNER_PATCH = 'airbyte-job-owner';

/** The release before the job owner, loaded only by the histories that need it (see index.ts for why lazily). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const syncAndWaitV1 = (input: SyncInput) => (require('./legacy/sync-and-wait-v1') as typeof LegacyV1).syncAndWaitV1(input);

const joining = proxyActivities<AirbyteActivities>({
  startToCloseTimeout: '1m',
  heartbeatTimeout: '10s', // a join lost with its worker is retried within seconds
  retry: { initialInterval: '1s', maximumInterval: '30s' },
  summary: 'join the owner of the connection\'s jobs',
});

/**
 * Waits for one Airbyte job of a connection, as one of possibly many waiters. The job itself belongs to
 * the connection's owner workflow (`airbyteJobOwner`), which starts or joins it once for everyone, polls
 * it, and cancels it only when its last waiter asks. This workflow registers with the owner, waits for
 * the owner's word, and applies its own timeout and failure policy; cancelling it, or its timeout,
 * withdraws it and, when it was the last waiter of a job we created, cancels the job before it ends.
 */
export async function syncAndWait(input: SyncInput): Promise<SyncResult> {
  if (!patched(JOB_OWNER_PATCH)) return syncAndWaitV1(input);
  if (typeof input === 'object' && input !== null && input.continued !== undefined) {
    // Only a run of the earlier release continuing-as-new carries `continued`; from outside it would hijack a job.
    if (!workflowInfo().continuedFromExecutionRunId) {
      throw ApplicationFailure.nonRetryable('invalid sync input: continued is internal and cannot be set', SyncFailureType.InvalidInput);
    }
    return syncAndWaitV1(input);
  }
  const check = parseSyncInput(input);
  if (!check.ok) throw ApplicationFailure.nonRetryable(check.message, SyncFailureType.InvalidInput);
  const opts = check.value;
  const { instance, connectionId } = opts;
  const ownerWorkflowId = jobOwnerWorkflowId(connectionId, instance);
  const labels = { instance, connectionId, ...(opts.connectionName && { connectionName: opts.connectionName }) };
  const waiterId = workflowInfo().workflowId;
  const startedAt = Date.now();
  const deadline = opts.timeoutMs !== undefined ? startedAt + opts.timeoutMs : undefined;

  let known: JobKnown | undefined;
  let ended: JobEnded | undefined;
  const progress: SyncProgress = {
    instance,
    connectionId,
    status: 'triggering',
    attached: false,
    polls: 0,
    startedAt: new Date(startedAt).toISOString(),
    continuedAsNew: 0,
    ownerWorkflowId,
  };
  const show = (job: JobSnapshot) => {
    progress.jobId = job.jobId;
    progress.status = job.status;
    if (opts.searchAttributes) upsertSearchAttributes([{ key: SA.jobId, value: job.jobId }, { key: SA.jobStatus, value: job.status }]);
    setCurrentDetails(
      `Airbyte ${job.jobType} job **${job.jobId}** for ${connectionLabel(opts)}: **${job.status}**` +
        `${progress.attached ? ' (joined a running job)' : ''}; watched by \`${ownerWorkflowId}\``,
    );
  };
  setHandler(syncProgressQuery, () => progress);
  setHandler(jobKnownSignal, async (k) => {
    // Signals cannot be refused: a malformed one is dropped rather than allowed to fail the workflow task.
    if (known || !isJobKnown(k)) return;
    known = k;
    progress.attached = k.attached;
    progress.owned = k.owned;
    show(k.job);
    recordJobKnown(labels, k.jobId, k.attached);
    if (opts.notifyParent) await notifyParent(k.jobId, k.attached);
  });
  setHandler(jobEndedSignal, (e) => {
    if (isJobEnded(e)) ended ??= e;
  });
  if (opts.searchAttributes) upsertSearchAttributes([{ key: SA.connectionId, value: connectionId }, { key: SA.instance, value: instance }]);

  let stop: { why: 'cancel' | 'timeout'; error?: unknown } | undefined;
  try {
    // Not cancellable: once the owner may have registered us, a cancel must reach it as a leave, not be lost.
    const reply = await CancellationScope.nonCancellable(() =>
      joining.airbyteJoinJobOwner({ instance, connectionId, request: joinRequest(opts, waiterId) }),
    );
    if (reply.state === 'queued') progress.status = 'queued';
    if (deadline === undefined) await condition(() => ended !== undefined);
    else if (!(await condition(() => ended !== undefined, Math.max(1, deadline - Date.now())))) stop = { why: 'timeout' };
  } catch (err) {
    if (!isCancellation(err)) throw err;
    stop = { why: 'cancel', error: err };
  }

  if (stop && !ended) {
    const cancelJob = stop.why === 'cancel' ? opts.cancelOnWorkflowCancel : opts.cancelOnTimeout;
    const reason = stop.why === 'cancel' ? `workflow ${waiterId} was cancelled` : `workflow ${waiterId} timed out`;
    await CancellationScope.nonCancellable(async () => {
      try {
        await getExternalWorkflowHandle(ownerWorkflowId).signal(leaveJobSignal, { waiterId, cancelJob, reason });
      } catch {
        ended = { kind: 'error', message: `the owner ${ownerWorkflowId} is gone; the job (if any) was not cancelled`, owned: false, attached: progress.attached };
        return;
      }
      // Until the owner settles us: for a job we created and nobody else wants, once Airbyte has cancelled it.
      await condition(() => ended !== undefined);
    });
  }
  const outcome = ended as JobEnded;
  const seenAt = Date.now();
  if (stop?.why === 'cancel') {
    recordFailure(labels, stop.error, seenAt);
    throw stop.error;
  }
  try {
    const result = finish(outcome, stop?.why === 'timeout');
    recordResult(labels, result, seenAt);
    return result;
  } catch (err) {
    recordFailure(labels, err, seenAt);
    throw err;
  }

  function finish(end: JobEnded, didTimeOut: boolean): SyncResult {
    const job = end.job ?? known?.job;
    const attached = end.attached;
    const sharedWith = 'sharedWith' in end ? end.sharedWith : undefined;
    if (end.kind === 'error') {
      const what = job ? `Airbyte ${job.jobType} job ${job.jobId} for connection ${connectionId}` : `Airbyte ${opts.jobType} of connection ${connectionId}`;
      throw ApplicationFailure.nonRetryable(`${what}: ${end.message}`, SyncFailureType.Aborted, job ? resultOf(end, job, null, end.owned, attached, sharedWith, didTimeOut) : undefined);
    }
    if (!job) {
      // Timed out before any job started (queued, or still triggering) and settled without one.
      throw ApplicationFailure.nonRetryable(
        `Airbyte ${opts.jobType} of connection ${connectionId} did not start within ${opts.timeoutMs} ms: ${end.kind === 'left' ? end.reason : 'no job'}`,
        SyncFailureType.TimedOut,
      );
    }
    show(job);
    const result = resultOf(end, job, end.kind === 'terminal' ? end.report : null, end.owned, attached, sharedWith, didTimeOut || end.kind === 'left');
    const name = `Airbyte ${job.jobType} job ${job.jobId} for connection ${connectionId}`;
    if (end.kind === 'left') {
      if (opts.onFailure === 'return') return result;
      throw ApplicationFailure.nonRetryable(`${name} did not finish within ${opts.timeoutMs} ms; it was left running: ${end.reason}`, SyncFailureType.TimedOut, result);
    }
    if (job.status === 'succeeded' && !didTimeOut) return result;
    if (opts.onFailure === 'return') return result;
    if (didTimeOut) {
      const what = job.status === 'cancelled' ? 'it was cancelled' : `it ended ${job.status}`;
      throw ApplicationFailure.nonRetryable(`${name} did not finish within ${opts.timeoutMs} ms; ${what}`, SyncFailureType.TimedOut, result);
    }
    if (job.status === 'cancelled') throw ApplicationFailure.nonRetryable(`${name} was cancelled on Airbyte`, SyncFailureType.JobCancelled, result);
    throw ApplicationFailure.nonRetryable(`${name} failed: ${result.failureMessage ?? 'Airbyte gave no reason'}`, SyncFailureType.JobFailed, result);
  }

  function resultOf(end: JobEnded, job: JobSnapshot, report: JobReport | null, owned: boolean, attached: boolean, sharedWith: number | undefined, timedOut: boolean): SyncResult {
    const endTime = job.lastUpdatedAt ?? new Date().toISOString();
    return {
      instance,
      connectionId,
      jobId: job.jobId,
      jobType: job.jobType,
      status: job.status,
      attached,
      owned,
      sharedWith,
      rowsSynced: job.rowsSynced,
      bytesSynced: job.bytesSynced,
      durationMs: isoDurationToMs(job.duration) ?? Math.max(0, Date.parse(endTime) - Date.parse(job.startTime)),
      startTime: job.startTime,
      endTime,
      streams: report?.streams,
      failures: report?.failures,
      failureMessage: report?.failures.find((f) => f.message)?.message,
      attempts: report?.attemptDetails,
      jobUrl: report?.jobUrl,
      timedOut: timedOut || undefined,
      polls: end.kind === 'terminal' ? end.polls : 0,
      continuedAsNew: end.kind === 'terminal' ? end.ownerRuns : 0,
    };
  }
}

function isJobKnown(value: unknown): value is JobKnown {
  const v = value as Partial<JobKnown> | null;
  return typeof v === 'object' && v !== null && typeof v.jobId === 'number' && typeof v.job === 'object' && v.job !== null && typeof v.job.jobId === 'number';
}

function isJobEnded(value: unknown): value is JobEnded {
  const v = value as Partial<JobEnded> | null;
  if (typeof v !== 'object' || v === null || typeof v.owned !== 'boolean' || typeof v.attached !== 'boolean') return false;
  if (v.kind === 'error') return typeof v.message === 'string';
  if (v.kind === 'left') return typeof v.reason === 'string';
  return v.kind === 'terminal' && typeof v.job === 'object' && v.job !== null && typeof v.job.jobId === 'number';
}

function joinRequest(opts: ParsedSyncInput, waiterId: string) {
  return {
    waiterId,
    jobType: opts.jobType,
    poll: opts.poll,
    retry: opts.retry,
    createGraceMs: opts.retry.createGraceMs,
    report: opts.report,
    searchAttributes: opts.searchAttributes,
    historyBound: opts.historyBound,
  };
}

async function notifyParent(jobId: number, attached: boolean): Promise<void> {
  const { parent, workflowId } = workflowInfo();
  if (!parent) return;
  try {
    await getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(syncJobStartedSignal, { workflowId, jobId, attached });
  } catch {
    // The parent may have ended; the sync itself goes on.
  }
}
