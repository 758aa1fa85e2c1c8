import { startWorkflow, WorkflowRunOperationHandler } from '@temporalio/nexus';
import * as nexus from 'nexus-rpc';
import { checkPipeline, type PipelineDefinition } from '../workflows/pipeline/definition';
import type { airbytePipeline } from '../workflows/pipeline/pipeline';
import type { PipelineResult } from '../workflows/pipeline/status';
import type { syncAndWait } from '../workflows/sync-and-wait';
import { parseSyncInput, type ParsedSyncInput, type SyncResult } from '../workflows/sync-input';
import { airbyteNexusService, type AirbyteNexusService, type NexusSyncInput } from './service';
import { pipelineStartOptions, syncStartOptions } from '../common/start-options';

/** Set by the worker's own code only: from another namespace they would hijack a job or signal no one. */
const INTERNAL_SYNC_FIELDS = ['continued', 'notifyParent'] as const;

/**
 * The handler of `airbyteNexusService`. Both operations start their workflow on the handler worker's own task
 * queue (callers never name it) and complete when it ends; a failed sync or pipeline fails the operation with the
 * workflow's failure (its `type`, e.g. AirbyteJobFailed, and its result in `details`). Bad input is refused with a
 * non-retryable BAD_REQUEST before anything starts.
 */
export function createAirbyteNexusServiceHandler(): nexus.ServiceHandler<AirbyteNexusService['operations']> {
  return nexus.serviceHandler(airbyteNexusService, {
    sync: new WorkflowRunOperationHandler<NexusSyncInput, SyncResult>((ctx, input) => {
      const parsed = checkSyncInput(input);
      // The client's id: identical requests, over Nexus or not, are one workflow (each caller gets its result).
      return startWorkflow<typeof syncAndWait>(ctx, 'syncAndWait', { ...syncStartOptions(input, parsed), args: [input] });
    }),
    runPipeline: new WorkflowRunOperationHandler<PipelineDefinition, PipelineResult>((ctx, input) => {
      const check = checkPipeline(input);
      if (!check.ok) throw badRequest(check.message);
      // Keyed by the Nexus request id, which the server keeps across retries of this start: a retried request
      // finds its pipeline instead of starting a second one.
      const runKey = ctx.requestId || `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
      return startWorkflow<typeof airbytePipeline>(ctx, 'airbytePipeline', { ...pipelineStartOptions(check.value, runKey), args: [check.value] });
    }),
  });
}

/** What Worker.create's `nexusServices` takes: `workerOptions: { nexusServices: createAirbyteNexusHandlers() }`. */
export function createAirbyteNexusHandlers(): nexus.ServiceHandler<AirbyteNexusService['operations']>[] {
  return [createAirbyteNexusServiceHandler()];
}

function checkSyncInput(input: unknown): ParsedSyncInput {
  if (typeof input === 'object' && input !== null) {
    const internal = INTERNAL_SYNC_FIELDS.filter((key) => (input as Record<string, unknown>)[key] !== undefined);
    if (internal.length > 0) throw badRequest(`invalid sync input: ${internal.join(', ')} is internal and cannot be set over Nexus`);
  }
  const check = parseSyncInput(input);
  if (!check.ok) throw badRequest(check.message);
  return check.value;
}

/** BAD_REQUEST is not retried by default; said explicitly, since a retry of bad input can only fail again. */
function badRequest(message: string): nexus.HandlerError {
  return new nexus.HandlerError('BAD_REQUEST', message, { retryableOverride: false });
}
