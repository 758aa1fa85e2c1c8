import { z } from 'zod';
import { list, optional, page } from '../schemas';
import type { AirbyteDestination, AirbyteSource, AirbyteStreamProperties, AirbyteWorkspaceDetails, NotificationsConfig } from './types';

// Our own reading of the answers of the resource families, as tolerant as ../schemas.ts: unknown fields are
// dropped, optional fields may be absent or null, status and type strings are not restricted.

const notificationSchema = z.object({
  email: optional(z.object({ enabled: optional(z.boolean()) })),
  webhook: optional(z.object({ enabled: optional(z.boolean()), url: optional(z.string()) })),
});

const notificationsSchema: z.ZodType<NotificationsConfig> = z.object({
  failure: optional(notificationSchema),
  success: optional(notificationSchema),
  connectionUpdate: optional(notificationSchema),
  connectionUpdateActionRequired: optional(notificationSchema),
  syncDisabled: optional(notificationSchema),
  syncDisabledWarning: optional(notificationSchema),
});

export const workspaceDetailsSchema: z.ZodType<AirbyteWorkspaceDetails> = z.object({
  workspaceId: z.string(),
  name: z.string(),
  dataResidency: optional(z.string()),
  notifications: notificationsSchema.nullish().transform((value) => value ?? {}),
});

export const workspacesPageSchema = page(workspaceDetailsSchema);

/** A connector's configuration as Airbyte returns it (secrets masked); `{}` when absent. */
const configurationSchema = z
  .record(z.string(), z.unknown())
  .nullish()
  .transform((value) => value ?? {});

export const sourceSchema: z.ZodType<AirbyteSource> = z.object({
  sourceId: z.string(),
  name: z.string(),
  sourceType: z.string(),
  definitionId: z.string(),
  workspaceId: z.string(),
  configuration: configurationSchema,
  createdAt: optional(z.number()),
});

export const sourcesPageSchema = page(sourceSchema);

export const destinationSchema: z.ZodType<AirbyteDestination> = z.object({
  destinationId: z.string(),
  name: z.string(),
  destinationType: z.string(),
  definitionId: z.string(),
  workspaceId: z.string(),
  configuration: configurationSchema,
  createdAt: optional(z.number()),
});

export const destinationsPageSchema = page(destinationSchema);

/** What a DELETE answers: 204 No Content. Whatever else a server sends is ignored. */
export const noContentSchema = z.unknown().transform((): void => undefined);

const streamPropertiesSchema = z
  .object({
    streamName: z.string(),
    syncModes: list(z.string()),
    // The spec spells it `streamnamespace`; accept the camel-case spellings too.
    streamnamespace: optional(z.string()),
    streamNamespace: optional(z.string()),
    namespace: optional(z.string()),
    defaultCursorField: list(z.string()),
    sourceDefinedCursorField: optional(z.boolean()),
    sourceDefinedPrimaryKey: list(z.array(z.string())),
    propertyFields: optional(z.array(z.array(z.string()))),
  })
  .transform(
    (s): AirbyteStreamProperties => ({
      streamName: s.streamName,
      syncModes: s.syncModes,
      namespace: s.streamnamespace ?? s.streamNamespace ?? s.namespace,
      defaultCursorField: s.defaultCursorField,
      sourceDefinedCursorField: s.sourceDefinedCursorField ?? false,
      sourceDefinedPrimaryKey: s.sourceDefinedPrimaryKey,
      propertyFields: s.propertyFields,
    }),
  );

/** `GET /streams` answers a bare array. */
export const streamPropertiesListSchema = list(streamPropertiesSchema);

// Configuration API: `POST /jobs/get_without_logs` (JobInfoRead) and `POST /attempt/get_for_job` (AttemptInfoRead).

const statsSchema = z.object({
  recordsEmitted: optional(z.number()),
  bytesEmitted: optional(z.number()),
  recordsCommitted: optional(z.number()),
  bytesCommitted: optional(z.number()),
});

const failureSchema = z.object({
  failureOrigin: optional(z.string()),
  failureType: optional(z.string()),
  externalMessage: optional(z.string()),
  internalMessage: optional(z.string()),
  retryable: optional(z.boolean()),
  timestamp: optional(z.number()),
  streamDescriptor: optional(z.object({ name: z.string(), namespace: optional(z.string()) })),
});

export const attemptReadSchema = z.object({
  id: optional(z.number()),
  status: z.string(),
  createdAt: optional(z.number()),
  updatedAt: optional(z.number()),
  endedAt: optional(z.number()),
  recordsSynced: optional(z.number()),
  bytesSynced: optional(z.number()),
  streamStats: list(
    z.object({
      streamName: z.string(),
      streamNamespace: optional(z.string()),
      stats: statsSchema.nullish().transform((value) => value ?? {}),
    }),
  ),
  failureSummary: optional(z.object({ failures: list(failureSchema), partialSuccess: optional(z.boolean()) })),
});

export type AttemptRead = z.output<typeof attemptReadSchema>;

export const jobAttemptsSchema = z.object({
  job: optional(
    z.object({
      id: optional(z.number()),
      configType: optional(z.string()),
      configId: optional(z.string()),
      status: optional(z.string()),
      createdAt: optional(z.number()),
      updatedAt: optional(z.number()),
      aggregatedStats: optional(statsSchema),
    }),
  ),
  attempts: list(z.object({ attempt: attemptReadSchema })),
});

const logEventSchema = z.object({
  timestamp: optional(z.number()),
  message: optional(z.string()),
  level: optional(z.string()),
  logSource: optional(z.string()),
  stackTrace: optional(z.string()),
});

export type LogEvent = z.output<typeof logEventSchema>;

/** Formatted logs (`logLines`) or structured ones (`events`); whichever is there is read. */
export const attemptInfoSchema = z.object({
  logType: optional(z.string()),
  logs: optional(
    z.object({
      logLines: optional(z.array(z.string())),
      events: optional(z.array(logEventSchema)),
    }),
  ),
});
