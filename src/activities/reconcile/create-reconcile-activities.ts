import { Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { activityLogger, createAirbyteActivities } from '../create-activities';
import { withFailureMapping } from '../failures';
import { AirbyteInstances, DEFAULT_INSTANCE, type AirbyteInstancesInput } from '../instances';
import { classifyJob } from './classify-job';
import { listRunningJobs } from './list-running-jobs';
import type { ClassifiedJob, ClassifyJobsInput, ListRunningJobsInput, ReconcileCancelInput, ReconcileCancelResult, RunningJobs } from './types';

export const RECONCILE_NO_CLIENT_FAILURE = 'AirbyteReconcileNoClient';

/**
 * Builds the reconciler's activities: list the live Airbyte jobs, classify them against our workflows
 * (the Temporal client comes from the activity context), and cancel one after checking again.
 */
export function createReconcileActivities(instances: AirbyteInstances | AirbyteInstancesInput) {
  const registry = instances instanceof AirbyteInstances ? instances : new AirbyteInstances(instances, activityLogger);
  // The same cancel as syncAndWait's: it reads the job first and sends nothing for a job that has ended.
  const { airbyteCancelJob } = createAirbyteActivities(registry);

  return {
    airbyteListRunningJobs: withFailureMapping(async (input: ListRunningJobsInput): Promise<RunningJobs> => {
      const context = Context.current();
      const found = await listRunningJobs(registry.get(input.instance), input, () => context.heartbeat());
      log.info('listed running Airbyte jobs', { found: found.jobs.length, connectionsChecked: found.connectionsChecked, truncated: found.truncated });
      return found;
    }),

    airbyteClassifyJobs: withFailureMapping(async ({ instance = DEFAULT_INSTANCE, jobs }: ClassifyJobsInput): Promise<ClassifiedJob[]> => {
      const context = Context.current();
      const temporal = temporalClient();
      registry.get(instance); // an unknown instance fails here, before any Temporal call
      const classified: ClassifiedJob[] = [];
      for (const job of jobs) {
        classified.push(await classifyJob(temporal, instance, job));
        context.heartbeat();
      }
      return classified;
    }),

    /**
     * Cancels a job the reconciler found orphaned (or unmanaged, when asked), unless it changed since: a
     * workflow may have started watching it, or it may have ended and the cancel would hit the next job.
     */
    airbyteReconcileCancelJob: withFailureMapping(async ({ instance = DEFAULT_INSTANCE, job }: ReconcileCancelInput): Promise<ReconcileCancelResult> => {
      const { jobId, connectionId } = job;
      const now = await classifyJob(temporalClient(), instance, job);
      if (now.classification !== job.classification) {
        return { jobId, connectionId, cancelled: false, status: job.status, reason: `not cancelled: now ${now.classification}: ${now.reason}` };
      }
      const { job: after, cancelRequested } = await airbyteCancelJob({ instance, jobId });
      if (!cancelRequested) return { jobId, connectionId, cancelled: false, status: after.status, reason: `not cancelled: it had already ended ${after.status}` };
      log.info('reconciler cancelled Airbyte job', { jobId, connectionId, classification: job.classification });
      return { jobId, connectionId, cancelled: true, status: after.status, reason: `${job.classification}: ${job.reason}` };
    }),
  };
}

export type ReconcileActivities = ReturnType<typeof createReconcileActivities>;

function temporalClient(): Client {
  try {
    return Context.current().client;
  } catch {
    // A retry cannot help: the worker was built without a Temporal connection (e.g. a bare mock environment).
    throw ApplicationFailure.nonRetryable('the reconcile activities need the Temporal client of a worker with a connection', RECONCILE_NO_CLIENT_FAILURE);
  }
}
