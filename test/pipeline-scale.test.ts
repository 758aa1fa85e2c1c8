import type { AirbyteTestEnvironment } from '../src/testing';
import { startTestEnvironment } from './helpers/environment';

// 500 syncs in one pipeline on one worker: all complete, the bound holds, and the parent's history stays
// well under Temporal's warning threshold (10,240 events). `npm run bench` reports the wall time.
let env: AirbyteTestEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment({ maxAirbyteCallsPerSecond: 1_000 });
});
afterAll(async () => {
  await env?.close();
});

test('a 500-sync pipeline completes on one worker', async () => {
  const steps = Array.from({ length: 500 }, (_, i) => ({
    id: `sync-${i}`,
    kind: 'sync' as const,
    connectionId: env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 500 }], rowsSynced: 2 } }).connectionId,
    poll: { initialInterval: 500, maxInterval: 1_000 },
  }));
  const handle = await env.syncs.startPipeline({ name: 'wide', maxParallel: 100, steps });
  const result = await env.syncs.pipelineResult(handle.workflowId);

  expect(result.totals).toMatchObject({ steps: 500, succeeded: 500, rowsSynced: 1_000 });
  expect(env.mock.jobs()).toHaveLength(500);
  expect(env.mock.peakConcurrentJobs()).toBeLessThanOrEqual(100);
  const events = (await handle.fetchHistory()).events?.length ?? 0;
  expect(events).toBeLessThan(5_000);
}, 240_000);
