import type { AttemptFailure, JobStatus, JobType, ListJobsFilter, StreamStats } from '../airbyte';

// Activity inputs and outputs. Workflows import these as types only; nothing here may hold a secret.

/** What the worker knows about a job at one moment. */
export interface JobSnapshot {
  jobId: number;
  connectionId: string;
  jobType: string;
  status: JobStatus;
  /** succeeded, failed or cancelled: the job will not change again. */
  terminal: boolean;
  startTime: string;
  lastUpdatedAt?: string;
  /** ISO-8601 duration as Airbyte reports it. */
  duration?: string;
  rowsSynced?: number;
  bytesSynced?: number;
}

export interface InstanceRef {
  /** Name of an Airbyte instance configured on the worker; `default` when omitted. */
  instance?: string;
}

export interface TriggerJobInput extends InstanceRef {
  connectionId: string;
  jobType: JobType;
}

export interface TriggerJobResult {
  job: JobSnapshot;
  /** True when we joined a job that was already running instead of creating one. */
  attached: boolean;
  /** Why we attached: Airbyte said a sync is running, or an earlier attempt may have created the job. */
  attachReason?: 'already-running' | 'earlier-attempt';
}

export interface JobRef extends InstanceRef {
  jobId: number;
}

export interface CancelJobResult {
  job: JobSnapshot;
  /** False when the job had already ended: nothing was cancelled. */
  cancelRequested: boolean;
}

export interface ListJobsInput extends InstanceRef {
  filter?: ListJobsFilter;
  /** At most this many jobs (default 100). */
  max?: number;
}

export interface ConnectionRef extends InstanceRef {
  connectionId: string;
}

export interface ConnectionSummary {
  connectionId: string;
  name: string;
  workspaceId: string;
  sourceId: string;
  destinationId: string;
  status: string;
  streams: string[];
  tags: string[];
}

/** Per-stream figures and failure reasons of a finished job (Configuration API, when reachable). */
export interface JobReport {
  attempts: number;
  /** Streams of the last attempt. */
  streams: StreamStats[];
  /** Failures of every attempt, oldest first. */
  failures: AttemptFailure[];
  /** Each attempt: its outcome, figures and failures (absent in reports of earlier releases). */
  attemptDetails?: AttemptReport[];
  /** The job in Airbyte's UI, when the instance's web URL is known. */
  jobUrl?: string;
}

export interface AttemptReport {
  attemptNumber: number;
  status: string;
  recordsSynced?: number;
  bytesSynced?: number;
  failures: AttemptFailure[];
}

export interface JobReportInput extends JobRef {
  /** The job's connection: with it the report carries the job's link in Airbyte's UI. */
  connectionId?: string;
}

export interface GetJobInput extends JobRef {
  /**
   * Once the job has ended, fetch its report in the same activity (one task, not two, for the common last look).
   * `workspaceId` (from a webhook) spares the lookup the job's UI link needs.
   */
  report?: { connectionId?: string; workspaceId?: string };
  /** Airbyte said the job ended (a webhook): with a report wanted, one Configuration API call brings the job and its report. */
  likelyEnded?: boolean;
}

/** A job, and its report when it was asked for and the job has ended (null: no report to be had). */
export type CheckedJob = JobSnapshot & { report?: JobReport | null };

export interface FindConnectionInput extends InstanceRef {
  /** Exact connection name. */
  name: string;
  workspaceId?: string;
}

export interface ListConnectionsInput extends InstanceRef {
  workspaceIds?: string[];
  /** A regular expression the name must match. */
  namePattern?: string;
  /** Tag names; a connection needs at least one. */
  tags?: string[];
  /** Statuses to keep; default all. */
  statuses?: string[];
}
