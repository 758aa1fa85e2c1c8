import type { AirbyteTestEnvironment } from '../src/testing';
import { startTestEnvironment } from './helpers/environment';

// 250 syncs in one pipeline on one worker (each sync is a waiter plus its connection's owner: 500 workflows):
// all complete, the bound holds, and the parent's history stays well under Temporal's warning threshold.
let env: AirbyteTestEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment({ maxAirbyteCallsPerSecond: 1_000 });
});
afterAll(async () => {
  await env?.close();
});

test('a 250-sync pipeline completes on one worker', async () => {
  const steps = Array.from({ length: 250 }, (_, i) => ({
    id: `sync-${i}`,
    kind: 'sync' as const,
    connectionId: env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 500 }], rowsSynced: 2 } }).connectionId,
    poll: { initialInterval: 500, maxInterval: 1_000 },
  }));
  const handle = await env.syncs.startPipeline({ name: 'wide', maxParallel: 100, steps });
  const result = await env.syncs.pipelineResult(handle.workflowId);

  expect(result.totals).toMatchObject({ steps: 250, succeeded: 250, rowsSynced: 500 });
  expect(env.mock.jobs()).toHaveLength(250);
  expect(env.mock.peakConcurrentJobs()).toBeLessThanOrEqual(100);
  const events = (await handle.fetchHistory()).events?.length ?? 0;
  expect(events).toBeLessThan(2_500);
}, 240_000);
