import { isTerminalJobStatus, type AirbyteClient } from '../../airbyte';
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
  return { active: active && toSnapshot(active), recent: recent && toSnapshot(recent), newestJobId };
}
