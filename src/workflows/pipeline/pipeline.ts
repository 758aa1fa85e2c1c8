import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowFailure,
} from '@temporalio/workflow';
import type { AirbyteActivities } from '../../activities';
import { innermostMessage } from '../failure-message';
import { PipelineFailureType } from '../failure-types';
import { AirbyteSearchAttributes } from '../search-attributes';
import { syncJobStartedSignal } from '../signals';
import type { SyncResult } from '../sync-input';
import { isJobEnded, jobEndedSignal } from '../owner/protocol';
import { checkPipeline, INLINE_SYNCS_MIN_STEPS, LIVE_JOB_IDS_MAX_STEPS, PIPELINE_LIMITS, type PipelineDefinition, type PipelineStep, type WorkspaceStep } from './definition';
import { createInlineSyncs } from './inline-syncs';
import { runStep, type StepOutcome } from './run-step';
import {
  cancelPipelineUpdate,
  cancelStepUpdate,
  pipelineDetails,
  pipelineProgressQuery,
  pipelineStepsQuery,
  resultSteps,
  stepsPage,
  totalsOf,
  type PipelineProgress,
  type PipelineResult,
  type StepState,
  type StepStatus,
} from './status';

interface Step {
  def: PipelineStep;
  status: StepStatus;
  scope?: CancellationScope;
}

const ENDED: ReadonlySet<StepState> = new Set(['succeeded', 'failed', 'skipped', 'cancelled']);
const BLOCKING: ReadonlySet<StepState> = new Set(['failed', 'skipped', 'cancelled']);

const PIPELINE_LIMITS_PATCH = 'airbyte-pipeline-limits';

/** Wide pipelines started by earlier releases replay with their children's job-started signals (see LIVE_JOB_IDS_MAX_STEPS). */
const WIDE_PIPELINE_PATCH = 'airbyte-wide-pipeline-no-job-signals';

/** Wide pipelines started by earlier releases replay with a child workflow per sync step (see INLINE_SYNCS_MIN_STEPS). */
const INLINE_SYNCS_PATCH = 'airbyte-wide-pipeline-inline-syncs';

/** Wide pipelines from this release on keep an owner's word that comes before its step waits, and pace their joins (see createInlineSyncs). */
const INLINE_SYNCS_LEAN_PATCH = 'airbyte-wide-pipeline-early-words';

/** Wide pipelines from this release on join owners by signal: a task of joins is not held open by the owners' tasks. */
const INLINE_SIGNAL_JOINS_PATCH = 'airbyte-wide-pipeline-signal-joins';

const listing = proxyActivities<AirbyteActivities>({
  startToCloseTimeout: '5m',
  retry: { initialInterval: '2s', maximumInterval: '1m' },
  summary: 'list a workspace\'s connections',
});

/**
 * Runs a pipeline of Airbyte syncs, dbt runs, activities and child workflows as one durable workflow.
 * A step starts as soon as everything it depends on has succeeded (no waves), at most `maxParallel` at a
 * time; each sync is a child `syncAndWait` with its own history, UI row and cancellation, or in a wide pipeline
 * waits on the connection's owner here (see INLINE_SYNCS_MIN_STEPS).
 */
