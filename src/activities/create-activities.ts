import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { AirbyteApiError, jobWebUrl, type AirbyteClient, type AirbyteConnection, type AirbyteLogger, type JobDetails } from '../airbyte';
import { compileNamePattern } from '../common/name-pattern';
import { withFailureMapping } from './failures';
import { AirbyteInstances, type AirbyteInstancesInput } from './instances';
import { createJobOnce } from './owner/create-job';
import { findJobs } from './owner/find-job';
import { joinJobOwner } from './owner/join-owner';
import type { CreateJobInput, CreateJobOutcome, FindJobInput, FoundJobs, JoinOwnerInput, JoinReply } from './owner/types';
import { withHeartbeat } from './heartbeat';
import { toSnapshot } from './snapshot';
import { triggerJob } from './trigger-job';
import type {
  CancelJobResult,
  CheckedJob,
  ConnectionRef,
  ConnectionSummary,
  FindConnectionInput,
  GetJobInput,
  ListConnectionsInput,
  JobRef,
  JobReport,
  JobReportInput,
  JobSnapshot,
  ListJobsInput,
  TriggerJobInput,
  TriggerJobResult,
} from './types';
import { cancellationSignal, listing } from './cancellation';

/** Routes the Airbyte client's request log to the current activity's logger. */
export const activityLogger: AirbyteLogger = {
  debug: (message, meta) => {
    log.debug(message, meta);
  },
  warn: (message, meta) => {
    log.warn(message, meta);
  },
};

/**
 * Builds the Airbyte activities for a worker. Each makes one Airbyte call (cancel checks the job first),
 * throws classified failures, and leaves retrying to the workflow's retry policy.
 */
