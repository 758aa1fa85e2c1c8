import { CONNECTION_SYNC_MODES, catalogStream, jsonSchema } from './catalog';
import { connectorNameFor } from './definitions';
import { maskSecrets } from './secrets';
import type { Actor, Workspace } from './state';
import type * as T from './types';

// Workspace, source, destination and connection shapes: the public API's responses, the Config API's
// ConnectionRead, and the views tests read through MockAirbyteServer.

export const workspaceResponse = (w: Workspace) => ({
  workspaceId: w.workspaceId,
  name: w.name,
  dataResidency: 'auto', // the dataplane group's name, lower-cased; 'auto' on a self-managed instance
  notifications: structuredClone(w.notifications),
});

export const workspaceView = (w: Workspace): T.MockWorkspace => ({ ...workspaceResponse(w), deleted: w.deleted });

const maskedConfiguration = (a: Actor) => (a.configuration === null ? null : maskSecrets(a.configuration));

/** A SourceResponse or DestinationResponse: secrets masked; `configuration` null once deleted (Airbyte voids it). */
export function actorResponse(a: Actor): Record<string, unknown> {
  return {
    [`${a.kind}Id`]: a.id,
    name: a.name,
    [`${a.kind}Type`]: connectorNameFor(a.kind, a.definitionId),
    definitionId: a.definitionId,
    workspaceId: a.workspaceId,
    configuration: maskedConfiguration(a),
    createdAt: a.createdAt,
  };
}

export const sourceView = (a: Actor): T.MockSource => ({
  sourceId: a.id,
  name: a.name,
  sourceType: connectorNameFor('source', a.definitionId),
  definitionId: a.definitionId,
  workspaceId: a.workspaceId,
  configuration: maskedConfiguration(a),
  createdAt: a.createdAt,
  deleted: a.deleted,
  streams: a.streams.map((s) => s.name),
});

export const destinationView = (a: Actor): T.MockDestination => ({
  destinationId: a.id,
  name: a.name,
  destinationType: connectorNameFor('destination', a.definitionId),
  definitionId: a.definitionId,
  workspaceId: a.workspaceId,
  configuration: maskedConfiguration(a),
  createdAt: a.createdAt,
  deleted: a.deleted,
});

const CONFIG_NON_BREAKING: Record<string, string> = { disable_connection: 'disable' };

/**
 * The Config API's ConnectionRead (`POST /v1/connections/get`), what dagster-airbyte reads before a sync:
 * the selected streams as a syncCatalog, the schedule as scheduleType/scheduleData.
 */
export function connectionRead(c: T.MockConnection, source: Actor | undefined) {
  const cron = c.schedule.scheduleType === 'cron' ? c.schedule.cronExpression?.replace(/ UTC$/, '') : undefined;
  const streams = c.configurations.streams.map((cfg) => {
    const stream = source?.streams.find((s) => s.name === cfg.name && s.namespace === cfg.namespace) ?? catalogStream(cfg.name);
    const [syncMode, destinationSyncMode] = CONNECTION_SYNC_MODES[cfg.syncMode] ?? ['full_refresh', 'overwrite'];
    return {
      stream: {
        name: stream.name,
        ...(stream.namespace !== undefined && { namespace: stream.namespace }),
        jsonSchema: jsonSchema(stream),
        supportedSyncModes: stream.syncModes,
        sourceDefinedCursor: stream.sourceDefinedCursor,
        defaultCursorField: stream.defaultCursorField,
        sourceDefinedPrimaryKey: stream.primaryKey,
        isResumable: true,
      },
      config: {
        syncMode,
        cursorField: cfg.cursorField ?? stream.defaultCursorField,
        destinationSyncMode,
        primaryKey: cfg.primaryKey ?? stream.primaryKey,
        aliasName: stream.name,
        selected: true,
        fieldSelectionEnabled: false,
      },
    };
  });
  return {
    connectionId: c.connectionId,
    name: c.name,
    namespaceDefinition: c.namespaceDefinition === 'custom_format' ? 'customformat' : c.namespaceDefinition,
    ...(c.namespaceFormat !== undefined && { namespaceFormat: c.namespaceFormat }),
    prefix: c.prefix,
    sourceId: c.sourceId,
    destinationId: c.destinationId,
    operationIds: [],
    syncCatalog: { streams },
    scheduleType: c.schedule.scheduleType,
    ...(cron !== undefined && { scheduleData: { cron: { cronExpression: cron, cronTimeZone: 'UTC' } } }),
    status: c.status,
    breakingChange: false,
    notifySchemaChanges: false,
    notifySchemaChangesByEmail: false,
    nonBreakingChangesPreference: CONFIG_NON_BREAKING[c.nonBreakingSchemaUpdatesBehavior] ?? c.nonBreakingSchemaUpdatesBehavior,
    created_at: c.createdAt,
    backfillPreference: 'disabled',
    workspaceId: c.workspaceId,
    tags: structuredClone(c.tags),
  };
}