export async function airbytePipeline(definition: PipelineDefinition): Promise<PipelineResult> {
  // Pipelines started before PIPELINE_LIMITS existed keep running without them (replay); new ones get the bounds.
  let check = checkPipeline(definition);
  if (!check.ok && !patched(PIPELINE_LIMITS_PATCH)) check = checkPipeline(definition, { bounded: false });
  if (!check.ok) throw ApplicationFailure.nonRetryable(check.message, PipelineFailureType.InvalidDefinition);
  const def = check.value;
  const maxParallel = def.maxParallel ?? 10;
  const failFast = (def.failurePolicy ?? 'failFast') === 'failFast';
  const startedAt = Date.now();

  const steps = new Map<string, Step>();
  const members = new Map<string, string[]>();
  const childToStep = new Map<string, Step>();
  for (const s of def.steps) steps.set(s.id, { def: s, status: newStatus(s) });
  const statuses = () => [...steps.values()].map((s) => s.status);
  const progress = (): PipelineProgress => ({ name: def.name, steps: statuses(), totals: totalsOf(statuses()) });

  let changed = false;
  // The owners' last words for inline sync steps (wide pipelines), and the pace of their joins.
  let inlineLean = false;
  let inlineBySignal = false;
  const inline = createInlineSyncs(workflowInfo().workflowId, () => inlineLean, () => inlineBySignal);
  /** Decided with liveJobIds. */
  let inlineSyncs = false;
  let stopping: { reason: string; as: 'skipped' | 'cancelled' } | undefined;
  /** Decided once the workspace steps are expanded (the step count is final then). */
  let liveJobIds = true;

  const stop = (reason: string, as: 'skipped' | 'cancelled') => {
    stopping ??= { reason, as };
    for (const s of steps.values()) {
      if (s.status.state === 'running') {
        s.status.reason ??= reason;
        s.scope?.cancel();
      }
    }
    changed = true;
  };

  const describe = () => setCurrentDetails(pipelineDetails(def.name, statuses()));

  setHandler(pipelineProgressQuery, progress);
  setHandler(pipelineStepsQuery, (request) => stepsPage(statuses(), request));
  setHandler(syncJobStartedSignal, (started) => {
    // Anyone can signal: a malformed payload is ignored, never allowed to fail the workflow task.
    if (typeof started !== 'object' || started === null || typeof started.workflowId !== 'string' || typeof started.jobId !== 'number') return;
    const { workflowId, jobId } = started;
    const step = childToStep.get(workflowId);
    if (step) step.status.jobId = jobId;
    describe();
  });
  setHandler(jobEndedSignal, (ended) => {
    // Anyone can signal: only a well-formed word for one of this pipeline's inline steps counts, and only the first.
    if (!isJobEnded(ended) || typeof ended.waiterId !== 'string') return;
    const { waiterId, ...word } = ended;
    inline.settle(waiterId, word);
  });
  setHandler(
    cancelStepUpdate,
    (id) => {
      const step = steps.get(id) as Step;
      step.status.reason ??= 'cancelled by request';
      if (step.status.state === 'pending') step.status.state = 'cancelled';
      step.scope?.cancel();
      changed = true;
      return step.status;
    },
    {
      validator: (id: string) => {
        if (typeof id !== 'string') throw new Error('the step id must be a string');
        const step = steps.get(id);
        if (!step) throw new Error(`unknown step '${id}'`);
        if (ENDED.has(step.status.state)) throw new Error(`step '${id}' already ended ${step.status.state}`);
      },
    },
  );
  setHandler(cancelPipelineUpdate, () => {
    stop('pipeline cancelled by request', 'cancelled');
    return progress();
  });

  const launch = (step: Step) => {
    const { status } = step;
    status.state = 'running';
    status.startedAt = new Date().toISOString();
    step.scope = new CancellationScope();
    const ctx = {
      statuses: new Map([...steps].map(([id, s]) => [id, s.status])),
      attempt: 1,
      onChildStarted: (workflowId: string) => childToStep.set(workflowId, step),
      members: (id: string) => members.get(id) ?? [],
      searchAttributes: def.searchAttributes ?? false,
      liveJobIds,
      inline: inlineSyncs ? inline : undefined,
    };
    const runWithRetries = async (): Promise<StepOutcome> => {
      for (;;) {
        status.attempts = ctx.attempt;
        try {
          return await runStep(step.def, status, ctx);
        } catch (err) {
          if (isCancellation(err) || ctx.attempt > (step.def.retries ?? 0)) throw err;
          status.error = innermostMessage(err);
          await sleep(step.def.retryDelay ?? '10s');
          ctx.attempt++;
        }
      }
    };
    void step.scope
      .run(runWithRetries)
      .then(
        (outcome) => {
          if ('skipped' in outcome) {
            status.state = 'skipped';
            status.reason = outcome.skipped;
          } else {
            status.state = 'succeeded';
            status.error = undefined;
            status.result = outcome.result;
            applySyncFigures(status, outcome.result);
          }
        },
        (err: unknown) => {
          if (isCancellation(err)) {
            status.state = 'cancelled';
            status.reason ??= 'cancelled';
            return;
          }
          status.state = 'failed';
          status.error = innermostMessage(err);
          applySyncFigures(status, syncResultOf(err));
          if (failFast) stop(`pipeline stopped: step '${status.id}' failed`, 'skipped');
        },
      )
      .finally(() => {
        status.endedAt = new Date().toISOString();
        changed = true;
        describe();
      });
  };

  /** Marks pending steps that can no longer run; repeats until nothing changes, so chains settle at once. */
  const settle = () => {
    for (let again = true; again; ) {
      again = false;
      for (const { status } of steps.values()) {
        if (status.state !== 'pending') continue;
        const blocker = status.dependsOn.find((id) => BLOCKING.has(steps.get(id)?.status.state as StepState));
        if (stopping || blocker) {
          status.state = stopping && !blocker ? stopping.as : 'skipped';
          status.reason = blocker ? `upstream step '${blocker}' ${steps.get(blocker)?.status.state}` : stopping?.reason;
          again = true;
        }
      }
    }
  };

  const startReady = () => {
    let running = statuses().filter((s) => s.state === 'running').length;
    for (const step of steps.values()) {
      if (running >= maxParallel) return;
      const ready = step.status.state === 'pending' && step.status.dependsOn.every((id) => steps.get(id)?.status.state === 'succeeded');
      if (ready) {
        launch(step);
        running++;
      }
    }
  };

  if (def.searchAttributes) upsertSearchAttributes([{ key: AirbyteSearchAttributes.pipeline, value: def.name }]);
  try {
    await expandWorkspaces(def.steps.filter((s): s is WorkspaceStep => s.kind === 'workspace'), steps, members);
    liveJobIds = steps.size <= LIVE_JOB_IDS_MAX_STEPS || !patched(WIDE_PIPELINE_PATCH);
    inlineSyncs = (def.syncSteps ?? (steps.size >= INLINE_SYNCS_MIN_STEPS ? 'inline' : 'child')) === 'inline' && patched(INLINE_SYNCS_PATCH);
    inlineLean = inlineSyncs && patched(INLINE_SYNCS_LEAN_PATCH);
    inlineBySignal = inlineLean && patched(INLINE_SIGNAL_JOINS_PATCH);
    describe();
    for (;;) {
      settle();
      startReady();
      if (statuses().every((s) => ENDED.has(s.state))) break;
      changed = false;
      await condition(() => changed);
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The workflow itself was cancelled: every step's scope is cancelled with it. Wait until the children
    // and activities have cancelled their Airbyte jobs and dbt processes, then end as cancelled.
    stop('the pipeline workflow was cancelled', 'cancelled');
    await CancellationScope.nonCancellable(() => condition(() => statuses().every((s) => s.state !== 'running')));
    settle();
    describe();
    throw err;
  }

  const result: PipelineResult = {
    name: def.name,
    status: stopping?.as === 'cancelled' ? 'cancelled' : statuses().some((s) => s.state === 'failed') ? 'failed' : statuses().some((s) => s.state === 'cancelled') ? 'cancelled' : 'succeeded',
    startedAt: new Date(startedAt).toISOString(),
    endedAt: new Date().toISOString(),
    durationMs: Date.now() - startedAt,
    ...resultSteps(statuses()),
    totals: totalsOf(statuses()),
  };
  describe();
  if (result.status === 'succeeded' || def.onFailure === 'return') return result;
  // The message names ten failed steps at most: the result lists them, and a large fan-out can fail thousands.
  const failed = statuses().filter((s) => s.state === 'failed');
  const named = failed.slice(0, 10).map((s) => `step '${s.id}' failed: ${s.error}`);
  if (failed.length > named.length) named.push(`and ${failed.length - named.length} more failed steps`);
  const message = `pipeline '${def.name}' ${result.status}${named.length ? `: ${named.join('; ')}` : ''}`;
  throw ApplicationFailure.nonRetryable(message, result.status === 'failed' ? PipelineFailureType.Failed : PipelineFailureType.Cancelled, result);
}

/** Each `workspace` step becomes one sync step per matching connection, and itself waits for them all. */
async function expandWorkspaces(workspaceSteps: WorkspaceStep[], steps: Map<string, Step>, members: Map<string, string[]>): Promise<void> {
  for (const ws of workspaceSteps) {
    const connections = await listing.airbyteListConnections({
      instance: ws.instance,
      workspaceIds: [ws.workspaceId],
      namePattern: ws.namePattern,
      tags: ws.tags,
      statuses: ws.statuses ?? ['active'],
    });
    const ids: string[] = [];
    // Pipelines started before these bounds replay as they ran.
    const bounded = patched('airbyte-bounded-workspace-steps');
    if (bounded && steps.size + connections.length > PIPELINE_LIMITS.steps) {
      // The same bound as a definition's: one history must hold every step.
      throw ApplicationFailure.nonRetryable(
        `workspace step '${ws.id}' matches ${connections.length} connections: with the other steps that is more than ${PIPELINE_LIMITS.steps}; narrow namePattern, tags or statuses`,
        PipelineFailureType.InvalidDefinition,
      );
    }
    for (const c of connections) {
      // Connection names can be long: keep step ids (and the child workflow ids built from them) bounded.
      const name = c.name.replace(/[^\w.-]+/g, '-');
      const base = `${ws.id}.${bounded ? name.slice(0, 100) : name}`;
      let id = base;
      for (let n = 2; steps.has(id); n++) id = `${base}-${n}`;
      const def: PipelineStep = {
        kind: 'sync',
        id,
        dependsOn: ws.dependsOn,
        connectionId: c.connectionId,
        instance: ws.instance,
        jobType: ws.jobType,
        poll: ws.poll,
        timeout: ws.timeout,
        retries: ws.retries,
        retryDelay: ws.retryDelay,
      };
      steps.set(id, { def, status: { ...newStatus(def), group: ws.id } });
      ids.push(id);
    }
    members.set(ws.id, ids);
    const gate = steps.get(ws.id) as Step;
    gate.status.dependsOn = [...(ws.dependsOn ?? []), ...ids];
  }
}

function newStatus(step: PipelineStep): StepStatus {
  return {
    id: step.id,
    kind: step.kind,
    state: 'pending',
    dependsOn: [...(step.dependsOn ?? [])],
    attempts: 0,
    connectionId: step.kind === 'sync' ? step.connectionId : undefined,
  };
}

function applySyncFigures(status: StepStatus, result: unknown): void {
  if (status.kind !== 'sync' || !result || typeof result !== 'object') return;
  const r = result as Partial<SyncResult>;
  status.jobId = r.jobId ?? status.jobId;
  status.rowsSynced = r.rowsSynced;
  status.bytesSynced = r.bytesSynced;
}

/** A failed sync carries its SyncResult as the failure's details (a child's failure, or an inline step's own). */
function syncResultOf(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err.details?.[0];
  const cause = (err as ChildWorkflowFailure).cause as { details?: unknown[] } | undefined;
  return cause?.details?.[0];
}
