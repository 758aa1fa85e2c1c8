// `temporal-airbyte`: the Airbyte client, the activities, the worker, the plugin and the client helpers.
// Workflows live in `temporal-airbyte/workflows`; the mock Airbyte and test environment in `temporal-airbyte/testing`.
export * from './airbyte';
export * from './activities';
export {
  AirbyteInputError,
  AirbytePipelineError,
  AirbyteSyncClient,
  AirbyteSyncError,
  syncWorkflowId,
  type AirbyteScheduleOptions,
  type PipelineStartOptions,
  type SyncStartOptions,
} from './client';
export { loadPipeline, parsePipeline, PipelineDefinitionError } from './pipelines/load-pipeline';
export {
  checkPipeline,
  type ActivityStep,
  type DbtStep,
  type PipelineDefinition,
  type PipelineStep,
  type SyncStep,
  type WorkflowStep,
  type WorkspaceStep,
} from './workflows/pipeline/definition';
export type { PipelineProgress, PipelineResult, StepState, StepStatus } from './workflows/pipeline/status';
export { instancesFromEnv } from './config/instances-from-env';
export { ACTIVITY_NOT_ALLOWED, AirbyteAllowlistPlugin, AirbytePlugin, WORKFLOW_NOT_ALLOWED, type AirbyteAllowlists, type AirbytePluginOptions } from './plugin';
export * from './codec';
export { createAirbyteWorker, DEFAULT_TASK_QUEUE, runWorkerFromEnv, type AirbyteWorkerOptions } from './worker';
export { PipelineFailureType, SyncFailureType } from './workflows/failure-types';
export { AIRBYTE_SEARCH_ATTRIBUTE_KEYS, AirbyteSearchAttributes } from './workflows/search-attributes';
export { DEFAULT_POLL_POLICY, nextPollDelay, pollsForDuration, type PollPolicy } from './workflows/poll-policy';
export { parseSyncInput, type SyncContinuation, type SyncInput, type SyncResult } from './workflows/sync-input';
export type { SyncProgress } from './workflows/sync-and-wait';
export {
  checkReconcileInput,
  type CancelledJob,
  type ReconcileInput,
  type ReconcileReport,
  type ReconciledJob,
} from './workflows/reconcile/input';
export { formatReconcileReport } from './workflows/reconcile/format-report';
export { JOB_OWNER_WORKFLOW_TYPE, jobOwnerWorkflowId, OwnerMemo } from './common/job-owner';
export type { OwnerProgress } from './workflows/owner/protocol';
export { AirbyteAdminClient, AirbyteAdminError, type AdminTarget } from './admin';
export { TenantFailureType } from './workflows/failure-types';
export { tenantWorkflowId } from './common/tenant';
export { temporalTarget, type TemporalTarget, type TemporalTargetOptions } from './config/temporal-connection';
export { secretsFromDirectory, secretsFromMap, type SecretResolver } from './activities/manage/secrets';
export type { ConnectorSummary, DeleteGuard, ProvisionedConnection, WorkspaceSummary } from './activities/manage/types';
export { exactNamePattern } from './common/name-pattern';
export type { OffboardTenantInput, OnboardTenantInput, ConnectorSpec } from './workflows/tenant/input';
export type { OffboardTenantResult, OnboardTenantResult, TenantProgress, TenantStep } from './workflows/tenant/progress';