export function createAirbyteActivities(instances: AirbyteInstances | AirbyteInstancesInput) {
  const registry = instances instanceof AirbyteInstances ? instances : new AirbyteInstances(instances, activityLogger);

  return {
    /** One `POST /jobs`, its answer classified (never retried by Temporal: see createJobOnce). */
    airbyteCreateJob: withFailureMapping(async (input: CreateJobInput): Promise<CreateJobOutcome> => {
      const outcome = await createJobOnce(registry.get(input.instance), input);
      if (outcome.kind === 'created') log.info('created Airbyte job', { jobId: outcome.job.jobId, connectionId: input.connectionId });
      return outcome;
    }),

    airbyteFindJobs: withFailureMapping(async (input: FindJobInput): Promise<FoundJobs> => findJobs(registry.get(input.instance), input)),

    airbyteJoinJobOwner: (input: JoinOwnerInput): Promise<JoinReply> => withHeartbeat(() => joinJobOwner(input)),

    /** Kept for workflows started by earlier releases (they replay with it); new code uses the owner workflow. */
    airbyteTriggerJob: withFailureMapping(async (input: TriggerJobInput): Promise<TriggerJobResult> => {
      const { attempt, scheduledTimestampMs } = Context.current().info;
      const result = await triggerJob(registry.get(input.instance), input, { attempt, firstScheduledAt: scheduledTimestampMs });
      log.info(result.attached ? 'attached to running Airbyte job' : 'created Airbyte job', {
        jobId: result.job.jobId,
        connectionId: input.connectionId,
        attachReason: result.attachReason,
      });
      return result;
    }),

    airbyteGetJob: withFailureMapping(async ({ instance, jobId, report, likelyEnded }: GetJobInput): Promise<CheckedJob> => {
      const client = registry.get(instance);
      if (report && likelyEnded) {
        const both = await jobWithReport(client, instance, jobId, report);
        if (both) return both;
      }
      const job = toSnapshot(await client.getJob(jobId));
      if (!report || !job.terminal) return job;
      try {
        return { ...job, report: await jobReport(client, instance, jobId, report.connectionId, report.workspaceId) };
      } catch (err) {
        // A report that may come on a retry is worth two more tries of this (idempotent) activity; then the job stands alone.
        if (Context.current().info.attempt < REPORT_ATTEMPTS) throw err;
        log.warn('job report unavailable', { jobId, reason: err instanceof Error ? err.message : String(err) });
        return { ...job, report: null };
      }
    }),

    airbyteCancelJob: withFailureMapping(async ({ instance, jobId }: JobRef): Promise<CancelJobResult> => {
      const client = registry.get(instance);
      const current = toSnapshot(await client.getJob(jobId));
      // Cancelling a finished job would at best be a no-op and at worst hit the connection's next job.
      if (current.terminal) return { job: current, cancelRequested: false };
      return { job: toSnapshot(await client.cancelJob(jobId)), cancelRequested: true };
    }),

    airbyteListJobs: withFailureMapping(async ({ instance, filter, max = 100 }: ListJobsInput): Promise<JobSnapshot[]> => {
      const jobs: JobSnapshot[] = [];
      for await (const job of registry.get(instance).iterateJobs(filter, { max, signal: cancellationSignal() })) jobs.push(toSnapshot(job));
      return jobs;
    }),

    airbyteGetConnection: withFailureMapping(async ({ instance, connectionId }: ConnectionRef): Promise<ConnectionSummary> => {
      return summarize(await registry.get(instance).getConnection(connectionId));
    }),

    /** A connection by its exact name: pipelines may name connections instead of using ids. */
    airbyteFindConnection: withFailureMapping(async ({ instance, name, workspaceId }: FindConnectionInput): Promise<ConnectionSummary> => {
      const matches: AirbyteConnection[] = [];
      for await (const c of registry.get(instance).iterateConnections({ workspaceIds: workspaceId ? [workspaceId] : undefined }, listing())) {
        if (c.name === name) matches.push(c);
      }
      const where = `in Airbyte instance '${instance ?? 'default'}'${workspaceId ? ` workspace ${workspaceId}` : ''}`;
      if (matches.length === 0) throw ApplicationFailure.nonRetryable(`no connection named '${name}' ${where}`, 'AirbyteConnectionNotFound');
      if (matches.length > 1) {
        const ids = matches.map((c) => c.connectionId).join(', ');
        throw ApplicationFailure.nonRetryable(`${matches.length} connections are named '${name}' ${where} (${ids}); use connectionId`, 'AirbyteConnectionAmbiguous');
      }
      return summarize(matches[0] as AirbyteConnection);
    }),

    /** Connections of workspaces, filtered by name pattern, tags and status, in Airbyte's order. */
    airbyteListConnections: withFailureMapping(async (input: ListConnectionsInput): Promise<ConnectionSummary[]> => {
      // Linear-time matching (no RegExp): no pattern can stall the worker. Checked again here for direct callers.
      let pattern: ReturnType<typeof compileNamePattern> | undefined;
      try {
        pattern = input.namePattern === undefined ? undefined : compileNamePattern(input.namePattern);
      } catch (err) {
        throw ApplicationFailure.nonRetryable(`namePattern: ${(err as Error).message}`, 'AirbyteInvalidInput');
      }
      const found: ConnectionSummary[] = [];
      for await (const c of registry.get(input.instance).iterateConnections({ workspaceIds: input.workspaceIds }, listing())) {
        const summary = summarize(c);
        if (pattern && !pattern.test(summary.name)) continue;
        if (input.tags?.length && !summary.tags.some((t) => input.tags?.includes(t))) continue;
        if (input.statuses?.length && !input.statuses.includes(summary.status)) continue;
        found.push(summary);
      }
      return found;
    }),

    /** Best effort: `null` when the deployment does not expose the Configuration API to this caller. */
    airbyteGetJobReport: withFailureMapping(async ({ instance, jobId, connectionId }: JobReportInput): Promise<JobReport | null> => {
      return jobReport(registry.get(instance), instance, jobId, connectionId);
    }),
  };
}

export type AirbyteActivities = ReturnType<typeof createAirbyteActivities>;

