import { ApplicationFailure, log, metricMeter } from '@temporalio/workflow';
import { AirbyteMetrics as M } from '../common/metric-names';
import { SyncFailureType } from './failure-types';
import type { SyncResult } from './sync-input';

// What a sync tells operators: a log line and a counter when its job is known (started or joined) and when it
// ends. Both go through the SDK (replay-aware: a replayed history logs and counts nothing again).

type Outcome = 'succeeded' | 'failed' | 'cancelled' | 'timed out';

interface SyncLabels {
  instance: string;
  connectionId: string;
  connectionName?: string;
}

const OUTCOME_METRIC: Record<Outcome, string> = {
  succeeded: M.syncsSucceeded,
  failed: M.syncsFailed,
  cancelled: M.syncsCancelled,
  'timed out': M.syncsTimedOut,
};

export function recordJobKnown(labels: SyncLabels, jobId: number, attached: boolean): void {
  metricMeter.createCounter(attached ? M.syncsJoined : M.syncsStarted, 'syncs').add(1, { instance: labels.instance });
  log.info(attached ? 'joined a running Airbyte job' : 'started an Airbyte job', { ...labels, jobId });
}

/** The sync ended with a result (succeeded, or any outcome with `onFailure: 'return'`). */
export function recordResult(labels: SyncLabels, result: SyncResult, seenAt: number): void {
  const outcome: Outcome = result.timedOut ? 'timed out' : result.status === 'succeeded' ? 'succeeded' : result.status === 'cancelled' ? 'cancelled' : 'failed';
  record(labels, outcome, result, seenAt, result.failureMessage);
}

/** The sync ended by throwing: its failure type says how, its details carry the result when there was a job. */
export function recordFailure(labels: SyncLabels, err: unknown, seenAt: number): void {
  if (!(err instanceof ApplicationFailure)) {
    record(labels, 'cancelled', undefined, seenAt, 'the workflow was cancelled');
    return;
  }
  const outcome: Outcome = err.type === SyncFailureType.TimedOut ? 'timed out' : err.type === SyncFailureType.JobCancelled ? 'cancelled' : 'failed';
  record(labels, outcome, err.details?.[0] as SyncResult | undefined, seenAt, err.message);
}

function record(labels: SyncLabels, outcome: Outcome, result: SyncResult | undefined, seenAt: number, message: string | undefined): void {
  const tags = { instance: labels.instance };
  metricMeter.createCounter(OUTCOME_METRIC[outcome], 'syncs').add(1, tags);
  if (result) {
    if (result.rowsSynced) metricMeter.createCounter(M.rowsSynced, 'rows').add(result.rowsSynced, tags);
    if (result.bytesSynced) metricMeter.createCounter(M.bytesSynced, 'bytes').add(result.bytesSynced, tags);
    if (result.durationMs !== undefined) metricMeter.createHistogram(M.jobDuration, 'float', 's').record(result.durationMs / 1000, tags);
    const endedAt = Date.parse(result.endTime);
    if (!result.timedOut && Number.isFinite(endedAt)) metricMeter.createHistogram(M.detectionLateness, 'int', 'ms').record(Math.max(0, seenAt - endedAt), tags);
  }
  const fields = {
    ...labels,
    outcome,
    jobId: result?.jobId,
    status: result?.status,
    rowsSynced: result?.rowsSynced,
    bytesSynced: result?.bytesSynced,
    durationMs: result?.durationMs,
    attached: result?.attached,
    jobUrl: result?.jobUrl,
  };
  if (outcome === 'succeeded') log.info('Airbyte sync succeeded', fields);
  else log.warn(`Airbyte sync ${outcome}`, { ...fields, reason: message });
}
