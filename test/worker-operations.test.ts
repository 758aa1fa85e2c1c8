import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { AirbyteClient } from '../src/airbyte';
import { AirbyteSyncClient } from '../src/client';
import { configureWebhookNotifications, webhookUrl } from '../src/webhooks';
import { AirbyteMetrics } from '../src/common/metric-names';
import { MockAirbyteServer } from '../src/testing';
import { freePort } from '../src/testing/dev-server';

// The `temporal-airbyte worker` command as an operator runs it, in real processes: JSON logs at a level, one
// line per job outcome, a Prometheus endpoint with the SDK's and the project's metrics, and a graceful SIGTERM
// in the middle of a sync that the next worker finishes.

interface WorkerRun {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  raw: string[];
  exited: Promise<number | null>;
  metricsUrl: string;
}

const CLI = join(__dirname, '..', 'src', 'cli.ts');
const taskQueue = `ops-${Math.random().toString(36).slice(2, 8)}`;
let mock: MockAirbyteServer;
let connection: Connection;
let syncs: AirbyteSyncClient;

beforeAll(async () => {
  mock = await MockAirbyteServer.start();
  connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS });
  syncs = new AirbyteSyncClient(new Client({ connection }), { taskQueue });
});
afterAll(async () => {
  await connection?.close();
  await mock?.close();
});

async function startWorker(extraEnv: NodeJS.ProcessEnv = {}): Promise<WorkerRun> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, CLI, 'worker'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      AIRBYTE_API_URL: mock.publicApiUrl,
      AIRBYTE_CLIENT_ID: mock.credentials?.clientId,
      AIRBYTE_CLIENT_SECRET: mock.credentials?.clientSecret,
      TEMPORAL_AIRBYTE_LOG_LEVEL: 'info',
      TEMPORAL_AIRBYTE_LOG_FORMAT: 'json',
      TEMPORAL_AIRBYTE_METRICS_ADDRESS: `127.0.0.1:${port}`,
      TEMPORAL_AIRBYTE_WORKFLOW_BUNDLE: process.env.TEMPORAL_TEST_BUNDLE,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: WorkerRun = {
    child,
    lines: [],
    raw: [],
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts.filter(Boolean)) {
      run.raw.push(line);
      run.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => run.raw.push(`stderr: ${chunk}`));
  await until(() => run.lines.some((l) => l.msg === 'temporal-airbyte worker started'), run);
  return run;
}

