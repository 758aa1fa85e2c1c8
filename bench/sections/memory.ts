// Section 3: what waiting syncs cost a worker in memory, against a bare sleeping workflow.
import { inBatches } from '../lib/batches';
import type { BenchEnv } from '../lib/env';
import { table, type Report } from '../lib/report';
import type { Scale } from '../lib/scale';
import { bytes, dur, num } from '../lib/stats';
import type { ChildUsage } from '../lib/protocol';
import { cpuMicros, type BenchWorker } from '../lib/worker';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../../src/plugin';

interface Cost {
  idle: ChildUsage;
  loaded: ChildUsage;
  startMs: number;
  workflows: number;
}

/** The share of one core under which a loaded worker counts as settled (two 1 s windows in a row). */
const QUIET_SHARE = 0.25;

async function cost(worker: BenchWorker, warmUp: () => Promise<void>, load: () => Promise<void>, workflows: number): Promise<Cost> {
  // One workflow first, so the workflow thread and its V8 context with the bundle exist in both figures.
  await warmUp();
  await worker.waitIdle();
  const idle = await worker.usage(true);
  const started = Date.now();
  await load();
  const startMs = Date.now() - started;
  // Quiet, not idle: 1,000 owners checking every 60 s keep a worker busy a few per cent of the time, more on a slow machine.
  await worker.waitIdle(1_000, QUIET_SHARE);
  const loaded = await worker.usage(true);
  return { idle, loaded, startMs, workflows };
}

/** A cache for a worker whose syncs mostly wait: what meets 300 MB per 1,000 (a wide fan-out then replays more). */
const SMALL_CACHE = 150;

