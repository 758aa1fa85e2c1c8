import { z } from 'zod';

// Our own reading of Airbyte's public API responses. Parsing is tolerant by design: unknown fields are
// dropped, optional fields may be absent or null, and status strings are not restricted to known values.

export const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);

export const jobSchema = z.object({
  jobId: z.number().int(),
  status: z.string(),
  jobType: z.string(),
  startTime: z.string(),
  connectionId: z.string(),
  lastUpdatedAt: optional(z.string()),
  duration: optional(z.string()),
  bytesSynced: optional(z.number()),
  rowsSynced: optional(z.number()),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item).nullish().transform((value) => value ?? []),
    next: optional(z.string()),
    previous: optional(z.string()),
  });

export const jobsPageSchema = page(jobSchema);

const tagSchema = z.object({
  tagId: z.string(),
  name: z.string(),
  color: optional(z.string()),
  workspaceId: optional(z.string()),
});

/** A list that may be absent or null: `[]` then. */
export const list = <T extends z.ZodType>(item: T) => z.array(item).nullish().transform((value) => value ?? []);

// Everything a stream's configuration holds is kept, so a connection read, changed and patched back loses
// nothing (a PATCH of `configurations.streams` replaces the whole list).
const streamConfigurationSchema = z.object({
  name: z.string(),
  namespace: optional(z.string()),
  syncMode: optional(z.string()),
  cursorField: optional(z.array(z.string())),
  primaryKey: optional(z.array(z.array(z.string()))),
  selectedFields: optional(z.array(z.object({ fieldPath: z.array(z.string()) }))),
  mappers: optional(
    z.array(
      z.object({
        id: optional(z.string()),
        type: z.string(),
        mapperConfiguration: z.record(z.string(), z.unknown()),
      }),
    ),
  ),
  includeFiles: optional(z.boolean()),
  destinationObjectName: optional(z.string()),
});

export const connectionSchema = z.object({
  connectionId: z.string(),
  name: z.string(),
  sourceId: z.string(),
  destinationId: z.string(),
  workspaceId: z.string(),
  status: z.string(),
  schedule: optional(
    z.object({ scheduleType: z.string(), cronExpression: optional(z.string()), basicTiming: optional(z.string()) }),
  ),
  configurations: optional(z.object({ streams: optional(z.array(streamConfigurationSchema)) })),
  prefix: optional(z.string()),
  namespaceDefinition: optional(z.string()),
  namespaceFormat: optional(z.string()),
  nonBreakingSchemaUpdatesBehavior: optional(z.string()),
  /** Why Airbyte changed the status (e.g. disabled the connection after repeated failures). */
  statusReason: optional(z.string()),
  createdAt: optional(z.number()),
  tags: z.array(tagSchema).nullish().transform((value) => value ?? []),
});

export const connectionsPageSchema = page(connectionSchema);

export const workspaceSchema = z.object({
  workspaceId: z.string(),
  name: z.string(),
  dataResidency: optional(z.string()),
});

export const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: optional(z.string()),
  expires_in: optional(z.number().positive()),
});

/** RFC 9457 problem details (public API) or `{message}` (Config API, load shedding). */
export const errorBodySchema = z.object({
  title: optional(z.string()),
  detail: optional(z.string()),
  message: optional(z.string()),
  data: optional(z.object({ message: optional(z.string()) })),
});
