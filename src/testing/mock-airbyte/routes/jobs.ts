import type { JobRun } from '../jobs';
import { badRequest, BadInput, notFound, problem, type Reply } from '../problems';
import type { MockState } from '../state';
import { jobResponse } from '../views';
import { anyOf, first, isRecord, list, ok, oneOf, page, time, joined, type ApiCall } from './common';

// POST/GET /jobs, GET/DELETE /jobs/{id}.

const JOB_STATUSES = ['pending', 'queued', 'running', 'incomplete', 'failed', 'succeeded', 'cancelled'] as const;
const JOB_TYPES = ['sync', 'reset', 'refresh', 'clear'] as const;

export function createJob(state: MockState, body: unknown): Reply {
  const { connectionId, jobType } = isRecord(body) ? body : {};
  if (typeof connectionId !== 'string' || connectionId === '') return badRequest('connectionId is required.');
  if (jobType === 'refresh') return problem('unprocessable-entity', { message: 'Refreshes are not supported in the public API' });
  if (jobType !== 'sync' && jobType !== 'reset' && jobType !== 'clear') return badRequest('jobType must be sync, reset or clear.');
  const status = state.connections.get(connectionId)?.connection.status;
  if (!status) return notFound('STANDARD_SYNC', connectionId);
  if (status !== 'active') return problem('state-conflict', { message: `Connection ${connectionId} is ${status}.` });
  if (state.jobs.active(connectionId)) return problem('try-again-later', { message: `A sync is already running for: ${connectionId}` });
  return ok(jobResponse(state.createJob(connectionId, jobType)));
}

export function job(state: MockState, method: string, id: string): Reply {
  if (!/^\d+$/.test(id)) return badRequest(`jobId must be an integer, got '${id}'.`);
  const run = state.jobs.runs.get(Number(id));
  if (!run) return notFound('job', id);
  if (method === 'DELETE') return cancel(state, run);
  return ok(jobResponse(run));
}

/**
 * SchedulerHandler.cancelJob signals the connection's scheduling workflow, then answers the named job as it
 * stands. The workflow cancels whatever runs now (ConnectionManagerWorkflowImpl.cancelJob: nothing when no sync
 * runs), so a DELETE of a job that has ended answers 200 with that job, unchanged, and may cancel a newer job.
 * A deleted connection's workflow is gone: the cancel fails (DeletedWorkflowException), answered 409.
 */
function cancel(state: MockState, run: JobRun): Reply {
  if (state.connections.get(run.job.connectionId)?.connection.status === 'deprecated') {
    return problem('state-conflict', { message: 'Could not fulfill request' });
  }
  state.jobs.cancelByConnection(run); // the answer is the named job as it stands (still running while a cancelDelayMs runs)
  return ok(jobResponse(run));
}

/**
 * `status` and `jobType` are single enum values (the first of repeated ones), in any case; an unknown one, or a
 * comma-separated list, is refused, as Airbyte's query binding refuses a value it cannot convert. `queued`
 * (a job waiting for capacity) is a status like the others. With a connectionId the workspaceIds are ignored,
 * as JobsController does.
 */
export function listJobs(state: MockState, call: ApiCall): Reply {
  const { query } = call;
  const connectionId = first(query, 'connectionId');
  const status = oneOf(first(query, 'status'), JOB_STATUSES, 'status');
  const jobType = oneOf(first(query, 'jobType'), JOB_TYPES, 'jobType');
  const workspaceIds = connectionId === undefined ? list(query, 'workspaceIds') : [];
  const [createdFrom, createdTo, updatedFrom, updatedTo] = ['createdAtStart', 'createdAtEnd', 'updatedAtStart', 'updatedAtEnd'].map((name) => time(query, name));
  const [, field, direction = ''] = /^(createdAt|updatedAt)\|(ASC|DESC)$/i.exec(first(query, 'orderBy') ?? 'createdAt|ASC') ?? [];
  if (!field) throw new BadInput('orderBy must be createdAt or updatedAt, then |ASC or |DESC.');
  const within = (t: number, from = -Infinity, to = Infinity) => t >= from && t <= to;
  const key = (run: JobRun) => (field === 'createdAt' ? run.job.createdAt : run.updatedAt);
  const sign = direction.toUpperCase() === 'DESC' ? -1 : 1;
  const runs = [...state.jobs.runs.values()].filter(({ job: j, updatedAt }) =>
    (connectionId === undefined || j.connectionId === connectionId) &&
    (jobType === undefined || j.jobType === jobType) &&
    (status === undefined || j.status === status) &&
    anyOf(workspaceIds, state.connections.get(j.connectionId)?.connection.workspaceId ?? '') &&
    within(j.createdAt, createdFrom, createdTo) &&
    within(updatedAt, updatedFrom, updatedTo),
  );
  runs.sort((a, b) => sign * (key(a) - key(b) || a.job.jobId - b.job.jobId));
  // JobsResponseMapper keeps jobType and connectionId (or workspaceIds) in the links, and drops the other filters.
  const keep: [string, string | undefined][] = [['jobType', jobType], ['connectionId', connectionId], ['workspaceIds', joined(workspaceIds)]];
  return page(runs.map((run) => jobResponse(run)), call, '/jobs', keep);
}
