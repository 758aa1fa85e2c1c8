import { patchNotifications } from '../notifications';
import { notFound, type Reply } from '../problems';
import { workspaceResponse } from '../resource-views';
import type { MockState } from '../state';
import { anyOf, bool, joined, list, noContent, objectBody, ok, optionalString, page, requiredString, type ApiCall } from './common';

// /workspaces. Names need not be unique (Airbyte only makes the slug unique). A deleted workspace is gone for
// GET, PATCH and DELETE (it is read without tombstones) but listed with includeDeleted.

export function listWorkspaces(state: MockState, call: ApiCall): Reply {
  const workspaceIds = list(call.query, 'workspaceIds');
  const includeDeleted = bool(call.query, 'includeDeleted');
  const items = [...state.workspaces.values()].filter((w) => anyOf(workspaceIds, w.workspaceId) && (includeDeleted || !w.deleted));
  const keep: [string, string | undefined][] = [['includeDeleted', String(includeDeleted)], ['workspaceIds', joined(workspaceIds)]];
  return page(items.map(workspaceResponse), call, '/workspaces', keep);
}

/** organizationId and regionId are accepted and ignored: a self-managed instance has one of each. */
export function createWorkspace(state: MockState, call: ApiCall): Reply {
  const body = objectBody(call.body);
  // Notifications are checked before anything is made.
  return ok(workspaceResponse(state.addWorkspace({ name: requiredString(body, 'name'), notifications: body.notifications })));
}

export function workspace(state: MockState, call: ApiCall, id: string): Reply {
  const found = state.workspaces.get(id);
  if (!found || found.deleted) return notFound('STANDARD_WORKSPACE', id);
  if (call.method === 'GET') return ok(workspaceResponse(found));
  if (call.method === 'DELETE') {
    state.deleteWorkspace(found);
    return noContent;
  }
  const body = objectBody(call.body);
  const name = optionalString(body, 'name');
  const notifications = patchNotifications(found.notifications, body.notifications);
  if (name !== undefined) found.name = name;
  found.notifications = notifications;
  return ok(workspaceResponse(found));
}
