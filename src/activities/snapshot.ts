import { isTerminalJobStatus, type AirbyteJob } from '../airbyte';
import type { JobSnapshot } from './types';

export function toSnapshot(job: AirbyteJob): JobSnapshot {
  return {
    jobId: job.jobId,
    connectionId: job.connectionId,
    jobType: job.jobType,
    status: job.status,
    terminal: isTerminalJobStatus(job.status),
    startTime: job.startTime,
    lastUpdatedAt: job.lastUpdatedAt,
    duration: job.duration,
    rowsSynced: job.rowsSynced,
    bytesSynced: job.bytesSynced,
  };
}
