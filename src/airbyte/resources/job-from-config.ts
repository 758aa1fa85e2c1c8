import { isTerminalJobStatus } from '../job-status';
import type { AirbyteJob } from '../types';
import type { JobAttempts } from './types';

/** Configuration API job types as the public API names them (the rest have no public job). */
const PUBLIC_JOB_TYPES: Readonly<Record<string, string>> = { sync: 'sync', reset_connection: 'reset', clear: 'clear', refresh: 'refresh' };

/** An ISO-8601 duration of whole seconds as java.time.Duration prints it: PT1H2M3S, PT1M5S, PT1H, PT0S. */
export function isoDuration(totalSeconds: number): string {
  const t = Math.max(0, Math.floor(totalSeconds));
  const [h, m, s] = [Math.floor(t / 3600), Math.floor((t % 3600) / 60), t % 60];
  return t === 0 ? 'PT0S' : `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
}

const isoSeconds = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The public API's view of a job, made from the Configuration API's `get_without_logs` answer the way Airbyte's
 * server makes `GET /jobs/{id}` (its JobResponseMapper): so one call can bring a job's status and its attempts.
 * Undefined when the answer lacks a field that view needs, or names a job type the public API does not have.
 */
export function publicJobOf(info: JobAttempts): AirbyteJob | undefined {
  const { status, configType, configId, createdAt, updatedAt, aggregatedStats } = info;
  const jobType = configType === undefined ? undefined : PUBLIC_JOB_TYPES[configType];
  if (status === undefined || jobType === undefined || configId === undefined || createdAt === undefined || updatedAt === undefined) return undefined;
  return {
    jobId: info.jobId,
    status,
    jobType,
    connectionId: configId,
    startTime: isoSeconds(createdAt),
    lastUpdatedAt: isTerminalJobStatus(status) ? isoSeconds(updatedAt) : undefined,
    duration: status !== 'pending' ? isoDuration(updatedAt - createdAt) : undefined,
    bytesSynced: aggregatedStats?.bytesCommitted,
    rowsSynced: aggregatedStats?.recordsCommitted,
  };
}
