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
  return { active: active && toSnapshot(active), recent: recent && toSnapshot(recent), newestJobId, expectedMs: expectedDuration(jobs, input.jobType) };
}

/** Jobs of a connection vary; the median of the last few successes is what the next one will likely take. */
const HISTORY_JOBS = 10;

/** The median duration of the connection's recent succeeded jobs of this type (from the same listing: no extra call). */
export function expectedDuration(jobs: readonly AirbyteJob[], jobType: string): number | undefined {
  const durations = jobs
    .filter((job) => job.jobType === jobType && job.status === 'succeeded')
    .slice(0, HISTORY_JOBS)
    .map((job) => isoDurationToMs(job.duration))
    .filter((ms): ms is number => ms !== undefined && ms > 0)
    .sort((a, b) => a - b);
  if (durations.length === 0) return undefined;
  const mid = Math.floor(durations.length / 2);
  return durations.length % 2 ? durations[mid] : Math.round(((durations[mid - 1] as number) + (durations[mid] as number)) / 2);
}
