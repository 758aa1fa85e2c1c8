/** ApplicationFailure types our workflows fail with; the client turns them into typed errors. */
export const SyncFailureType = {
  /** The Airbyte job ended `failed`. */
  JobFailed: 'AirbyteJobFailed',
  /** The Airbyte job ended `cancelled` by someone else than this workflow. */
  JobCancelled: 'AirbyteJobCancelled',
  /** The overall timeout passed before the job ended. */
  TimedOut: 'AirbyteSyncTimedOut',
  /** Airbyte refused the job or the wait for good (unknown connection, inactive connection, a job it no longer shows); a job we created was cancelled. */
  Aborted: 'AirbyteSyncAborted',
  /** The workflow input was rejected before any Airbyte call. */
  InvalidInput: 'AirbyteInvalidInput',
} as const;
export type SyncFailureType = (typeof SyncFailureType)[keyof typeof SyncFailureType];

/** ApplicationFailure types of the pipeline workflow. */
export const PipelineFailureType = {
  /** The definition was rejected before any step ran. */
  InvalidDefinition: 'AirbytePipelineInvalid',
  /** At least one step failed. */
  Failed: 'AirbytePipelineFailed',
  /** Cancelled by request. */
  Cancelled: 'AirbytePipelineCancelled',
} as const;
