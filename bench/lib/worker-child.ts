// The bench's worker process: this package's worker (createAirbyteWorker) or a bare Temporal worker, from a
// prebuilt bundle or bundling at start. It says when it polls, and answers the bench's questions about its CPU
// time and memory (process.resourceUsage, process.memoryUsage) over IPC. Started by BenchWorker.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as WebhooksModule from '../../src/webhooks';
import type * as WorkerModule from '../../src/worker';
import type { BenchWorkerConfig, ChildMessage, ChildUsage, ParentMessage } from './protocol';
import { BENCH_WORKER_ENV } from './protocol';

function send(message: ChildMessage): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!process.send) resolve();
    else process.send(message, () => resolve());
  });
}

const booted = Date.now();

async function main(): Promise<void> {
  const raw = process.env[BENCH_WORKER_ENV];
  if (!raw) throw new Error(`${BENCH_WORKER_ENV} is not set: this script is started by the bench`);
  delete process.env[BENCH_WORKER_ENV];
  const config = JSON.parse(raw) as BenchWorkerConfig;
  process.on('disconnect', () => process.exit(1));

  const importStart = Date.now();
  const sdk = await import('@temporalio/worker');
  const { createBareActivities } = await import('../workflows/bare-activities');
  const ours = config.kind === 'airbyte' ? ((await import(join(__dirname, config.fromLib ? '../../lib/worker.js' : '../../src/worker.ts'))) as typeof WorkerModule) : undefined;
  const importMs = Date.now() - importStart;
  sdk.Runtime.install({ logger: new sdk.DefaultLogger('ERROR') });

  const connectStart = Date.now();
  const connection = await sdk.NativeConnection.connect({ address: config.address });
  const connectMs = Date.now() - connectStart;

  const bare = createBareActivities();
  const source = 'bundlePath' in config.workflows ? { workflowBundle: { codePath: config.workflows.bundlePath } } : { workflowsPath: config.workflows.workflowsPath };
  const tuning = config.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: config.maxCachedWorkflows } : {};
  const createStart = Date.now();
  const worker = ours
    ? await ours.createAirbyteWorker({
        connection,
        namespace: config.namespace,
        taskQueue: config.taskQueue,
        instances: config.instances ?? {},
        maxAirbyteCallsPerSecond: config.maxAirbyteCallsPerSecond,
        // Our bundle through the plugin, as a user deploys it: the plugin then sizes the workflow cache.
        ...('bundlePath' in config.workflows ? { workflowBundlePath: config.workflows.bundlePath, workerOptions: tuning } : { workerOptions: { ...source, ...tuning } }),
      })
    : await sdk.Worker.create({ connection, namespace: config.namespace, taskQueue: config.taskQueue, activities: bare.activities, ...source, ...tuning });
  const createMs = Date.now() - createStart;

  let receiver: Awaited<ReturnType<typeof WebhooksModule.startWebhookReceiver>> | undefined;
  if (config.webhooks) {
    const webhooks = (await import(join(__dirname, '../../src/webhooks/index.ts'))) as typeof WebhooksModule;
    // As `temporal-airbyte worker` runs it: signalling through the worker's own client and connection.
    const client = worker.client;
    if (!client) throw new Error('the worker has no client');
    const wide = { burst: 100_000, perSecond: 100_000 };
    receiver = await webhooks.startWebhookReceiver({
      client,
      instances: { default: { token: config.webhooks.token } },
      host: '127.0.0.1',
      ...(config.webhooks.unlimited && { perSourceRateLimit: wide, globalRateLimit: wide, maxPendingSignals: 100_000 }),
    });
  }

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'reset-peak') return bare.reset();
    if (message.gc) globalThis.gc?.();
    const r = process.resourceUsage();
    const m = process.memoryUsage();
    const usage: ChildUsage = {
      userMicros: r.userCPUTime,
      systemMicros: r.systemCPUTime,
      maxRss: r.maxRSS * 1024,
      rss: m.rss,
      heapUsed: m.heapUsed,
      barePeak: bare.peak(),
      webhooks: receiver?.stats(),
    };
    void send({ type: 'usage', id: message.id, usage });
  });

  const running = worker.run();
  const bootMs = booted - performance.timeOrigin;
  await send({ type: 'ready', pid: process.pid, timings: { bootMs, importMs, connectMs, createMs }, webhookUrl: receiver?.url });
  await running;
  await connection.close();
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    await send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
