// Section 4: how long a worker takes from spawn to polling, with the prebuilt bundle and bundling at start.
import type { BenchEnv } from '../lib/env';
import { closeTimeMs, runHistory } from '../lib/history';
import { table, type Report } from '../lib/report';
import type { Scale } from '../lib/scale';
import { dur, median } from '../lib/stats';
import type { BenchWorkerConfig } from '../lib/protocol';
import type { packagedBundle } from '../lib/bundles';

interface Start {
  readyMs: number;
  firstTaskMs: number;
  bootMs: number;
  importMs: number;
  createMs: number;
}

async function startOnce(env: BenchEnv, workflows: BenchWorkerConfig['workflows'], n: number): Promise<Start> {
  const taskQueue = `bench-start-${n}-${Math.random().toString(36).slice(2, 8)}`;
  // A workflow waiting before the worker exists: its first task shows when the worker really works.
  const probe = await env.client.workflow.start('syncAndWait', { taskQueue, workflowId: `bench-start-probe-${taskQueue}`, args: [{ connectionId: 'not-a-uuid' }] });
  const spawnedAt = Date.now();
  const worker = await env.worker('airbyte', workflows, { taskQueue, fromLib: true });
  try {
    await probe.result().catch(() => undefined); // fails at once: invalid input
    const closedAt = closeTimeMs((await runHistory(env.client, probe.workflowId)).events);
    return { readyMs: worker.startMs, firstTaskMs: closedAt - spawnedAt, ...worker.timings };
  } finally {
    await worker.kill();
  }
}

export async function startupSection(env: BenchEnv, packaged: ReturnType<typeof packagedBundle>, scale: Scale, report: Report): Promise<void> {
  const variants: [string, BenchWorkerConfig['workflows']][] = [
    ['prebuilt bundle (`lib/workflow-bundle.js`)', { bundlePath: packaged.path }],
    ['bundling at start (`workflowsPath`: lib/workflows)', { workflowsPath: packaged.workflowsPath }],
  ];
  const rows: string[][] = [];
  const medians: number[] = [];
  for (const [label, workflows] of variants) {
    const starts: Start[] = [];
    for (let i = 0; i < scale.starts; i++) starts.push(await startOnce(env, workflows, i));
    const m = (f: (s: Start) => number) => median(starts.map(f));
    medians.push(m((s) => s.readyMs));
    rows.push([label, dur(m((s) => s.readyMs)), dur(m((s) => s.firstTaskMs)), dur(m((s) => s.bootMs)), dur(m((s) => s.importMs)), dur(m((s) => s.createMs)), starts.map((s) => dur(s.readyMs)).join(', ')]);
  }
  const [prebuilt, bundling] = medians as [number, number];
  report.add(
    '## 4. Worker start\n\n' +
      `A worker child (\`createAirbyteWorker\` from lib/, as installed, the child itself run by tsx) from \`fork()\` to polling, median of ${scale.starts}. ` +
      '"First task" is when a `syncAndWait` started before the spawn (invalid input: it fails in its first task) closed. ' +
      `The bundle is lib/workflow-bundle.js of ${packaged.builtAt.toISOString()}${packaged.built ? ' (built by this run)' : ''}.\n\n` +
      table(['workflows', 'spawn -> polling', 'spawn -> first task done', 'node + tsx boot', 'imports', '`Worker.create`', 'each run'], rows) +
      `\n\nThe prebuilt bundle starts a worker ${(bundling / prebuilt).toFixed(1)}x faster.`,
  );
  report.compact.push({ what: 'worker start (spawn -> polling)', ours: `${dur(prebuilt)} (prebuilt bundle)`, baseline: `bundling at start: ${dur(bundling)}`, target: '', verdict: '' });
}
