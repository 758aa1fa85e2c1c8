import {
  ScheduleOverlapPolicy,
  isGrpcServiceError,
  ServiceError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type Client,
  type ScheduleHandle,
  type ScheduleSpec, type WorkflowHandleWithFirstExecutionRunId, type WorkflowStartOptions } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { TemporalUnreachableError } from './config/temporal-connection';
import { AirbyteInputError, pipelineStartOptions, syncStartOptions, syncWorkflowId } from './common/start-options';
import { checkJobSignal, type OwnerProgress } from './workflows/owner/protocol';
import { syncSummary } from './workflows/summaries';

export { AirbyteInputError, syncWorkflowId };
import type { airbytePipeline } from './workflows/pipeline/pipeline';
import { checkPipeline, type PipelineDefinition } from './workflows/pipeline/definition';
import type { PipelineProgress, PipelineResult, PipelineStepsPage, PipelineStepsRequest, StepStatus } from './workflows/pipeline/status';
import type { syncAndWait } from './workflows/sync-and-wait';
import { SyncFailureType } from './workflows/failure-types';
import { parseSyncInput, type SyncInput, type SyncResult } from './workflows/sync-input';
import type { SyncProgress } from './workflows/sync-and-wait';
import { DEFAULT_TASK_QUEUE } from './worker-defaults';
import type { airbyteReconcile } from './workflows/reconcile/reconcile';
import { checkReconcileInput, type ReconcileInput, type ReconcileReport } from './workflows/reconcile/input';

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

export type SyncStartOptions = Partial<Omit<WorkflowStartOptions<typeof syncAndWait>, 'args'>>;
export type PipelineStartOptions = Partial<Omit<WorkflowStartOptions<typeof airbytePipeline>, 'args'>>;

/** Typed helpers for services that start, watch and cancel Airbyte syncs. */
export interface AirbyteSyncClientOptions {
  /** Default: `airbyte` (DEFAULT_TASK_QUEUE). */
  taskQueue?: string;
  /**
   * Keep the Airbyte search attributes up to date on the syncs and pipelines this client starts, unless their
   * input says otherwise. Default false: the server must have them (see the README's "Watch it in the Temporal UI").
   */
  searchAttributes?: boolean;
}

export class AirbyteSyncClient {
  private readonly taskQueue: string;
  private readonly searchAttributes: boolean;

  constructor(
    private readonly client: Client,
    options: AirbyteSyncClientOptions = {},
  ) {
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
    this.searchAttributes = options.searchAttributes ?? false;
  }

  /** The input with this client's defaults: what is started, hashed and scheduled. */
  private withDefaults<T extends { searchAttributes?: boolean }>(input: T): T {
    if (!this.searchAttributes || typeof input !== 'object' || input === null || input.searchAttributes !== undefined) return input;
    return { ...input, searchAttributes: true };
  }