export async function memorySection(env: BenchEnv, bundles: { ours: string; bare: string; bareWithZod: string; bareWithOurs: string }, scale: Scale, report: Report): Promise<void> {
  const n = scale.waiting;
  const cache = { maxCachedWorkflows: 2 * n + 100 };

  const oursCost = async (extra: { maxCachedWorkflows?: number }): Promise<Cost> => {
    const oursWorker = await env.worker('airbyte', { bundlePath: bundles.ours }, extra);
    try {
      const tq = oursWorker.config.taskQueue;
      const syncs = env.syncs(tq);
      return await cost(
        oursWorker,
        async () => {
          // An invalid input fails at once: the bundle is loaded, no Airbyte call is made.
          const probe = await env.client.workflow.start('syncAndWait', { taskQueue: tq, workflowId: `bench-warmup-${tq}`, args: [{ connectionId: 'not-a-uuid' }] });
          await probe.result().catch(() => undefined);
        },
        async () => {
          const connections = Array.from({ length: n }, () => env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } }).connectionId);
          await inBatches(n, 20, (i) => syncs.startSync({ connectionId: connections[i] as string, poll: { initialInterval: '60s' } }));
          const wanted = new Set(connections);
          await env.mock.waitFor(() => env.mock.jobs().filter((j) => wanted.has(j.connectionId) && j.status === 'running').length === n, 600_000);
        },
        2 * n,
      );
    } finally {
      await oursWorker.kill();
    }
  };
  // The worker as it comes (its workflow cache sized for sleeping syncs), then with every workflow kept cached.
  const ours = await oursCost({});
  const oursAllCached = await oursCost(cache);
  const oursSmallCache = await oursCost({ maxCachedWorkflows: SMALL_CACHE });

  const bareCost = async (bundlePath: string): Promise<Cost> => {
    const worker = await env.worker('bare', { bundlePath }, cache);
    try {
      const tq = worker.config.taskQueue;
      const tag = Math.random().toString(36).slice(2, 8);
      return await cost(
        worker,
        async () => {
          const probe = await env.client.workflow.start('bareSleep', { taskQueue: tq, workflowId: `bench-warmup-${tq}`, args: [1] });
          await probe.result();
        },
        () => inBatches(n, 20, (i) => env.client.workflow.start('bareSleep', { taskQueue: tq, workflowId: `bench-sleep-${tag}-${i}`, args: [3_600_000] })),
        n,
      );
    } finally {
      await worker.kill();
    }
  };
  const bare = await bareCost(bundles.bare);
  const withZod = await bareCost(bundles.bareWithZod);
  const withOurs = await bareCost(bundles.bareWithOurs);

  const cpuPer1000 = (c: Cost, count: number) => ((cpuMicros(c.loaded) - cpuMicros(c.idle)) / 1_000 / count) * 1_000;
  const per1000 = (c: Cost, count: number, field: 'rss' | 'heapUsed') => ((c.loaded[field] - c.idle[field]) / count) * 1_000;
  const oursPerSync = per1000(ours, n, 'rss');
  const barePerWorkflow = per1000(bare, n, 'rss');
  report.add(
    '## 3. Waiting syncs: worker memory\n\n' +
      `One worker child with ${num(n)} syncs waiting on running mock jobs (\`poll: { initialInterval: '60s' }\`: each owner ` +
      `sleeps on a 60 s timer, the default policy's steady state), against the same worker with none waiting (after one ` +
      `workflow ran, so the workflow thread and its context exist), and a bare worker with ${num(n)} workflows asleep ` +
      `(\`sleep('1h')\`). Measured once the worker has settled (under ${QUIET_SHARE * 100} % of a core for two 1 s windows: its owners still check every 60 s) after a full GC ` +
      `of its main isolate. Ours runs twice: as it comes (its cache holds ${num(DEFAULT_MAX_CACHED_WORKFLOWS)} workflows; the rest are evicted ` +
      `and replay when they wake), and with \`maxCachedWorkflows\` ${num(cache.maxCachedWorkflows)} so every workflow stays cached, as the bare ` +
      'workers do. RSS is the ' +
      "whole process (the workflow thread's heap and the SDK's core included); heap is the main thread's JS heap only.\n\n" +
      table(
        ['worker', 'workflows', 'started in', 'worker CPU to start them, per 1,000', 'RSS idle', `RSS with ${num(n)} waiting`, 'RSS per 1,000', 'main heap per 1,000'],
        [
          [`**ours**: ${num(n)} syncs (waiter + owner each), default cache (\`maxCachedWorkflows\` ${num(DEFAULT_MAX_CACHED_WORKFLOWS)})`, num(ours.workflows), dur(ours.startMs), `${dur(cpuPer1000(ours, n))} per 1,000 syncs`, bytes(ours.idle.rss), bytes(ours.loaded.rss), `**${bytes(oursPerSync)}** per 1,000 syncs`, bytes(per1000(ours, n, 'heapUsed'))],
          [`ours, a cache for a worker that mostly waits (\`maxCachedWorkflows\` ${num(SMALL_CACHE)})`, num(oursSmallCache.workflows), dur(oursSmallCache.startMs), `${dur(cpuPer1000(oursSmallCache, n))} per 1,000 syncs`, bytes(oursSmallCache.idle.rss), bytes(oursSmallCache.loaded.rss), `${bytes(per1000(oursSmallCache, n, 'rss'))} per 1,000 syncs`, bytes(per1000(oursSmallCache, n, 'heapUsed'))],
          [`ours, every workflow cached (\`maxCachedWorkflows\` ${num(cache.maxCachedWorkflows)})`, num(oursAllCached.workflows), dur(oursAllCached.startMs), `${dur(cpuPer1000(oursAllCached, n))} per 1,000 syncs`, bytes(oursAllCached.idle.rss), bytes(oursAllCached.loaded.rss), `${bytes(per1000(oursAllCached, n, 'rss'))} per 1,000 syncs`, bytes(per1000(oursAllCached, n, 'heapUsed'))],
          ...(
            [
              [`bare: ${num(n)} sleeping workflows`, bare],
              ['the same, the bundle also holding zod and the sync input as a zod schema (never called)', withZod],
              ['the same, the bundle also holding all of src/workflows (never called)', withOurs],
            ] as const
          ).map(([label, c]) => [label, num(c.workflows), dur(c.startMs), `${dur(cpuPer1000(c, n))} per 1,000 workflows`, bytes(c.idle.rss), bytes(c.loaded.rss), `${bytes(per1000(c, n, 'rss'))} per 1,000 workflows`, bytes(per1000(c, n, 'heapUsed'))]),
        ],
      ) +
      `\n\nPer cached workflow: ours ${bytes(per1000(oursAllCached, n, 'rss') / 2 / 1_000)} (two per sync), bare ${bytes(barePerWorkflow / 1_000)}; a bare sleeping ` +
      `workflow costs ${bytes(per1000(withZod, n, 'rss') / 1_000)} once zod and a zod schema of the sync input are in its bundle, ` +
      `${bytes(per1000(withOurs, n, 'rss') / 1_000)} in a bundle with all our workflows. The SDK's reusable V8 context gives each ` +
      'workflow its own module cache, so every workflow evaluates the modules of its bundle again: module-level state is paid ' +
      'per workflow, in memory and in CPU at its start, whether the workflow uses it or not (hence superstruct, not zod, in workflow code). ' +
      'Ours also make their Airbyte calls (look, create) while starting; the CPU column includes them and the idle windows' +
      (ours.startMs > 60_000 ? ', and the first 60 s checks of the earliest owners (starting them all took longer than a minute).' : '.'),
  );
  const met = oursPerSync <= 300 * 1024 * 1024;
  report.target({
    section: '3',
    name: 'waiting syncs: <= 300 MB RSS per 1,000',
    measured: `${bytes(oursPerSync)} per 1,000 syncs (bare sleeping workflows: ${bytes(barePerWorkflow)} per 1,000)`,
    met,
    note: met
      ? undefined
      : `two workflows per sync, ${bytes(per1000(oursAllCached, n, 'rss') / 2 / 1_000)} each while cached (a bare sleeping workflow: ${bytes(barePerWorkflow / 1_000)}); the default cache keeps ${num(DEFAULT_MAX_CACHED_WORKFLOWS)} of them, sized for fan-outs too (section 2); \`maxCachedWorkflows\` ${num(SMALL_CACHE)} gives ${bytes(per1000(oursSmallCache, n, 'rss'))} per 1,000 (${per1000(oursSmallCache, n, 'rss') <= 300 * 1024 * 1024 ? 'within' : 'over'} the target), at the price of replays in a wide fan-out`,
  });
  report.compact.push({ what: 'worker RSS per 1,000 waiting syncs', ours: bytes(oursPerSync), baseline: `bare sleeping workflows: ${bytes(barePerWorkflow)}`, target: '<= 300 MB', verdict: met ? 'met' : 'MISSED' });
}
