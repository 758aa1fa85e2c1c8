// `temporal-airbyte/client`: what a service that starts, awaits and operates syncs needs. It loads neither the
// worker (`@temporalio/worker`, native) nor the testing package.
export {
  AirbyteInputError,
  AirbytePipelineError,
  AirbyteSyncClient,
  AirbyteSyncError,
  syncWorkflowId,
  type AirbyteScheduleOptions,
  type PipelineStartOptions,
  type SyncStartOptions,
} from '../client';
export { AirbyteAdminClient, AirbyteAdminError, type AdminTarget } from '../admin';
export { loadPipeline, parsePipeline, PipelineDefinitionError } from '../pipelines/load-pipeline';
export { TemporalUnreachableError, temporalTarget, type TemporalTarget, type TemporalTargetOptions } from '../config/temporal-connection';
export { JOB_OWNER_WORKFLOW_TYPE, jobOwnerWorkflowId, OwnerMemo } from '../common/job-owner';
export { tenantWorkflowId } from '../common/tenant';
export { exactNamePattern } from '../common/name-pattern';
export { formatReconcileReport } from '../workflows/reconcile/format-report';
export * from '../codec';
export * from '../workflows/definitions';
// Airbyte's notification webhooks as wake-ups for the owners (a receiver, and the workspace settings for it).
export * from '../webhooks';
