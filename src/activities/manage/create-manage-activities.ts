import { ApplicationFailure } from '@temporalio/common';
import {
  AirbyteApiError,
  type AirbyteClient,
  type AnyConnectorResource,
  type AirbyteConnection,
  type AirbyteDestination,
  type AirbyteSource,
  type AirbyteWorkspaceDetails,
} from '../../airbyte';
import { withFailureMapping } from '../failures';
import { cancellable, listing } from '../cancellation';
import { AirbyteInstances, type AirbyteInstancesInput } from '../instances';
import { toSnapshot } from '../snapshot';
import { checkDeleteGuard } from './guard';
import { resolveSecretFields, type SecretResolver } from './secrets';
import type {
  AttemptLogs,
  AttemptLogsInput,
  ConnectionCreateInput,
  ConnectionUpdateInput,
  ConnectorCreateInput,
  ConnectorDeleteInput,
  ConnectorKind,
  ConnectorSummary,
  ConnectorUpdateInput,
  CreateResult,
  DeleteInput,
  DeleteResult,
  FindByNameInput,
  FindConnectionByNameInput,
  FindConnectorInput,
  JobHistory,
  JobHistoryInput,
  ListConnectorsInput,
  ListStreamsInput,
  ListWorkspacesInput,
  ObjectRef,
  ProvisionedConnection,
  StreamSummary,
  WorkspaceCreateInput,
  WorkspaceSummary,
  WorkspaceUpdateInput,
} from './types';

export interface ManageActivityOptions {
  /** Resolves `secretRef`s of connector configurations, on the worker (see SecretResolver). */
  secrets?: SecretResolver;
}

const DEFAULT_LOG_BYTES = 256 * 1024;
const MAX_LOG_BYTES = 1024 * 1024;

/**
 * Activities that manage Airbyte objects: workspaces, sources, destinations, connections, streams, job history
 * and logs. Each wraps one Airbyte call (a create first looks for what an earlier attempt made, a delete reads
 * the name its guard checks), with the job activities' failure classification.
 */
