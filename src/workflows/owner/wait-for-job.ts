import { CancellationScope, condition, getExternalWorkflowHandle, isCancellation, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { AirbyteActivities } from '../../activities';
import type { ParsedSyncInput } from '../sync-input';
import { leaveJobSignal, type JobEnded, type JoinRequest } from './protocol';

const joining = proxyActivities<AirbyteActivities>({
  startToCloseTimeout: '1m',
  heartbeatTimeout: '10s', // a join lost with its worker is retried within seconds
  retry: { initialInterval: '1s', maximumInterval: '30s' },
  summary: 'join the owner of the connection\'s jobs',
});

/**
 * The same join as a local activity, for a workflow that waits for many jobs (a wide pipeline): one marker event
 * in its history instead of an activity's three events and the task that follows them, and no round trip through
 * the server's activity queue. A join is quick (one update- or signal-with-start) and idempotent (its update id; an
 * owner answers a signal from a waiter it knows as it did the first time).
 */
const joiningLocally = proxyLocalActivities<AirbyteActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
  summary: 'join the owner of the connection\'s jobs',
});

/** One waiter of a job, as the workflow that waits sees it. */
export interface JobWaiter {
  waiterId: string;
  ownerWorkflowId: string;
  /** The workflow the owner signals, when it is not the waiter's own (a wide pipeline waits for its steps itself). */
  replyTo?: string;
  /** Only the end is wanted: the owner sends no `jobKnown`. */
  quiet?: boolean;
  /** Join through a local activity (see joiningLocally). */
  joinLocally?: boolean;
  /** Join with a signal, unanswered (see joinJobOwner): the owner's signals are the only answer. */
  joinBySignal?: boolean;
  /** Resolves when the join may be sent (a wide pipeline paces its joins). */
  joinTurn?(): Promise<void>;
  /** The owner's last word, once it came. */
  ended(): JobEnded | undefined;
  /** The owner is gone: the wait ends with this message. */
  ownerGone(message: string): void;
  /** A word the owner had told this run before it closed (the join ran again): the wait ends with it. */
  toldBefore(ended: JobEnded): void;
  /** The owner queued the request behind a job of another type. */
  onQueued?(): void;
}

/** Why a waiter stopped waiting before the owner's last word: cancelled, or its own timeout. */
export interface WaitStop {
  why: 'cancel' | 'timeout';
  error?: unknown;
}

/**
 * Registers with the connection's owner and waits for its last word, until `deadline` if there is one. A cancel
 * or the deadline withdraws the waiter (and asks for the job's cancel, if the caller wants that); the wait still
 * ends with the owner's word, which settles what happened to the job.
 */
export async function waitForJob(opts: ParsedSyncInput, waiter: JobWaiter, deadline: number | undefined): Promise<WaitStop | undefined> {
  const { instance, connectionId } = opts;
  const done = () => waiter.ended() !== undefined;
  let stop: WaitStop | undefined;
  let joined = false;
  try {
    await waiter.joinTurn?.();
    joined = true;
    // Not cancellable: once the owner may have registered us, a cancel must reach it as a leave, not be lost.
    const join = waiter.joinLocally ? joiningLocally : joining;
    const reply = await CancellationScope.nonCancellable(() => join.airbyteJoinJobOwner({ instance, connectionId, request: joinRequest(opts, waiter), ...(waiter.joinBySignal && { by: 'signal' as const }) }));
    if (reply.state === 'queued') waiter.onQueued?.();
    if (reply.state === 'ended' && reply.told) waiter.toldBefore(reply.told);
    if (deadline === undefined) await condition(done);
    else if (!(await condition(done, Math.max(1, deadline - Date.now())))) stop = { why: 'timeout' };
  } catch (err) {
    if (!isCancellation(err)) throw err;
    stop = { why: 'cancel', error: err };
  }

  // Cancelled before its join was sent: no owner knows of it.
  if (!joined) return stop;
  if (stop && !done()) {
    const cancelJob = stop.why === 'cancel' ? opts.cancelOnWorkflowCancel : opts.cancelOnTimeout;
    const reason = stop.why === 'cancel' ? `workflow ${waiter.waiterId} was cancelled` : `workflow ${waiter.waiterId} timed out`;
    await CancellationScope.nonCancellable(async () => {
      try {
        await getExternalWorkflowHandle(waiter.ownerWorkflowId).signal(leaveJobSignal, { waiterId: waiter.waiterId, ...(waiter.replyTo !== undefined && { replyTo: waiter.replyTo }), cancelJob, reason });
      } catch {
        waiter.ownerGone(`the owner ${waiter.ownerWorkflowId} is gone; the job (if any) was not cancelled`);
        return;
      }
      // Until the owner settles us: for a job we created and nobody else wants, once Airbyte has cancelled it.
      await condition(done);
    });
  }
  return stop;
}

function joinRequest(opts: ParsedSyncInput, waiter: JobWaiter): JoinRequest {
  return {
    waiterId: waiter.waiterId,
    ...(waiter.replyTo !== undefined && { replyTo: waiter.replyTo }),
    ...(waiter.quiet && { quiet: true }),
    waiterRunId: workflowInfo().runId,
    jobType: opts.jobType,
    poll: opts.poll,
    retry: opts.retry,
    createGraceMs: opts.retry.createGraceMs,
    report: opts.report,
    searchAttributes: opts.searchAttributes,
    historyBound: opts.historyBound,
  };
}
