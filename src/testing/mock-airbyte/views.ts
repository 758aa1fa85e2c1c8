import { isTerminal, type JobRun, type MockAttempt } from './jobs';
import { attemptLogs } from './logs';
import { isoDuration } from '../../airbyte/resources/job-from-config';

export { isoDuration };

// The job shapes the APIs answer with. Optional fields are left out, never null.

/** Airbyte keeps times in whole seconds, so its timestamps carry no fraction. */
const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * The public API's JobResponse. As JobResponseMapper computes it, `duration` is updatedAt - createdAt in
 * whole seconds (Duration.ofSeconds): it does not grow while a running job has nothing new to report.
 */
export function jobResponse(run: JobRun) {
  const { job } = run;
  const terminal = isTerminal(job.status);
  return {
    jobId: job.jobId,
    status: job.status,
    jobType: job.jobType,
    startTime: isoSeconds(job.createdAt),
    connectionId: job.connectionId,
    ...(terminal && { lastUpdatedAt: isoSeconds(run.updatedAt) }),
    ...(job.status !== 'pending' && { duration: isoDuration(seconds(run.updatedAt) - seconds(job.createdAt)) }),
    ...(terminal && { rowsSynced: job.rowsSynced ?? 0, bytesSynced: job.bytesSynced ?? 0 }),
  };
}

const stats = (records: number, bytes: number) => ({
  recordsEmitted: records,
  bytesEmitted: bytes,
  recordsCommitted: records,
  bytesCommitted: bytes,
});

function attemptRead(attempt: MockAttempt) {
  const { failure } = attempt;
  const streamStats = attempt.streams.map((s) => ({
    streamName: s.name,
    ...(s.namespace !== undefined && { streamNamespace: s.namespace }),
    stats: stats(s.records, s.bytes),
  }));
  const cancelled = failure?.type === 'manual_cancellation';
  return {
    id: attempt.id,
    status: attempt.status,
    createdAt: seconds(attempt.createdAt),
    updatedAt: seconds(attempt.updatedAt),
    ...(attempt.endedAt !== undefined && { endedAt: seconds(attempt.endedAt) }),
    recordsSynced: attempt.records,
    bytesSynced: attempt.bytes,
    totalStats: { ...stats(attempt.records, attempt.bytes), stateMessagesEmitted: 0 },
    ...(streamStats.length > 0 && { streamStats }), // Airbyte leaves streamStats out when nothing moved
    ...(failure && {
      failureSummary: {
        failures: [
          {
            failureOrigin: failure.origin,
            failureType: failure.type,
            externalMessage: failure.message,
            internalMessage: cancelled ? 'Setting attempt to FAILED because the job was cancelled' : `io.airbyte.workers.exception.WorkerException: ${failure.message}`,
            ...(!cancelled && { stacktrace: `io.airbyte.workers.exception.WorkerException: ${failure.message}\n\tat io.airbyte.workers.general.BufferedReplicationWorker.run(BufferedReplicationWorker.java:210)` }),
            retryable: failure.retryable,
            timestamp: failure.timestamp,
          },
        ],
        partialSuccess: attempt.records > 0,
      },
    }),
  };
}

/** The Config API's JobRead; get_without_logs hydrates it with aggregated stats, jobs/get does not. */
function jobRead(run: JobRun, withStats: boolean) {
  const { job } = run;
  const last = run.attemptLog.at(-1);
  const streamAggregatedStats = (last?.streams ?? []).map((s) => ({
    streamName: s.name,
    ...(s.namespace !== undefined && { streamNamespace: s.namespace }),
    ...stats(s.records, s.bytes),
    recordsRejected: 0,
    wasBackfilled: false,
    wasResumed: false,
  }));
  return {
    id: job.jobId,
    configType: job.jobType === 'reset' ? 'reset_connection' : job.jobType,
    configId: job.connectionId,
    createdAt: seconds(job.createdAt),
    updatedAt: seconds(run.updatedAt),
    ...(job.startedAt !== undefined && { startedAt: seconds(job.startedAt) }),
    status: job.status,
    ...(withStats && { aggregatedStats: { ...stats(job.rowsSynced ?? 0, job.bytesSynced ?? 0), recordsRejected: 0 } }),
    ...(withStats && streamAggregatedStats.length > 0 && { streamAggregatedStats }),
  };
}

/** An AttemptInfoRead with its log (`attempt/get_for_job`, and each attempt of `jobs/get`). */
export const attemptInfoRead = (run: JobRun, attempt: MockAttempt) => ({ attempt: attemptRead(attempt), ...attemptLogs(run, attempt) });

/** `jobs/get`: the job and every attempt with its log (which may be large). */
export function jobInfoRead(run: JobRun) {
  return { job: jobRead(run, false), attempts: run.attemptLog.map((attempt) => attemptInfoRead(run, attempt)) };
}

/** `jobs/get_without_logs`: each attempt is `{attempt}` only (getAttemptInfoWithoutLogsRead). */
export function jobInfoWithoutLogs(run: JobRun) {
  return { job: jobRead(run, true), attempts: run.attemptLog.map((attempt) => ({ attempt: attemptRead(attempt) })) };
}