  /**
   * Starts `syncAndWait`. The connection's job is shared by every sync waiting on it (see `syncWorkflowId`
   * and the README's "Ownership"): two callers never start two jobs, and one caller's cancel never cancels
   * a job another still waits for.
   */
  async startSync(request: SyncInput, options: SyncStartOptions = {}): Promise<WorkflowHandleWithFirstExecutionRunId<typeof syncAndWait>> {
    const input = this.withDefaults(request);
    const check = parseSyncInput(input);
    if (!check.ok) throw new AirbyteInputError(check.message);
    return this.client.workflow
      .start<typeof syncAndWait>('syncAndWait', {
        taskQueue: this.taskQueue,
        ...syncStartOptions(input, check.value),
        ...options,
        args: [input],
      })
      .catch(rethrowTemporal);
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
    const progress = await this.client.workflow.getHandle(workflowId).query<SyncProgress>('airbyteSyncProgress').catch(rethrowTemporal);
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

  /**
   * Asks the owner of the sync's job to look at the job now (after a webhook your own system received, say)
   * instead of at its next scheduled check. A hint: the owner confirms with Airbyte. False when no job is
   * being watched.
   */
  async checkNow(workflowId: string): Promise<boolean> {
    const progress = await this.progress(workflowId);
    if (!progress.ownerWorkflowId || progress.jobId === undefined) return false;
    await this.client.workflow
      .getHandle(progress.ownerWorkflowId)
      .signal(checkJobSignal, { jobId: progress.jobId, source: 'manual' })
      .catch(rethrowTemporal);
    return true;
  }

  /** Cancels the workflow; it cancels its Airbyte job before it ends. */
  async cancel(workflowId: string): Promise<void> {
    await this.client.workflow.getHandle(workflowId).cancel().catch(rethrowTemporal);
  }

  /** A Temporal Schedule that runs `syncAndWait` for a connection; the input is checked now, not at the first run. */
  async scheduleSync(request: SyncInput, options: AirbyteScheduleOptions): Promise<ScheduleHandle> {
    const input = this.withDefaults(request);
    const check = parseSyncInput(input);
    if (!check.ok) throw new AirbyteInputError(check.message);
    const { connectionId, instance, jobType } = check.value;
    return this.createSchedule(options, `airbyte-sync-schedule:${instance}:${connectionId}`, {
      workflowType: 'syncAndWait',
      workflowId: `airbyte-sync:${instance}:${connectionId}:scheduled`,
      args: [input],
      staticSummary: `scheduled ${syncSummary(check.value)}`,
      memo: { airbyteInstance: instance, airbyteConnectionId: connectionId, airbyteJobType: jobType },
    });
  }

  /** A Temporal Schedule that runs a pipeline; the definition (graph included) is checked now. */
  async schedulePipeline(definition: PipelineDefinition, options: AirbyteScheduleOptions): Promise<ScheduleHandle> {
    const check = checkPipeline(this.withDefaults(definition));
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
    const check = checkPipeline(this.withDefaults(definition));
    if (!check.ok) throw new AirbyteInputError(check.message);
    return this.client.workflow
      .start<typeof airbytePipeline>('airbytePipeline', {
        taskQueue: this.taskQueue,
        ...pipelineStartOptions(check.value, Date.now().toString(36)),
        ...options,
        args: [check.value],
      })
      .catch(rethrowTemporal);
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
      if (err instanceof WorkflowFailedError && (err.cause instanceof TerminatedFailure || err.cause instanceof TimeoutFailure || err.cause instanceof CancelledFailure)) {
        throw new AirbytePipelineError(`pipeline ${workflowId} ended without an outcome: ${err.cause.message || 'terminated'}`, undefined, workflowId);
      }
      throw toTemporalError(err);
    }
  }

  pipelineProgress(workflowId: string): Promise<PipelineProgress> {
    return this.client.workflow.getHandle(workflowId).query<PipelineProgress>('airbytePipelineProgress').catch(rethrowTemporal);
  }

  /**
   * A page of a pipeline's steps with their full results (a sync step's SyncResult included), running or ended:
   * how the outcome of a pipeline too large for its result to list every step is read.
   */
  pipelineSteps(workflowId: string, request: PipelineStepsRequest = {}): Promise<PipelineStepsPage> {
    return this.client.workflow.getHandle(workflowId).query<PipelineStepsPage, [PipelineStepsRequest]>('airbytePipelineSteps', request).catch(rethrowTemporal);
  }

  /** Every step of a pipeline, page by page. */
  async *allPipelineSteps(workflowId: string, request: Omit<PipelineStepsRequest, 'offset'> = {}): AsyncGenerator<StepStatus> {
    for (let offset = 0; ; ) {
      const page = await this.pipelineSteps(workflowId, { ...request, offset });
      yield* page.steps;
      offset += page.steps.length;
      if (page.steps.length === 0 || offset >= page.total) return;
    }
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

/** A call that found the Temporal server unavailable (gRPC UNAVAILABLE) becomes a TemporalUnreachableError. */
export function toTemporalError(err: unknown): unknown {
  if (err instanceof ServiceError && isGrpcServiceError(err.cause) && Number(err.cause.code) === GRPC_UNAVAILABLE) {
    return new TemporalUnreachableError(`the Temporal server did not answer: ${err.message}`, { cause: err });
  }
  return err;
}

const GRPC_UNAVAILABLE = 14;

function rethrowTemporal(err: unknown): never {
  throw toTemporalError(err);
}

function toSyncError(err: unknown, workflowId: string): unknown {
  if (!(err instanceof WorkflowFailedError)) return toTemporalError(err);
  if (err.cause instanceof CancelledFailure) return new AirbyteSyncError(`sync ${workflowId} was cancelled`, SyncFailureType.Cancelled, undefined, workflowId);
  if (err.cause instanceof TerminatedFailure || err.cause instanceof TimeoutFailure) {
    return new AirbyteSyncError(`sync ${workflowId} ended without an outcome: ${err.cause.message || 'terminated'}`, SyncFailureType.Terminated, undefined, workflowId);
  }
  if (!(err.cause instanceof ApplicationFailure)) return err;
  const failure = err.cause;
  if (!failure.type || !KNOWN_TYPES.has(failure.type)) return err;
  const result = failure.details?.[0] as SyncResult | undefined;
  return new AirbyteSyncError(failure.message, failure.type as SyncFailureType, result, workflowId);
}
