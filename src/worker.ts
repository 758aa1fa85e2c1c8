import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { activityLogger, AirbyteInstances, createAirbyteActivities, type AirbyteInstancesInput } from './activities';
import { createDbtActivities, type DbtActivityOptions } from './activities/dbt';
import { createManageActivities, secretsFromDirectory, type SecretResolver } from './activities/manage';
import { createReconcileActivities } from './activities/reconcile';
import { instancesFromEnv } from './config/instances-from-env';
import { connectionOptionsOf, temporalTarget, unreachableTemporal, type TemporalTarget } from './config/temporal-connection';
import { AirbyteAllowlistPlugin, withAllowedProjects, type AirbyteAllowlists } from './plugin';
import { DEFAULT_TASK_QUEUE } from './worker-defaults';

export { DEFAULT_TASK_QUEUE };

/** The allowlists (`allowedActivities`, `allowedWorkflows`, `allowedDbtProjects`) bound what a pipeline may run: see the README's threat model. */
export interface AirbyteWorkerOptions extends AirbyteAllowlists {
  /** Airbyte instances by name; `default` is used when a workflow names none. */
  instances: AirbyteInstances | AirbyteInstancesInput;
  /**
   * Default: connect as the `temporal` CLI does, from TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
   * TEMPORAL_TLS_* and the `temporal.toml` profile (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE); else localhost:7233.
   */
  connection?: NativeConnection;
  /** Default: the namespace of that configuration, else `default`. */
  namespace?: string;
  taskQueue?: string;
  /**
   * Worker-wide protection of the Airbyte API: at most this many Airbyte activities start per second
   * across the whole task queue. Default 20.
   */
  maxAirbyteCallsPerSecond?: number;
  /** Options of the dbt activity used by pipelines' `dbt` steps (executable, default project, env). */
  dbt?: DbtActivityOptions;
  /** Your own activities, for pipelines' `activity` steps. */
  activities?: object;
  /** Resolves the `secretRef` of connector configurations (onboardTenant, create/update of sources and destinations). */
  secrets?: SecretResolver;
  /** Anything else Temporal's Worker accepts (e.g. a prebuilt `workflowBundle`). */
  workerOptions?: Partial<WorkerOptions>;
}

/** A Temporal worker that runs the Airbyte workflows and activities. */
export async function createAirbyteWorker(options: AirbyteWorkerOptions): Promise<Worker> {
  const instances = options.instances instanceof AirbyteInstances ? options.instances : new AirbyteInstances(options.instances, activityLogger);
  const target = options.connection && options.namespace ? undefined : temporalTarget();
  const connection = options.connection ?? (await connectToTemporal(target as TemporalTarget));
  const bundled = options.workerOptions?.workflowBundle !== undefined;
  return Worker.create({
    connection,
    namespace: options.namespace ?? target?.namespace ?? 'default',
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    activities: {
      ...createAirbyteActivities(instances),
      ...createReconcileActivities(instances),
      ...createManageActivities(instances, { secrets: options.secrets }),
      ...createDbtActivities(withAllowedProjects(options.dbt, options.allowedDbtProjects)),
      ...options.activities,
    },
    maxTaskQueueActivitiesPerSecond: options.maxAirbyteCallsPerSecond ?? 20,
    ...(bundled ? {} : { workflowsPath: require.resolve('./workflows') }),
    ...options.workerOptions,
    plugins: [new AirbyteAllowlistPlugin(options), ...(options.workerOptions?.plugins ?? [])],
  });
}

/**
 * `temporal-airbyte worker`: everything from the environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, AIRBYTE_*,
 * and AIRBYTE_SECRETS_DIR: connector credentials as `<dir>/<secretRef>.json`).
 */
export async function runWorkerFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const instances = instancesFromEnv(env); // throws naming the bad variable, before any connection
  // Connect here, from `env` (not whatever process.env holds), so a bad TEMPORAL_ADDRESS is named as such.
  const target = temporalTarget({ env });
  const connection = await connectToTemporal(target);
  try {
    const secrets = env.AIRBYTE_SECRETS_DIR ? secretsFromDirectory(env.AIRBYTE_SECRETS_DIR) : undefined;
    const worker = await createAirbyteWorker({ instances, connection, taskQueue: env.TEMPORAL_TASK_QUEUE, namespace: target.namespace, secrets });
    console.log(`temporal-airbyte worker on task queue '${worker.options.taskQueue}', Airbyte instances: ${Object.keys(instances).join(', ')}`);
    await worker.run();
  } finally {
    await connection.close();
  }
}

/** `NativeConnection.connect`, failing with what could not be reached and how to change it. */
async function connectToTemporal(target: TemporalTarget): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connectionOptionsOf(target));
  } catch (err) {
    throw unreachableTemporal(target, err);
  }
}
