// Section 2: a wide pipeline of syncs against a bare Temporal fan-out of the same shape, each on one worker
// process, in the same run: makespan, the worker's CPU time and peak memory, the parent's history and result.
import { jobOwnerWorkflowId } from '../../src/common/job-owner';
import { INLINE_SYNCS_MIN_STEPS, PIPELINE_LIMITS, type PipelineDefinition } from '../../src/workflows/pipeline/definition';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../../src/plugin';
import { JOINS_PER_TASK } from '../../src/workflows/pipeline/inline-syncs';
import { inBatches } from '../lib/batches';
import type { BenchEnv } from '../lib/env';
import { runHistory } from '../lib/history';
import { table, type Report } from '../lib/report';
import type { Scale } from '../lib/scale';
import { bytes, dur, num, ratio } from '../lib/stats';
import { cpuMicros, procCpuMs, threadCpuMs, type BenchWorker } from '../lib/worker';

const JOB_MS = 2_000;

export interface Run {
  makespanMs: number;
  peakJobs: number;
  parentEvents: number;
  parentBytes: number;
  resultBytes: number;
  workerCpuMs: number;
  /** The worker's CPU by thread: the main JS thread (activities, the SDK's glue), the other Node threads (the workflow thread, V8 helpers), the SDK core's threads. */
  threads: { main: number; node: number; core: number };
  startRss: number;
  peakRss: number;
  serverCpuMs: number;
  benchCpuMs: number;
  succeeded: number;
  /** What the webhook receiver did (ours). */
  webhooks?: string;
}

/** At most PIPELINE_LIMITS.steps (1,000) per parent: one history must hold every step (and the server's limit of pending children). */
function groups(n: number): number[] {
  const size = PIPELINE_LIMITS.steps;
  return Array.from({ length: Math.ceil(n / size) }, (_, i) => Math.min(size, n - i * size));
}

/**
 * Steps (children) a parent runs at once. One parent: all N at once. Several (N > 1,000): together
 * at most a third of the default workflow cache, on both sides. Each of our syncs holds up to two workflows (waiter,
 * owner) while it runs, and a working set larger than the cache misses it on every task and replays (see the
 * "Earlier tries" in docs/performance.md); a pipeline's maxParallel, default 10, is what bounds it in use.
 */
export function parallelism(n: number): number {
  const parents = groups(n).length;
  return parents === 1 ? n : Math.max(1, Math.floor(DEFAULT_MAX_CACHED_WORKFLOWS / 3 / parents));
}

async function measure(env: BenchEnv, worker: BenchWorker, run: () => Promise<Omit<Run, 'workerCpuMs' | 'threads' | 'startRss' | 'peakRss' | 'serverCpuMs' | 'benchCpuMs' | 'makespanMs'> & { doneAt: number }>): Promise<Run> {
  const before = await worker.usage();
  const threads0 = threadCpuMs(worker.pid);
  const server0 = procCpuMs(env.server.pid) ?? Number.NaN;
  const bench0 = process.cpuUsage();
  const started = Date.now();
  const out = await worker.whileAlive(run());
  const after = await worker.usage();
  const threads1 = threadCpuMs(worker.pid);
  const bench = process.cpuUsage(bench0);
  const delta = (names: string[]) => names.reduce((sum, name) => sum + (threads1.get(name) ?? 0) - (threads0.get(name) ?? 0), 0);
  const core = [...threads1.keys()].filter((name) => name !== 'main' && name !== 'node');
  const { doneAt, ...rest } = out;
  return {
    ...rest,
    makespanMs: doneAt - started,
    workerCpuMs: (cpuMicros(after) - cpuMicros(before)) / 1_000,
    threads: { main: delta(['main']), node: delta(['node']), core: delta(core) },
    startRss: before.rss,
    peakRss: after.maxRss,
    serverCpuMs: (procCpuMs(env.server.pid) ?? Number.NaN) - server0,
    benchCpuMs: (bench.user + bench.system) / 1_000,
  };
}

