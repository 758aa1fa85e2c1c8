import { isTerminalJobStatus, type AirbyteClient, type AirbyteJob } from '../../airbyte';
import { isoDurationToMs } from '../../common/iso-duration';
import { toSnapshot } from '../snapshot';
import type { FindJobInput, FoundJobs } from './types';

const RECENT_JOBS = 20;
// Airbyte's startTime has whole seconds and its clock is not ours: a job stamped this much before our
// attempt may still be the one it created.
export const CREATED_SINCE_TOLERANCE_MS = 2_000;

/** The connection's active job and the newest job of our type created since a moment, newest first. */
export async function findJobs(client: AirbyteClient, input: FindJobInput): Promise<FoundJobs> {
  const { data } = await client.listJobs({ connectionId: input.connectionId, orderBy: 'createdAt|DESC' }, { limit: RECENT_JOBS });
  const jobs = data.filter((job) => job.connectionId === input.connectionId);
  const active = jobs.find((job) => !isTerminalJobStatus(job.status));
  const { createdSince, newerThan } = input;
  const recent =
    createdSince === undefined && newerThan === undefined
      ? undefined
      : jobs.find(
          (job) =>
            job.jobType === input.jobType &&
            (newerThan === undefined || job.jobId > newerThan) &&
            (createdSince === undefined || Date.parse(job.startTime) >= createdSince - CREATED_SINCE_TOLERANCE_MS),
        );
  const newestJobId = jobs.reduce((max, job) => Math.max(max, job.jobId), 0);
  const history = durationHistory(jobs, input.jobType);
  return { active: active && toSnapshot(active), recent: recent && toSnapshot(recent), newestJobId, ...history };
}

/** Jobs of a connection vary; the median of the last few successes is what the next one will likely take. */
const HISTORY_JOBS = 10;
/** Fewer successes than this say too little about how much the durations vary. */
const SPREAD_MIN_JOBS = 5;

/** The durations of the connection's recent succeeded jobs of this type, shortest first (from the same listing: no extra call). */
function recentDurations(jobs: readonly AirbyteJob[], jobType: string): number[] {
  return jobs
    .filter((job) => job.jobType === jobType && job.status === 'succeeded')
    .slice(0, HISTORY_JOBS)
    .map((job) => isoDurationToMs(job.duration))
    .filter((ms): ms is number => ms !== undefined && ms > 0)
    .sort((a, b) => a - b);
}

/**
 * What the connection's recent successes say about the next job: their median duration, and (from five of them
 * on) how much they vary, as the standard deviation of their logarithms (0.1: about +-10 %). A connection whose
 * jobs take much the same time each run is watched in a narrower window around the expected end.
 */
export function durationHistory(jobs: readonly AirbyteJob[], jobType: string): { expectedMs?: number; spread?: number } {
  const durations = recentDurations(jobs, jobType);
  if (durations.length === 0) return {};
  const mid = Math.floor(durations.length / 2);
  const expectedMs = durations.length % 2 ? (durations[mid] as number) : Math.round(((durations[mid - 1] as number) + (durations[mid] as number)) / 2);
  if (durations.length < SPREAD_MIN_JOBS) return { expectedMs };
  const logs = durations.map(Math.log);
  const mean = logs.reduce((sum, x) => sum + x, 0) / logs.length;
  const variance = logs.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (logs.length - 1);
  return { expectedMs, spread: Math.round(Math.sqrt(variance) * 1_000) / 1_000 };
}
