import { randomUUID } from 'node:crypto';
import { allStreams, configureStreams } from '../catalog';
import { checkCron } from '../cron';
import { BadInput, notFound, problem, type Reply } from '../problems';
import type { MockState } from '../state';
import type { MockConnection, MockTag } from '../types';
import { anyOf, bool, isRecord, joined, list, noContent, objectBody, ok, oneOf, optionalString, page, requiredString, type ApiCall } from './common';

// /connections (ConnectionsController). A deleted connection stays readable with status 'deprecated'.

const NAMESPACE_DEFINITIONS = ['source', 'destination', 'custom_format'] as const;
const NON_BREAKING = ['ignore', 'disable_connection', 'propagate_columns', 'propagate_fully'] as const;
const STATUSES = ['active', 'inactive', 'deprecated', 'locked'] as const;
// Requests take manual or cron (ScheduleTypeEnum); 'basic' only ever comes back from connections made in the UI.
const SCHEDULE_TYPES = ['manual', 'cron'] as const;

interface Fields {
  name?: string;
  schedule?: MockConnection['schedule'];
  namespaceDefinition?: MockConnection['namespaceDefinition'];
  namespaceFormat?: string;
  prefix?: string;
  nonBreakingSchemaUpdatesBehavior?: string;
  status?: MockConnection['status'];
  tags?: unknown[];
  streams?: unknown[];
}

/** Reads and checks the fields create and PATCH share (bad enums and cron expressions are 400s). */
function readFields(body: Record<string, unknown>): Fields {
  const { schedule, configurations, tags } = body;
  let parsedSchedule: MockConnection['schedule'] | undefined;
  if (schedule !== undefined && schedule !== null) {
    if (!isRecord(schedule)) throw new BadInput('schedule must be an object.');
    const scheduleType = oneOf(schedule.scheduleType, SCHEDULE_TYPES, 'schedule.scheduleType');
    if (!scheduleType) throw new BadInput('schedule.scheduleType is required.');
    // Airbyte answers a cron schedule with its time zone appended: "0 0 * * * ?" comes back as "0 0 * * * ? UTC".
    parsedSchedule = scheduleType === 'cron' ? { scheduleType, cronExpression: `${checkCron(schedule.cronExpression)} UTC` } : { scheduleType };
  }
  if (configurations !== undefined && configurations !== null && !isRecord(configurations)) throw new BadInput('configurations must be an object.');
  const streams = isRecord(configurations) ? configurations.streams : undefined;
  if (streams !== undefined && streams !== null && !Array.isArray(streams)) throw new BadInput('configurations.streams must be a list.');
  if (tags !== undefined && tags !== null && !Array.isArray(tags)) throw new BadInput('tags must be a list.');
  return {
    name: optionalString(body, 'name'),
    schedule: parsedSchedule,
    namespaceDefinition: oneOf(body.namespaceDefinition, NAMESPACE_DEFINITIONS, 'namespaceDefinition'),
    namespaceFormat: optionalString(body, 'namespaceFormat'),
    prefix: optionalString(body, 'prefix'),
    nonBreakingSchemaUpdatesBehavior: oneOf(body.nonBreakingSchemaUpdatesBehavior, NON_BREAKING, 'nonBreakingSchemaUpdatesBehavior'),
    status: oneOf(body.status, STATUSES, 'status'),
    ...(Array.isArray(tags) && { tags: tags as unknown[] }),
    ...(Array.isArray(streams) && streams.length > 0 && { streams: streams as unknown[] }),
  };
}

function readTags(tags: unknown[], workspaceId: string): MockTag[] {
  return tags.map((tag) => {
    if (!isRecord(tag) || typeof tag.name !== 'string') throw new BadInput('Each tag needs a name.');
    const text = (key: string, fallback: string) => (typeof tag[key] === 'string' ? tag[key] : fallback);
    return { tagId: text('tagId', randomUUID()), workspaceId: text('workspaceId', workspaceId), name: tag.name, color: text('color', '#7F7EFF') };
  });
}

