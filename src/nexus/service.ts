// The Nexus contract of temporal-airbyte: what a workflow in another namespace needs to call a sync or a pipeline
// through an endpoint. Types and `nexus-rpc` only, so caller workflows can import it into their bundle.
import * as nexus from 'nexus-rpc';
import type { PipelineDefinition } from '../workflows/pipeline/definition';
import type { PipelineResult } from '../workflows/pipeline/status';
import type { SyncInput, SyncResult } from '../workflows/sync-input';

/** The service name callers and the endpoint agree on. */
export const AIRBYTE_NEXUS_SERVICE_NAME = 'temporal-airbyte';

/**
 * `syncAndWait`'s input without its internal fields (`continued`, `notifyParent`): an instance *name* configured
 * on the handler's worker, never credentials.
 */
export type NexusSyncInput = Omit<SyncInput, 'continued' | 'notifyParent'>;

export const airbyteNexusService = nexus.service(AIRBYTE_NEXUS_SERVICE_NAME, {
  /** Starts (or joins, for an identical request) `syncAndWait` and completes with its result. */
  sync: nexus.operation<NexusSyncInput, SyncResult>(),
  /** Runs `airbytePipeline` and completes with its result. */
  runPipeline: nexus.operation<PipelineDefinition, PipelineResult>(),
});

export type AirbyteNexusService = typeof airbyteNexusService;
