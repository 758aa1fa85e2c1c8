// `temporal-airbyte`: the Airbyte client, the activities, the worker, the plugin and the client helpers.
// Workflows live in `temporal-airbyte/workflows`; the mock Airbyte and test environment in `temporal-airbyte/testing`.
export * from './airbyte';
export * from './activities';
export { AirbyteInputError, AirbyteSyncClient, AirbyteSyncError, syncWorkflowId, type SyncStartOptions } from './client';
export { instancesFromEnv } from './config/instances-from-env';
export { AirbytePlugin } from './plugin';
export { createAirbyteWorker, DEFAULT_TASK_QUEUE, runWorkerFromEnv, type AirbyteWorkerOptions } from './worker';
export { SyncFailureType } from './workflows/failure-types';
export { DEFAULT_POLL_POLICY, nextPollDelay, pollsForDuration, type PollPolicy } from './workflows/poll-policy';
export { parseSyncInput, type SyncContinuation, type SyncInput, type SyncResult } from './workflows/sync-input';
export type { SyncProgress } from './workflows/sync-and-wait';
