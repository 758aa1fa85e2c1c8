import {
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { AirbyteActivities, JobReport, JobSnapshot } from '../../activities';
import { SyncFailureType } from '../failure-types';
import { isoDurationToMs } from '../iso-duration';
import { nextPollDelay } from '../poll-policy';
import { AirbyteSearchAttributes as SA } from '../search-attributes';
import { syncJobStartedSignal } from '../signals';
import { parseSyncInput, type ParsedSyncInput, type SyncInput, type SyncResult } from '../sync-input';

import { syncProgressQuery, type SyncProgress } from '../sync-progress';

/**
 * The sync workflow of releases before the job owner, kept so that syncs they started replay and finish
 * on new workers (`syncAndWait` runs it when the history has no `airbyte-job-owner` marker). Do not change.
 *
 * Starts (or joins) one Airbyte job and waits for it to end. The job is triggered exactly once per
 * workflow, watched with timers and short `getJob` calls, handed over through continue-as-new when history
 * grows, and cancelled on Airbyte when the workflow is cancelled or times out.
 */
export async function syncAndWaitV1(input: SyncInput): Promise<SyncResult> {
  const check = parseSyncInput(input);
  if (!check.ok) throw ApplicationFailure.nonRetryable(check.message, SyncFailureType.InvalidInput);
  const opts = check.value;
  const act = airbyteActivities(opts);
  const { instance, connectionId } = opts;

  const continued = opts.continued;
  const startedAt = continued?.startedAt ?? Date.now();
  const deadline = continued ? continued.deadline : opts.timeoutMs !== undefined ? startedAt + opts.timeoutMs : undefined;
  let jobId = continued?.jobId;
  let attached = continued?.attached ?? false;
  let polls = continued?.polls ?? 0;
  let job: JobSnapshot | undefined;
  const runs = continued?.runs ?? 0;

  const progress: SyncProgress = {
    instance,
    connectionId,
    jobId,
    status: jobId === undefined ? 'triggering' : 'running',
    attached,
    polls,
    startedAt: new Date(startedAt).toISOString(),
    continuedAsNew: runs,
  };
  setHandler(syncProgressQuery, () => progress);
  if (opts.searchAttributes) {
    upsertSearchAttributes([
      { key: SA.connectionId, value: connectionId },
      { key: SA.instance, value: instance },
    ]);
  }
  const observe = (snapshot: JobSnapshot) => {
    if (opts.searchAttributes && (snapshot.jobId !== job?.jobId || snapshot.status !== job?.status)) {
      // Only on change: one history event per status, not per poll.
      upsertSearchAttributes([
        { key: SA.jobId, value: snapshot.jobId },
        { key: SA.jobStatus, value: snapshot.status },
      ]);
    }
    job = snapshot;
    progress.status = snapshot.status;
    progress.lastCheckedAt = new Date().toISOString();
    progress.nextCheckAt = undefined;
    progress.polls = polls;
    setCurrentDetails(
      `Airbyte ${snapshot.jobType} job **${snapshot.jobId}** for connection \`${connectionId}\` (${instance}): **${snapshot.status}**` +
        `${attached ? ' (joined a running job)' : ''}, checked ${polls} times`,
    );
  };

  try {
    if (jobId === undefined) {
      // Not cancellable: once the create call is out, we must learn the job id so a cancel can reach it.
      const triggered = await CancellationScope.nonCancellable(() => act.trigger.airbyteTriggerJob({ instance, connectionId, jobType: opts.jobType }));
      jobId = triggered.job.jobId;
      attached = triggered.attached;
      progress.jobId = jobId;
      progress.attached = attached;
      observe(triggered.job);
      if (opts.notifyParent) await notifyParent(jobId, attached);
    }
    const watchedJob = jobId;

    while (!job?.terminal) {
      const info = workflowInfo();
      if (info.historyLength >= opts.historyBound || info.continueAsNewSuggested) {
        return await continueAsNew<typeof syncAndWaitV1>({
          ...input,
          continued: { jobId: watchedJob, attached, startedAt, deadline, polls, runs: runs + 1 },
        });
      }
      const now = Date.now();
      if (deadline !== undefined && now >= deadline) return await timedOut(watchedJob);
      const wait = Math.min(nextPollDelay(now - startedAt, opts.poll), deadline === undefined ? Infinity : deadline - now);
      progress.nextCheckAt = new Date(now + wait).toISOString();
      await sleep(wait, { summary: `wait before checking Airbyte job ${watchedJob}` });
      if (deadline !== undefined && Date.now() >= deadline) return await timedOut(watchedJob);
      const snapshot = await act.poll.airbyteGetJob({ instance, jobId: watchedJob });
      polls++;
      observe(snapshot);
    }
    return await finish(job, false);
  } catch (err) {
    if (isCancellation(err) && jobId !== undefined && opts.cancelOnWorkflowCancel) {
      const cancelJobId = jobId;
      await CancellationScope.nonCancellable(() => act.cancel.airbyteCancelJob({ instance, jobId: cancelJobId }));
    }
    throw err;
  }

  async function timedOut(watchedJob: number): Promise<SyncResult> {
    const last = opts.cancelOnTimeout
      ? (await CancellationScope.nonCancellable(() => act.cancel.airbyteCancelJob({ instance, jobId: watchedJob }))).job
      : // A continued run may not have looked at the job yet.
        (job ?? (await act.poll.airbyteGetJob({ instance, jobId: watchedJob })));
    observe(last);
    return finish(last, true);
  }

  async function finish(last: JobSnapshot, didTimeOut: boolean): Promise<SyncResult> {
    const report = opts.report ? await fetchReport(last.jobId) : null;
    const failureMessage = report?.failures.find((f) => f.message)?.message;
    const endTime = last.lastUpdatedAt ?? new Date().toISOString();
    const result: SyncResult = {
      instance,
      connectionId,
      jobId: last.jobId,
      jobType: last.jobType,
      status: last.status,
      attached,
      rowsSynced: last.rowsSynced,
      bytesSynced: last.bytesSynced,
      durationMs: isoDurationToMs(last.duration) ?? Math.max(0, Date.parse(endTime) - Date.parse(last.startTime)),
      startTime: last.startTime,
      endTime,
      streams: report?.streams,
      failures: report?.failures,
      failureMessage,
      timedOut: didTimeOut || undefined,
      polls,
      continuedAsNew: runs,
    };
    if (last.status === 'succeeded' && !didTimeOut) return result;
    if (opts.onFailure === 'return') return result;
    const job = `Airbyte ${last.jobType} job ${last.jobId} for connection ${connectionId}`;
    if (didTimeOut) {
      const what = opts.cancelOnTimeout ? 'it was cancelled' : 'it was left running';
      throw ApplicationFailure.nonRetryable(`${job} did not finish within ${opts.timeoutMs} ms; ${what}`, SyncFailureType.TimedOut, result);
    }
    if (last.status === 'cancelled') {
      throw ApplicationFailure.nonRetryable(`${job} was cancelled on Airbyte`, SyncFailureType.JobCancelled, result);
    }
    throw ApplicationFailure.nonRetryable(`${job} failed: ${failureMessage ?? 'Airbyte gave no reason'}`, SyncFailureType.JobFailed, result);
  }

  async function fetchReport(reportJobId: number): Promise<JobReport | null> {
    try {
      return await act.report.airbyteGetJobReport({ instance, jobId: reportJobId });
    } catch {
      return null; // enrichment only: the job's outcome stands without it
    }
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

function airbyteActivities(opts: ParsedSyncInput) {
  const retry: RetryPolicy = {
    initialInterval: opts.retry.initialIntervalMs ?? 2_000,
    backoffCoefficient: 2,
    maximumInterval: opts.retry.maximumIntervalMs ?? 120_000,
    // Unlimited by default: an Airbyte outage should delay the sync, not lose it. Bad requests are non-retryable.
    maximumAttempts: opts.retry.maximumAttempts,
  };
  const base: ActivityOptions = { startToCloseTimeout: '60s', retry };
  return {
    // The trigger outlives a slow `POST /jobs` (the client's create timeout is 120 s by default).
    trigger: proxyActivities<AirbyteActivities>({ ...base, startToCloseTimeout: '180s', summary: 'trigger or join an Airbyte job' }),
    poll: proxyActivities<AirbyteActivities>({ ...base, summary: 'check the Airbyte job' }),
    cancel: proxyActivities<AirbyteActivities>({ ...base, scheduleToCloseTimeout: '10m', summary: 'cancel the Airbyte job' }),
    report: proxyActivities<AirbyteActivities>({ ...base, retry: { ...retry, maximumAttempts: 3 }, summary: 'fetch per-stream stats' }),
  };
}
