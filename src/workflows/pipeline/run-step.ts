import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowCancellationType,
  executeChild,
  ParentClosePolicy,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { AirbyteActivities } from '../../activities';
import type { DbtActivities } from '../../activities/dbt';
import type { AllowlistActivities } from '../../allowlists';
import { syncSummary } from '../summaries';
import { syncAndWait } from '../sync-and-wait';
import { jobOwnerWorkflowId } from '../owner/ids';
import { waitForJob } from '../owner/wait-for-job';
import { SyncFailureType } from '../failure-types';
import { parseSyncInput, type SyncInput, type SyncResult } from '../sync-input';
import { syncOutcome } from '../sync-outcome';
import { recordFailure, recordResult } from '../sync-telemetry';
import type { ActivityStep, DbtStep, PipelineStep, SyncStep, WorkflowStep } from './definition';
import type { InlineSyncs } from './inline-syncs';
import type { StepStatus } from './status';

/** What a step's run produced: a result, or a reason it had nothing to do. */
export type StepOutcome = { result: unknown } | { skipped: string };

export interface StepContext {
  /** Status of every step, by id (read upstream results from here). */
  statuses: ReadonlyMap<string, StepStatus>;
  /** The step's run number, from 1 (step-level retries). */
  attempt: number;
  /** Remembers which child workflow runs which step, so its job id can be shown while it runs. */
  onChildStarted(workflowId: string): void;
  /** Ids of the steps a `workspace` step fans out to. */
  members(stepId: string): string[];
  /** Whether child syncs set the Airbyte search attributes. */
  searchAttributes: boolean;
  /** Whether child syncs signal their job id as soon as it is known (see LIVE_JOB_IDS_MAX_STEPS). */
  liveJobIds: boolean;
  /** Set in wide pipelines: sync steps wait on their owners here, without a child workflow (see INLINE_SYNCS_MIN_STEPS). */
  inline?: InlineSyncs;
}

const lookups = proxyActivities<AirbyteActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '2s', maximumInterval: '1m' },
  summary: 'resolve an Airbyte connection',
});

/**
 * A worker of the pipeline's task queue says whether its allowedWorkflows let a `workflow` step start its type.
 * A regular activity, not a local one: a worker without it answers NotFoundError in the history, where a local
 * activity would fail the workflow task (and replay differently).
 */
const allowlist = proxyActivities<AllowlistActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 5, nonRetryableErrorTypes: ['NotFoundError'] },
  summary: 'check allowedWorkflows',
});
/** Pipelines started by earlier releases replay their workflow steps without the check. */
const WORKFLOW_STEP_CHECK_PATCH = 'airbyte-allowed-workflows';

const childOptions = {
  cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED, // wait for the Airbyte job's cancel
  parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL, // a terminated pipeline still cancels its syncs
} as const;

export async function runStep(step: PipelineStep, status: StepStatus, ctx: StepContext): Promise<StepOutcome> {
  switch (step.kind) {
    case 'sync':
      return { result: await runSync(step, status, ctx) };
    case 'dbt':
      return runDbt(step, ctx);
    case 'activity':
      return { result: await runActivity(step, ctx) };
    case 'workflow':
      return { result: await runWorkflow(step, ctx) };
    case 'workspace':
      // The connections were expanded into steps of their own; this step only gathers them.
      return { result: { connections: ctx.members(step.id).length } };
  }
}

async function runSync(step: SyncStep, status: StepStatus, ctx: StepContext): Promise<SyncResult> {
  const instance = step.instance;
  const connectionId =
    step.connectionId ??
    (await lookups.airbyteFindConnection({ instance, name: step.connection as string, workspaceId: step.workspaceId })).connectionId;
  status.connectionId = connectionId;
  if (ctx.inline) return runSyncInline(step, connectionId, ctx.inline, ctx);
  const workflowId = childWorkflowId(step.id, ctx.attempt);
  ctx.onChildStarted(workflowId);
  return executeChild(syncAndWait, {
    ...childOptions,
    workflowId,
    staticSummary: `pipeline step ${step.id}: ${syncSummary({ jobType: step.jobType ?? 'sync', connectionId, connectionName: step.connection, instance: instance ?? 'default' })}`,
    memo: { airbyteInstance: instance ?? 'default', airbyteConnectionId: connectionId, airbytePipelineStep: step.id },
    args: [syncInputOf(step, connectionId, ctx)],
  });
}

/**
 * A sync step of a wide pipeline: the pipeline itself waits on the connection's owner, as `syncAndWait` would in a
 * child workflow, with the same input, timeout, cancellation and result. Per sync that spares a workflow, its four
 * tasks and two signals; the step's own UI row is the owner's.
 */
