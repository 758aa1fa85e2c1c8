import { badRequest, configError, notFound, problem, type Reply } from './problems';
import type { JobRun, MockState } from './state';
import type { MockConnection, QueryParams } from './types';
import { jobInfoRead, jobResponse } from './views';

// Handlers of the public API and of the Config API's jobs/get; auth and faults are dealt with before these.

export interface ApiCall {
  method: string;
  path: string; // relative to the API base
  query: QueryParams;
  body: unknown;
  baseUrl: string; // absolute URL of the base the call came in on, for `next`/`previous` links
}

/** Thrown while reading the query; answered with a 400 bad-request. */
class BadInput extends Error {}

const ok = (body: unknown): Reply => ({ status: 200, body });
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const first = (query: QueryParams, name: string) => [query[name] ?? []].flat()[0];
/** An empty filter lets everything through. */
const anyOf = (wanted: string[] = [], ...values: string[]) => wanted.length === 0 || values.some((value) => wanted.includes(value));
/** Array parameters may repeat (`?a=1&a=2`) or be comma-separated (`?a=1,2`). */
const list = (query: QueryParams, name: string) =>
  [query[name] ?? []].flat().flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);

function int(query: QueryParams, name: string, fallback: number, min: number, max: number): number {
  const raw = first(query, name) ?? '';
  if (raw === '') return fallback;
  if (!/^\d+$/.test(raw) || +raw < min || +raw > max) throw new BadInput(`${name} must be an integer from ${min} to ${max}.`);
  return +raw;
}

/** Date filters take ISO-8601 or epoch milliseconds (the spec's examples use the latter). */
function time(query: QueryParams, name: string): number | undefined {
  const raw = first(query, name) ?? '';
  const value = raw === '' ? undefined : /^\d+$/.test(raw) ? +raw : Date.parse(raw);
  if (Number.isNaN(value)) throw new BadInput(`${name} must be a date-time.`);
  return value;
}

