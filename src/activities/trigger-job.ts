import { ApplicationFailure } from '@temporalio/common';
import { AirbyteApiError, isTerminalJobStatus, type AirbyteClient, type AirbyteJob } from '../airbyte';
import { toSnapshot } from './snapshot';
import type { TriggerJobInput, TriggerJobResult } from './types';

export interface TriggerAttempt {
  /** 1 for the first try of this activity, more for Temporal's retries. */
  attempt: number;
  /** When this activity was first scheduled (ms): a job created since then may be ours. */
  firstScheduledAt: number;
}

// Airbyte's clock and ours differ a little; a job created this shortly before our first try is still ours.
const CLOCK_SKEW_MS = 5_000;
const RECENT_JOBS = 20;
const BUSY_RETRY_DELAY = '30s';

/**
 * Starts a job, or joins the one that holds the connection, so that the caller ends up with exactly one
 * job whatever happened before: `POST /jobs` is not idempotent, and a create that timed out or was
 * retried may have started a job we never heard of.
 */
export async function triggerJob(client: AirbyteClient, input: TriggerJobInput, attempt: TriggerAttempt): Promise<TriggerJobResult> {
  if (attempt.attempt > 1) {
    // An earlier try may have created the job before failing: look before creating another.
    const ours = await findJob(client, input, attempt.firstScheduledAt);
    if (ours) return attach(ours, input, 'earlier-attempt');
  }
  try {
    return { job: toSnapshot(await client.createJob(input)), attached: false };
  } catch (err) {
    if (!(err instanceof AirbyteApiError) || !(err.isAlreadyRunning || err.ambiguous)) throw err;
    const running = await findJob(client, input, attempt.firstScheduledAt);
    if (running) return attach(running, input, err.isAlreadyRunning ? 'already-running' : 'earlier-attempt');
    // Nothing to join: the running job ended meanwhile, or the create never landed. A retry settles it.
    throw err;
  }
}

/** The connection's active job, or a job of the requested type created since our first try (it may have ended already). */
async function findJob(client: AirbyteClient, input: TriggerJobInput, since: number): Promise<AirbyteJob | undefined> {
  const { data } = await client.listJobs({ connectionId: input.connectionId, orderBy: 'createdAt|DESC' }, { limit: RECENT_JOBS });
  const active = data.find((job) => !isTerminalJobStatus(job.status));
  if (active) return active;
  return data.find((job) => job.jobType === input.jobType && Date.parse(job.startTime) >= since - CLOCK_SKEW_MS);
}

function attach(job: AirbyteJob, input: TriggerJobInput, attachReason: TriggerJobResult['attachReason']): TriggerJobResult {
  if (job.jobType !== input.jobType) {
    // A different kind of job holds the connection: joining it would report the wrong result. Wait and retry.
    throw ApplicationFailure.create({
      message: `connection ${input.connectionId} is busy with ${job.jobType} job ${job.jobId}; the ${input.jobType} will be retried`,
      type: 'AirbyteConnectionBusy',
      nextRetryDelay: BUSY_RETRY_DELAY,
    });
  }
  return { job: toSnapshot(job), attached: true, attachReason };
}