/** One fan-out of our pipelines on a running worker (see webhookWorker): measured until every owner has closed. */
export async function oursRound(env: BenchEnv, worker: BenchWorker, n: number): Promise<Run> {
  env.mock.reset();
  const connections = Array.from({ length: n }, () => env.webhookConnection({ phases: [{ status: 'running', ms: JOB_MS }], rowsSynced: 1 }));
  const syncs = env.syncs(worker.config.taskQueue);
  const tag = Math.random().toString(36).slice(2, 8);
  const before = (await worker.usage()).webhooks;
  const run = await measure(env, worker, async () => {
    let offset = 0;
    const parents = await Promise.all(
      groups(n).map(async (size, g) => {
        const mine = connections.slice(offset, (offset += size));
        const definition: PipelineDefinition = {
          name: `fanout-${n}-${tag}-${g}`,
          maxParallel: Math.min(size, parallelism(n)),
          steps: mine.map((connectionId, i) => ({ id: `s${i}`, kind: 'sync', connectionId })),
        };
        const handle = await syncs.startPipeline(definition);
        const result = await syncs.pipelineResult(handle.workflowId);
        return { handle, result };
      }),
    );
    const doneAt = Date.now();
    // Every owner closes too before the CPU time is read: the work of a sync includes its owner's.
    // A few hundred long polls at a time: 10,000 at once would load the dev server that is still serving the run.
    await inBatches(connections.length, 200, (i) => env.client.workflow.getHandle(jobOwnerWorkflowId(connections[i] as string, 'default')).result());
    const histories = await Promise.all(parents.map((p) => runHistory(env.client, p.handle.workflowId)));
    return {
      doneAt,
      peakJobs: env.mock.peakConcurrentJobs(),
      parentEvents: Math.max(...histories.map((h) => h.events.length)),
      parentBytes: Math.max(...histories.map((h) => h.bytes)),
      resultBytes: Math.max(...parents.map((p) => Buffer.byteLength(JSON.stringify(p.result)))),
      succeeded: parents.reduce((s, p) => s + p.result.totals.succeeded, 0),
    };
  });
  const stats = (await worker.usage()).webhooks;
  const signalled = (stats?.signalled ?? 0) - (before?.signalled ?? 0);
  const refused = (s: typeof stats) => (s ? s.rejected.rateLimited + s.rejected.busy : 0);
  return { ...run, webhooks: stats ? `${num(signalled)} signalled, ${num(refused(stats) - refused(before))} refused` : 'n/a' };
}

/** One bare fan-out of the same shape on a running bare worker. */
export async function bareRound(env: BenchEnv, worker: BenchWorker, n: number): Promise<Run> {
  const tag = Math.random().toString(36).slice(2, 8);
  worker.resetPeak();
  return measure(env, worker, async () => {
    const results = await Promise.all(
      groups(n).map(async (children, g) => {
        const handle = await env.client.workflow.start('bareFanout', { taskQueue: worker.config.taskQueue, workflowId: `bare-fanout-${n}-${tag}-${g}`, args: [{ children, jobMs: JOB_MS, maxParallel: Math.min(children, parallelism(n)) }] });
        const result: unknown = await handle.result();
        return { workflowId: handle.workflowId, result };
      }),
    );
    const doneAt = Date.now();
    const histories = await Promise.all(results.map((r) => runHistory(env.client, r.workflowId)));
    const usage = await worker.usage();
    return {
      doneAt,
      peakJobs: usage.barePeak,
      parentEvents: Math.max(...histories.map((h) => h.events.length)),
      parentBytes: Math.max(...histories.map((h) => h.bytes)),
      resultBytes: Math.max(...results.map((r) => Buffer.byteLength(JSON.stringify(r.result)))),
      succeeded: results.reduce((s, r) => s + ((r.result as { succeeded?: number }).succeeded ?? 0), 0),
    };
  });
}

async function ours(env: BenchEnv, bundlePath: string, n: number): Promise<Run> {
  const worker = await env.webhookWorker({ bundlePath }, true);
  try {
    return await oursRound(env, worker, n);
  } finally {
    await worker.kill();
  }
}

