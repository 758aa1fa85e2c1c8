import { sleep } from '@temporalio/workflow';
import type { JobSnapshot } from '../../activities';
import type { PollPolicy } from '../poll-policy';
import type { OwnerActivities } from './proxies';

// Airbyte cancels asynchronously: DELETE asks, the job turns `cancelled` later. Ask again now and then,
// in case the request was lost; the cancel activity looks at the job first, so a job that has ended is
// never "cancelled" (that would cancel the connection's next job, someone else's).
const ASK_AGAIN_EVERY = 6;

/** Cancels a job and returns it once Airbyte says it is terminal, however long Airbyte is unreachable. */
export async function cancelUntilTerminal(act: OwnerActivities, instance: string, jobId: number, poll: PollPolicy): Promise<JobSnapshot> {
  let job = (await act.cancel.airbyteCancelJob({ instance, jobId })).job;
  // Checked as a fresh job would be: soon at first, then less and less often.
  for (let check = 0, wait = poll.initialMs; !job.terminal; check++, wait = Math.min(wait * 2, poll.maxMs)) {
    await sleep(wait);
    job =
      check % ASK_AGAIN_EVERY === ASK_AGAIN_EVERY - 1
        ? (await act.cancel.airbyteCancelJob({ instance, jobId })).job
        : await act.poll.airbyteGetJob({ instance, jobId });
  }
  return job;
}
