// `npm run bench`: the figures behind the default poll policy and history bound.
//  1. Airbyte API calls per sync, ours against the fixed intervals other orchestrators use (computed in this run).
//  2. History events per poll, measured on a real Temporal dev server, and what that means for a long sync.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { AirbyteTestEnvironment } from '../src/testing';
import { DEFAULT_POLL_POLICY, nextPollDelay, pollsForDuration, type PollPolicy } from '../src/workflows/poll-policy';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DURATIONS: [string, number][] = [
  ['1 min', MIN],
  ['10 min', 10 * MIN],
  ['1 h', HOUR],
  ['6 h', 6 * HOUR],
  ['24 h', 24 * HOUR],
  ['72 h', 72 * HOUR],
];
const FIXED: [string, number][] = [
  ['PyAirbyte 2 s', 2_000],
  ['Airflow 3 s', 3_000],
  ['dagster 10 s', 10_000],
  ['prefect 15 s', 15_000],
];

const fixed = (ms: number): PollPolicy => ({ initialMs: ms, maxMs: ms, latenessRatio: 0 });

function pollTable(): void {
  console.log('\n## Airbyte API calls (polls) per sync: fixed interval / ours (higher = we make fewer calls)\n');
  console.log(['job lasts', 'ours', 'worst lateness', ...FIXED.map(([n]) => n)].join(' | '));
  for (const [label, ms] of DURATIONS) {
    const ours = pollsForDuration(ms, DEFAULT_POLL_POLICY);
    const lateness = nextPollDelay(ms, DEFAULT_POLL_POLICY) / 1000;
    const ratios = FIXED.map(([, interval]) => {
      const theirs = pollsForDuration(ms, fixed(interval));
      return `${theirs} (${(theirs / ours).toFixed(1)}x)`;
    });
    console.log([label, ours, `${lateness} s`, ...ratios].join(' | '));
  }
}

async function historyFigures(): Promise<void> {
  const env = await AirbyteTestEnvironment.start();
  try {
    const measure = async (polls: number) => {
      const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }] } });
      const handle = await env.syncs.startSync({ connectionId, poll: { initialInterval: '10ms', maxInterval: '10ms' } });
      await env.mock.waitFor(() => env.mock.requestsTo('GET', /^\/jobs\/\d+$/).filter((r) => r.path.endsWith(`/${env.mock.jobs({ connectionId })[0]?.jobId}`)).length >= polls, 120_000);
      env.mock.finishJob(env.mock.jobs({ connectionId })[0]!.jobId, 'succeeded');
      const result = await env.syncs.result(handle.workflowId);
      const events = (await handle.fetchHistory()).events?.length ?? 0;
      return { polls: result.polls, events };
    };
    const a = await measure(2);
    const b = await measure(12);
    const perPoll = (b.events - a.events) / (b.polls - a.polls);
    const overhead = a.events - a.polls * perPoll;
    const bound = 5_000;
    const pollsPerRun = Math.floor((bound - overhead) / perPoll);
    console.log('\n## History (measured on the dev server)\n');
    console.log(`runs: ${a.polls} polls -> ${a.events} events; ${b.polls} polls -> ${b.events} events`);
    console.log(`events per poll: ${perPoll.toFixed(1)}; fixed overhead per run: ${overhead.toFixed(0)} events`);
    console.log(`history bound ${bound}: one run holds ~${pollsPerRun} polls before continue-as-new`);
    for (const [label, ms] of DURATIONS) {
      const polls = pollsForDuration(ms, DEFAULT_POLL_POLICY);
      const unbounded = Math.round(overhead + polls * perPoll);
      const dagster = Math.round(overhead + pollsForDuration(ms, fixed(10_000)) * perPoll);
      console.log(
        `${label}: ${polls} polls, ${unbounded} events without continue-as-new (dagster-like 10 s: ${dagster}); ` +
          `with the bound: ${Math.max(1, Math.ceil(polls / pollsPerRun))} run(s), each < ${bound} events`,
      );
    }
  } finally {
    await env.close();
  }
}

/** A wide pipeline on one worker: wall time and the parent's history, against a one-sync pipeline as baseline. */
async function pipelineScale(size: number): Promise<void> {
  const env = await AirbyteTestEnvironment.start({ maxAirbyteCallsPerSecond: 1_000 });
  try {
    const run = async (n: number, maxParallel: number) => {
      const steps = Array.from({ length: n }, (_, i) => {
        const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 1_000 }], rowsSynced: 1 } });
        return { id: `s${i}`, kind: 'sync' as const, connectionId, poll: { initialInterval: 1_000, maxInterval: 1_000 } };
      });
      const started = Date.now();
      const handle = await env.syncs.startPipeline({ name: `scale-${n}`, maxParallel, steps });
      const result = await env.syncs.pipelineResult(handle.workflowId);
      const wallMs = Date.now() - started;
      const events = (await handle.fetchHistory()).events?.length ?? 0;
      return { wallMs, events, succeeded: result.totals.succeeded, peak: env.mock.peakConcurrentJobs() };
    };
    const baseline = await run(1, 1);
    env.mock.reset();
    const maxParallel = 100;
    const wide = await run(size, maxParallel);
    console.log(`\n## Pipeline scale (one worker, mock jobs of 1 s, maxParallel ${maxParallel})\n`);
    console.log(`baseline, 1 sync: ${baseline.wallMs} ms, parent history ${baseline.events} events`);
    console.log(
      `${size} syncs: ${wide.succeeded} succeeded in ${wide.wallMs} ms, parent history ${wide.events} events ` +
        `(${(wide.events / size).toFixed(1)} per step), peak ${wide.peak} jobs at once`,
    );
    const ideal = Math.ceil(size / maxParallel) * baseline.wallMs;
    console.log(`wall time / (waves x baseline): ${(wide.wallMs / ideal).toFixed(2)} (1.00 = as fast as ${Math.ceil(size / maxParallel)} back-to-back single syncs)`);
  } finally {
    await env.close();
  }
}

async function main(): Promise<void> {
  console.log(`default poll policy: ${JSON.stringify(DEFAULT_POLL_POLICY)}`);
  pollTable();
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  await historyFigures();
  await pipelineScale(Number(process.env.BENCH_PIPELINE_SIZE ?? 500));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
