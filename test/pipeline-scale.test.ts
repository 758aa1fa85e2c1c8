import type { AirbyteTestEnvironment } from '../src/testing';
import { OwnerMessages } from '../src/common/job-owner';
import { INLINE_SYNCS_MIN_STEPS } from '../src/workflows/pipeline/definition';
import { startTestEnvironment } from './helpers/environment';

// 250 syncs in one pipeline on one worker: a pipeline this wide waits on each connection's owner itself (no child
// workflow per sync: 250 owners in all). All complete, the bound holds, and the parent's history holds at most 5
// events a step (the join's marker, the owner's signal and its task), so the largest pipeline (1,000 steps) stays
// far under 10,000 at any maxParallel.
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
  expect(steps.length).toBeGreaterThanOrEqual(INLINE_SYNCS_MIN_STEPS);
  // Few at a time: steps end one by one, so the parent's events are not batched into shared workflow tasks.
  const handle = await env.syncs.startPipeline({ name: 'wide', maxParallel: 25, steps });
  const result = await env.syncs.pipelineResult(handle.workflowId);

  expect(result.totals).toMatchObject({ steps: 250, succeeded: 250, rowsSynced: 500 });
  expect(env.mock.jobs()).toHaveLength(250);
  expect(env.mock.peakConcurrentJobs()).toBeLessThanOrEqual(25);
  const events = (await handle.fetchHistory()).events ?? [];
  expect(events.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toEqual([]);
  // One word from each owner, and nothing else (no job-started signals).
  const signals = events.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName).filter((name) => name !== undefined);
  expect(signals).toEqual(steps.map(() => OwnerMessages.jobEnded));
  expect(events.length).toBeLessThanOrEqual(5 * steps.length + 20);
  // Every step still has its job id, from its result.
  expect(result.steps.every((s) => typeof s.jobId === 'number')).toBe(true);
}, 240_000);
