import type { Duration } from '@temporalio/common';
import { z } from 'zod';
import type { DbtRunInput } from '../../activities/dbt/types';
import { JOB_TYPES, type JobType } from '../../airbyte/job-status';
import { namePatternProblem } from '../../common/name-pattern';
import { durationSchema, INSTANCE_NAME, pollSchema, positiveMs, UUID } from '../validation';

// A pipeline: named steps that depend on each other. Pure data (JSON/YAML-friendly) and pure checks, so the
// client can reject a bad definition before starting anything and the workflow can check it again.

export interface StepBase {
  /** Unique within the pipeline: letters, digits, `-`, `_`, `.`; at most 200 characters. */
  id: string;
  /** Steps that must succeed before this one starts. */
  dependsOn?: string[];
  /** Run the whole step again this many times after a failure (not after a cancel). Default 0, at most 100. */
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
  /**
   * The connection names to take: a regular expression matched anywhere in the name (`-prod$`, `^stripe`,
   * `(?i)hubspot`), or `glob:` and a glob matched against the whole name (`glob:*-prod`). Matched in linear time:
   * back-references and lookaround are refused. See `compileNamePattern`.
   */
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
  /** At most 200 characters, no control characters: it goes into workflow ids and a search attribute. */
  name: string;
  steps: PipelineStep[];
  /** At most this many steps run at once. Default 10, at most 1,000. */
  maxParallel?: number;
  /** `failFast` (default): a failure cancels running steps. `continue`: run all that does not depend on a failure. */
  failurePolicy?: 'failFast' | 'continue';
  /** `throw` (default): a failed pipeline fails its workflow. `return`: the outcome is returned. */
  onFailure?: 'throw' | 'return';
  /** Set the Airbyte search attributes on the pipeline and its syncs (the server must know them). */
  searchAttributes?: boolean;
}

/**
 * Bounds of a definition, each sized to what Temporal and the pipeline workflow can hold. The workflow does not
 * continue-as-new and uses about 4.6 history events per step (test/pipeline-scale.test.ts): 1,000 steps stay
 * under Temporal's warning at 10,240 events, and the retries' budget keeps the worst case under its hard limit
 * of 51,200. The definition is the workflow's input (Temporal: 2 MB per payload) and comes back in its result.
 */
export const PIPELINE_LIMITS = {
  /** Steps in a definition (a workspace step counts as one here; its connections are added at run time). */
  steps: 1_000,
  /** Characters of a step id: child workflow ids are `<pipeline workflow id>/<step id>`, at most 1,000 in all. */
  stepId: 200,
  /** Characters of the pipeline name: it is in the workflow id, the schedule id and a Keyword search attribute. */
  name: 200,
  /** Characters of an activity or workflow type name and of a task queue (Temporal's limit). */
  typeName: 1_000,
  /** Characters of other texts: connection names, workspace ids, tags, statuses, dbt selectors and targets. */
  text: 1_000,
  /** Characters of a dbt project or profiles directory. */
  path: 4_096,
  /** Entries of a list: dependsOn, tags, statuses, select, exclude. */
  list: 1_000,
  /** Retries of one step. */
  retries: 100,
  /** Retries of all steps together: each retry adds up to ~12 history events (a timer and a new child). */
  totalRetries: 2_000,
  maxParallel: 1_000,
  dbtThreads: 1_000,
  /** UTF-8 bytes of the definition as JSON (Temporal refuses payloads over 2 MB; the result carries more). */
  definitionBytes: 1_048_576,
} as const;

type Limits = { readonly [K in keyof typeof PIPELINE_LIMITS]: number };

/** 1,000 rather than 1000 (no Intl: the same text in the client and the workflow sandbox). */
function fmt(n: number): string {
  const digits = String(n);
  if (!/^\d+$/.test(digits)) return digits;
  let out = '';
  for (let i = 0; i < digits.length; i++) out += (i > 0 && (digits.length - i) % 3 === 0 ? ',' : '') + digits[i];
  return out;
}
const text = (max: number) => z.string().max(max, `must be at most ${fmt(max)} characters`);
const nonEmpty = (max: number) => text(max).min(1, 'must not be empty');
const whole = (min: number, max: number) => z.number().int(`must be a whole number from ${fmt(min)} to ${fmt(max)}`).min(min, `must be a whole number from ${fmt(min)} to ${fmt(max)}`).max(max, `must be a whole number from ${fmt(min)} to ${fmt(max)}`);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const stepPoll = pollSchema.refine(
  (p) => p.initialInterval === undefined || p.maxInterval === undefined || (positiveMs(p.maxInterval) ?? 0) >= (positiveMs(p.initialInterval) ?? 0),
  { message: 'must not be shorter than poll.initialInterval', path: ['maxInterval'] },
);
const instance = z.string().regex(INSTANCE_NAME, 'must be an instance name: letters, digits, ".", "_" or "-", at most 100 characters');

