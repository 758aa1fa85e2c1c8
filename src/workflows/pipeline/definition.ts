import type { Duration } from '@temporalio/common';
import { z } from 'zod';
import type { DbtRunInput } from '../../activities/dbt/types';
import { JOB_TYPES, type JobType } from '../../airbyte/job-status';
import { durationSchema, pollSchema, UUID } from '../validation';

// A pipeline: named steps that depend on each other. Pure data (JSON/YAML-friendly) and pure checks, so the
// client can reject a bad definition before starting anything and the workflow can check it again.

export interface StepBase {
  /** Unique within the pipeline: letters, digits, `-`, `_`, `.`. */
  id: string;
  /** Steps that must succeed before this one starts. */
  dependsOn?: string[];
  /** Run the whole step again this many times after a failure (not after a cancel). Default 0. */
  retries?: number;
  /** Wait between those runs. Default 10s. */
  retryDelay?: Duration;
}

export interface SyncStep extends StepBase {
  kind: 'sync';
  /** The connection, by id ... */
  connectionId?: string;
  /** ... or by name, resolved at run time within `instance` (and `workspaceId`, if given). */
  connection?: string;
  workspaceId?: string;
  instance?: string;
  jobType?: JobType;
  poll?: { initialInterval?: Duration; maxInterval?: Duration; latenessRatio?: number };
  timeout?: Duration;
  cancelOnTimeout?: boolean;
}

/** dbt Core, run by the worker's `dbtRun` activity; the options are dbt's own (see DbtRunInput). */
export interface DbtStep extends StepBase, DbtRunInput {
  kind: 'dbt';
  /**
   * Also select by what upstream syncs moved: one selector per synced stream, `{stream}` replaced by its
   * name, e.g. `source:stripe.{stream}+`. With no stream synced, the step is skipped.
   */
  selectSyncedStreams?: string;
  /** Default 2h. */
  timeout?: Duration;
}

export interface ActivityStep extends StepBase {
  kind: 'activity';
  /** Name of any activity registered on the worker. */
  activity: string;
  args?: unknown[];
  /** Append `{ upstream: { <stepId>: <result> } }` (results of its dependencies) to the arguments. */
  withUpstream?: boolean;
  taskQueue?: string;
  /** Start-to-close timeout. Default 10m. */
  timeout?: Duration;
}

export interface WorkflowStep extends StepBase {
  kind: 'workflow';
  /** Any workflow type, run as a child. */
  workflow: string;
  args?: unknown[];
  withUpstream?: boolean;
  taskQueue?: string;
}

/** Every connection of a workspace matching a filter, each synced as its own step. */
export interface WorkspaceStep extends StepBase {
  kind: 'workspace';
  workspaceId: string;
  instance?: string;
  /** A regular expression the connection name must match. */
  namePattern?: string;
  /** Tag names; a connection needs at least one of them. */
  tags?: string[];
  /** Connection statuses to include. Default `['active']`. */
  statuses?: string[];
  jobType?: JobType;
  poll?: SyncStep['poll'];
  timeout?: Duration;
}

export type PipelineStep = SyncStep | DbtStep | ActivityStep | WorkflowStep | WorkspaceStep;

export interface PipelineDefinition {
  name: string;
  steps: PipelineStep[];
  /** At most this many steps run at once. Default 10. */
  maxParallel?: number;
  /** `failFast` (default): a failure cancels running steps. `continue`: run all that does not depend on a failure. */
  failurePolicy?: 'failFast' | 'continue';
  /** `throw` (default): a failed pipeline fails its workflow. `return`: the outcome is returned. */
  onFailure?: 'throw' | 'return';
  /** Set the Airbyte search attributes on the pipeline and its syncs (the server must know them). */
  searchAttributes?: boolean;
}

const base = {
  id: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, 'must be letters, digits, "-", "_" or "." (and start with a letter or digit)'),
  dependsOn: z.array(z.string()).optional(),
  retries: z.number().int().min(0).max(100).optional(),
  retryDelay: durationSchema.optional(),
};

