import type { Duration } from '@temporalio/common';
import { array, define, dynamic, object, optional, record, refine, string, unknown, type Struct } from 'superstruct';
import type { DbtRunInput } from '../../activities/dbt/types';
import { JOB_TYPES, type JobType } from '../../airbyte/job-status';
import { namePatternProblem } from '../../common/name-pattern';
import { bool, checkShape, duration, fmt, INSTANCE_MESSAGE, INSTANCE_NAME, matches, maxLength, notEmpty, num, oneOf, positiveMs, sized, str, UUID, whole } from '../validation';

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
  /**
   * How sync steps wait for their jobs. `child`: a `syncAndWait` child workflow each (its own UI row and history;
   * terminating the pipeline cancels them). `inline`: the pipeline waits on each connection's owner itself, one
   * workflow per sync instead of two (see INLINE_SYNCS_MIN_STEPS). Default: `child` up to 200 steps, `inline` above.
   */
  syncSteps?: 'child' | 'inline';
}

/**
 * A child sync tells its pipeline its job id as soon as it is known, so the progress shows it while the step runs;
 * each such signal costs the parent a workflow task (4 events). Pipelines of more steps than this do without: their
 * history then holds at most 9 events a step (start, started, ended and two tasks), under 10,000 for the largest
 * (1,000 steps) at any maxParallel, and a step's job id shows when it ends.
 */
export const LIVE_JOB_IDS_MAX_STEPS = 200;

/**
 * From this many steps on, a pipeline waits on each sync's owner itself instead of through a child `syncAndWait`
 * (the same input, timeout, cancellation and result): per sync one workflow, four workflow tasks and two signals
 * fewer, and at most 5 history events in the parent (the join's marker, the owner's signal and its task) where a
 * child costs 9. What such a pipeline gives up: a UI row per step (the owner's row shows the job), and terminating
 * it leaves its jobs running to their end (cancel it instead: its steps cancel their jobs).
 */
export const INLINE_SYNCS_MIN_STEPS = LIVE_JOB_IDS_MAX_STEPS + 1;

