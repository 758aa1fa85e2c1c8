// Caller workflows of test/nexus.test.ts: they run in another namespace and know only the endpoint's name.
import { condition, createNexusServiceClient, defineUpdate, setHandler } from '@temporalio/workflow';
import { airbyteNexusService, type NexusSyncInput } from '../../src/nexus/service';
import type { PipelineDefinition } from '../../src/workflows/pipeline/definition';
import type { PipelineResult } from '../../src/workflows/pipeline/status';
import type { SyncResult } from '../../src/workflows/sync-input';

/** Answers once every operation of the run has started (the handler has taken it), with how many did. */
export const operationsStartedUpdate = defineUpdate<number>('operationsStarted');

const service = (endpoint: string) => createNexusServiceClient({ endpoint, service: airbyteNexusService });

/** Asks for the same sync `copies` times, one operation after the other, and returns every result. */
export async function syncOverNexus(endpoint: string, input: NexusSyncInput, copies = 1): Promise<SyncResult[]> {
  let started = 0;
  setHandler(operationsStartedUpdate, async () => {
    await condition(() => started === copies);
    return started;
  });
  const client = service(endpoint);
  const handles = [];
  for (let i = 0; i < copies; i++) {
    // A bound on the whole operation: a handler error that were retried would end here, as a timeout.
    handles.push(await client.startOperation('sync', input, { scheduleToCloseTimeout: '2m' }));
    started++;
  }
  return Promise.all(handles.map((h) => h.result()));
}

export async function pipelineOverNexus(endpoint: string, definition: PipelineDefinition): Promise<PipelineResult> {
  return service(endpoint).executeOperation('runPipeline', definition, { scheduleToCloseTimeout: '2m' });
}
