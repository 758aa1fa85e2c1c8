import type { JobStatus } from '../job-status';
import type { AttemptFailure, StreamStats } from '../types';

// Requests and answers of the resource families (workspaces, sources, destinations, connections, streams, job
// history). Response types list what Airbyte documents; anything else it sends is dropped.

/** `string & {}` keeps editor completion for the known values while accepting any other string. */
type OpenString = string & {};

// ---------------------------------------------------------------------------------------------- workspaces

export interface EmailNotificationConfig {
  enabled?: boolean;
}

export interface WebhookNotificationConfig {
  enabled?: boolean;
  /** Often a secret itself (a Slack incoming-webhook URL carries its token). */
  url?: string;
}

/** How one kind of event is notified: by email, to a webhook, or both. */
export interface NotificationConfig {
  email?: EmailNotificationConfig;
  webhook?: WebhookNotificationConfig;
}

/** A workspace's notification settings, one entry per kind of event. */
export interface NotificationsConfig {
  failure?: NotificationConfig;
  success?: NotificationConfig;
  connectionUpdate?: NotificationConfig;
  connectionUpdateActionRequired?: NotificationConfig;
  syncDisabled?: NotificationConfig;
  syncDisabledWarning?: NotificationConfig;
}

export interface AirbyteWorkspaceDetails {
  workspaceId: string;
  name: string;
  dataResidency?: string;
  /** `{}` when Airbyte sends none. */
  notifications: NotificationsConfig;
}

export interface WorkspaceCreate {
  name: string;
  organizationId?: string;
  regionId?: string;
  notifications?: NotificationsConfig;
}

/** `PATCH /workspaces/{id}`: only what is given changes. */
export interface WorkspaceUpdate {
  name?: string;
  regionId?: string;
  notifications?: NotificationsConfig;
}

export interface WorkspaceListFilter {
  workspaceIds?: string[];
  includeDeleted?: boolean;
}

// ------------------------------------------------------------------------------------ sources, destinations

/** A connector's configuration: connector-specific, any of its string values may be a secret. */
export type ConnectorConfiguration = Record<string, unknown>;

export interface AirbyteSource {
  sourceId: string;
  name: string;
  sourceType: string;
  definitionId: string;
  workspaceId: string;
  /** As Airbyte returns it: secret values masked. `{}` when absent. */
  configuration: Record<string, unknown>;
  /** Epoch seconds. */
  createdAt?: number;
}

export interface AirbyteDestination {
  destinationId: string;
  name: string;
  destinationType: string;
  definitionId: string;
  workspaceId: string;
  /** As Airbyte returns it: secret values masked. `{}` when absent. */
  configuration: Record<string, unknown>;
  /** Epoch seconds. */
  createdAt?: number;
}

export interface DestinationCreate {
  name: string;
  workspaceId: string;
  /** The connector definition; one of it or `configuration.destinationType` must be given. */
  definitionId?: string;
  configuration: ConnectorConfiguration;
}

export interface SourceCreate {
  name: string;
  workspaceId: string;
  /** The connector definition; one of it or `configuration.sourceType` must be given. */
  definitionId?: string;
  configuration: ConnectorConfiguration;
  /** From Airbyte's OAuth redirect flow. */
  secretId?: string;
}

/** `PATCH`: only what is given changes. */
export interface ConnectorPatch {
  name?: string;
  configuration?: ConnectorConfiguration;
}

/** `PUT`: the connector is overwritten with exactly this. */
export interface ConnectorReplace {
  name: string;
  configuration: ConnectorConfiguration;
}

export interface ConnectorListFilter {
  workspaceIds?: string[];
  includeDeleted?: boolean;
  /** Exact name. Airbyte has no such parameter: applied client-side to what each page holds. */
  name?: string;
}

// ---------------------------------------------------------------------------------------------- connections

export type KnownSyncMode =
  | 'full_refresh_overwrite'
  | 'full_refresh_overwrite_deduped'
  | 'full_refresh_append'
  | 'full_refresh_update'
  | 'full_refresh_soft_delete'
  | 'incremental_append'
  | 'incremental_deduped_history'
  | 'incremental_update'
  | 'incremental_soft_delete';
export type SyncMode = KnownSyncMode | OpenString;

export type NamespaceDefinition = 'source' | 'destination' | 'custom_format';
export type NonBreakingSchemaUpdatesBehavior = 'ignore' | 'disable_connection' | 'propagate_columns' | 'propagate_fully';

export interface SelectedField {
  fieldPath: string[];
}

