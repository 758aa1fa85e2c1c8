import type {
  ConnectionCreate,
  ConnectionPatch,
  ListJobsFilter,
  NotificationsConfig,
  StreamConfiguration,
} from '../../airbyte';
import type { InstanceRef, JobSnapshot } from '../types';

// Inputs and outputs of the management activities. They sit in workflow history: no secret may be in them.
// A connector's credentials travel as a `secretRef`, resolved on the worker (see SecretResolver).

export interface WorkspaceSummary {
  workspaceId: string;
  name: string;
  dataResidency?: string;
  notifications?: NotificationsConfig;
}

export type ConnectorKind = 'source' | 'destination';

/** A source or a destination without its configuration (which Airbyte returns with its secrets masked). */
export interface ConnectorSummary {
  kind: ConnectorKind;
  id: string;
  name: string;
  workspaceId: string;
  /** The connector type, e.g. `stripe` or `postgres`. */
  type?: string;
  definitionId?: string;
}

/** What a delete needs besides the id: PyAirbyte's `safe_mode`. */
export interface DeleteGuard {
  /** The object's name must match this pattern (a linear-time regex, or `glob:`): checked just before deleting. */
  namePattern?: string;
  /** Delete whatever the name: an explicit opt-out of the guard. */
  force?: boolean;
}

export interface DeleteResult {
  /** False when the object was already gone (a delete is idempotent). */
  deleted: boolean;
  name?: string;
}

export interface FindByNameInput extends InstanceRef {
  name: string;
}

export interface WorkspaceCreateInput extends InstanceRef {
  name: string;
  organizationId?: string;
  regionId?: string;
  notifications?: NotificationsConfig;
}

export interface WorkspaceUpdateInput extends InstanceRef {
  workspaceId: string;
  name?: string;
  notifications?: NotificationsConfig;
}

export interface ObjectRef extends InstanceRef {
  id: string;
}

export interface DeleteInput extends ObjectRef {
  guard: DeleteGuard;
}

export interface ListWorkspacesInput extends InstanceRef {
  workspaceIds?: string[];
  /** Exact name. */
  name?: string;
  max?: number;
}

export interface FindConnectorInput extends InstanceRef {
  kind: ConnectorKind;
  workspaceId: string;
  name: string;
}

/**
 * A connector to create. `configuration` holds what is not secret; `secretRef` names the credentials, which the
 * worker's SecretResolver turns into configuration fields merged over it, on the worker only.
 */
export interface ConnectorCreateInput extends InstanceRef {
  kind: ConnectorKind;
  workspaceId: string;
  name: string;
  definitionId?: string;
  configuration: Record<string, unknown>;
  secretRef?: string;
}

export interface ConnectorUpdateInput extends InstanceRef {
  kind: ConnectorKind;
  id: string;
  name?: string;
  /** Merged into the current configuration (PATCH); secret fields through `secretRef`. */
  configuration?: Record<string, unknown>;
  secretRef?: string;
}

export interface ListConnectorsInput extends InstanceRef {
  kind: ConnectorKind;
  workspaceIds?: string[];
  /** Exact name. */
  name?: string;
  includeDeleted?: boolean;
  max?: number;
}

export interface ConnectorDeleteInput extends DeleteInput {
  kind: ConnectorKind;
}

export interface FindConnectionByNameInput extends InstanceRef {
  workspaceId: string;
  name: string;
}

export interface ConnectionCreateInput extends InstanceRef, ConnectionCreate {
  /** Used to find a connection created by an earlier attempt (names are unique per workspace by our convention). */
  workspaceId: string;
  name: string;
}

export interface ConnectionUpdateInput extends InstanceRef, ConnectionPatch {
  connectionId: string;
}

export interface ProvisionedConnection {
  connectionId: string;
  name: string;
  workspaceId: string;
  sourceId: string;
  destinationId: string;
  status: string;
  streams: StreamConfiguration[];
  schedule?: { scheduleType: string; cronExpression?: string };
  prefix?: string;
}

export interface CreateResult<T> {
  value: T;
  /** False when an earlier attempt had already created it (found by name). */
  created: boolean;
}

export interface ListStreamsInput extends InstanceRef {
  sourceId: string;
  destinationId?: string;
}

export interface StreamSummary {
  name: string;
  namespace?: string;
  syncModes: string[];
  defaultCursorField: string[];
  sourceDefinedPrimaryKey: string[][];
}

export interface JobHistoryInput extends InstanceRef {
  connectionId: string;
  filter?: Omit<ListJobsFilter, 'connectionId'>;
  /** At most this many jobs, newest first (default 20). */
  max?: number;
}

export type JobHistory = JobSnapshot[];

export interface AttemptLogsInput extends InstanceRef {
  jobId: number;
  /** 0-based attempt number; the last attempt when omitted. */
  attemptNumber?: number;
  /** Keep the last this many bytes of log text (default 256 KiB, at most 1 MiB: the result sits in history). */
  maxBytes?: number;
}

export interface AttemptLogs {
  jobId: number;
  attemptNumber: number;
  lines: string[];
  truncated: boolean;
}
