import {
  ScheduleOverlapPolicy,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type Client,
  type ScheduleHandle,
  type ScheduleSpec, type WorkflowHandleWithFirstExecutionRunId, type WorkflowStartOptions } from '@temporalio/client';
import { createHash } from 'node:crypto';
import { ApplicationFailure, WorkflowIdConflictPolicy } from '@temporalio/common';
import type { OwnerProgress } from './workflows/owner/protocol';
import type { airbytePipeline } from './workflows/pipeline/pipeline';
import { checkPipeline, type PipelineDefinition } from './workflows/pipeline/definition';
import type { PipelineProgress, PipelineResult, StepStatus } from './workflows/pipeline/status';
import type { syncAndWait } from './workflows/sync-and-wait';
import { SyncFailureType } from './workflows/failure-types';
import { parseSyncInput, type SyncInput, type SyncResult } from './workflows/sync-input';
import type { SyncProgress } from './workflows/sync-and-wait';
import { DEFAULT_TASK_QUEUE } from './worker-defaults';
import type { airbyteReconcile } from './workflows/reconcile/reconcile';
import { checkReconcileInput, type ReconcileInput, type ReconcileReport } from './workflows/reconcile/input';

/** Input rejected before anything was started: nothing reached Temporal or Airbyte. */
export class AirbyteInputError extends Error {
  override readonly name = 'AirbyteInputError';
}

/** A sync that ended badly: the job failed, was cancelled on Airbyte, or the timeout passed. */
export class AirbyteSyncError extends Error {
  override readonly name = 'AirbyteSyncError';
  constructor(
    message: string,
    readonly type: SyncFailureType,
    /** The job's outcome (job id, status, stats), when the workflow got that far. */
    readonly result: SyncResult | undefined,
    readonly workflowId: string,
  ) {
    super(message);
  }
}

/** A pipeline that failed or was cancelled; `result` has every step's outcome. */
export class AirbytePipelineError extends Error {
  override readonly name = 'AirbytePipelineError';
  constructor(
    message: string,
    readonly result: PipelineResult | undefined,
    readonly workflowId: string,
  ) {
    super(message);
  }
}

/** When a schedule fires: `{ cronExpressions: ['0 2 * * *'] }`, `{ intervals: [{ every: '1h' }] }`, ... */
export interface AirbyteScheduleOptions {
  spec: ScheduleSpec;
  /** Default: derived from the connection or pipeline name. */
  scheduleId?: string;
  /** What to do when the previous run is still going. Default SKIP: never two syncs of a connection at once. */
  overlap?: ScheduleOverlapPolicy;
  /** Start paused. */
  paused?: boolean;
}

/**
 * The default workflow id of a sync request: identical requests (a retried call, two callers asking for
 * the same thing) share one workflow; requests that differ (a reset, another timeout) get their own, and
 * every one of them shares the connection's job through its owner workflow (`airbyte-job:...`).
 */
