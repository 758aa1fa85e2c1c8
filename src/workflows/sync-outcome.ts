import { ApplicationFailure } from '@temporalio/workflow';
import type { JobReport, JobSnapshot } from '../activities';
import { SyncFailureType } from './failure-types';
import { isoDurationToMs } from './iso-duration';
import type { JobEnded, JobKnown } from './owner/protocol';
import type { ParsedSyncInput, SyncResult } from './sync-input';

/** What a waiter knows when its wait is over. */
export interface WaitOutcome {
  ended: JobEnded;
  known?: JobKnown;
  /** The waiter's own timeout ended the wait (it left, or the job ended as it did). */
  didTimeOut: boolean;
}

/**
 * A waiter's result from the owner's last word, or the typed failure it stands for (with the result as its
 * details). `onJob` sees the job before the result is made, where a waiter shows it (same place in every release).
 */
export function syncOutcome(opts: ParsedSyncInput, { ended: end, known, didTimeOut }: WaitOutcome, onJob?: (job: JobSnapshot) => void): SyncResult {
  const { connectionId, instance } = opts;
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
  onJob?.(job);
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
