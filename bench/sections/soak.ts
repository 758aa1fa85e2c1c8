// Section 5: does a long-lived worker give its memory back? The same fan-out run round after round on ONE
// worker, ours and bare, with the worker's memory read after each round once it is idle. A leak grows with
// rounds; a peak that is only the working set of a round does not.
import type { BenchEnv } from '../lib/env';
import { table, type Report } from '../lib/report';
import type { Scale } from '../lib/scale';
import { bytes, dur, num } from '../lib/stats';
import type { BenchWorker } from '../lib/worker';
import { bareRound, oursRound, type Run } from './fanout';

interface Round {
  run: Run;
  /** After the round, once idle: resident memory, and the main isolate's heap after a full collection. */
  rss: number;
  heapUsed: number;
}

/** `count` rounds of `one` on `worker` (killed after): each measured, then the worker's memory once it is idle. */
async function rounds(worker: BenchWorker, count: number, one: (worker: BenchWorker) => Promise<Run>): Promise<Round[]> {
  const out: Round[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const run = await one(worker);
      await worker.waitIdle();
      const usage = await worker.usage(true);
      out.push({ run, rss: usage.rss, heapUsed: usage.heapUsed });
    }
  } finally {
    await worker.kill();
  }
  return out;
}

/** Growth per sync from the end of the first round (caches and JIT warm) to the end of the last. */
function growthPerSync(r: Round[], n: number, of: (x: Round) => number): number {
  const first = r[0];
  const last = r[r.length - 1];
  return first && last && r.length > 1 ? (of(last) - of(first)) / ((r.length - 1) * n) : Number.NaN;
}

export async function soakSection(env: BenchEnv, bundles: { ours: string; bare: string }, scale: Scale, report: Report): Promise<void> {
  const { rounds: count, syncs: n } = scale.soak;
  const ours = await rounds(await env.webhookWorker({ bundlePath: bundles.ours }, true), count, (w) => oursRound(env, w, n));
  const bare = await rounds(await env.worker('bare', { bundlePath: bundles.bare }), count, (w) => bareRound(env, w, n));
  const line = (label: string) => (r: Round, i: number) => [label, num(i + 1), `${num(r.run.succeeded)}/${num(n)}`, dur(r.run.makespanMs), dur(r.run.workerCpuMs), bytes(r.run.peakRss), bytes(r.rss), bytes(r.heapUsed)];
  const rows = [...ours.map(line('**ours** (pipeline)')), ...bare.map(line('bare fan-out'))];
  const idle = (r: Round[]) => r.map((x) => bytes(x.rss)).join(', ');
  report.compact.push({
    what: `worker RSS when idle after each of ${num(count)} fan-outs of ${num(n)} on one worker`,
    ours: `${idle(ours)} (${bytes(growthPerSync(ours, n, (x) => x.rss))} per sync)`,
    baseline: `bare: ${idle(bare)}`,
    target: '',
    verdict: '',
  });
  const perSync = (r: Round[]) => `${bytes(growthPerSync(r, n, (x) => x.rss))} RSS, ${bytes(growthPerSync(r, n, (x) => x.heapUsed))} main heap`;
  report.add(
    '## 5. A long-lived worker\n\n' +
      `Section 2's fan-out of ${num(n)} syncs run ${num(count)} times in a row on ONE worker, ours and bare, each round ` +
      'measured as section 2 measures it; after each round, once the worker is idle (every workflow closed), its resident ' +
      "memory and its main isolate's heap after a full collection (the workflow thread's heap is in the RSS; Node cannot " +
      'collect it from outside). A leak shows as memory that grows round after round; the working set of one round does not.\n\n' +
      table(['run', 'round', 'succeeded', 'makespan', 'worker CPU', 'peak RSS so far', 'RSS after, idle', 'main heap after GC'], rows) +
      `\n\nGrowth per sync from the end of round 1 to the end of round ${num(count)}: ours ${perSync(ours)}; bare ${perSync(bare)}.`,
  );
}
