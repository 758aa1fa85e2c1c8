import { SimplePlugin } from '@temporalio/plugin';
import type { WorkerOptions } from '@temporalio/worker';
import { activityLogger, AirbyteInstances, createAirbyteActivities, type AirbyteInstancesInput } from './activities';
import { createDbtActivities, type DbtActivityOptions } from './activities/dbt';
import { createManageActivities, type SecretResolver } from './activities/manage';
import { createReconcileActivities } from './activities/reconcile';
import { createAirbyteNexusHandlers } from './nexus/handlers';
import { allowlistActivityInterceptor, createAllowlistActivities, withAllowedProjects, type AirbyteAllowlists } from './allowlists';
import { tracingConfigurer, type AirbyteTracingOptions } from './observability/tracing';
import { airbyteBundlerOptions } from './workflow-bundle-options';
import { defaultWorkflowSource } from './workflow-source';

export { ACTIVITY_NOT_ALLOWED, AirbyteAllowlistPlugin, WORKFLOW_NOT_ALLOWED, type AirbyteAllowlists } from './allowlists';

/**
 * Workflows a worker running this package's bundle keeps in its cache unless told otherwise. A cached sync
 * workflow costs about 0.3 MB; an evicted one costs nothing until it wakes (a check, a hint, the job's end) and
 * replays its short history. The SDK's default (sized on the heap, ~2,300 on a 4 GB heap) keeps every waiting
 * sync in memory: 0.6 GB for 1,000 of them (two workflows each). 300 holds the syncs a worker actually runs at
 * once (a 1,000-step fan-out keeps well under 100 Airbyte jobs running on one worker) and keeps 1,000 waiting
 * syncs under 300 MB; 500 measured 234-313 MB there. Bench sections 2 and 3 measure it.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 300;

/** Default of `maxAirbyteCallsPerSecond`. */
export const DEFAULT_MAX_AIRBYTE_CALLS_PER_SECOND = 20;

export interface AirbytePluginOptions extends AirbyteAllowlists {
  /** Airbyte instances by name; `default` is used when a workflow names none. */
  instances: AirbyteInstances | AirbyteInstancesInput;
  /** Options of the dbt activity used by pipelines' `dbt` steps (executable, default project, env, inheritEnv). */
  dbt?: DbtActivityOptions;
  /** Resolves the `secretRef` of connector configurations (onboardTenant, create/update of sources and destinations). */
  secrets?: SecretResolver;
  /**
   * Task-queue-wide protection of the Airbyte API: at most this many activities start per second across all
   * workers of the queue (the worker's `maxTaskQueueActivitiesPerSecond`, unless that is set). Default 20.
   */
  maxAirbyteCallsPerSecond?: number;
  /**
   * Path of a prebuilt workflow bundle. Default: the package's own (lib/workflow-bundle.js), else bundling the
   * workflow sources at start. Ignored when the worker has its own `workflowsPath` or `workflowBundle`.
   */
  workflowBundlePath?: string;
  /** OpenTelemetry tracing through the SDK's interceptors (needs @temporalio/interceptors-opentelemetry). */
  tracing?: AirbyteTracingOptions;
}

/**
 * Everything this package puts on a worker, in one line:
 *   Worker.create({ connection, taskQueue, plugins: [new AirbytePlugin({ instances: { default: {...} } })] })
 * the Airbyte, reconcile, management and dbt activities, the pipeline allowlists, the Airbyte rate limit, the
 * `temporal-airbyte` Nexus service (sync, runPipeline), and
 * the workflows (the prebuilt bundle) unless the worker brings its own: a worker that runs your workflows too
 * sets `workflowsPath` to a module that does `export * from 'temporal-airbyte/workflows'`.
 * `createAirbyteWorker` is this plugin on a worker it creates.
 */
export class AirbytePlugin extends SimplePlugin {
  private readonly maxCallsPerSecond: number;
  private readonly workflowBundlePath?: string;
  private readonly tracing?: ReturnType<typeof tracingConfigurer>;

  constructor(options: AirbytePluginOptions) {
    // One registry for every set of activities: one client (and token cache) per instance.
    const instances = options.instances instanceof AirbyteInstances ? options.instances : new AirbyteInstances(options.instances, activityLogger);
    const interceptor = allowlistActivityInterceptor(options);
    const ours = {
      ...createAirbyteActivities(instances),
      ...createReconcileActivities(instances),
      ...createManageActivities(instances, { secrets: options.secrets }),
      ...createDbtActivities(withAllowedProjects(options.dbt, options.allowedDbtProjects)),
      ...createAllowlistActivities(options),
    };
    super({
      name: 'temporal-airbyte',
      // The worker's own activities of the same name win: a test can stand in for one of ours.
      activities: (existing) => ({ ...ours, ...existing }),
      // The sync and the pipeline as a Nexus service, for callers in other namespaces (see the README).
      nexusServices: createAirbyteNexusHandlers(),
      ...(interceptor ? { workerInterceptors: { activity: [interceptor] } } : {}),
    });
    const max = options.maxAirbyteCallsPerSecond ?? DEFAULT_MAX_AIRBYTE_CALLS_PER_SECOND;
    if (!(typeof max === 'number' && max > 0 && Number.isFinite(max))) throw new Error(`maxAirbyteCallsPerSecond must be a positive number, got ${String(max)}`);
    this.maxCallsPerSecond = max;
    this.workflowBundlePath = options.workflowBundlePath;
    this.tracing = options.tracing ? tracingConfigurer(options.tracing) : undefined;
  }

  override configureWorker(options: WorkerOptions): WorkerOptions {
    const configured = super.configureWorker(options);
    const hasWorkflows = configured.workflowsPath !== undefined || configured.workflowBundle !== undefined;
    const ours: WorkerOptions = {
      ...configured,
      // The cache is sized for our workflows only when the worker runs nothing else (it knows what they cost).
      ...(hasWorkflows ? {} : { ...defaultWorkflowSource(this.workflowBundlePath, this.tracing !== undefined), maxCachedWorkflows: configured.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS }),
      maxTaskQueueActivitiesPerSecond: configured.maxTaskQueueActivitiesPerSecond ?? this.maxCallsPerSecond,
    };
    // Bundling at start (the worker's workflowsPath, which may export ours, or our sources): our stateless modules are shared.
    if (ours.workflowsPath !== undefined) ours.bundlerOptions = { ...ours.bundlerOptions, ...airbyteBundlerOptions(ours.bundlerOptions) };
    // After the workflow source is known: the tracing plugin adds its workflow interceptors only when bundling.
    return this.tracing ? this.tracing.configureWorker(ours) : ours;
  }
}
