import { sleep } from '@temporalio/workflow';
import type { JobSnapshot } from '../../activities';
import type { OwnerActivities } from './proxies';

// Airbyte cancels asynchronously: DELETE asks, the job turns `cancelled` later. Ask again now and then,
// in case the request was lost; the cancel activity looks at the job first, so a job that has ended is
// never "cancelled" (that would cancel the connection's next job, someone else's).
const RECHECK_MS = [1_000, 2_000, 5_000, 10_000, 30_000];
const ASK_AGAIN_EVERY = 6;

/** Cancels a job and returns it once Airbyte says it is terminal, however long Airbyte is unreachable. */
export async function cancelUntilTerminal(act: OwnerActivities, instance: string, jobId: number): Promise<JobSnapshot> {
  let job = (await act.cancel.airbyteCancelJob({ instance, jobId })).job;
  for (let check = 0; !job.terminal; check++) {
    await sleep(RECHECK_MS[Math.min(check, RECHECK_MS.length - 1)] as number);
    job =
      check % ASK_AGAIN_EVERY === ASK_AGAIN_EVERY - 1
        ? (await act.cancel.airbyteCancelJob({ instance, jobId })).job
        : await act.poll.airbyteGetJob({ instance, jobId });
  }
  return job;
}
