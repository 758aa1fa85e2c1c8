import { createHash } from 'node:crypto';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { PipelineDefinition } from '../workflows/pipeline/definition';
import { syncSummary } from '../workflows/summaries';
import { parseSyncInput, type ParsedSyncInput, type SyncInput } from '../workflows/sync-input';

// How the sync and pipeline workflows are started (ids, summaries, memo), whoever starts them: the client
// helpers, schedules, the Nexus handlers.

/** Input rejected before anything was started: nothing reached Temporal or Airbyte. */
export class AirbyteInputError extends Error {
  override readonly name = 'AirbyteInputError';
}

/**
 * The default workflow id of a sync request: identical requests (a retried call, two callers asking for
 * the same thing) share one workflow; requests that differ (a reset, another timeout) get their own, and
 * every one of them shares the connection's job through its owner workflow (`airbyte-job:...`). The
 * connection's display name and `searchAttributes` are not part of the request.
 */
export function syncWorkflowId(input: SyncInput | string, instance?: string): string {
  const request: SyncInput = typeof input === 'string' ? { connectionId: input, instance } : input;
  const check = parseSyncInput(request);
  if (!check.ok) throw new AirbyteInputError(check.message);
  // What is shown (the name) and indexed (search attributes) does not make another request.
  const v = { ...check.value, connectionName: undefined, searchAttributes: undefined }; // canonicalJson drops undefined fields
  const digest = createHash('sha256').update(canonicalJson(v)).digest('hex').slice(0, 12);
  return `airbyte-sync:${v.instance}:${v.connectionId}:${v.jobType}:${digest}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `syncWorkflowId`'s id with USE_EXISTING: an identical request joins the running sync instead of failing. */
export function syncStartOptions(input: SyncInput, parsed: Pick<ParsedSyncInput, 'connectionId' | 'instance' | 'jobType' | 'connectionName'>) {
  const { connectionId, instance, jobType, connectionName } = parsed;
  return {
    workflowId: syncWorkflowId(input),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    staticSummary: syncSummary({ connectionId, connectionName, instance, jobType }),
    // Shown in the UI without registering search attributes on the server.
    memo: { airbyteInstance: instance, airbyteConnectionId: connectionId, airbyteJobType: jobType, ...(connectionName && { airbyteConnectionName: connectionName }) },
  };
}

/** `airbyte-pipeline:<name>:<runKey>`: the client's id scheme, with the caller's key for the run. */
export function pipelineStartOptions(definition: PipelineDefinition, runKey: string) {
  return {
    workflowId: `airbyte-pipeline:${definition.name}:${runKey}`,
    staticSummary: `Airbyte pipeline ${definition.name} (${definition.steps.length} steps)`,
    memo: { airbytePipeline: definition.name },
  };
}
