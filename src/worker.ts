import type { Logger } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { secretsFromDirectory } from './activities/manage';
import { instancesFromEnv } from './config/instances-from-env';
import { connectionOptionsOf, temporalTarget, unreachableTemporal, type TemporalTarget } from './config/temporal-connection';
import { parseWorkerEnvironment } from './config/worker-environment';
import { installWorkerRuntime } from './observability/runtime';
import { tracingFromEnv } from './observability/tracing';
import { AirbytePlugin, type AirbytePluginOptions } from './plugin';
import { startWebhookReceiverFromEnv, WEBHOOK_ADDRESS_VARIABLE, type RunningWebhookReceiver } from './webhooks';
import { DEFAULT_TASK_QUEUE } from './worker-defaults';

export { DEFAULT_TASK_QUEUE };

/** The allowlists (`allowedActivities`, `allowedWorkflows`, `allowedDbtProjects`) bound what a pipeline may run: see the README's threat model. */
export interface AirbyteWorkerOptions extends AirbytePluginOptions {
  /**
   * Default: connect as the `temporal` CLI does, from TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
   * TEMPORAL_TLS_* and the `temporal.toml` profile (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE); else localhost:7233.
   */
  connection?: NativeConnection;
  /** Default: the namespace of that configuration, else `default`. */
  namespace?: string;
  taskQueue?: string;
  /** Your own activities, for pipelines' `activity` steps. */
  activities?: object;
  /** Anything else Temporal's Worker accepts (e.g. `workflowsPath` to run your workflows beside ours, `plugins`). */
  workerOptions?: Partial<WorkerOptions>;
}

/** A Temporal worker that runs the Airbyte workflows and activities: `AirbytePlugin` on a worker of its own. */
export async function createAirbyteWorker(options: AirbyteWorkerOptions): Promise<Worker> {
  const plugin = new AirbytePlugin(options); // validates the instances before anything connects
  const target = options.connection && options.namespace ? undefined : temporalTarget();
  const connection = options.connection ?? (await connectToTemporal(target as TemporalTarget));
  return Worker.create({
    connection,
    namespace: options.namespace ?? target?.namespace ?? 'default',
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    activities: options.activities,
    ...options.workerOptions,
    plugins: [plugin, ...(options.workerOptions?.plugins ?? [])],
  });
}

/**
 * `temporal-airbyte worker`: everything from the environment. Temporal: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE, TEMPORAL_TASK_QUEUE. Airbyte: AIRBYTE_* (and
 * AIRBYTE_SECRETS_DIR: connector credentials as `<dir>/<secretRef>.json`). Operations: TEMPORAL_AIRBYTE_LOG_LEVEL,
 * TEMPORAL_AIRBYTE_LOG_FORMAT (json|text), TEMPORAL_AIRBYTE_METRICS_ADDRESS (host:port of a Prometheus
 * endpoint), TEMPORAL_AIRBYTE_WORKFLOW_BUNDLE, OTEL_EXPORTER_OTLP_ENDPOINT (tracing); every one is in
 * WORKER_ENVIRONMENT (src/config/worker-environment.ts). SIGTERM or SIGINT stops it gracefully: it stops polling, lets
 * running activities finish (up to 20 s), and exits 0; the workflows go on on the other workers.
 */
export async function runWorkerFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Everything is checked before anything connects, each problem naming its variable.
  const instances = instancesFromEnv(env);
  const settings = parseWorkerEnvironment(env);
  const target = temporalTarget({ env });
  const tracing = tracingFromEnv(env);
  const telemetry = { logLevel: settings.TEMPORAL_AIRBYTE_LOG_LEVEL, logFormat: settings.TEMPORAL_AIRBYTE_LOG_FORMAT, metricsAddress: settings.TEMPORAL_AIRBYTE_METRICS_ADDRESS };
  const runtime = installWorkerRuntime(telemetry);
  const log = runtime.logger;
  const connection = await connectToTemporal(target);
  try {
    const secrets = env.AIRBYTE_SECRETS_DIR ? secretsFromDirectory(env.AIRBYTE_SECRETS_DIR) : undefined;
    const worker = await createAirbyteWorker({
      instances,
      connection,
      taskQueue: env.TEMPORAL_TASK_QUEUE || undefined,
      namespace: target.namespace,
      secrets,
      workflowBundlePath: settings.TEMPORAL_AIRBYTE_WORKFLOW_BUNDLE,
      tracing,
      workerOptions: { shutdownGraceTime: '20s', maxCachedWorkflows: settings.TEMPORAL_AIRBYTE_MAX_CACHED_WORKFLOWS },
    });
    const { taskQueue, namespace, workflowBundle } = worker.options;
    log.info('temporal-airbyte worker started', {
      address: target.address,
      namespace,
      taskQueue,
      instances: Object.keys(instances),
      workflows: workflowBundle && 'codePath' in workflowBundle ? workflowBundle.codePath : 'bundled at start',
      maxCachedWorkflows: worker.options.maxCachedWorkflows,
      metrics: telemetry.metricsAddress ? `http://${telemetry.metricsAddress}/metrics` : undefined,
      tracing: tracing ? 'OpenTelemetry (OTLP/HTTP)' : undefined,
    });
    // Airbyte's webhooks, received in this process when TEMPORAL_AIRBYTE_WEBHOOK_ADDRESS says so.
    const webhooks = env[WEBHOOK_ADDRESS_VARIABLE] ? await startWebhooks(env, worker, log) : undefined;
    const stopping = (signal: NodeJS.Signals) => {
      log.info(`${signal}: stopping; running activities get up to 20 s, workflows go on on other workers`);
    };
    process.once('SIGTERM', stopping).once('SIGINT', stopping);
    try {
      await worker.run();
    } finally {
      await webhooks?.close();
    }
    log.info('temporal-airbyte worker stopped', { taskQueue });
  } finally {
    await connection.close();
  }
}

/** Airbyte's webhooks in this process: they signal owners through the worker's own client (its connection, its data converter). */
async function startWebhooks(env: NodeJS.ProcessEnv, worker: Worker, log: Logger): Promise<RunningWebhookReceiver | undefined> {
  const client = worker.client;
  if (!client) throw new Error('the worker has no connection to signal owners through');
  const receiver = await startWebhookReceiverFromEnv(env, client, { logger: log });
  if (receiver) log.info('Airbyte webhook receiver listening', { url: `${receiver.url.replace(/\/+$/, '')}/airbyte/webhooks/<instance>/<token>` });
  return receiver;
}

/** `NativeConnection.connect`, failing with what could not be reached and how to change it. */
async function connectToTemporal(target: TemporalTarget): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connectionOptionsOf(target));
  } catch (err) {
    throw unreachableTemporal(target, err);
  }
}
