import { isTerminal } from '../lib/judge';
import type { Scenario } from '../lib/types';

const running = (ms: number) => (index: number) => ({
  phases: [
    { status: 'pending', ms: 100 },
    { status: 'running', ms },
  ],
  rowsSynced: 2_000 + index * 7,
});

export const workerCrashScenarios: Scenario[] = [
  {
    name: 'worker-kill-waiting',
    summary: 'the worker is SIGKILLed while the workflows wait on running jobs; the jobs end while no worker runs; a new worker takes over',
    syncs: { small: 3, full: 12 },
    script: running(4_000),
    // A longer poll keeps the workflows asleep on a timer, rather than inside a poll, when the worker dies.
    input: { poll: { initialInterval: '1s', maxInterval: '1s' } },
    fault: async (ctx) => {
      await ctx.started;
      await ctx.until(() => ctx.everyJob((j) => j.status === 'running'), 'every job running');
      await ctx.worker.kill('SIGKILL');
      ctx.note('worker SIGKILLed');
      await ctx.until(() => ctx.everyJob((j) => isTerminal(j.status)), 'every job ended');
      ctx.note('every job ended on Airbyte');
      await ctx.worker.start();
      ctx.note('new worker ready');
    },
  },
  {
    name: 'worker-kill-create',
    summary: 'the worker is SIGKILLed while POST /jobs is slow (the create lands after the worker died); a new worker starts at once',
    syncs: { small: 2, full: 6 },
    script: running(2_000),
    deadlineMs: { small: 60_000, full: 120_000 },
    fault: async (ctx) => {
      // Slower than nothing, faster than createJobTimeoutMs (3 s): only the crash can break these creates.
      ctx.mock.injectFault({ method: 'POST', path: '/jobs', kind: 'latency', ms: 2_500, times: ctx.plans.length });
      await ctx.started;
      await ctx.http.until(() => ctx.http.count('POST', /\/jobs$/) >= ctx.plans.length, 'every POST /jobs sent whole', 60_000);
      await ctx.worker.kill('SIGKILL');
      ctx.note('worker SIGKILLed with every POST /jobs in flight');
      await ctx.worker.start();
      ctx.note('new worker ready');
    },
  },
];
