// `temporal-airbyte/definitions`: what code that talks to the workflows needs (queries, signals, updates, failure
// types, input checks), safe to import from workflow code. Import it; do not re-export it from a workflows
// module (its functions would register as workflow types).
export { syncProgressQuery, type SyncProgress } from './sync-and-wait';
export { type JobOwnerInput, type JobOwnerSummary } from './owner/owner';
export { ownerProgressQuery, type OwnerProgress } from './owner/protocol';
export { SyncFailureType, TenantFailureType } from './failure-types';
export { DEFAULT_POLL_POLICY, nextPollDelay, pollsForDuration, type PollPolicy } from './poll-policy';
export { parseSyncInput, type SyncContinuation, type SyncInput, type SyncResult } from './sync-input';
export { syncJobStartedSignal, type SyncJobStarted } from './signals';
export { AIRBYTE_SEARCH_ATTRIBUTE_KEYS, AirbyteSearchAttributes } from './search-attributes';
export * from './pipeline/api';
export * from './reconcile/input';
export { checkOffboardInput, checkOnboardInput, tenantNames, type ConnectorSpec, type OffboardTenantInput, type OnboardTenantInput } from './tenant/input';
export { tenantProgressQuery, type OffboardTenantResult, type OnboardTenantResult, type TenantProgress, type TenantStep, type TenantStepName } from './tenant/progress';
export { MANAGE_OPERATIONS, type ManageOperation, type ManageRequest, type ManageResult } from './manage/manage';
export { AIRBYTE_NEXUS_SERVICE_NAME, airbyteNexusService, type AirbyteNexusService, type NexusSyncInput } from '../nexus/service';
