import type { InstanceRef, JobSnapshot } from '../types';

// Inputs and outputs of the reconcile activities. Workflows import these as types only.

export interface ListRunningJobsInput extends InstanceRef {
  /** Look at these connections only. */
  connectionIds?: string[];
  /** Look at every connection of these workspaces. Without either: every connection the instance lists. */
  workspaceIds?: string[];
  /** Stop after this many connections (default 1,000): the scan must end, and its result fit in history. */
  maxConnections?: number;
}

export interface RunningJobs {
  /** Jobs that are not succeeded, failed or cancelled, newest first per connection. */
  jobs: JobSnapshot[];
  /** How many connections had their job list read. */
  connectionsChecked: number;
  /** True when `maxConnections` stopped the scan: some connections were not looked at. */
  truncated: boolean;
}

/**
 * - `watched`: a live workflow watches the connection (its owner, or an earlier release's syncAndWait).
 * - `orphaned`: the workflow that created the job has ended (terminated, timed out, failed...) and left it running.
 * - `unmanaged`: no workflow of ours claims it (Airbyte's scheduler, a person in the UI, another tool).
 */
export type JobClassification = 'watched' | 'orphaned' | 'unmanaged';

export interface ClassifiedJob {
  jobId: number;
  connectionId: string;
  jobType: string;
  status: string;
  classification: JobClassification;
  /** Why, in words: which workflow was found, in which state, and what it says about the job. */
  reason: string;
  /** The workflow the decision rests on, when there was one. */
  workflowId?: string;
}

export interface ClassifyJobsInput extends InstanceRef {
  jobs: JobSnapshot[];
}

export interface ReconcileCancelInput extends InstanceRef {
  job: ClassifiedJob;
}

export interface ReconcileCancelResult {
  jobId: number;
  connectionId: string;
  /** True when the cancel was sent to Airbyte. */
  cancelled: boolean;
  /** The job's status after the cancel (or as found, when nothing was sent). */
  status: string;
  /** Why it was cancelled, or why not after all (it ended meanwhile, or a workflow now watches it). */
  reason: string;
}
