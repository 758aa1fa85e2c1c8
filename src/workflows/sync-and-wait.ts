import {
  ApplicationFailure,
  getExternalWorkflowHandle,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { JobSnapshot } from '../activities';
import { SyncFailureType } from './failure-types';
import type * as LegacyV1 from './legacy/sync-and-wait-v1';
import { jobOwnerWorkflowId } from './owner/ids';
import { isJobEnded, isJobKnown, jobEndedSignal, jobKnownSignal, type JobEnded, type JobKnown } from './owner/protocol';
import { waitForJob } from './owner/wait-for-job';
import { AirbyteSearchAttributes as SA } from './search-attributes';
import { syncJobStartedSignal } from './signals';
import { parseSyncInput, type SyncInput, type SyncResult } from './sync-input';
import { syncProgressQuery, type SyncProgress } from './sync-progress';
import { connectionLabel } from './summaries';
import { syncOutcome } from './sync-outcome';
import { recordFailure, recordJobKnown, recordResult } from './sync-telemetry';

export { syncProgressQuery, type SyncProgress };

/** Histories without this marker were started by a release before the job owner: they go on with its code. */
export const JOB_OWNER_PATCH = 'airbyte-job-owner';

/** The release before the job owner, loaded only by the histories that need it (see index.ts for why lazily). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const syncAndWaitV1 = (input: SyncInput) => (require('./legacy/sync-and-wait-v1') as typeof LegacyV1).syncAndWaitV1(input);

/**
 * Waits for one Airbyte job of a connection, as one of possibly many waiters. The job itself belongs to
 * the connection's owner workflow (`airbyteJobOwner`), which starts or joins it once for everyone, polls
 * it, and cancels it only when its last waiter asks. This workflow registers with the owner, waits for
 * the owner's word, and applies its own timeout and failure policy; cancelling it, or its timeout,
 * withdraws it and, when it was the last waiter of a job we created, cancels the job before it ends.
 */
export async function syncAndWait(input: SyncInput): Promise<SyncResult> {
  if (!patched(JOB_OWNER_PATCH)) return syncAndWaitV1(input);
  if (typeof input === 'object' && input !== null && input.continued !== undefined) {
    // Only a run of the earlier release continuing-as-new carries `continued`; from outside it would hijack a job.
    if (!workflowInfo().continuedFromExecutionRunId) {
      throw ApplicationFailure.nonRetryable('invalid sync input: continued is internal and cannot be set', SyncFailureType.InvalidInput);
    }
    return syncAndWaitV1(input);
  }
  const check = parseSyncInput(input);
  if (!check.ok) throw ApplicationFailure.nonRetryable(check.message, SyncFailureType.InvalidInput);
  const opts = check.value;
  const { instance, connectionId } = opts;
  const ownerWorkflowId = jobOwnerWorkflowId(connectionId, instance);
  const labels = { instance, connectionId, ...(opts.connectionName && { connectionName: opts.connectionName }) };
  const waiterId = workflowInfo().workflowId;
  const startedAt = Date.now();
  const deadline = opts.timeoutMs !== undefined ? startedAt + opts.timeoutMs : undefined;

  let known: JobKnown | undefined;
  let ended: JobEnded | undefined;
  const progress: SyncProgress = {
    instance,
    connectionId,
    status: 'triggering',
    attached: false,
    polls: 0,
    startedAt: new Date(startedAt).toISOString(),
    continuedAsNew: 0,
    ownerWorkflowId,
  };
  const show = (job: JobSnapshot) => {
    progress.jobId = job.jobId;
    progress.status = job.status;
    if (opts.searchAttributes) upsertSearchAttributes([{ key: SA.jobId, value: job.jobId }, { key: SA.jobStatus, value: job.status }]);
    setCurrentDetails(
      `Airbyte ${job.jobType} job **${job.jobId}** for ${connectionLabel(opts)}: **${job.status}**` +
        `${progress.attached ? ' (joined a running job)' : ''}; watched by \`${ownerWorkflowId}\``,
    );
  };
  setHandler(syncProgressQuery, () => progress);
  setHandler(jobKnownSignal, async (k) => {
    // Signals cannot be refused: a malformed one is dropped rather than allowed to fail the workflow task.
    if (known || !isJobKnown(k)) return;
    known = k;
    progress.attached = k.attached;
    progress.owned = k.owned;
    show(k.job);
    recordJobKnown(labels, k.jobId, k.attached);
    if (opts.notifyParent) await notifyParent(k.jobId, k.attached);
  });
  setHandler(jobEndedSignal, (e) => {
    if (isJobEnded(e)) ended ??= e;
  });
  if (opts.searchAttributes) upsertSearchAttributes([{ key: SA.connectionId, value: connectionId }, { key: SA.instance, value: instance }]);

  const stop = await waitForJob(opts, {
    waiterId,
    ownerWorkflowId,
    ended: () => ended,
    ownerGone: (message) => {
      ended = { kind: 'error', message, owned: false, attached: progress.attached };
    },
    toldBefore: (e) => {
      ended ??= e;
    },
    onQueued: () => {
      progress.status = 'queued';
    },
  }, deadline);

  const outcome = ended as JobEnded;
  const seenAt = Date.now();
  if (stop?.why === 'cancel') {
    recordFailure(labels, stop.error, seenAt);
    throw stop.error;
  }
  try {
    const result = syncOutcome(opts, { ended: outcome, known, didTimeOut: stop?.why === 'timeout' }, show);
    recordResult(labels, result, seenAt);
    return result;
  } catch (err) {
    recordFailure(labels, err, seenAt);
    throw err;
  }
}

async function notifyParent(jobId: number, attached: boolean): Promise<void> {
  const { parent, workflowId } = workflowInfo();
  if (!parent) return;
  try {
    await getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(syncJobStartedSignal, { workflowId, jobId, attached });
  } catch {
    // The parent may have ended; the sync itself goes on.
  }
}