/** Waits for a condition the worker's output or state will reach, failing fast if the worker dies. */
async function until(condition: () => boolean | Promise<boolean>, run: WorkerRun): Promise<void> {
  let exited = false;
  void run.exited.then(() => (exited = true));
  while (!(await condition())) {
    if (exited) throw new Error(`the worker exited:\n${run.raw.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function scrape(run: WorkerRun): Promise<string> {
  const response = await fetch(run.metricsUrl);
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of a counter or histogram count for the sample whose name starts with `name`. */
function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

test('SIGTERM during a sync stops the worker cleanly; the next worker completes the sync; logs and metrics tell the story', async () => {
  const { connectionId } = mock.addConnection({
    name: 'Stripe -> Warehouse',
    script: { phases: [{ status: 'running', ms: Infinity }], streams: [{ name: 'customers', records: 1_250, bytes: 512_000 }] },
  });
  const first = await startWorker();
  const handle = await syncs.startSync({ connectionId, poll: { initialInterval: '200ms', maxInterval: '500ms' } });
  await until(async () => (await syncs.progress(handle.workflowId))?.status === 'running', first);
  const jobId = (await syncs.progress(handle.workflowId))?.jobId as number;

  // The first worker started the job and polled it: its endpoint says so, next to the SDK's own metrics.
  await until(async () => (sampleValue(await scrape(first), AirbyteMetrics.apiCalls, { endpoint: 'GET /jobs/{id}' }) ?? 0) >= 1, first);
  const before = await scrape(first);
  expect(sampleValue(before, AirbyteMetrics.syncsStarted)).toBe(1);
  expect(sampleValue(before, AirbyteMetrics.apiCalls, { endpoint: 'POST /jobs', status: '200' })).toBeGreaterThanOrEqual(1);
  expect(sampleValue(before, AirbyteMetrics.apiCalls, { endpoint: 'GET /jobs/{id}', status: '200' })).toBeGreaterThanOrEqual(1);
  expect(before).toMatch(/^temporal_\w+/m);

  first.child.kill('SIGTERM');
  expect(await first.exited).toBe(0);
  expect(first.lines.map((l) => l.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/^SIGTERM: stopping/), 'temporal-airbyte worker stopped']));

  const second = await startWorker();
  mock.finishJob(jobId, 'succeeded');
  const result = await syncs.result(handle.workflowId);
  expect(result).toMatchObject({ status: 'succeeded', jobId, rowsSynced: 1_250, bytesSynced: 512_000 });

  await until(async () => (sampleValue(await scrape(second), AirbyteMetrics.syncsSucceeded) ?? 0) >= 1, second);
  const after = await scrape(second);
  expect(sampleValue(after, AirbyteMetrics.rowsSynced)).toBe(1_250);
  expect(sampleValue(after, AirbyteMetrics.bytesSynced)).toBe(512_000);
  expect(sampleValue(after, `${AirbyteMetrics.jobDuration}_count`)).toBe(1);
  expect(sampleValue(after, `${AirbyteMetrics.detectionLateness}_count`)).toBe(1);

  // One outcome line, with what an operator searches logs by.
  await until(() => second.lines.some((l) => l.msg === 'Airbyte sync succeeded'), second);
  const outcomes = [...first.lines, ...second.lines].filter((l) => typeof l.msg === 'string' && /^Airbyte sync /.test(l.msg));
  expect(outcomes).toEqual([expect.objectContaining({ level: 'info', connectionId, jobId, rowsSynced: 1_250, workflowId: handle.workflowId })]);
  expect(first.lines.some((l) => l.msg === 'started an Airbyte job' && l.jobId === jobId)).toBe(true);

  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
  // Every line is JSON with a level, and nothing carries a task token or the bundler's module list.
  for (const line of [...first.lines, ...second.lines]) {
    expect([typeof line.time, typeof line.level, typeof line.msg]).toEqual(['string', 'string', 'string']);
  }
  const everything = [...first.raw, ...second.raw].join('\n');
  expect(everything).not.toMatch(/taskToken|modules by path|webpack/i);
  expect(everything).not.toContain(mock.credentials?.clientSecret);
});

test("Airbyte's webhook, received inside the worker process, ends a sync that would otherwise wait an hour", async () => {
  const token = randomBytes(24).toString('base64url');
  const port = await freePort();
  const worker = await startWorker({ TEMPORAL_AIRBYTE_WEBHOOK_ADDRESS: `127.0.0.1:${port}`, TEMPORAL_AIRBYTE_WEBHOOK_TOKEN: token });
  await until(() => worker.lines.some((l) => l.msg === 'Airbyte webhook receiver listening'), worker);
  const connection = mock.addConnection({ script: { phases: [{ status: 'running', ms: Infinity }], streams: [{ name: 'orders', records: 9, bytes: 90 }] } });
  const url = webhookUrl(`http://127.0.0.1:${port}`, 'default', token);
  const airbyte = new AirbyteClient({ url: mock.publicApiUrl, ...mock.credentials });
  await configureWebhookNotifications(airbyte, connection.workspaceId, { successUrl: url, failureUrl: url });

  // No history and webhooks on: the owner's next look is an hour away; only the webhook can end this quickly.
  const handle = await syncs.startSync({ connectionId: connection.connectionId, poll: { webhooks: true } });
  await until(async () => (await syncs.progress(handle.workflowId))?.status === 'running', worker);
  const jobId = (await syncs.progress(handle.workflowId))?.jobId as number;
  mock.finishJob(jobId, 'succeeded');
  expect(await syncs.result(handle.workflowId)).toMatchObject({ status: 'succeeded', jobId, rowsSynced: 9 });
  expect(mock.webhookDeliveries().filter((d) => d.status === 202)).toHaveLength(1);

  worker.child.kill('SIGTERM');
  expect(await worker.exited).toBe(0);
  expect(worker.raw.join('\n')).not.toContain(token);
});