/** A mapper applied to a stream before it is written (hashing, field renaming, row filtering, encryption, ...). */
export interface StreamMapper {
  id?: string;
  type: 'hashing' | 'field-renaming' | 'row-filtering' | 'encryption' | 'field-filtering' | OpenString;
  /** Mapper-specific; an encryption mapper's `key` is a secret. */
  mapperConfiguration: Record<string, unknown>;
}

/** One stream of a connection, as sent and as Airbyte returns it. */
export interface StreamConfiguration {
  name: string;
  namespace?: string;
  syncMode?: SyncMode;
  cursorField?: string[];
  primaryKey?: string[][];
  /** Only these fields are synced; all of them when absent. */
  selectedFields?: SelectedField[];
  mappers?: StreamMapper[];
  includeFiles?: boolean;
  destinationObjectName?: string;
}

export interface ConnectionScheduleInput {
  /** Airbyte's public API accepts only `manual` and `cron` on writes (`basic` appears in answers only). */
  scheduleType: 'manual' | 'cron';
  cronExpression?: string;
}

/** A tag to put on a connection: by id (Airbyte's Tag object also has workspaceId, name and color). */
export interface ConnectionTagInput {
  tagId: string;
  workspaceId?: string;
  name?: string;
  color?: string;
}

export interface ConnectionCreate {
  sourceId: string;
  destinationId: string;
  name?: string;
  configurations?: { streams: StreamConfiguration[] };
  schedule?: ConnectionScheduleInput;
  namespaceDefinition?: NamespaceDefinition;
  /** With `custom_format`, e.g. `${SOURCE_NAMESPACE}_raw`. */
  namespaceFormat?: string;
  prefix?: string;
  status?: 'active' | 'inactive';
  nonBreakingSchemaUpdatesBehavior?: NonBreakingSchemaUpdatesBehavior;
  tags?: ConnectionTagInput[];
}

/** `PATCH /connections/{id}`: only what is given changes (`configurations.streams` replaces the whole list). */
export type ConnectionPatch = Partial<Omit<ConnectionCreate, 'sourceId' | 'destinationId'>>;

// -------------------------------------------------------------------------------------------------- streams

export interface StreamsQuery {
  sourceId: string;
  destinationId?: string;
  /** Discover the source's schema afresh instead of using the cached catalog (slow). */
  ignoreCache?: boolean;
}

export interface AirbyteStreamProperties {
  streamName: string;
  syncModes: SyncMode[];
  namespace?: string;
  defaultCursorField: string[];
  sourceDefinedCursorField: boolean;
  sourceDefinedPrimaryKey: string[][];
  propertyFields?: string[][];
}

// ---------------------------------------------------------------------------------------------- job history

/** One attempt of a job, from the Configuration API. Times are epoch seconds, as Airbyte sends them. */
export interface JobAttempt {
  /** 0 for the first attempt: what `attemptLogs` takes. */
  attemptNumber: number;
  id?: number;
  status: 'running' | 'failed' | 'succeeded' | OpenString;
  createdAt?: number;
  updatedAt?: number;
  endedAt?: number;
  recordsSynced?: number;
  bytesSynced?: number;
  streams: StreamStats[];
  failures: AttemptFailure[];
  /** Whether the failed attempt committed some records; unknown when absent. */
  partialSuccess?: boolean;
}

export interface JobAttempts {
  jobId: number;
  status?: JobStatus;
  /** `sync`, `reset_connection`, `refresh`, `clear`, ... */
  configType?: string;
  /** The job's connection (for a sync, reset or clear). */
  configId?: string;
  /** Epoch seconds. */
  createdAt?: number;
  updatedAt?: number;
  /** The job's totals over its attempts (get_without_logs hydrates them). */
  aggregatedStats?: { recordsEmitted?: number; bytesEmitted?: number; recordsCommitted?: number; bytesCommitted?: number };
  attempts: JobAttempt[];
}

export interface AttemptLogsOptions {
  /** Keep at most this many bytes (UTF-8) of log text, the last ones: the end is where a failure shows. Default 1 MiB. */
  maxBytes?: number;
  /**
   * Refuse a log answer larger than this many bytes (default: the instance's `maxResponseBytes`). Airbyte sends
   * the whole log; only its tail is kept.
   */
  maxResponseBytes?: number;
  signal?: AbortSignal;
}

export interface AttemptLogTail {
  /** The last lines of the log, scrubbed of the instance's secrets; the first may be cut at its start. */
  lines: string[];
  /** Whether lines were left out (or the first one cut) to stay within `maxBytes`. */
  truncated: boolean;
  /** UTF-8 bytes of `lines` joined with newlines. */
  bytes: number;
}
