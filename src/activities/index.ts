export { activityLogger, createAirbyteActivities, type AirbyteActivities } from './create-activities';
export { AIRBYTE_API_FAILURE, AIRBYTE_CONFIG_FAILURE, toActivityFailure } from './failures';
export { AirbyteInstances, DEFAULT_INSTANCE, type AirbyteInstancesInput } from './instances';
export { triggerJob } from './trigger-job';
export type * from './types';
export * from './dbt';
// The reconciler's activities (list live jobs, classify them against our workflows, cancel after a re-check).
export * from './reconcile';
// Workspaces, sources, destinations, connections, streams, job history and logs.
export * from './manage';
