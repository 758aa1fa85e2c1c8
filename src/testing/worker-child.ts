// The child side of WorkerProcess: reads its configuration from the environment, runs createAirbyteWorker on
// the prebuilt workflow bundle, and tells the parent over IPC once it is ready. Not a public entry point.
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { secretsFromDirectory } from '../activities/manage';
import { startWebhookReceiver } from '../webhooks';
import { createAirbyteWorker } from '../worker';
import { WORKER_PROCESS_ENV, type WorkerProcessConfig, type WorkerProcessMessage } from './worker-process';

function send(message: WorkerProcessMessage): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!process.send) resolve();
    else process.send(message, () => resolve());
  });
}

async function main(): Promise<void> {
  const raw = process.env[WORKER_PROCESS_ENV];
  if (!raw) throw new Error(`${WORKER_PROCESS_ENV} is not set: this script is started by WorkerProcess`);
  // The configuration holds credentials: keep it out of the environment that activities (and their children) see.
  delete process.env[WORKER_PROCESS_ENV];
  const config = JSON.parse(raw) as WorkerProcessConfig;
  Runtime.install({ logger: new DefaultLogger(config.logLevel) });
  // An orphaned worker would keep running workflows of a test that is over: leave with the parent.
  process.on('disconnect', () => process.exit(1));

  const connection = await NativeConnection.connect({ address: config.address });
  const worker = await createAirbyteWorker({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    instances: config.instances,
    maxAirbyteCallsPerSecond: config.maxAirbyteCallsPerSecond,
    secrets: config.secretsDir ? secretsFromDirectory(config.secretsDir) : undefined,
    workerOptions: { ...config.workerOptions, workflowBundle: { codePath: config.workflowBundlePath } },
  });
  const receiver = config.webhooks ? await startWebhookReceiver({ client: clientOf(worker), instances: { default: { token: config.webhooks.token } }, host: '127.0.0.1', port: config.webhooks.port }) : undefined;
  const running = worker.run();
  await send({ type: 'ready', pid: process.pid });
  await running;
  await receiver?.close();
  await connection.close();
}

function clientOf(worker: Worker) {
  if (!worker.client) throw new Error('the worker has no client');
  return worker.client;
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    await send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
