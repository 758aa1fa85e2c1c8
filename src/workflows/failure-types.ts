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
  /** The sync workflow itself was cancelled (its job, when it was the last waiter of one we created, too). Client-side. */
  Cancelled: 'AirbyteSyncCancelled',
  /** The sync workflow was terminated, or hit a Temporal run or execution timeout. Client-side. */
  Terminated: 'AirbyteSyncTerminated',
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

/** ApplicationFailure types of the tenant workflows. */
export const TenantFailureType = {
  /** The input was rejected before any Airbyte call. */
  InvalidInput: 'AirbyteTenantInvalidInput',
  /** A provisioning step failed for good; the message says which and what was kept or deleted. */
  OnboardingFailed: 'AirbyteTenantOnboardingFailed',
  /** Offboarding stopped (a guard refused, a sync is running); the message says where. */
  OffboardingFailed: 'AirbyteTenantOffboardingFailed',
} as const;
export type TenantFailureType = (typeof TenantFailureType)[keyof typeof TenantFailureType];
