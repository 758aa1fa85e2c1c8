import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JobSnapshot } from '../../activities';
import type { JobEnded, JoinReply, JoinRequest } from '../../activities/owner/types';
import { OwnerMessages } from './ids';

// What waiters and the owner of a connection's jobs say to each other.

export type { JobEnded, JoinReply, JoinRequest };

export const joinJobUpdate = defineUpdate<JoinReply, [JoinRequest]>(OwnerMessages.join);
export const joinJobSignal = defineSignal<[JoinRequest]>(OwnerMessages.joinBySignal);

export interface LeaveRequest {
  waiterId: string;
  /** As in the join request: where the answer goes when the owner no longer knows the waiter. */
  replyTo?: string;
  /** Ask for the job to be cancelled; the owner does it only once no other waiter wants the job. */
  cancelJob: boolean;
  reason: string;
}
export const leaveJobSignal = defineSignal<[LeaveRequest]>(OwnerMessages.leave);

export interface JobKnown {
  jobId: number;
  /** True when the owner created the job; false when it joined one someone else started. */
  owned: boolean;
  /** True when this waiter did not cause the job: it was running for another caller, or outside our product. */
  attached: boolean;
  job: JobSnapshot;
}
/** Signals to a workflow that waits for several jobs (a wide pipeline) name the waiter they are for. */
export type ForWaiter<T> = T & { waiterId?: string };

export const jobKnownSignal = defineSignal<[ForWaiter<JobKnown>]>(OwnerMessages.jobKnown);

export const jobEndedSignal = defineSignal<[ForWaiter<JobEnded>]>(OwnerMessages.jobEnded);

/** A wake-up for the owner: check the job now. `jobId` limits it to that job (a webhook names one). */
export interface JobHint {
  jobId?: number;
  source: 'webhook' | 'manual';
  /** A webhook names the job's workspace: the report's UI link needs no lookup then. */
  workspaceId?: string;
}
export const checkJobSignal = defineSignal<[JobHint]>(OwnerMessages.checkJob);

export interface OwnerProgress {
  instance: string;
  connectionId: string;
  state: 'idle' | 'triggering' | 'waiting' | 'cancelling' | 'closing';
  job?: JobSnapshot;
  owned?: boolean;
  waiters: string[];
  queued: { waiterId: string; jobType: string }[];
  polls: number;
  createAttempts: number;
  lastCheckedAt?: string;
  nextCheckAt?: string;
  /** What the job will likely take, from the connection's recent successes: it shapes the checks. */
  expectedMs?: number;
  /** How much the connection's recent durations vary (standard deviation of their logarithms): it narrows the window of checks. */
  spread?: number;
  runs: number;
}
export const ownerProgressQuery = defineQuery<OwnerProgress>(OwnerMessages.progress);

/** Signals cannot be refused: what a waiter receives is checked before it is believed. */
export function isJobKnown(value: unknown): value is JobKnown {
  const v = value as Partial<JobKnown> | null;
  return typeof v === 'object' && v !== null && typeof v.jobId === 'number' && typeof v.job === 'object' && v.job !== null && typeof v.job.jobId === 'number';
}

export function isJobEnded(value: unknown): value is JobEnded {
  const v = value as Partial<JobEnded> | null;
  if (typeof v !== 'object' || v === null || typeof v.owned !== 'boolean' || typeof v.attached !== 'boolean') return false;
  if (v.kind === 'error') return typeof v.message === 'string';
  if (v.kind === 'left') return typeof v.reason === 'string';
  return v.kind === 'terminal' && typeof v.job === 'object' && v.job !== null && typeof v.job.jobId === 'number';
}