const stepSchema = z.discriminatedUnion(
  'kind',
  [
    z
      .object({
        ...base,
        kind: z.literal('sync'),
        connectionId: z.string().regex(UUID, 'must be an Airbyte connection id (a UUID)').optional(),
        connection: z.string().min(1).optional(),
        workspaceId: z.string().optional(),
        instance: z.string().min(1).optional(),
        jobType: z.enum(JOB_TYPES).optional(),
        poll: pollSchema.optional(),
        timeout: durationSchema.optional(),
        cancelOnTimeout: z.boolean().optional(),
      })
      .strict()
      .refine((s) => (s.connectionId === undefined) !== (s.connection === undefined), 'give exactly one of connectionId and connection'),
    z
      .object({
        ...base,
        kind: z.literal('dbt'),
        command: z.enum(['build', 'run', 'test']),
        projectDir: z.string().min(1).optional(),
        profilesDir: z.string().min(1).optional(),
        select: z.array(z.string().min(1)).optional(),
        exclude: z.array(z.string().min(1)).optional(),
        vars: z.record(z.string(), z.unknown()).optional(),
        target: z.string().min(1).optional(),
        fullRefresh: z.boolean().optional(),
        threads: z.number().int().positive().optional(),
        selectSyncedStreams: z.string().includes('{stream}', { message: 'must contain {stream}' }).optional(),
        timeout: durationSchema.optional(),
      })
      .strict(),
    z
      .object({
        ...base,
        kind: z.literal('activity'),
        activity: z.string().min(1),
        args: z.array(z.unknown()).optional(),
        withUpstream: z.boolean().optional(),
        taskQueue: z.string().min(1).optional(),
        timeout: durationSchema.optional(),
      })
      .strict(),
    z
      .object({
        ...base,
        kind: z.literal('workflow'),
        workflow: z.string().min(1),
        args: z.array(z.unknown()).optional(),
        withUpstream: z.boolean().optional(),
        taskQueue: z.string().min(1).optional(),
      })
      .strict(),
    z
      .object({
        ...base,
        kind: z.literal('workspace'),
        workspaceId: z.string().min(1),
        instance: z.string().min(1).optional(),
        namePattern: z
          .string()
          .refine((p) => {
            try {
              new RegExp(p);
              return true;
            } catch {
              return false;
            }
          }, 'must be a valid regular expression')
          .optional(),
        tags: z.array(z.string()).optional(),
        statuses: z.array(z.string()).optional(),
        jobType: z.enum(JOB_TYPES).optional(),
        poll: pollSchema.optional(),
        timeout: durationSchema.optional(),
      })
      .strict(),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'kind must be one of sync, dbt, activity, workflow, workspace' : undefined) },
);

const definitionSchema = z
  .object({
    name: z.string().min(1),
    steps: z.array(stepSchema).min(1, 'a pipeline needs at least one step'),
    maxParallel: z.number().int().positive().max(1_000).optional(),
    failurePolicy: z.enum(['failFast', 'continue']).optional(),
    onFailure: z.enum(['throw', 'return']).optional(),
    searchAttributes: z.boolean().optional(),
  })
  .strict();

export type DefinitionCheck = { ok: true; value: PipelineDefinition } | { ok: false; message: string };

/** Shape, then graph: duplicate ids, unknown dependencies and cycles, each named. */
export function checkPipeline(input: unknown): DefinitionCheck {
  const parsed = definitionSchema.safeParse(input);
  if (!parsed.success) {
    const steps = (input as { steps?: { id?: unknown }[] } | undefined)?.steps;
    const problems = parsed.error.issues.map((issue) => {
      const [first, index, ...rest] = issue.path;
      const stepId = first === 'steps' && typeof index === 'number' ? steps?.[index]?.id : undefined;
      const where = typeof stepId === 'string' ? `step '${stepId}'${rest.length ? ` ${rest.join('.')}` : ''}` : issue.path.join('.') || 'pipeline';
      return `${where}: ${issue.message}`;
    });
    return { ok: false, message: `invalid pipeline: ${problems.join('; ')}` };
  }
  const definition = parsed.data as PipelineDefinition;
  const graphProblem = checkGraph(definition.steps);
  return graphProblem ? { ok: false, message: `invalid pipeline '${definition.name}': ${graphProblem}` } : { ok: true, value: definition };
}

function checkGraph(steps: PipelineStep[]): string | undefined {
  const ids = new Set<string>();
  for (const step of steps) {
    if (ids.has(step.id)) return `duplicate step id '${step.id}'`;
    ids.add(step.id);
  }
  for (const step of steps) {
    for (const dep of step.dependsOn ?? []) {
      if (!ids.has(dep)) return `step '${step.id}' depends on unknown step '${dep}'`;
      if (dep === step.id) return `step '${step.id}' depends on itself`;
    }
  }
  const cycle = findCycle(steps);
  return cycle ? `dependency cycle: ${cycle.join(' -> ')} (each step depends on the next)` : undefined;
}

/** Depth-first search; returns the cycle's path, first step repeated at the end. */
function findCycle(steps: PipelineStep[]): string[] | undefined {
  const deps = new Map(steps.map((s) => [s.id, s.dependsOn ?? []]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const dep of deps.get(id) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const step of steps) {
    const cycle = visit(step.id);
    if (cycle) return cycle;
  }
  return undefined;
}