/** The definition's schema under the given bounds (see checkPipeline's `bounded`). */
function definitionSchemaWithin(limits: Limits) {
  const list = <T extends z.ZodType>(item: T) => z.array(item).max(limits.list, `must have at most ${fmt(limits.list)} entries`);
  const base = {
    id: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]*$/, 'must be letters, digits, "-", "_" or "." (and start with a letter or digit)')
      .max(limits.stepId, `must be at most ${limits.stepId} characters`),
    dependsOn: list(text(limits.stepId)).optional(),
    retries: whole(0, limits.retries).optional(),
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
          connection: nonEmpty(limits.text).optional(),
          workspaceId: text(limits.text).optional(),
          instance: instance.optional(),
          jobType: z.enum(JOB_TYPES).optional(),
          poll: stepPoll.optional(),
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
          projectDir: nonEmpty(limits.path).optional(),
          profilesDir: nonEmpty(limits.path).optional(),
          select: list(nonEmpty(limits.text)).optional(),
          exclude: list(nonEmpty(limits.text)).optional(),
          vars: z.record(z.string(), z.unknown()).optional(),
          target: nonEmpty(limits.text).optional(),
          fullRefresh: z.boolean().optional(),
          threads: whole(1, limits.dbtThreads).optional(),
          selectSyncedStreams: text(limits.text).includes('{stream}', { message: 'must contain {stream}' }).optional(),
          timeout: durationSchema.optional(),
        })
        .strict(),
      z
        .object({
          ...base,
          kind: z.literal('activity'),
          activity: nonEmpty(limits.typeName),
          args: z.array(z.unknown()).optional(),
          withUpstream: z.boolean().optional(),
          taskQueue: nonEmpty(limits.typeName).optional(),
          timeout: durationSchema.optional(),
        })
        .strict(),
      z
        .object({
          ...base,
          kind: z.literal('workflow'),
          workflow: nonEmpty(limits.typeName),
          args: z.array(z.unknown()).optional(),
          withUpstream: z.boolean().optional(),
          taskQueue: nonEmpty(limits.typeName).optional(),
        })
        .strict(),
      z
        .object({
          ...base,
          kind: z.literal('workspace'),
          workspaceId: nonEmpty(limits.text),
          instance: instance.optional(),
          namePattern: z
            .string()
            .superRefine((pattern, ctx) => {
              const problem = namePatternProblem(pattern);
              if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `not a valid pattern: ${problem}` });
            })
            .optional(),
          tags: list(text(limits.text)).optional(),
          statuses: list(text(limits.text)).optional(),
          jobType: z.enum(JOB_TYPES).optional(),
          poll: stepPoll.optional(),
          timeout: durationSchema.optional(),
        })
        .strict(),
    ],
    { error: (issue) => (issue.code === 'invalid_union' ? 'kind must be one of sync, dbt, activity, workflow, workspace' : undefined) },
  );

  return z
    .object({
      name: nonEmpty(limits.name).refine((name) => !CONTROL.test(name), 'must not contain control characters'),
      steps: z.array(stepSchema).min(1, 'a pipeline needs at least one step'),
      maxParallel: whole(1, limits.maxParallel).optional(),
      failurePolicy: z.enum(['failFast', 'continue']).optional(),
      onFailure: z.enum(['throw', 'return']).optional(),
      searchAttributes: z.boolean().optional(),
    })
    .strict();
}

const UNBOUNDED: Limits = Object.fromEntries(Object.keys(PIPELINE_LIMITS).map((key) => [key, Number.POSITIVE_INFINITY])) as unknown as Limits;
const definitionSchema = definitionSchemaWithin(PIPELINE_LIMITS);
let unboundedSchema: ReturnType<typeof definitionSchemaWithin> | undefined;

export type DefinitionCheck = { ok: true; value: PipelineDefinition } | { ok: false; message: string };

/** Problems listed in one message, at most; the rest are counted. */
const MAX_PROBLEMS = 10;

/**
 * Shape and bounds, then graph: duplicate ids, unknown dependencies and cycles, each named with its field or step.
 * Runs in the client and again inside the workflow, so it never throws (whatever the input) and does no more than
 * linear work: a thrown error there would fail the workflow task over and over. `bounded: false` drops
 * PIPELINE_LIMITS (shape and graph stay): only for pipelines that started before the limits and replay with them.
 */
export function checkPipeline(input: unknown, { bounded = true }: { bounded?: boolean } = {}): DefinitionCheck {
  try {
    return checkDefinition(input, bounded ? PIPELINE_LIMITS : UNBOUNDED);
  } catch (err) {
    return { ok: false, message: `invalid pipeline: could not be checked: ${String((err as Error | undefined)?.message ?? err).slice(0, 200)}` };
  }
}

