/** ApplicationFailure types our workflows fail with; the client turns them into typed errors. */
export const SyncFailureType = {
  /** The Airbyte job ended `failed`. */
  JobFailed: 'AirbyteJobFailed',
  /** The Airbyte job ended `cancelled` by someone else than this workflow. */
  JobCancelled: 'AirbyteJobCancelled',
  /** The overall timeout passed before the job ended. */
  TimedOut: 'AirbyteSyncTimedOut',
  /** The workflow input was rejected before any Airbyte call. */
  InvalidInput: 'AirbyteInvalidInput',
} as const;
export type SyncFailureType = (typeof SyncFailureType)[keyof typeof SyncFailureType];
