import type { JobType } from '../../airbyte';
import type { InstanceRef, JobReport, JobSnapshot } from '../types';

// Inputs and outputs of the activities the job owner workflow composes. No secrets here.

export interface CreateJobInput extends InstanceRef {
  connectionId: string;
  jobType: JobType;
}

/**
 * One `POST /jobs`, told apart by what it means for the next step. `ambiguous`: the job may exist although
 * we got no usable answer (timeout, reset, 5xx, unreadable body); `retry`: nothing was created, try later;
 * `permanent`: a retry cannot help.
 */
export type CreateJobOutcome =
  | { kind: 'created'; job: JobSnapshot }
  | { kind: 'already-running'; message: string }
  /** `inFlight`: the request may still be running on Airbyte's side (no answer came, or a proxy gave up on it). */
  | { kind: 'ambiguous'; message: string; retryAfterMs?: number; inFlight: boolean }
  | { kind: 'retry'; message: string; retryAfterMs?: number }
  | { kind: 'permanent'; message: string; status?: number };

export interface FindJobInput extends InstanceRef {
  connectionId: string;
  jobType: JobType;
  /** Jobs created at or after this time (ms, Temporal's clock) may come from one of our own attempts. */
  createdSince?: number;
  /** Only jobs with a higher id (created after that job) may be ours: Airbyte's job ids only grow. */
  newerThan?: number;
}

export interface FoundJobs {
  /** The job that holds the connection now, if any (any type). */
  active?: JobSnapshot;
  /** The newest job of our type created since `createdSince` and newer than `newerThan` (it may have ended already). */
  recent?: JobSnapshot;
  /** The highest job id of the connection seen (0 when it has none). */
  newestJobId: number;
  /** The median duration of its recent succeeded jobs of this type, when it has some: shapes the polling. */
  expectedMs?: number;
  /** How much those durations vary (standard deviation of their logarithms), from five successes on. */
  spread?: number;
}

/** A waiter's request to the owner of a connection's jobs. */
export interface JoinRequest {
  /** Workflow id of the waiter: the owner signals it when its job is known and when it ends. */
  waiterId: string;
  /**
   * The workflow to signal instead, when the waiter is not a workflow of its own (a step of a wide pipeline): the
   * signals then carry `waiterId`, so the one workflow can tell its waiters apart.
   */
  replyTo?: string;
  /** Only the end is wanted: no `jobKnown` signal (one signal and task fewer per job). */
  quiet?: boolean;
  /**
   * The run of the workflow that waits. The same run joining again after the owner told it its job's end (its join
   * ran again: a workflow task lost with a worker, or force-closed) is told again, rather than given a new job.
   */
  waiterRunId?: string;
  jobType: JobType;
  /** The waiter's poll and retry preferences; the owner uses the most eager of its waiters'. */
  poll: { initialMs: number; maxMs: number; latenessRatio: number; adaptive?: boolean; webhooks?: boolean };
  retry: { initialIntervalMs?: number; maximumIntervalMs?: number; maximumAttempts?: number };
  /** After an unanswered POST /jobs, how long to look for the job it may have created before posting again. */
  createGraceMs?: number;
  report: boolean;
  searchAttributes: boolean;
  /** Continue-as-new bound the waiter asked for. */
  historyBound: number;
}

export interface JoinOwnerInput extends InstanceRef {
  connectionId: string;
  request: JoinRequest;
  /** `signal`: join with signal-with-start, and have no answer but `sent` (or `ended`); the default is the update. */
  by?: 'update' | 'signal';
}

export interface JoinReply {
  ownerWorkflowId: string;
  /**
   * `joined`: the waiter shares the job being triggered or watched now; `queued`: it waits for the current one to end;
   * `ended`: this waiter run was told its word by an owner that has closed since (its join ran again): `told` is it;
   * `sent`: the join went as a signal (`by: 'signal'`), and the owner's answer is its signals.
   */
  state: 'joined' | 'queued' | 'ended' | 'sent';
  jobId?: number;
  told?: JobEnded;
}

/** Why a waiter's wait is over: the owner's last word to it. */
export type JobEnded =
  /** The job reached a terminal status (perhaps because every waiter asked to cancel it). */
  | { kind: 'terminal'; job: JobSnapshot; report: JobReport | null; owned: boolean; attached: boolean; sharedWith: number; polls: number; ownerRuns: number }
  /** The waiter left; the job goes on for others (or is not ours to cancel). */
  | { kind: 'left'; job?: JobSnapshot; owned: boolean; attached: boolean; sharedWith: number; reason: string }
  /** Airbyte refused the job or the wait for good; a job we created was cancelled. */
  | { kind: 'error'; message: string; job?: JobSnapshot; owned: boolean; attached: boolean };

/** What an owner run that closed says: its counts, and the words it told the last waiter runs that named their run. */
export interface OwnerOutcome {
  jobs: number;
  runs: number;
  /** By `<waiterId>@<waiterRunId>`. */
  told?: Record<string, JobEnded>;
}
