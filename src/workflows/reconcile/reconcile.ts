import { ApplicationFailure, proxyActivities, setCurrentDetails, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import type { ClassifiedJob, ReconcileActivities } from '../../activities/reconcile';
import { SyncFailureType } from '../failure-types';
import { checkReconcileInput, type ReconcileInput, type ReconcileReport, type ReconciledJob } from './input';

/** Jobs per classify activity: each batch is retried on its own, and no payload grows with the whole scan. */
const CLASSIFY_BATCH = 100;

// Unlimited attempts, as in the other workflows: an Airbyte or Temporal outage delays the run, it does not
// lose it. Failures that a retry cannot fix (unknown instance, 4xx) are non-retryable and end it at once.
const retry: RetryPolicy = { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '120s' };
const base: ActivityOptions = { startToCloseTimeout: '60s', retry };
// The scan and the classification make one call per connection or job: long, so they heartbeat.
const list = proxyActivities<ReconcileActivities>({ ...base, startToCloseTimeout: '15m', heartbeatTimeout: '2m', summary: 'list running Airbyte jobs' });
const classify = proxyActivities<ReconcileActivities>({ ...base, startToCloseTimeout: '10m', heartbeatTimeout: '2m', summary: 'classify Airbyte jobs against their workflows' });
const cancel = proxyActivities<ReconcileActivities>({ ...base, summary: 'cancel an Airbyte job nobody watches' });

/**
 * Finds the Airbyte jobs that run with nobody watching them and cancels the ones we left behind.
 * Terminating a workflow runs none of its code, so a terminated owner leaves its job running: this is what
 * notices. Watched jobs are never touched; unmanaged ones (not ours) only with `cancelUnmanaged`.
 */
export async function airbyteReconcile(input: ReconcileInput = {}): Promise<ReconcileReport> {
  const check = checkReconcileInput(input);
  if (!check.ok) throw ApplicationFailure.nonRetryable(check.message, SyncFailureType.InvalidInput);
  const { instance, connectionIds, workspaceIds, reportOnly, cancelUnmanaged, maxConnections } = check.value;

  const found = await list.airbyteListRunningJobs({ instance, connectionIds, workspaceIds, maxConnections });
  const classified: ClassifiedJob[] = [];
  for (let i = 0; i < found.jobs.length; i += CLASSIFY_BATCH) {
    classified.push(...(await classify.airbyteClassifyJobs({ instance, jobs: found.jobs.slice(i, i + CLASSIFY_BATCH) })));
  }

  const of = (kind: ClassifiedJob['classification']) => classified.filter((j) => j.classification === kind).map(reported);
  const report: ReconcileReport = {
    instance,
    checked: classified.length,
    connectionsChecked: found.connectionsChecked,
    truncated: found.truncated,
    reportOnly,
    watched: of('watched'),
    orphaned: of('orphaned'),
    unmanaged: of('unmanaged'),
    cancelled: [],
    notCancelled: [],
  };
  const due = classified.filter((j) => j.classification === 'orphaned' || (cancelUnmanaged && j.classification === 'unmanaged'));
  if (!reportOnly) {
    // One at a time: each cancel checks the job and its workflows again right before it is sent.
    for (const job of due) {
      const { cancelled, ...outcome } = await cancel.airbyteReconcileCancelJob({ instance, job });
      (cancelled ? report.cancelled : report.notCancelled).push(outcome);
      setCurrentDetails(`cancelled ${report.cancelled.length} of ${due.length} Airbyte jobs (${instance})`);
    }
  }
  setCurrentDetails(
    `${report.checked} running Airbyte jobs on ${report.connectionsChecked} connections (${instance}): ` +
      `${report.watched.length} watched, ${report.orphaned.length} orphaned, ${report.unmanaged.length} unmanaged; ` +
      (reportOnly ? `report only, ${due.length} would be cancelled` : `${report.cancelled.length} cancelled`),
  );
  return report;
}

function reported({ jobId, connectionId, jobType, status, reason, workflowId }: ClassifiedJob): ReconciledJob {
  return { jobId, connectionId, jobType, status, reason, ...(workflowId !== undefined && { workflowId }) };
}
