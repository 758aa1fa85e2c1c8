// Workflow-safe entry point (`temporal-airbyte/workflows`): register it with `workflowsPath`, or re-export
// it from your own workflows module.
export { syncAndWait, syncProgressQuery, type SyncProgress } from './sync-and-wait';
export { airbyteJobOwner, type JobOwnerInput, type JobOwnerSummary } from './owner/owner';
export { ownerProgressQuery, type OwnerProgress } from './owner/protocol';
export { SyncFailureType, TenantFailureType } from './failure-types';
export { DEFAULT_POLL_POLICY, nextPollDelay, pollsForDuration, type PollPolicy } from './poll-policy';
export { parseSyncInput, type SyncContinuation, type SyncInput, type SyncResult } from './sync-input';
export * from './pipeline';
export { syncJobStartedSignal, type SyncJobStarted } from './signals';
export { AIRBYTE_SEARCH_ATTRIBUTE_KEYS, AirbyteSearchAttributes } from './search-attributes';
// The reconciler: finds Airbyte jobs left running by ended workflows and cancels ours.
export * from './reconcile';
// Tenants of a product built on Airbyte: provision (workspace, source, destination, connection, first sync) and remove.
export * from './tenant';
// One management call (workspaces, sources, destinations, connections, logs) run through Temporal.
export * from './manage';
