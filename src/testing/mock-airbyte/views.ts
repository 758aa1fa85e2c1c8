import { isTerminal, type JobRun, type MockAttempt } from './state';

// JSON shapes the APIs answer with. Optional fields are left out, never null.

/** Airbyte keeps times in whole seconds, so its timestamps carry no fraction. */
const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const seconds = (ms: number) => Math.floor(ms / 1000);

/** An ISO-8601 duration as java.time.Duration prints it: PT1H2M3.5S, PT0S. */
export function isoDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const [h, m, s] = [Math.floor(total / 3_600_000), Math.floor((total % 3_600_000) / 60_000), (total % 60_000) / 1000];
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s || (!h && !m) ? `${s}S` : ''}`;
}

/** The public API's JobResponse. */
export function jobResponse(run: JobRun, now = Date.now()) {
  const { job } = run;
  const terminal = isTerminal(job.status);
  return {
    jobId: job.jobId,
    status: job.status,
    jobType: job.jobType,
    startTime: isoSeconds(job.createdAt),
    connectionId: job.connectionId,
    ...(terminal && { lastUpdatedAt: isoSeconds(run.updatedAt) }),
    ...(job.status !== 'pending' && { duration: isoDuration((job.endedAt ?? now) - job.createdAt) }),
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
            retryable: failure.retryable,
            timestamp: failure.timestamp,
          },
        ],
        partialSuccess: attempt.records > 0,
      },
    }),
  };
}

/** The Config API's JobInfoRead: the job plus each attempt's stats, failures and (empty) logs. */
export function jobInfoRead(run: JobRun) {
  const { job } = run;
  return {
    job: {
      id: job.jobId,
      configType: job.jobType === 'reset' ? 'reset_connection' : job.jobType,
      configId: job.connectionId,
      createdAt: seconds(job.createdAt),
      updatedAt: seconds(run.updatedAt),
      ...(job.startedAt !== undefined && { startedAt: seconds(job.startedAt) }),
      status: job.status,
      ...(isTerminal(job.status) && { aggregatedStats: { ...stats(job.rowsSynced ?? 0, job.bytesSynced ?? 0), recordsRejected: 0 } }),
    },
    attempts: run.attemptLog.map((attempt) => ({ attempt: attemptRead(attempt), logs: { logLines: [] as string[] } })),
  };
}