export function syncWorkflowId(input: SyncInput | string, instance?: string): string {
  const request: SyncInput = typeof input === 'string' ? { connectionId: input, instance } : input;
  const check = parseSyncInput(request);
  if (!check.ok) throw new AirbyteInputError(check.message);
  const v = check.value;
  const digest = createHash('sha256').update(canonicalJson(v)).digest('hex').slice(0, 12);
  return `airbyte-sync:${v.instance}:${v.connectionId}:${v.jobType}:${digest}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export type SyncStartOptions = Partial<Omit<WorkflowStartOptions<typeof syncAndWait>, 'args'>>;
export type PipelineStartOptions = Partial<Omit<WorkflowStartOptions<typeof airbytePipeline>, 'args'>>;

/** Typed helpers for services that start, watch and cancel Airbyte syncs. */
export class AirbyteSyncClient {
  private readonly taskQueue: string;

  constructor(
    private readonly client: Client,
    options: { taskQueue?: string } = {},
  ) {
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  }

  /**
   * Starts `syncAndWait`. The connection's job is shared by every sync waiting on it (see `syncWorkflowId`
   * and the README's "Ownership"): two callers never start two jobs, and one caller's cancel never cancels
   * a job another still waits for.
   */
  async startSync(input: SyncInput, options: SyncStartOptions = {}): Promise<WorkflowHandleWithFirstExecutionRunId<typeof syncAndWait>> {
    const check = parseSyncInput(input);
    if (!check.ok) throw new AirbyteInputError(check.message);
    const { connectionId, instance, jobType } = check.value;
    return this.client.workflow.start<typeof syncAndWait>('syncAndWait', {
      taskQueue: this.taskQueue,
      workflowId: syncWorkflowId(input),
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      staticSummary: `Airbyte ${jobType} of connection ${connectionId} (${instance})`,
      // Shown in the UI without registering search attributes on the server.
      memo: { airbyteInstance: instance, airbyteConnectionId: connectionId, airbyteJobType: jobType },
      ...options,
      args: [input],
    });
  }

  /** Starts (or joins) a sync and waits for its result; a bad outcome throws `AirbyteSyncError`. */
  async syncAndWait(input: SyncInput, options: SyncStartOptions = {}): Promise<SyncResult> {
    const handle = await this.startSync(input, options);
    return this.result(handle.workflowId);
  }

  /** Waits for a sync workflow's result, translating its failure into `AirbyteSyncError`. */
  async result(workflowId: string): Promise<SyncResult> {
    try {
      return await this.client.workflow.getHandle<typeof syncAndWait>(workflowId).result();
    } catch (err) {
      throw toSyncError(err, workflowId);
    }
  }

  /** The sync's view, with the live job status and polls of the connection's owner workflow when it runs. */
  async progress(workflowId: string): Promise<SyncProgress> {
    const progress = await this.client.workflow.getHandle(workflowId).query<SyncProgress>('airbyteSyncProgress');
    if (!progress.ownerWorkflowId || progress.jobId === undefined) return progress;
    try {
      const owner = await this.client.workflow.getHandle(progress.ownerWorkflowId).query<OwnerProgress>('airbyteJobOwnerProgress');
      if (owner.job?.jobId !== progress.jobId) return progress;
      const { status, rowsSynced, bytesSynced } = owner.job;
      return { ...progress, status, rowsSynced, bytesSynced, polls: owner.polls, lastCheckedAt: owner.lastCheckedAt, nextCheckAt: owner.nextCheckAt };
    } catch {
      return progress; // the owner has just ended: the sync's own view stands
    }
  }

  /** Cancels the workflow; it cancels its Airbyte job before it ends. */
  async cancel(workflowId: string): Promise<void> {
    await this.client.workflow.getHandle(workflowId).cancel();
  }

  /** A Temporal Schedule that runs `syncAndWait` for a connection; the input is checked now, not at the first run. */
  async scheduleSync(input: SyncInput, options: AirbyteScheduleOptions): Promise<ScheduleHandle> {
    const check = parseSyncInput(input);
    if (!check.ok) throw new AirbyteInputError(check.message);
    const { connectionId, instance, jobType } = check.value;
    return this.createSchedule(options, `airbyte-sync-schedule:${instance}:${connectionId}`, {
      workflowType: 'syncAndWait',
      workflowId: `airbyte-sync:${instance}:${connectionId}:scheduled`,
      args: [input],
      staticSummary: `scheduled Airbyte ${jobType} of connection ${connectionId} (${instance})`,
      memo: { airbyteInstance: instance, airbyteConnectionId: connectionId, airbyteJobType: jobType },
    });
  }

  /** A Temporal Schedule that runs a pipeline; the definition (graph included) is checked now. */
  async schedulePipeline(definition: PipelineDefinition, options: AirbyteScheduleOptions): Promise<ScheduleHandle> {
    const check = checkPipeline(definition);
    if (!check.ok) throw new AirbyteInputError(check.message);
    return this.createSchedule(options, `airbyte-pipeline-schedule:${check.value.name}`, {
      workflowType: 'airbytePipeline',
      workflowId: `airbyte-pipeline:${check.value.name}`,
      args: [check.value],
      staticSummary: `scheduled Airbyte pipeline ${check.value.name}`,
      memo: { airbytePipeline: check.value.name },
    });
  }

  private createSchedule(
    options: AirbyteScheduleOptions,
    defaultId: string,
    action: { workflowType: string; workflowId: string; args: unknown[]; staticSummary: string; memo: Record<string, unknown> },
  ): Promise<ScheduleHandle> {
    return this.client.schedule.create({
      scheduleId: options.scheduleId ?? defaultId,
      spec: options.spec,
      policies: { overlap: options.overlap ?? ScheduleOverlapPolicy.SKIP },
      state: { paused: options.paused ?? false },
      action: { type: 'startWorkflow', taskQueue: this.taskQueue, ...action },
    });
  }

  /** Checks the definition (graph included) and starts the pipeline; nothing starts if it is invalid. */
  async startPipeline(definition: PipelineDefinition, options: PipelineStartOptions = {}): Promise<WorkflowHandleWithFirstExecutionRunId<typeof airbytePipeline>> {
    const check = checkPipeline(definition);
    if (!check.ok) throw new AirbyteInputError(check.message);
    return this.client.workflow.start<typeof airbytePipeline>('airbytePipeline', {
      taskQueue: this.taskQueue,
      workflowId: `airbyte-pipeline:${check.value.name}:${Date.now().toString(36)}`,
      staticSummary: `Airbyte pipeline ${check.value.name} (${check.value.steps.length} steps)`,
      memo: { airbytePipeline: check.value.name },
      ...options,
      args: [check.value],
    });
  }

  /** Runs a pipeline to its end; a failed or cancelled pipeline throws `AirbytePipelineError`. */
  async runPipeline(definition: PipelineDefinition, options: PipelineStartOptions = {}): Promise<PipelineResult> {
    const handle = await this.startPipeline(definition, options);
    return this.pipelineResult(handle.workflowId);
  }

  async pipelineResult(workflowId: string): Promise<PipelineResult> {
    try {
      return await this.client.workflow.getHandle<typeof airbytePipeline>(workflowId).result();
    } catch (err) {
      if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure && err.cause.type?.startsWith('AirbytePipeline')) {
        throw new AirbytePipelineError(err.cause.message, err.cause.details?.[0] as PipelineResult | undefined, workflowId);
      }
      throw err;
    }
  }

  pipelineProgress(workflowId: string): Promise<PipelineProgress> {
    return this.client.workflow.getHandle(workflowId).query<PipelineProgress>('airbytePipelineProgress');
  }

  /** Cancels one step (its Airbyte job or dbt run); steps downstream of it are skipped. */
  async cancelPipelineStep(workflowId: string, stepId: string): Promise<StepStatus> {
    try {
      return await this.client.workflow.getHandle(workflowId).executeUpdate<StepStatus, [string]>('airbyteCancelStep', { args: [stepId] });
    } catch (err) {
      // The workflow's validator rejected it (unknown or finished step): say why, not just "Update failed".
      if (err instanceof WorkflowUpdateFailedError && err.cause) throw new AirbyteInputError(err.cause.message);
      throw err;
    }
  }

  /** Cancels every running step, skips the rest; the pipeline ends `cancelled`. */
  cancelPipeline(workflowId: string): Promise<PipelineProgress> {
    return this.client.workflow.getHandle(workflowId).executeUpdate<PipelineProgress, []>('airbyteCancelPipeline');
  }

  // --- Reconciler: jobs left running by ended workflows (terminate runs no workflow code) ---

  /**
   * Runs `airbyteReconcile` and returns its report: every live Airbyte job in scope, watched, orphaned or
   * unmanaged, and the ones it cancelled (orphaned ones; unmanaged too with `cancelUnmanaged`; none with `reportOnly`).
   */
  async reconcile(
    input: ReconcileInput = {},
    options: Partial<Omit<WorkflowStartOptions<typeof airbyteReconcile>, 'args'>> = {},
  ): Promise<ReconcileReport> {
    const check = checkReconcileInput(input);
    if (!check.ok) throw new AirbyteInputError(check.message);
    const { instance } = check.value;
    return this.client.workflow.execute<typeof airbyteReconcile>('airbyteReconcile', {
      taskQueue: this.taskQueue,
      // Two reconcilers at once are safe (each cancel re-checks), so every run gets its own id.
      workflowId: `airbyte-reconcile:${instance}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
      staticSummary: `reconcile Airbyte jobs of instance ${instance}${check.value.reportOnly ? ' (report only)' : ''}`,
      memo: { airbyteInstance: instance },
      ...options,
      args: [input],
    });
  }

  /** A Temporal Schedule that runs the reconciler (overlap SKIP by default); the input is checked now. */
  async scheduleReconcile(input: ReconcileInput, options: AirbyteScheduleOptions): Promise<ScheduleHandle> {
    const check = checkReconcileInput(input);
    if (!check.ok) throw new AirbyteInputError(check.message);
    const { instance } = check.value;
    return this.createSchedule(options, `airbyte-reconcile-schedule:${instance}`, {
      workflowType: 'airbyteReconcile',
      workflowId: `airbyte-reconcile:${instance}`,
      args: [input],
      staticSummary: `scheduled reconcile of Airbyte jobs of instance ${instance}${check.value.reportOnly ? ' (report only)' : ''}`,
      memo: { airbyteInstance: instance },
    });
  }
}

const KNOWN_TYPES = new Set<string>(Object.values(SyncFailureType));

function toSyncError(err: unknown, workflowId: string): unknown {
  if (!(err instanceof WorkflowFailedError) || !(err.cause instanceof ApplicationFailure)) return err;
  const failure = err.cause;
  if (!failure.type || !KNOWN_TYPES.has(failure.type)) return err;
  const result = failure.details?.[0] as SyncResult | undefined;
  return new AirbyteSyncError(failure.message, failure.type as SyncFailureType, result, workflowId);
}