async function bare(env: BenchEnv, bundlePath: string, n: number): Promise<Run> {
  const worker = await env.worker('bare', { bundlePath });
  try {
    return await bareRound(env, worker, n);
  } finally {
    await worker.kill();
  }
}

interface Failed {
  afterMs: number;
  reason: string;
}

/** A run, or why it failed: the first error line of the message (a crashed worker's log tail is long). */
async function attempt(run: () => Promise<Run>): Promise<Run | Failed> {
  const started = Date.now();
  try {
    return await run();
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const lines = text.split('\n');
    const cause = lines.find((l) => /^(Error|RangeError|FATAL|#)/.test(l.trim()) || /heap|out of memory|corrupted/i.test(l));
    return { afterMs: Date.now() - started, reason: [lines[0], cause].filter(Boolean).join(': ') };
  }
}

export async function fanoutSection(env: BenchEnv, bundles: { ours: string; bare: string }, scale: Scale, report: Report): Promise<void> {
  report.add(
    '## 2. Fan-out\n\n' +
      `\`airbytePipeline\` with N parallel sync steps (\`maxParallel\` N) on mock jobs of ${JOB_MS / 1000} s, against a bare ` +
      'Temporal fan-out of the same shape (bench/workflows/bare.ts: a parent starting N children that each run three no-op ' +
      `activities around a ${JOB_MS / 1000} s timer), in the same run. Each runs on ONE fresh worker child process ` +
      `(default worker options: ours with its workflow cache of ${num(DEFAULT_MAX_CACHED_WORKFLOWS)}, so a wide fan-out evicts and replays; ours at \`maxAirbyteCallsPerSecond\` 10,000 so the rate limit does not pace it). Our syncs use ` +
      "the default poll policy, and the end of each job reaches its owner through Airbyte's webhook: the mock POSTs it to " +
      "this package's receiver running in the worker process (rate limits and pending-signal cap raised: a fan-out ends " +
      'hundreds of jobs within a second, all from one source), which signals the owner `airbyteCheckJob`; so neither side ' +
      'waits on a poll. In a pipeline of up to 200 steps (N = 100) each of our syncs is two workflows (the waiting child `syncAndWait` and its ' +
      "connection's owner) running four activities (join the owner; look for a running job; create the job; check it, with its report) " +
      `that make three Airbyte calls; from ${num(INLINE_SYNCS_MIN_STEPS)} steps on (\`syncSteps: 'inline'\`, N = 1,000 and up) the pipeline waits on each owner ` +
      `itself: one workflow per sync, joined by a local activity of the pipeline (a signal-with-start), at most ${num(JOINS_PER_TASK)} joins per workflow task (so peak running jobs stay near ${num(JOINS_PER_TASK)} when a wave of joins takes longer than a job). The bare child is one workflow. Worker CPU is ` +
      "the child's user + system time (every thread: JS, the workflow thread, the SDK's core) until every workflow closed " +
      '(owners included); peak RSS is its `maxRSS`. The dev server, the mock and the bench share the same 2 cores. ' +
      `More than ${num(PIPELINE_LIMITS.steps)} steps do not fit one pipeline (its definition limit; the server also caps a ` +
      'workflow\'s pending children at 2,000): N above that runs as parallel parents of 1,000, on both sides, each running ' +
      `at most a third of our default cache divided among the parents at once (\`maxParallel\` ${num(parallelism(10_000))} each at N = 10,000): ` +
      'see "Earlier tries" below for what 10,000 in flight against a cache of 500 does.',
  );
  const rows: (string | number)[][] = [];
  const ratios: (string | number)[][] = [];
  for (const n of scale.fanout) {
    const [o, b] = [await attempt(() => ours(env, bundles.ours, n)), await attempt(() => bare(env, bundles.bare, n))];
    if (!('makespanMs' in o) || !('makespanMs' in b)) {
      const failed = (label: string, r: Run | Failed) => ('makespanMs' in r ? `${label}: ${dur(r.makespanMs)}, peak RSS ${bytes(r.peakRss)}` : `${label}: **failed** after ${dur(r.afterMs)}: ${r.reason}`);
      rows.push([`N = ${num(n)}`, failed('ours', o), failed('bare', b)]);
      report.target({ section: '2', name: `fan-out ${num(n)}: completes on one worker`, measured: [failed('ours', o), failed('bare', b)].join('; '), met: false, note: 'see the worker log' });
      continue;
    }
    const line = (label: string, r: Run) => [
      label,
      num(n),
      `${num(r.succeeded)}/${num(n)}`,
      dur(r.makespanMs),
      num(r.peakJobs),
      num(r.parentEvents),
      bytes(r.parentBytes),
      bytes(r.resultBytes),
      dur(r.workerCpuMs),
      `${dur(r.threads.main)} / ${dur(r.threads.node)} / ${dur(r.threads.core)}`,
      bytes(r.startRss),
      bytes(r.peakRss),
      dur(r.serverCpuMs),
      dur(r.benchCpuMs),
      r.webhooks ?? '',
    ];
    rows.push(line('**ours** (pipeline)', o), line('bare fan-out', b));
    const makespan = o.makespanMs / b.makespanMs;
    const cpu = o.workerCpuMs / b.workerCpuMs;
    const rss = o.peakRss / b.peakRss;
    ratios.push([num(n), ratio(makespan), ratio(cpu), ratio(rss), `${dur(o.workerCpuMs / n)} / ${dur(b.workerCpuMs / n)}`]);
    const perSync = (ms: number) => dur(ms / n);
    const inline = Math.min(n, PIPELINE_LIMITS.steps) >= INLINE_SYNCS_MIN_STEPS;
    const shape = inline
      ? 'each sync is its owner workflow (joined with a signal-with-start from a local activity of the pipeline, answering it with a signal), woken by a webhook signal, running 3 activities that make 3 HTTP calls to the mock'
      : 'each sync is two workflows (waiter + owner, an update and signals between them) and 4 activities making 3 HTTP calls to the mock';
    const limits = {
      makespan:
        `${shape}, where a bare child is one workflow and 3 no-op activities; ` +
        `the dev server spent ${dur(o.serverCpuMs)} CPU on ours against ${dur(b.serverCpuMs)} on bare, on the same 2 cores as the worker`,
      cpu:
        `per sync, ours: main thread ${perSync(o.threads.main)} (activities: HTTP, JSON, the SDK's glue), workflow thread and V8 helpers ${perSync(o.threads.node)} (${inline ? 'the owner and the pipeline' : 'two workflows'}, and their replays after eviction from the cache), core ${perSync(o.threads.core)}; ` +
        `bare: ${perSync(b.threads.main)} / ${perSync(b.threads.node)} / ${perSync(b.threads.core)}`,
      rss:
        `at start ours ${bytes(o.startRss)} (the package and its dependencies loaded, our bundle in the workflow context) against ${bytes(b.startRss)}; ` +
        `growth to the peak ${bytes((o.peakRss - o.startRss) / n)} per sync against ${bytes((b.peakRss - b.startRss) / n)} per bare child`,
    };
    report.target({ section: '2', name: `fan-out ${num(n)}: makespan within 1.25x of bare`, measured: `${ratio(makespan)} (${dur(o.makespanMs)} vs ${dur(b.makespanMs)})`, met: makespan <= 1.25, note: makespan <= 1.25 ? undefined : limits.makespan });
    report.target({ section: '2', name: `fan-out ${num(n)}: worker CPU within 1.25x of bare`, measured: `${ratio(cpu)} (${dur(o.workerCpuMs)} vs ${dur(b.workerCpuMs)})`, met: cpu <= 1.25, note: cpu <= 1.25 ? undefined : limits.cpu });
    report.target({ section: '2', name: `fan-out ${num(n)}: peak RSS within 1.5x of bare`, measured: `${ratio(rss)} (${bytes(o.peakRss)} vs ${bytes(b.peakRss)})`, met: rss <= 1.5, note: rss <= 1.5 ? undefined : limits.rss });
    report.target({
      section: '2',
      name: `fan-out ${num(n)}: parent history < 10,000 events`,
      measured: `${num(o.parentEvents)} events, ${bytes(o.parentBytes)} (bare: ${num(b.parentEvents)})`,
      met: o.parentEvents < 10_000,
      note: o.parentEvents < 10_000 ? undefined : 'per step: child started, child completed, the job-started signal and their workflow tasks',
    });
    report.target({
      section: '2',
      name: `fan-out ${num(n)}: result < 256 KB`,
      measured: bytes(o.resultBytes),
      met: o.resultBytes < 256 * 1024,
      note: o.resultBytes < 256 * 1024 ? undefined : "each step's status carries its whole SyncResult (streams, attempts, job link)",
    });
    if (n > PIPELINE_LIMITS.steps) {
      // Several parents, each bounded (parallelism()): the target here is that they complete on one worker.
      const done = o.succeeded === n && b.succeeded === n;
      report.target({ section: '2', name: `fan-out ${num(n)}: completes on one worker`, measured: `${num(o.succeeded)}/${num(n)} in ${dur(o.makespanMs)}, peak RSS ${bytes(o.peakRss)} (bare: ${dur(b.makespanMs)})`, met: done, note: done ? undefined : 'see the worker log' });
      report.compact.push({ what: `fan-out ${num(n)} syncs on one worker (\`maxParallel\` ${num(parallelism(n))} per pipeline of 1,000)`, ours: `${num(o.succeeded)}/${num(n)} in ${dur(o.makespanMs)}, peak RSS ${bytes(o.peakRss)}`, baseline: `bare: ${dur(b.makespanMs)}, ${bytes(b.peakRss)}`, target: 'completes', verdict: done ? 'met' : 'MISSED' });
    } else if (n === Math.max(...scale.fanout.filter((size) => size <= PIPELINE_LIMITS.steps))) {
      report.compact.push(
        { what: `fan-out ${num(n)} syncs: makespan`, ours: dur(o.makespanMs), baseline: `bare fan-out: ${dur(b.makespanMs)}`, target: '<= 1.25x', verdict: makespan <= 1.25 ? 'met' : 'MISSED' },
        { what: `fan-out ${num(n)} syncs: worker CPU`, ours: dur(o.workerCpuMs), baseline: `bare: ${dur(b.workerCpuMs)}`, target: '<= 1.25x', verdict: cpu <= 1.25 ? 'met' : 'MISSED' },
        { what: `fan-out ${num(n)} syncs: peak RSS`, ours: bytes(o.peakRss), baseline: `bare: ${bytes(b.peakRss)}`, target: '<= 1.5x', verdict: rss <= 1.5 ? 'met' : 'MISSED' },
        { what: `fan-out ${num(n)} syncs: parent history, result`, ours: `${num(o.parentEvents)} events, ${bytes(o.resultBytes)}`, baseline: `bare: ${num(b.parentEvents)} events`, target: '< 10,000 events, < 256 KB', verdict: o.parentEvents < 10_000 && o.resultBytes < 256 * 1024 ? 'met' : 'MISSED' },
      );
    }
  }
  report.add(
    table(['run', 'N', 'succeeded', 'makespan', 'peak running jobs', 'parent history events', 'parent history bytes', 'result', 'worker CPU', 'of which main / workflow + V8 threads / core', 'worker RSS at start', 'worker peak RSS', 'dev server CPU', 'bench CPU (mock, client)', 'webhooks'], rows) +
      '\n\nPeak running jobs stay well under N on both sides: one worker (and the dev server, on the same cores) starts the ' +
      'syncs more slowly than 2 s jobs end, so the makespan measures throughput, not waiting.\n\n' +
      table(['N', 'makespan ours/bare', 'worker CPU ours/bare', 'peak RSS ours/bare', 'worker CPU per sync (ours / bare)'], ratios),
  );
}
