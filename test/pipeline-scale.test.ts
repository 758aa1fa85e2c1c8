import type { AirbyteTestEnvironment } from '../src/testing';
import { LIVE_JOB_IDS_MAX_STEPS } from '../src/workflows/pipeline/definition';
import { startTestEnvironment } from './helpers/environment';

// 250 syncs in one pipeline on one worker (each sync is a waiter plus its connection's owner: 500 workflows):
// all complete, the bound holds, and the parent's history holds at most 9 events a step, so that the largest
// pipeline (1,000 steps) stays under 10,000 at any maxParallel: a pipeline this wide does without its children's
// job-started signals (each would cost it a workflow task).
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
  expect(steps.length).toBeGreaterThan(LIVE_JOB_IDS_MAX_STEPS);
  // Few at a time: steps end one by one, so the parent's events are not batched into shared workflow tasks.
  const handle = await env.syncs.startPipeline({ name: 'wide', maxParallel: 25, steps });
  const result = await env.syncs.pipelineResult(handle.workflowId);

  expect(result.totals).toMatchObject({ steps: 250, succeeded: 250, rowsSynced: 500 });
  expect(env.mock.jobs()).toHaveLength(250);
  expect(env.mock.peakConcurrentJobs()).toBeLessThanOrEqual(25);
  const events = (await handle.fetchHistory()).events ?? [];
  expect(events.filter((e) => e.workflowExecutionSignaledEventAttributes)).toEqual([]);
  expect(events.length).toBeLessThanOrEqual(9 * steps.length + 20);
  // Every step still has its job id, from its result.
  expect(result.steps.every((s) => typeof s.jobId === 'number')).toBe(true);
}, 240_000);