export function createManageActivities(instances: AirbyteInstances | AirbyteInstancesInput, options: ManageActivityOptions = {}) {
  const registry = instances instanceof AirbyteInstances ? instances : new AirbyteInstances(instances);
  const client = (instance: string | undefined): AirbyteClient => registry.get(instance);
  // Sources and destinations share one implementation; typed here as either.
  const connectors = (instance: string | undefined, kind: ConnectorKind): AnyConnectorResource =>
    kind === 'source' ? client(instance).sources : client(instance).destinations;

  return {
    // --- workspaces

    /** The workspace with this exact name, or null; two of them is an error (names are our keys). */
    airbyteFindWorkspace: withFailureMapping(async ({ instance, name }: FindByNameInput): Promise<WorkspaceSummary | null> => {
      return onlyOne(await client(instance).workspaces.findByName(name, listing()), `workspace '${name}'`, workspaceSummary);
    }),

    /** Creates a workspace unless an earlier attempt did (found by name: a retried create never makes two). */
    airbyteCreateWorkspace: withFailureMapping(async ({ instance, ...request }: WorkspaceCreateInput): Promise<CreateResult<WorkspaceSummary>> => {
      const api = client(instance).workspaces;
      const found = onlyOne(await api.findByName(request.name, listing()), `workspace '${request.name}'`, workspaceSummary);
      if (found) return { value: found, created: false };
      return { value: workspaceSummary(await api.create(request, cancellable())), created: true };
    }),

    airbyteGetWorkspace: withFailureMapping(async ({ instance, id }: ObjectRef): Promise<WorkspaceSummary> => {
      return workspaceSummary(await client(instance).workspaces.get(id, cancellable()));
    }),

    airbyteListWorkspaces: withFailureMapping(async ({ instance, workspaceIds, name, max = 1_000 }: ListWorkspacesInput): Promise<WorkspaceSummary[]> => {
      const found: WorkspaceSummary[] = [];
      for await (const w of client(instance).workspaces.iterate({ workspaceIds }, listing())) {
        if (name !== undefined && w.name !== name) continue;
        found.push(workspaceSummary(w));
        if (found.length >= max) break;
      }
      return found;
    }),

    /** Renames a workspace or sets its notifications (e.g. the webhooks of sync outcomes). */
    airbyteUpdateWorkspace: withFailureMapping(async ({ instance, workspaceId, ...update }: WorkspaceUpdateInput): Promise<WorkspaceSummary> => {
      return workspaceSummary(await client(instance).workspaces.update(workspaceId, update, cancellable()));
    }),

    /** Deletes a workspace (Airbyte deletes its sources, destinations and connections with it), behind the guard. */
    airbyteDeleteWorkspace: withFailureMapping(async ({ instance, id, guard }: DeleteInput): Promise<DeleteResult> => {
      const api = client(instance).workspaces;
      return guardedDelete('workspace', () => api.get(id, cancellable()), (w) => w.name, guard, () => api.delete(id, cancellable()));
    }),

    // --- sources and destinations

    airbyteFindConnector: withFailureMapping(async ({ instance, kind, workspaceId, name }: FindConnectorInput): Promise<ConnectorSummary | null> => {
      const matches = await connectors(instance, kind).findByName(workspaceId, name, listing());
      return onlyOne(matches, `${kind} '${name}' in workspace ${workspaceId}`, (c) => connectorSummary(kind, c));
    }),

    /**
     * Creates a source or destination unless an earlier attempt did. Its secret fields come from `secretRef`,
     * resolved here: they go to Airbyte and nowhere else (not the result, not an error, not a log line).
     */
    airbyteCreateConnector: withFailureMapping(async (input: ConnectorCreateInput): Promise<CreateResult<ConnectorSummary>> => {
      const { instance, kind, workspaceId, name, definitionId, secretRef } = input;
      const api = connectors(instance, kind);
      const found = onlyOne(await api.findByName(workspaceId, name, listing()), `${kind} '${name}' in workspace ${workspaceId}`, (c) => connectorSummary(kind, c));
      if (found) return { value: found, created: false };
      const configuration = { ...input.configuration, ...(await resolveSecretFields(options.secrets, secretRef)) };
      const made = await api.create({ name, workspaceId, definitionId, configuration }, cancellable());
      return { value: connectorSummary(kind, made), created: true };
    }),

    airbyteGetConnector: withFailureMapping(async ({ instance, kind, id }: ObjectRef & { kind: ConnectorKind }): Promise<ConnectorSummary> => {
      return connectorSummary(kind, await connectors(instance, kind).get(id, cancellable()));
    }),

    airbyteListConnectors: withFailureMapping(async ({ instance, kind, workspaceIds, name, includeDeleted, max = 1_000 }: ListConnectorsInput): Promise<ConnectorSummary[]> => {
      const found: ConnectorSummary[] = [];
      for await (const c of connectors(instance, kind).iterate({ workspaceIds, includeDeleted, name }, listing())) {
        found.push(connectorSummary(kind, c));
        if (found.length >= max) break;
      }
      return found;
    }),

    /** Renames a connector or patches its configuration (new credentials through `secretRef`). */
    airbyteUpdateConnector: withFailureMapping(async ({ instance, kind, id, name, configuration, secretRef }: ConnectorUpdateInput): Promise<ConnectorSummary> => {
      const secretFields = await resolveSecretFields(options.secrets, secretRef);
      const merged = configuration || secretRef ? { ...configuration, ...secretFields } : undefined;
      return connectorSummary(kind, await connectors(instance, kind).patch(id, { name, configuration: merged }, cancellable()));
    }),

    /** Deletes a source or destination (and, in Airbyte, the connections that use it), behind the guard. */
    airbyteDeleteConnector: withFailureMapping(async ({ instance, kind, id, guard }: ConnectorDeleteInput): Promise<DeleteResult> => {
      const api = connectors(instance, kind);
      return guardedDelete(kind, () => api.get(id, cancellable()), (c) => c.name, guard, () => api.delete(id, cancellable()));
    }),

    // --- connections

    airbyteFindConnectionByName: withFailureMapping(async ({ instance, workspaceId, name }: FindConnectionByNameInput): Promise<ProvisionedConnection | null> => {
      const matches = await client(instance).connections.findByName(workspaceId, name, listing());
      return onlyOne(matches.filter((c) => c.status !== 'deprecated'), `connection '${name}' in workspace ${workspaceId}`, connectionSummary);
    }),

    /** Creates a connection unless an earlier attempt did (found by name in its workspace). */
    airbyteCreateConnection: withFailureMapping(async ({ instance, workspaceId, ...request }: ConnectionCreateInput): Promise<CreateResult<ProvisionedConnection>> => {
      const api = client(instance).connections;
      const existing = (await api.findByName(workspaceId, request.name, listing())).filter((c) => c.status !== 'deprecated');
      const found = onlyOne(existing, `connection '${request.name}' in workspace ${workspaceId}`, connectionSummary);
      if (found) return { value: found, created: false };
      return { value: connectionSummary(await api.create(request, cancellable())), created: true };
    }),

    /** Enable or disable, schedule (cron or manual), selected streams, prefix, name: whatever the patch names. */
    airbyteUpdateConnection: withFailureMapping(async ({ instance, connectionId, ...patch }: ConnectionUpdateInput): Promise<ProvisionedConnection> => {
      return connectionSummary(await client(instance).connections.patch(connectionId, patch, cancellable()));
    }),

    airbyteDeleteConnection: withFailureMapping(async ({ instance, id, guard }: DeleteInput): Promise<DeleteResult> => {
      const api = client(instance).connections;
      const get = async () => {
        const c = await api.get(id, cancellable());
        // Airbyte keeps a deleted connection, marked deprecated: deleting it again is a no-op.
        if (c.status === 'deprecated') throw new AirbyteApiError({ kind: 'http', endpoint: 'GET /connections/{id}', status: 404, retryable: false });
        return c;
      };
      return guardedDelete('connection', get, (c) => c.name, guard, () => api.delete(id, cancellable()));
    }),

    /** The streams a source offers (to a destination), with their sync modes and keys. */
    airbyteListStreams: withFailureMapping(async ({ instance, sourceId, destinationId }: ListStreamsInput): Promise<StreamSummary[]> => {
      const streams = await client(instance).streams.list({ sourceId, destinationId }, cancellable());
      return streams.map((s) => ({
        name: s.streamName,
        namespace: s.namespace,
        syncModes: s.syncModes,
        defaultCursorField: s.defaultCursorField,
        sourceDefinedPrimaryKey: s.sourceDefinedPrimaryKey,
      }));
    }),

    // --- job history and logs

    /** A connection's jobs, newest first. */
    airbyteListJobHistory: withFailureMapping(async ({ instance, connectionId, filter, max = 20 }: JobHistoryInput): Promise<JobHistory> => {
      const jobs: JobHistory = [];
      for await (const job of client(instance).jobHistory.iterate(connectionId, filter, { ...listing(), max })) jobs.push(toSnapshot(job));
      return jobs;
    }),

    /** The end of an attempt's log (where the failure is), capped in size: the result sits in history. */
    airbyteGetAttemptLogs: withFailureMapping(async ({ instance, jobId, attemptNumber, maxBytes = DEFAULT_LOG_BYTES }: AttemptLogsInput): Promise<AttemptLogs> => {
      const api = client(instance).jobHistory;
      const attempt = attemptNumber ?? Math.max(0, (await api.attempts(jobId, cancellable())).attempts.length - 1);
      const cap = Math.min(Math.max(1, Math.floor(maxBytes)), MAX_LOG_BYTES);
      const logs = await api.attemptLogs(jobId, attempt, { maxBytes: cap, ...cancellable() });
      return { jobId, attemptNumber: attempt, lines: logs.lines, truncated: logs.truncated };
    }),
  };
}