export function listConnections(state: MockState, call: ApiCall): Reply {
  const [workspaceIds, tagIds] = [list(call.query, 'workspaceIds'), list(call.query, 'tagIds')];
  const includeDeleted = bool(call.query, 'includeDeleted');
  const matches = (c: MockConnection) =>
    anyOf(workspaceIds, c.workspaceId) && anyOf(tagIds, ...c.tags.map((tag) => tag.tagId)) && (includeDeleted || c.status !== 'deprecated');
  const items = [...state.connections.values()].map((entry) => entry.connection).filter(matches);
  // ConnectionsResponseMapper keeps includeDeleted and workspaceIds in the links, not tagIds.
  const keep: [string, string | undefined][] = [['includeDeleted', String(includeDeleted)], ['workspaceIds', joined(workspaceIds)]];
  return page(items, call, '/connections', keep);
}

/**
 * In the controller's order: the body and cron (400), the destination, then the source (404), the streams
 * against the source's catalogue (400). Source and destination of different workspaces fail a `require` deep in
 * ConnectionsHandler, which the public API answers as an unexpected problem (500). The default name is
 * "<source> <> <destination>"; names need not be unique.
 */
export function createConnection(state: MockState, call: ApiCall): Reply {
  const body = objectBody(call.body);
  const sourceId = requiredString(body, 'sourceId');
  const destinationId = requiredString(body, 'destinationId');
  const fields = readFields(body);
  const destination = state.destinations.get(destinationId);
  if (!destination || destination.deleted) return notFound('DESTINATION_CONNECTION', destinationId);
  const source = state.sources.get(sourceId);
  if (!source || source.deleted) return notFound('SOURCE_CONNECTION', sourceId);
  const streams = fields.streams ? configureStreams(source.streams, fields.streams) : allStreams(source.streams);
  if (source.workspaceId !== destination.workspaceId) {
    return problem('unexpected-problem', { message: 'Source and destination do not belong to the same workspace.' });
  }
  const { workspaceId } = destination;
  const connection: MockConnection = {
    connectionId: randomUUID(),
    name: fields.name ?? `${source.name} <> ${destination.name}`,
    sourceId,
    destinationId,
    workspaceId,
    status: fields.status ?? 'active',
    schedule: fields.schedule ?? { scheduleType: 'manual' },
    configurations: { streams },
    namespaceDefinition: fields.namespaceDefinition ?? 'destination',
    ...(fields.namespaceFormat !== undefined && { namespaceFormat: fields.namespaceFormat }),
    prefix: fields.prefix ?? '',
    nonBreakingSchemaUpdatesBehavior: fields.nonBreakingSchemaUpdatesBehavior ?? 'ignore',
    createdAt: Math.floor(Date.now() / 1000),
    tags: readTags(fields.tags ?? [], workspaceId),
  };
  return ok(structuredClone(state.putConnection(connection).connection));
}

export function connection(state: MockState, call: ApiCall, id: string): Reply {
  const body = call.method === 'PATCH' ? objectBody(call.body) : {};
  const fields = call.method === 'PATCH' ? readFields(body) : {}; // a bad body or cron is refused before the lookup
  const entry = state.connections.get(id);
  if (!entry) return notFound('STANDARD_SYNC', id);
  const c = entry.connection;
  if (call.method === 'GET') return ok(structuredClone(c));
  if (call.method === 'DELETE') {
    state.deleteConnection(entry);
    return noContent;
  }
  if (c.status === 'locked') return problem('connection-locked', { connectionId: id });
  // Streams named in a PATCH replace the configured ones; a PATCH that names none leaves them.
  const source = state.sources.get(c.sourceId);
  const streams = fields.streams ? configureStreams(source?.streams ?? [], fields.streams) : undefined;
  if (fields.name !== undefined) c.name = fields.name;
  if (fields.schedule) c.schedule = fields.schedule;
  if (fields.namespaceDefinition) c.namespaceDefinition = fields.namespaceDefinition;
  if (fields.namespaceFormat !== undefined) c.namespaceFormat = fields.namespaceFormat;
  if (fields.prefix !== undefined) c.prefix = fields.prefix;
  if (fields.nonBreakingSchemaUpdatesBehavior) c.nonBreakingSchemaUpdatesBehavior = fields.nonBreakingSchemaUpdatesBehavior;
  if (fields.status) c.status = fields.status;
  if (fields.tags) c.tags = readTags(fields.tags, c.workspaceId);
  if (streams) c.configurations = { streams };
  return ok(structuredClone(c));
}