async function runSyncInline(step: SyncStep, connectionId: string, inline: InlineSyncs, ctx: StepContext): Promise<SyncResult> {
  const parsed = parseSyncInput(syncInputOf(step, connectionId, ctx));
  if (!parsed.ok) throw ApplicationFailure.nonRetryable(parsed.message, SyncFailureType.InvalidInput);
  const opts = parsed.value;
  const waiterId = childWorkflowId(step.id, ctx.attempt);
  const labels = { instance: opts.instance, connectionId, ...(opts.connectionName && { connectionName: opts.connectionName }) };
  const deadline = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : undefined;
  // A word already here settles the step without a join (see InlineSyncs.await).
  const stop = inline.await(waiterId) ? undefined : await waitForJob(
    opts,
    {
      waiterId,
      ownerWorkflowId: jobOwnerWorkflowId(connectionId, opts.instance),
      replyTo: workflowInfo().workflowId,
      quiet: true,
      joinLocally: true,
      joinBySignal: inline.joinBySignal,
      joinTurn: () => inline.joinTurn(),
      ended: () => inline.ended(waiterId),
      ownerGone: (message) => inline.settle(waiterId, { kind: 'error', message, owned: false, attached: false }),
      toldBefore: (ended) => inline.settle(waiterId, ended),
    },
    deadline,
  );
  const ended = inline.take(waiterId);
  const seenAt = Date.now();
  if (stop?.why === 'cancel') {
    recordFailure(labels, stop.error, seenAt);
    throw stop.error;
  }
  try {
    const result = syncOutcome(opts, { ended, didTimeOut: stop?.why === 'timeout' });
    recordResult(labels, result, seenAt);
    return result;
  } catch (err) {
    recordFailure(labels, err, seenAt);
    throw err;
  }
}

function syncInputOf(step: SyncStep, connectionId: string, ctx: StepContext): SyncInput {
  return {
    connectionId,
    connectionName: step.connection,
    instance: step.instance,
    jobType: step.jobType,
    poll: step.poll,
    timeout: step.timeout,
    cancelOnTimeout: step.cancelOnTimeout,
    notifyParent: ctx.liveJobIds,
    searchAttributes: ctx.searchAttributes,
  };
}

async function runDbt(step: DbtStep, ctx: StepContext): Promise<StepOutcome> {
  const select = [...(step.select ?? [])];
  if (step.selectSyncedStreams) {
    const streams = syncedStreams(step, ctx);
    if (streams.length === 0) return { skipped: 'no upstream sync moved any stream' };
    select.push(...streams.map((stream) => (step.selectSyncedStreams as string).replaceAll('{stream}', stream)));
  }
  const dbt = proxyActivities<DbtActivities>({
    startToCloseTimeout: step.timeout ?? '2h',
    heartbeatTimeout: '2m',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED, // dbt is killed before the step counts as cancelled
    retry: { maximumAttempts: 1 }, // a dbt run is retried as a whole step (`retries`), not by Temporal
    summary: `dbt ${step.command}`,
  });
  const result = await dbt.dbtRun({
    command: step.command,
    projectDir: step.projectDir,
    profilesDir: step.profilesDir,
    select: select.length ? select : undefined,
    exclude: step.exclude,
    vars: step.vars,
    target: step.target,
    fullRefresh: step.fullRefresh,
    threads: step.threads,
  });
  return { result };
}

async function runActivity(step: ActivityStep, ctx: StepContext): Promise<unknown> {
  const activities = proxyActivities<Record<string, (...args: unknown[]) => Promise<unknown>>>({
    startToCloseTimeout: step.timeout ?? '10m',
    taskQueue: step.taskQueue,
    retry: { maximumAttempts: 3 },
  });
  const run = activities[step.activity] as (...args: unknown[]) => Promise<unknown>;
  return run(...argsWithUpstream(step, ctx));
}

async function runWorkflow(step: WorkflowStep, ctx: StepContext): Promise<unknown> {
  if (patched(WORKFLOW_STEP_CHECK_PATCH)) await checkWorkflowAllowed(step.workflow);
  return executeChild(step.workflow, {
    ...childOptions,
    workflowId: childWorkflowId(step.id, ctx.attempt),
    taskQueue: step.taskQueue,
    args: argsWithUpstream(step, ctx),
  });
}

async function checkWorkflowAllowed(workflowType: string): Promise<void> {
  try {
    await allowlist.airbyteCheckWorkflowStep({ workflowType });
  } catch (err) {
    // A worker assembled without this package's plugin or worker has no allowlist to apply: the step goes on.
    const notRegistered = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'NotFoundError';
    if (!notRegistered) throw err;
  }
}

function argsWithUpstream(step: ActivityStep | WorkflowStep, ctx: StepContext): unknown[] {
  const args = [...(step.args ?? [])];
  if (step.withUpstream) {
    const upstream = Object.fromEntries((step.dependsOn ?? []).map((id) => [id, ctx.statuses.get(id)?.result]));
    args.push({ upstream });
  }
  return args;
}

/** Streams that moved rows in the syncs this step depends on (directly, or through a workspace step). */
function syncedStreams(step: DbtStep, ctx: StepContext): string[] {
  const ids = (step.dependsOn ?? []).flatMap((id) => [id, ...ctx.members(id)]);
  const names = new Set<string>();
  for (const id of ids) {
    const status = ctx.statuses.get(id);
    if (status?.kind !== 'sync') continue;
    for (const stream of (status.result as SyncResult | undefined)?.streams ?? []) {
      if ((stream.recordsCommitted ?? stream.recordsEmitted ?? 0) > 0) names.add(stream.name);
    }
  }
  return [...names].sort();
}

function childWorkflowId(stepId: string, attempt: number): string {
  return `${workflowInfo().workflowId}/${stepId}${attempt > 1 ? `#${attempt}` : ''}`;
}
