import { definitionIdFor, type ActorKind } from '../definitions';
import { notFound, problem, type Reply } from '../problems';
import { actorResponse } from '../resource-views';
import { mergeConfiguration, restoreMaskedSecrets } from '../secrets';
import type { Actor, MockState } from '../state';
import {
  anyOf,
  bool,
  isRecord,
  joined,
  list,
  noContent,
  objectBody,
  ok,
  optionalString,
  page,
  requiredObject,
  requiredString,
  type ApiCall,
} from './common';

// /sources and /destinations, which behave alike (SourcesController, DestinationsController). Secrets are masked
// in every answer and kept as sent. A deleted one stays readable by id, as Airbyte reads actors without
// filtering tombstones (only lists hide them), with its configuration voided.

const NOT_FOUND_TYPE: Record<ActorKind, string> = { source: 'SOURCE_CONNECTION', destination: 'DESTINATION_CONNECTION' };

/** Jackson's findValue: the first field of that name at any depth, in document order. */
function findValue(value: unknown, name: string): unknown {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findValue(item, name);
      if (found !== undefined) return found;
    }
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === name) return item;
      const found = findValue(item, name);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** removeSourceTypeNode / removeDestinationType: the type field goes, top level only. */
function withoutType(kind: ActorKind, configuration: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...configuration };
  delete rest[`${kind}Type`];
  return rest;
}

export function listActors(state: MockState, kind: ActorKind, call: ApiCall): Reply {
  const workspaceIds = list(call.query, 'workspaceIds');
  const includeDeleted = bool(call.query, 'includeDeleted');
  const items = [...state.actors(kind).values()].filter((a) => anyOf(workspaceIds, a.workspaceId) && (includeDeleted || !a.deleted));
  const keep: [string, string | undefined][] = [['includeDeleted', String(includeDeleted)], ['workspaceIds', joined(workspaceIds)]];
  return page(items.map(actorResponse), call, `/${kind}s`, keep);
}

/**
 * Without a definitionId the type comes from `configuration.sourceType` (`destinationType`): missing, 422;
 * not a connector name, 400 value-not-found. Both are checked before the workspace, as the controller does.
 */
export function createActor(state: MockState, kind: ActorKind, call: ApiCall): Reply {
  const body = objectBody(call.body);
  const name = requiredString(body, 'name');
  const workspaceId = requiredString(body, 'workspaceId');
  const configuration = requiredObject(body, 'configuration');
  let definitionId = optionalString(body, 'definitionId');
  if (!definitionId) {
    const typeField = `${kind}Type`;
    const found = findValue(configuration, typeField);
    if (found === undefined) return problem('unprocessable-entity', { message: `Give definitionId or configuration.${typeField}.` });
    const typeName = typeof found === 'string' ? found : String(JSON.stringify(found)).replaceAll('"', '');
    definitionId = found === null ? undefined : definitionIdFor(kind, typeName);
    if (!definitionId) return problem('value-not-found', { value: typeName });
  }
  const workspace = state.workspaces.get(workspaceId);
  if (!workspace || workspace.deleted) return notFound('STANDARD_WORKSPACE', workspaceId);
  const actor = state.addActor(kind, { name, workspaceId, definitionId, configuration: withoutType(kind, configuration) });
  return ok(actorResponse(actor));
}

export function actor(state: MockState, kind: ActorKind, call: ApiCall, id: string): Reply {
  const found = state.actors(kind).get(id);
  if (!found) return notFound(NOT_FOUND_TYPE[kind], id);
  switch (call.method) {
    case 'GET':
      return ok(actorResponse(found));
    case 'DELETE':
      state.deleteActor(found); // deleting again is no error
      return noContent;
    case 'PATCH':
      return patch(found, kind, objectBody(call.body));
    default:
      return put(found, kind, objectBody(call.body));
  }
}

/** Partial: a given name replaces, a given configuration merges in (objects field by field). */
function patch(found: Actor, kind: ActorKind, body: Record<string, unknown>): Reply {
  const name = optionalString(body, 'name');
  const given = body.configuration;
  if (given !== undefined && given !== null && !isRecord(given)) return problem('bad-request', { message: 'configuration must be an object.' });
  if (name !== undefined) found.name = name;
  // A deleted actor's configuration stays void: the merge into Airbyte's null configuration changes nothing.
  if (isRecord(given) && found.configuration !== null) {
    const incoming = restoreMaskedSecrets(withoutType(kind, given), found.configuration) as Record<string, unknown>;
    found.configuration = mergeConfiguration(found.configuration, incoming);
  }
  return ok(actorResponse(found));
}

/** Full replacement of name and configuration; a secret sent back masked keeps its stored value (copySecrets). */
function put(found: Actor, kind: ActorKind, body: Record<string, unknown>): Reply {
  const name = requiredString(body, 'name');
  const configuration = withoutType(kind, requiredObject(body, 'configuration'));
  found.name = name;
  if (found.configuration !== null) found.configuration = restoreMaskedSecrets(configuration, found.configuration) as Record<string, unknown>;
  return ok(actorResponse(found));
}
