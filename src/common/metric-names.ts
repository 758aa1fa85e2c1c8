// The project's own metrics, beside the SDK's (`temporal_*`). One list, so the README, the dashboards and the
// code agree on names. Prometheus adds `_total` to counters and `_bucket`/`_sum`/`_count` to histograms.
export const AirbyteMetrics = {
  /** Syncs that triggered a new Airbyte job (label `instance`). */
  syncsStarted: 'airbyte_syncs_started',
  /** Syncs that joined a job already running (label `instance`). */
  syncsJoined: 'airbyte_syncs_joined',
  syncsSucceeded: 'airbyte_syncs_succeeded',
  syncsFailed: 'airbyte_syncs_failed',
  syncsCancelled: 'airbyte_syncs_cancelled',
  syncsTimedOut: 'airbyte_syncs_timed_out',
  rowsSynced: 'airbyte_rows_synced',
  bytesSynced: 'airbyte_bytes_synced',
  /** The job's own duration as Airbyte reports it, in seconds. */
  jobDuration: 'airbyte_job_duration_seconds',
  /** From the job's end on Airbyte to the waiting workflow seeing it, in milliseconds. */
  detectionLateness: 'airbyte_job_detection_lateness_ms',
  /** Every exchange with Airbyte (labels `instance`, `endpoint` as a route, `status`: the HTTP code or `none`). */
  apiCalls: 'airbyte_api_calls',
  apiCallDuration: 'airbyte_api_call_duration_ms',
} as const;
