import { BadInput, badRequest, problem, type Reply } from '../problems';
import type { MockState } from '../state';
import { actor, createActor, listActors } from './actors';
import type { ApiCall } from './common';
import { connection, createConnection, listConnections } from './connections';
import { createJob, job, listJobs } from './jobs';
import { getStreams } from './streams';
import { createWorkspace, listWorkspaces, workspace } from './workspaces';

// The public API's routes; auth and faults are dealt with before these.

export { configApi } from './config';
export type { ApiCall } from './common';

type Handler = (state: MockState, call: ApiCall, id: string) => Reply;

// resource -> method -> handler, for the collection ('' id) and for one item.
const COLLECTIONS: Record<string, Record<string, Handler>> = {
  jobs: { GET: (s, c) => listJobs(s, c), POST: (s, c) => createJob(s, c.body) },
  workspaces: { GET: (s, c) => listWorkspaces(s, c), POST: (s, c) => createWorkspace(s, c) },
  sources: { GET: (s, c) => listActors(s, 'source', c), POST: (s, c) => createActor(s, 'source', c) },
  destinations: { GET: (s, c) => listActors(s, 'destination', c), POST: (s, c) => createActor(s, 'destination', c) },
  connections: { GET: (s, c) => listConnections(s, c), POST: (s, c) => createConnection(s, c) },
  streams: { GET: (s, c) => getStreams(s, c) },
};

const ITEMS: Record<string, [string[], Handler]> = {
  jobs: [['GET', 'DELETE'], (s, c, id) => job(s, c.method, id)],
  workspaces: [['GET', 'PATCH', 'DELETE'], (s, c, id) => workspace(s, c, id)],
  sources: [['GET', 'PATCH', 'PUT', 'DELETE'], (s, c, id) => actor(s, 'source', c, id)],
  destinations: [['GET', 'PATCH', 'PUT', 'DELETE'], (s, c, id) => actor(s, 'destination', c, id)],
  connections: [['GET', 'PATCH', 'DELETE'], (s, c, id) => connection(s, c, id)],
};

export function publicApi(state: MockState, call: ApiCall): Reply {
  const [, resource = '', id] = /^\/([a-z_]+)(?:\/([^/]+))?$/.exec(call.path) ?? [];
  const item = ITEMS[resource];
  const handler = id === undefined ? COLLECTIONS[resource]?.[call.method] : item?.[0].includes(call.method) ? item[1] : undefined;
  if (!handler) return problem('resource-not-found', { message: `No route for ${call.method} ${call.path}` });
  try {
    return handler(state, call, id ?? '');
  } catch (err) {
    if (err instanceof BadInput) return badRequest(err.message);
    throw err;
  }
}
