export { createReconcileActivities, RECONCILE_NO_CLIENT_FAILURE, type ReconcileActivities } from './create-reconcile-activities';
export { classifyJob, legacySyncWorkflowId } from './classify-job';
export { DEFAULT_MAX_CONNECTIONS, listRunningJobs } from './list-running-jobs';
export type * from './types';