/** One page plus links. `next` is there whenever the page is non-empty, even a short one, as Airbyte does. */
function page(items: unknown[], call: ApiCall, resource: string): Reply {
  const limit = int(call.query, 'limit', 20, 1, 100);
  const offset = int(call.query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const link = (at: number) => {
    const params = new URLSearchParams();
    for (const [key, values] of Object.entries(call.query)) {
      if (key !== 'limit' && key !== 'offset') for (const value of [values].flat()) params.append(key, value);
    }
    params.set('limit', String(limit));
    params.set('offset', String(at));
    return `${call.baseUrl}${resource}?${params.toString()}`;
  };
  const data = items.slice(offset, offset + limit);
  const next = data.length > 0 ? link(offset + limit) : undefined;
  const previous = offset > 0 ? link(Math.max(0, offset - limit)) : undefined;
  return ok({ data, ...(next && { next }), ...(previous && { previous }) });
}

export function publicApi(state: MockState, call: ApiCall): Reply {
  const { method, path } = call;
  try {
    if (path === '/jobs' && method === 'POST') return createJob(state, call.body);
    if (path === '/jobs' && method === 'GET') return listJobs(state, call);
    if (path === '/connections' && method === 'GET') return listConnections(state, call);
  } catch (err) {
    if (err instanceof BadInput) return badRequest(err.message);
    throw err;
  }
  const [, resource, id = ''] = /^\/(jobs|connections|workspaces)\/([^/]+)$/.exec(path) ?? [];
  if (resource === 'jobs' && (method === 'GET' || method === 'DELETE')) {
    if (!/^\d+$/.test(id)) return badRequest(`jobId must be an integer, got '${id}'.`);
    const run = state.runs.get(Number(id));
    if (!run) return notFound('job', id);
    // Airbyte cancels by connection: a job that has ended comes back as it is, and the connection's current job
    // (someone else's) is cancelled instead. The answer is the named job as it stands (still running while a
    // cancelDelayMs runs).
    if (method === 'DELETE') state.cancelByConnection(run);
    return ok(jobResponse(run));
  }
  if (resource === 'connections' && method === 'GET') {
    const entry = state.connections.get(id);
    return entry ? ok(entry.connection) : notFound('connection', id);
  }
  if (resource === 'workspaces' && method === 'GET') {
    const workspace = state.workspaces.get(id);
    return workspace ? ok({ ...workspace, dataResidency: 'auto', notifications: {} }) : notFound('workspace', id);
  }
  return problem('resource-not-found', { message: `No route for ${method} ${path}` });
}

function createJob(state: MockState, body: unknown): Reply {
  const { connectionId, jobType } = isRecord(body) ? body : {};
  if (typeof connectionId !== 'string' || connectionId === '') return badRequest('connectionId is required.');
  if (jobType === 'refresh') return problem('unprocessable-entity', { message: 'Refresh jobs cannot be started here.' });
  if (jobType !== 'sync' && jobType !== 'reset' && jobType !== 'clear') return badRequest('jobType must be sync, reset or clear.');
  const status = state.connections.get(connectionId)?.connection.status;
  if (!status) return notFound('connection', connectionId);
  if (status !== 'active') return problem('state-conflict', { message: `Connection ${connectionId} is ${status}.` });
  if (state.activeRun(connectionId)) return problem('try-again-later', { message: `A sync is already running for: ${connectionId}` });
  return ok(jobResponse(state.createJob(connectionId, jobType)));
}

function listJobs(state: MockState, call: ApiCall): Reply {
  const { query } = call;
  const connectionId = first(query, 'connectionId');
  const [jobTypes, statuses, workspaceIds] = ['jobType', 'status', 'workspaceIds'].map((name) => list(query, name));
  const dates = ['createdAtStart', 'createdAtEnd', 'updatedAtStart', 'updatedAtEnd'].map((name) => time(query, name));
  const [createdFrom, createdTo, updatedFrom, updatedTo] = dates;
  const [, field, direction = ''] = /^(createdAt|updatedAt)\|(ASC|DESC)$/i.exec(first(query, 'orderBy') ?? 'createdAt|ASC') ?? [];
  if (!field) throw new BadInput('orderBy must be createdAt or updatedAt, then |ASC or |DESC.');
  const within = (t: number, from = -Infinity, to = Infinity) => t >= from && t <= to;
  const key = (run: JobRun) => (field === 'createdAt' ? run.job.createdAt : run.updatedAt);
  const sign = direction.toUpperCase() === 'DESC' ? -1 : 1;
  const runs = [...state.runs.values()].filter(({ job, updatedAt }) =>
    (connectionId === undefined || job.connectionId === connectionId) &&
    anyOf(jobTypes, job.jobType) &&
    anyOf(statuses, job.status) &&
    anyOf(workspaceIds, state.connections.get(job.connectionId)?.connection.workspaceId ?? '') &&
    within(job.createdAt, createdFrom, createdTo) &&
    within(updatedAt, updatedFrom, updatedTo),
  );
  runs.sort((a, b) => sign * (key(a) - key(b) || a.job.jobId - b.job.jobId));
  const now = Date.now();
  return page(runs.map((run) => jobResponse(run, now)), call, '/jobs');
}

function listConnections(state: MockState, call: ApiCall): Reply {
  const [workspaceIds, tagIds] = [list(call.query, 'workspaceIds'), list(call.query, 'tagIds')];
  const includeDeleted = first(call.query, 'includeDeleted') === 'true';
  const matches = (c: MockConnection) =>
    anyOf(workspaceIds, c.workspaceId) &&
    anyOf(tagIds, ...c.tags.map((tag) => tag.tagId)) &&
    (includeDeleted || c.status !== 'deprecated'); // Airbyte marks a deleted connection 'deprecated'
  return page([...state.connections.values()].map((entry) => entry.connection).filter(matches), call, '/connections');
}

/** Config API (`/api/v1`): `POST /jobs/get`, the only source of per-attempt and per-stream stats. */
export function configApi(state: MockState, call: ApiCall): Reply {
  if (call.method !== 'POST' || call.path !== '/jobs/get') return configError(404, `No route for ${call.method} /api/v1${call.path}`);
  const id = isRecord(call.body) ? call.body.id : undefined;
  if (typeof id !== 'number' || !Number.isInteger(id)) {
    const validationErrors = [{ propertyPath: 'id', message: 'must be an integer' }];
    return { status: 422, body: { message: 'Invalid input: id must be an integer.', validationErrors } };
  }
  const run = state.runs.get(id);
  return run ? ok(jobInfoRead(run)) : configError(404, `Could not find job with id: ${id}`);
}