export type ManageActivities = ReturnType<typeof createManageActivities>;


function onlyOne<T, S>(matches: T[], what: string, summarize: (item: T) => S): S | null {
  if (matches.length > 1) {
    throw ApplicationFailure.nonRetryable(`${matches.length} objects match ${what}: names are how provisioning finds its objects; rename or delete the extra ones`, 'AirbyteObjectAmbiguous');
  }
  return matches[0] === undefined ? null : summarize(matches[0]);
}

/** Reads the object (a 404 means already deleted: done), checks the guard against its name, deletes it. */
async function guardedDelete<T>(what: string, get: () => Promise<T>, nameOf: (item: T) => string, guard: DeleteInput['guard'], remove: () => Promise<void>): Promise<DeleteResult> {
  let current: T;
  try {
    current = await get();
  } catch (err) {
    if (isNotFound(err)) return { deleted: false };
    throw err;
  }
  const name = nameOf(current);
  checkDeleteGuard(guard, what, name);
  try {
    await remove();
  } catch (err) {
    if (isNotFound(err)) return { deleted: false, name };
    throw err;
  }
  return { deleted: true, name };
}

const isNotFound = (err: unknown) => err instanceof AirbyteApiError && err.status === 404;

function workspaceSummary(w: AirbyteWorkspaceDetails): WorkspaceSummary {
  return { workspaceId: w.workspaceId, name: w.name, dataResidency: w.dataResidency, notifications: w.notifications };
}

function connectorSummary(kind: ConnectorKind, c: AirbyteSource | AirbyteDestination): ConnectorSummary {
  const isSource = 'sourceId' in c;
  return {
    kind,
    id: isSource ? c.sourceId : c.destinationId,
    name: c.name,
    workspaceId: c.workspaceId,
    type: isSource ? c.sourceType : c.destinationType,
    definitionId: c.definitionId,
  };
}

function connectionSummary(c: AirbyteConnection): ProvisionedConnection {
  return {
    connectionId: c.connectionId,
    name: c.name,
    workspaceId: c.workspaceId,
    sourceId: c.sourceId,
    destinationId: c.destinationId,
    status: c.status,
    streams: (c.configurations?.streams ?? []).map((s) => ({ name: s.name, namespace: s.namespace, syncMode: s.syncMode })),
    schedule: c.schedule ? { scheduleType: c.schedule.scheduleType, cronExpression: c.schedule.cronExpression } : undefined,
    prefix: c.prefix,
  };
}