function checkDefinition(input: unknown, limits: Limits): DefinitionCheck {
  const fail = (problem: string): DefinitionCheck => ({ ok: false, message: `invalid pipeline: ${problem}` });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail('pipeline: must be an object with a name and steps');
  const steps: unknown = (input as { steps?: unknown }).steps;
  if (Array.isArray(steps) && steps.length > limits.steps) {
    return fail(`steps: at most ${fmt(limits.steps)} steps in one pipeline (it has ${fmt(steps.length)}); split it into several pipelines`);
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(input);
  } catch (err) {
    const reason = err instanceof RangeError ? 'nested too deeply' : String((err as Error).message).slice(0, 200);
    return fail(`pipeline: must be plain JSON data (${reason})`);
  }
  const bytes = utf8Length(json ?? '');
  if (bytes > limits.definitionBytes) {
    return fail(`pipeline: ${fmt(bytes)} bytes as JSON, more than ${fmt(limits.definitionBytes)} (look at args and vars)`);
  }

  const schema = limits === PIPELINE_LIMITS ? definitionSchema : (unboundedSchema ??= definitionSchemaWithin(UNBOUNDED));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const [first, index, ...rest] = issue.path;
      const stepId = first === 'steps' && typeof index === 'number' && Array.isArray(steps) ? (steps[index] as { id?: unknown } | undefined)?.id : undefined;
      const where =
        typeof stepId === 'string' ? `step ${quote(stepId)}${rest.length ? ` ${rest.map(String).join('.')}` : ''}` : issue.path.map(String).join('.') || 'pipeline';
      return `${where}: ${issue.message}`;
    });
    const shown = problems.slice(0, MAX_PROBLEMS).join('; ');
    return fail(problems.length > MAX_PROBLEMS ? `${shown}; and ${fmt(problems.length - MAX_PROBLEMS)} more problems` : shown);
  }
  const definition = parsed.data as PipelineDefinition;
  const retries = definition.steps.reduce((sum, step) => sum + (step.retries ?? 0), 0);
  if (retries > limits.totalRetries) {
    return fail(
      `steps: retries add up to ${fmt(retries)}, more than ${fmt(limits.totalRetries)} for the whole pipeline ` +
        '(each retry adds history events, and Temporal stops a workflow at 51,200): lower them or split the pipeline',
    );
  }
  const graphProblem = findGraphProblem(definition.steps);
  return graphProblem ? { ok: false, message: `invalid pipeline ${quote(definition.name)}: ${graphProblem}` } : { ok: true, value: definition };
}

/**
 * Duplicate ids, unknown or self dependencies, then cycles (named, `a -> c -> b -> a`). Iterative and linear in
 * steps plus dependencies: no recursion, so a chain or a cycle of any length cannot overflow the stack.
 */
export function findGraphProblem(steps: readonly { id: string; dependsOn?: readonly string[] }[]): string | undefined {
  const deps = new Map<string, readonly string[]>();
  for (const step of steps) {
    if (deps.has(step.id)) return `duplicate step id ${quote(step.id)}`;
    deps.set(step.id, step.dependsOn ?? []);
  }
  for (const step of steps) {
    for (const dep of step.dependsOn ?? []) {
      if (!deps.has(dep)) return `step ${quote(step.id)} depends on unknown step ${quote(dep)}`;
      if (dep === step.id) return `step ${quote(step.id)} depends on itself`;
    }
  }
  const cycle = findCycle(steps.map((s) => s.id), deps);
  return cycle ? `dependency cycle: ${describeCycle(cycle)} (each step depends on the next)` : undefined;
}

/** Depth-first search with an explicit stack; returns the cycle's path, first step repeated at the end. */
function findCycle(ids: readonly string[], deps: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  for (const root of ids) {
    if (state.has(root)) continue;
    const path = [root];
    const nextDep = [0];
    state.set(root, 'visiting');
    while (path.length > 0) {
      const top = path.length - 1;
      const id = path[top] as string;
      const list = deps.get(id) ?? [];
      const i = nextDep[top] as number;
      if (i < list.length) {
        nextDep[top] = i + 1;
        const dep = list[i] as string;
        const seen = state.get(dep);
        if (seen === 'visiting') return [...path.slice(path.lastIndexOf(dep)), dep];
        if (seen === undefined) {
          state.set(dep, 'visiting');
          path.push(dep);
          nextDep.push(0);
        }
      } else {
        state.set(id, 'done');
        path.pop();
        nextDep.pop();
      }
    }
  }
  return undefined;
}

/** A long cycle is shown by its start and its end, so the message stays readable (and small). */
function describeCycle(cycle: string[]): string {
  const quoted = cycle.map((id) => shorten(id));
  if (quoted.length <= 12) return quoted.join(' -> ');
  return [...quoted.slice(0, 8), `... ${fmt(quoted.length - 11)} more ...`, ...quoted.slice(-3)].join(' -> ');
}

const shorten = (value: string, max = 80) => (value.length > max ? `${value.slice(0, max)}...` : value);
const quote = (value: string) => `'${shorten(value)}'`;

/** UTF-8 length of a string, without TextEncoder (workflow code runs in Temporal's sandbox). */
function utf8Length(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
