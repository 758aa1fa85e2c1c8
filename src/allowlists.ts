import { ApplicationFailure } from '@temporalio/common';
import { SimplePlugin } from '@temporalio/plugin';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { DbtActivityOptions } from './activities/dbt';

/** A pipeline `activity` step named an activity that is not in the worker's allowedActivities. */
export const ACTIVITY_NOT_ALLOWED = 'AirbyteActivityNotAllowed';
/** A pipeline `workflow` step named a workflow type that is not in the worker's allowedWorkflows. */
export const WORKFLOW_NOT_ALLOWED = 'AirbyteWorkflowNotAllowed';

const PIPELINE_WORKFLOW_TYPE = 'airbytePipeline';
/**
 * What the pipeline engine schedules by itself (connection lookups, dbt steps, the workflow-step check): never
 * refused. Every other activity an `airbytePipeline` run schedules comes from an `activity` step, including
 * this package's own activities (a step calling `airbyteCancelJob` would bypass the job owner).
 */
const PIPELINE_ENGINE_ACTIVITIES: ReadonlySet<string> = new Set(['airbyteFindConnection', 'airbyteListConnections', 'dbtRun', 'airbyteCheckWorkflowStep']);

/**
 * Whoever can start a workflow on the task queue can otherwise make a pipeline run any activity registered on
 * the worker (with any arguments), start any workflow type, and run dbt in any project on the worker's disk.
 * Each list bounds one of these; unset, that kind of step may do anything.
 */
export interface AirbyteAllowlists {
  /** Activities a pipeline `activity` step may call. */
  allowedActivities?: readonly string[];
  /** Workflow types a pipeline `workflow` step may start. */
  allowedWorkflows?: readonly string[];
  /** Project dirs a `dbt` step may run in, besides the dbt options' `projectDir` (see DbtActivityOptions.allowedProjects). */
  allowedDbtProjects?: readonly string[];
}

export interface AirbyteWorkflowStepCheck {
  workflowType: string;
}

/** The activity a pipeline's `workflow` step asks (as a local activity) before it starts its child. */
export function createAllowlistActivities(allowlists: Pick<AirbyteAllowlists, 'allowedWorkflows'> = {}) {
  const allowed = nameSet('allowedWorkflows', allowlists.allowedWorkflows);
  return {
    airbyteCheckWorkflowStep(input: AirbyteWorkflowStepCheck): Promise<void> {
      if (allowed && !allowed.has(input.workflowType)) {
        return Promise.reject(
          ApplicationFailure.nonRetryable(
            `workflow type '${input.workflowType}' may not be started by a pipeline step on this worker: it is not in the worker's allowedWorkflows`,
            WORKFLOW_NOT_ALLOWED,
          ),
        );
      }
      return Promise.resolve();
    },
  };
}

export type AllowlistActivities = ReturnType<typeof createAllowlistActivities>;

/**
 * A worker interceptor that refuses, with a non-retryable AirbyteActivityNotAllowed failure naming it, any
 * activity an `airbytePipeline` run schedules that is neither the engine's own nor in `allowedActivities`.
 * Activities your own workflows schedule are not affected. Undefined when there is no list.
 */
export function allowlistActivityInterceptor(allowlists: Pick<AirbyteAllowlists, 'allowedActivities'>): ActivityInterceptorsFactory | undefined {
  const allowed = nameSet('allowedActivities', allowlists.allowedActivities);
  if (!allowed) return undefined;
  return (ctx) => ({
    inbound: {
      execute: (input, next) => {
        const { activityType, workflowType } = ctx.info;
        if (workflowType === PIPELINE_WORKFLOW_TYPE && !PIPELINE_ENGINE_ACTIVITIES.has(activityType) && !allowed.has(activityType)) {
          ctx.log.warn('refused a pipeline activity step: not in allowedActivities', { activityType, workflowId: ctx.info.workflowExecution?.workflowId });
          return Promise.reject(
            ApplicationFailure.nonRetryable(
              `activity '${activityType}' may not be called by a pipeline step on this worker: it is not in the worker's allowedActivities`,
              ACTIVITY_NOT_ALLOWED,
            ),
          );
        }
        return next(input);
      },
    },
  });
}

/**
 * The allowlists alone (activity and workflow steps), for a worker that registers our activities another way;
 * AirbytePlugin includes them. Bound dbt projects with the dbt options' `allowedProjects` there.
 */
export class AirbyteAllowlistPlugin extends SimplePlugin {
  constructor(allowlists: Pick<AirbyteAllowlists, 'allowedActivities' | 'allowedWorkflows'>) {
    const interceptor = allowlistActivityInterceptor(allowlists);
    super({
      name: 'temporal-airbyte-allowlists',
      activities: createAllowlistActivities(allowlists),
      ...(interceptor ? { workerInterceptors: { activity: [interceptor] } } : {}),
    });
  }
}

/** The dbt options with `allowedDbtProjects` added to their own `allowedProjects`. */
export function withAllowedProjects(dbt: DbtActivityOptions = {}, allowedDbtProjects?: readonly string[]): DbtActivityOptions {
  if (allowedDbtProjects === undefined) return dbt;
  nameSet('allowedDbtProjects', allowedDbtProjects);
  return { ...dbt, allowedProjects: [...(dbt.allowedProjects ?? []), ...allowedDbtProjects] };
}

function nameSet(option: string, names: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n.trim() !== '')) {
    throw new Error(`${option} must be an array of non-empty names, got ${JSON.stringify(names)}`);
  }
  return new Set(names);
}
