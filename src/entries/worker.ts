// `temporal-airbyte/worker`: what a worker process needs to run the Airbyte workflows and activities.
export { createAirbyteWorker, DEFAULT_TASK_QUEUE, runWorkerFromEnv, type AirbyteWorkerOptions } from '../worker';
export { ACTIVITY_NOT_ALLOWED, AirbyteAllowlistPlugin, AirbytePlugin, DEFAULT_MAX_CACHED_WORKFLOWS, WORKFLOW_NOT_ALLOWED, type AirbyteAllowlists, type AirbytePluginOptions } from '../plugin';
export { airbyteBundlerOptions, sharedWorkflowModules } from '../workflow-bundle-options';
export { instancesFromEnv } from '../config/instances-from-env';
export * from '../activities';
export type { ConnectorSummary, DeleteGuard, ProvisionedConnection, WorkspaceSummary } from '../activities/manage/types';
export { createAirbyteNexusHandlers, createAirbyteNexusServiceHandler } from '../nexus/handlers';