/** Attempts of the report's fetch, as the owner's report activity had them (retryable failures only). */
const REPORT_ATTEMPTS = 3;

/** Per-stream stats, attempts and failures of a job; null when the deployment does not expose the Configuration API to us. */
async function jobReport(client: AirbyteClient, instance: string | undefined, jobId: number, connectionId: string | undefined, workspaceId?: string): Promise<JobReport | null> {
  if (!client.hasConfigApi) return null;
  try {
    return reportOf(await client.getJobDetails(jobId), await jobLink(client, instance, jobId, connectionId, workspaceId));
  } catch (err) {
    if (err instanceof AirbyteApiError && !err.retryable) {
      log.warn('job report unavailable', { jobId, reason: err.message });
      return null;
    }
    throw err;
  }
}

/**
 * A job that Airbyte says has ended, seen with its report in one Configuration API call: the call a webhook
 * asks for. Undefined when that API cannot answer it (not exposed, or an answer without the job): the caller
 * goes the usual way, `GET /jobs/{id}` and then the report.
 */
async function jobWithReport(client: AirbyteClient, instance: string | undefined, jobId: number, report: NonNullable<GetJobInput['report']>): Promise<CheckedJob | undefined> {
  if (!client.hasConfigApi) return undefined;
  try {
    const { job, details } = await client.getJobWithDetails(jobId);
    if (!job) return undefined;
    const snapshot = toSnapshot(job);
    if (!snapshot.terminal) return snapshot;
    return { ...snapshot, report: reportOf(details, await jobLink(client, instance, jobId, report.connectionId, report.workspaceId)) };
  } catch (err) {
    if (err instanceof AirbyteApiError && !err.retryable) return undefined;
    throw err;
  }
}

function reportOf(details: JobDetails, jobUrl: string | undefined): JobReport {
  const last = details.attempts.at(-1);
  return {
    attempts: details.attempts.length,
    streams: last?.streams ?? [],
    failures: details.attempts.flatMap((a) => a.failures),
    attemptDetails: details.attempts.map((a, attemptNumber) => ({
      attemptNumber,
      status: a.status,
      recordsSynced: a.recordsSynced,
      bytesSynced: a.bytesSynced,
      failures: a.failures,
    })),
    jobUrl,
  };
}

const jobLink = (client: AirbyteClient, instance: string | undefined, jobId: number, connectionId: string | undefined, workspaceId: string | undefined) =>
  connectionId ? jobUrlOf(client, instance, connectionId, jobId, workspaceId) : Promise.resolve(undefined);

/** Workspaces of connections (they never move): a job's UI link costs one GET per connection per worker. */
const workspaceOfConnection = new Map<string, string>();

async function jobUrlOf(client: AirbyteClient, instance: string | undefined, connectionId: string, jobId: number, told?: string): Promise<string | undefined> {
  const webUrl = client.webUrl;
  if (!webUrl) return undefined;
  const key = `${instance ?? 'default'}:${connectionId}`;
  // A webhook names the workspace: the lookup is spared (the link is a convenience, trusted as far as that).
  let workspaceId = workspaceOfConnection.get(key) ?? told;
  if (workspaceId === undefined) {
    try {
      workspaceId = (await client.getConnection(connectionId)).workspaceId;
    } catch {
      return undefined; // the link is a convenience: never fail the report for it
    }
    if (workspaceOfConnection.size >= 10_000) workspaceOfConnection.clear();
    workspaceOfConnection.set(key, workspaceId);
  }
  return jobWebUrl(webUrl, { workspaceId, connectionId, jobId });
}

function summarize(c: AirbyteConnection): ConnectionSummary {
  return {
    connectionId: c.connectionId,
    name: c.name,
    workspaceId: c.workspaceId,
    sourceId: c.sourceId,
    destinationId: c.destinationId,
    status: c.status,
    streams: (c.configurations?.streams ?? []).map((s) => s.name),
    tags: c.tags.map((t) => t.name),
  };
}