/**
 * Bounds of a definition, each sized to what Temporal and the pipeline workflow can hold. The workflow does not
 * continue-as-new and uses at most 5 history events per step from INLINE_SYNCS_MIN_STEPS steps on (9 for child syncs without
 * live job ids, 13 with them; fewer
 * when steps end together: test/pipeline-scale.test.ts): 1,000 steps stay under Temporal's warning at 10,240
 * events, and the retries' budget keeps the worst case under its hard limit of 51,200. The definition is the workflow's input (Temporal: 2 MB per payload) and comes back in its result.
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

const text = (max: number) => str(maxLength(max));
const nonEmpty = (max: number, ...more: ((s: string) => string | undefined)[]) => str(maxLength(max), notEmpty, ...more);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const stepPoll = refine(
  object({ initialInterval: optional(duration()), maxInterval: optional(duration()), latenessRatio: optional(num((n) => (n > 0 && n <= 10 ? undefined : 'must be a number above 0 and at most 10'))) }),
  'interval order',
  (p, ctx) =>
    p.initialInterval === undefined || p.maxInterval === undefined || (positiveMs(p.maxInterval) ?? 0) >= (positiveMs(p.initialInterval) ?? 0) || {
      path: [...(ctx.path as (string | number)[]), 'maxInterval'],
      message: 'must not be shorter than poll.initialInterval',
    },
);
const instance = str(matches(INSTANCE_NAME, INSTANCE_MESSAGE));
const jobType = oneOf(JOB_TYPES);
const KINDS = ['sync', 'dbt', 'activity', 'workflow', 'workspace'] as const;

/** The definition's struct under the given bounds (see checkPipeline's `bounded`). */
function definitionStructWithin(limits: Limits) {
  const list = <T>(item: Struct<T>) => sized(array(item), limits.list);
  const base = {
    kind: oneOf(KINDS),
    id: str(matches(/^[A-Za-z0-9][\w.-]*$/, 'must be letters, digits, "-", "_" or "." (and start with a letter or digit)'), maxLength(limits.stepId)),
    dependsOn: optional(list(text(limits.stepId))),
    retries: optional(whole(0, limits.retries)),
    retryDelay: optional(duration()),
  };
  // What an activity step and a workflow step pass on: arguments, upstream results, where to run.
  const callOut = { args: optional(array(unknown())), withUpstream: optional(bool()), taskQueue: optional(nonEmpty(limits.typeName)) };
  const byKind = {
    sync: refine(
      object({
        ...base,
        connectionId: optional(str(matches(UUID, 'must be an Airbyte connection id (a UUID)'))),
        connection: optional(nonEmpty(limits.text)),
        workspaceId: optional(text(limits.text)),
        instance: optional(instance),
        jobType: optional(jobType),
        poll: optional(stepPoll),
        timeout: optional(duration()),
        cancelOnTimeout: optional(bool()),
      }),
      'one connection',
      (s) => (s.connectionId === undefined) !== (s.connection === undefined) || 'give exactly one of connectionId and connection',
    ),
    dbt: object({
      ...base,
      command: oneOf(['build', 'run', 'test'] as const),
      projectDir: optional(nonEmpty(limits.path)),
      profilesDir: optional(nonEmpty(limits.path)),
      select: optional(list(nonEmpty(limits.text))),
      exclude: optional(list(nonEmpty(limits.text))),
      vars: optional(record(string(), unknown())),
      target: optional(nonEmpty(limits.text)),
      fullRefresh: optional(bool()),
      threads: optional(whole(1, limits.dbtThreads)),
      selectSyncedStreams: optional(str(maxLength(limits.text), (s) => (s.includes('{stream}') ? undefined : 'must contain {stream}'))),
      timeout: optional(duration()),
    }),
    activity: object({ ...base, ...callOut, activity: nonEmpty(limits.typeName), timeout: optional(duration()) }),
    workflow: object({ ...base, ...callOut, workflow: nonEmpty(limits.typeName) }),
    workspace: object({
      ...base,
      workspaceId: nonEmpty(limits.text),
      instance: optional(instance),
      namePattern: optional(str((pattern) => {
        const problem = namePatternProblem(pattern);
        return problem === undefined ? undefined : `not a valid pattern: ${problem}`;
      })),
      tags: optional(list(text(limits.text))),
      statuses: optional(list(text(limits.text))),
      jobType: optional(jobType),
      poll: optional(stepPoll),
      timeout: optional(duration()),
    }),
  };
  const badKind = define('kind', (_, ctx) => ({ path: [...(ctx.path as (string | number)[]), 'kind'], message: 'kind must be one of sync, dbt, activity, workflow, workspace' }));
  // The step's kind picks its struct, so a problem is told against the kind the user meant.
  const step = dynamic((value) => {
    const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
    const known = typeof kind === 'string' && Object.hasOwn(byKind, kind) ? byKind[kind as keyof typeof byKind] : undefined;
    return (known ?? badKind) as unknown as Struct<unknown, null>;
  });

  return object({
    name: nonEmpty(limits.name, (name) => (CONTROL.test(name) ? 'must not contain control characters' : undefined)),
    steps: sized(array(step), Number.POSITIVE_INFINITY, 1, 'a pipeline needs at least one step'),
    maxParallel: optional(whole(1, limits.maxParallel)),
    failurePolicy: optional(oneOf(['failFast', 'continue'] as const)),
    onFailure: optional(oneOf(['throw', 'return'] as const)),
    searchAttributes: optional(bool()),
    syncSteps: optional(oneOf(['child', 'inline'] as const)),
  });
}

const UNBOUNDED: Limits = Object.fromEntries(Object.keys(PIPELINE_LIMITS).map((key) => [key, Number.POSITIVE_INFINITY])) as unknown as Limits;
// Built on first use: a workflow that never checks a definition (a sync) pays nothing for it.
let boundedStruct: ReturnType<typeof definitionStructWithin> | undefined;
let unboundedStruct: ReturnType<typeof definitionStructWithin> | undefined;

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

  const struct = limits === PIPELINE_LIMITS ? (boundedStruct ??= definitionStructWithin(PIPELINE_LIMITS)) : (unboundedStruct ??= definitionStructWithin(UNBOUNDED));
  const checked = checkShape(input, struct);
  if (!checked.ok) {
    const problems = checked.problems.map((problem) => {
      const [first, index, ...rest] = problem.path;
      const stepId = first === 'steps' && typeof index === 'number' && Array.isArray(steps) ? (steps[index] as { id?: unknown } | undefined)?.id : undefined;
      const where =
        typeof stepId === 'string' ? `step ${quote(stepId)}${rest.length ? ` ${rest.map(String).join('.')}` : ''}` : problem.path.map(String).join('.') || 'pipeline';
      return `${where}: ${problem.message}`;
    });
    const shown = problems.slice(0, MAX_PROBLEMS).join('; ');
    return fail(problems.length > MAX_PROBLEMS ? `${shown}; and ${fmt(problems.length - MAX_PROBLEMS)} more problems` : shown);
  }
  const definition = checked.value as PipelineDefinition;
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
