import {
  ScheduleOverlapPolicy,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type Client,
  type ScheduleHandle,
  type ScheduleSpec, type WorkflowHandleWithFirstExecutionRunId, type WorkflowStartOptions } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdConflictPolicy } from '@temporalio/common';
import type { airbytePipeline } from './workflows/pipeline/pipeline';
import { checkPipeline, type PipelineDefinition } from './workflows/pipeline/definition';
import type { PipelineProgress, PipelineResult, StepStatus } from './workflows/pipeline/status';
import type { syncAndWait } from './workflows/sync-and-wait';
import { SyncFailureType } from './workflows/failure-types';
import { parseSyncInput, type SyncInput, type SyncResult } from './workflows/sync-input';
import type { SyncProgress } from './workflows/sync-and-wait';
import { DEFAULT_TASK_QUEUE } from './worker-defaults';

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

/** The workflow id of a connection's sync: one sync workflow per connection at a time. */
export function syncWorkflowId(connectionId: string, instance = 'default'): string {
  return `airbyte-sync:${instance}:${connectionId}`;
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
   * Starts `syncAndWait`, or returns the sync already running for this connection: the default workflow
   * id is per connection and a second start joins the first, so two callers never start two jobs.
   */
  async startSync(input: SyncInput, options: SyncStartOptions = {}): Promise<WorkflowHandleWithFirstExecutionRunId<typeof syncAndWait>> {
    const check = parseSyncInput(input);
    if (!check.ok) throw new AirbyteInputError(check.message);
    const { connectionId, instance, jobType } = check.value;
    return this.client.workflow.start<typeof syncAndWait>('syncAndWait', {
      taskQueue: this.taskQueue,
      workflowId: syncWorkflowId(connectionId, instance),
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

  progress(workflowId: string): Promise<SyncProgress> {
    return this.client.workflow.getHandle(workflowId).query<SyncProgress>('airbyteSyncProgress');
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
      workflowId: syncWorkflowId(connectionId, instance),
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
}

const KNOWN_TYPES = new Set<string>(Object.values(SyncFailureType));

function toSyncError(err: unknown, workflowId: string): unknown {
  if (!(err instanceof WorkflowFailedError) || !(err.cause instanceof ApplicationFailure)) return err;
  const failure = err.cause;
  if (!failure.type || !KNOWN_TYPES.has(failure.type)) return err;
  const result = failure.details?.[0] as SyncResult | undefined;
  return new AirbyteSyncError(failure.message, failure.type as SyncFailureType, result, workflowId);
}
