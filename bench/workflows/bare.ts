// The bare Temporal baseline of the fan-out and memory sections: the same shape as a pipeline of syncs with none
// of this package in it. A child runs three no-op activities around a timer of the job's length (start the job,
// wait for it, look at it, fetch its report); the parent starts N of them at once (or
// at most maxParallel at a time) and waits for all.
// Bundled on its own (bench/lib/bundles.ts) and run by a plain Temporal worker (bench/lib/worker-child.ts).
import { executeChild, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import { inBatches } from '../lib/batches';
import type { BareActivities } from './bare-activities';

const act = proxyActivities<BareActivities>({ startToCloseTimeout: '1m', retry: { initialInterval: '1s', maximumInterval: '10s' } });

export interface BareSyncResult {
  jobId: number;
  status: 'succeeded';
  startedAt: string;
  endedAt: string;
}

export async function bareSync(jobMs: number): Promise<BareSyncResult> {
  const startedAt = new Date().toISOString();
  const jobId = await act.benchNoop('start');
  await sleep(jobMs);
  await act.benchNoop('end');
  await act.benchNoop('report');
  return { jobId, status: 'succeeded', startedAt, endedAt: new Date().toISOString() };
}

export interface BareFanoutResult {
  children: number;
  succeeded: number;
  durationMs: number;
}

/** N children, at most `maxParallel` (default N) running at once, as a pipeline's `maxParallel` bounds its steps. */
export async function bareFanout(input: { children: number; jobMs: number; maxParallel?: number }): Promise<BareFanoutResult> {
  const started = Date.now();
  const { workflowId } = workflowInfo();
  const results: BareSyncResult[] = [];
  await inBatches(input.children, input.maxParallel ?? input.children, async (i) => {
    results.push(await executeChild(bareSync, { workflowId: `${workflowId}-${i}`, args: [input.jobMs] }));
  });
  return { children: input.children, succeeded: results.filter((r) => r.status === 'succeeded').length, durationMs: Date.now() - started };
}

/** A workflow that only waits: the memory section's floor. */
export async function bareSleep(ms: number): Promise<void> {
  await sleep(ms);
}
