/**
 * The workflow that owns a connection's Airbyte jobs: one per (instance, connection), so every caller
 * (services, schedules, pipeline steps) reaches the same owner and a job is never triggered twice.
 */
export const JOB_OWNER_WORKFLOW_TYPE = 'airbyteJobOwner';

export function jobOwnerWorkflowId(connectionId: string, instance = 'default'): string {
  return `airbyte-job:${instance}:${connectionId}`;
}

/** Memo keys the owner keeps up to date; the reconciler reads them after the owner was terminated. */
export const OwnerMemo = {
  instance: 'airbyteInstance',
  connectionId: 'airbyteConnectionId',
  /** The job the owner watches now (or watched last). */
  jobId: 'airbyteJobId',
  /** True when the owner created that job; false when it joined one someone else started. */
  jobOwned: 'airbyteJobOwned',
} as const;

/** Names of the messages between waiters (`syncAndWait`) and the owner; the typed definitions are in src/workflows/owner. */
export const OwnerMessages = {
  /** Update, waiter -> owner: register for the connection's next or current job. */
  join: 'airbyteJoinJob',
  /**
   * Signal, waiter -> owner: the same registration, unanswered (sent with signal-with-start). A wide pipeline joins so:
   * its local activity returns once the server has the signal, not after the owner's workflow task (see joinJobOwner).
   */
  joinBySignal: 'airbyteJoinJobSignal',
  /** Signal, waiter -> owner: the waiter stops waiting, and may ask for the job to be cancelled. */
  leave: 'airbyteLeaveJob',
  /** Signal, owner -> waiter: the job is known (its id, and whether we created it). */
  jobKnown: 'airbyteJobKnown',
  /** Signal, owner -> waiter: the wait is over (the job ended, or the waiter's leave was settled). */
  jobEnded: 'airbyteJobEnded',
  /** Query on the owner. */
  progress: 'airbyteJobOwnerProgress',
  /**
   * Signal, anyone -> owner: look at the job now (an Airbyte webhook said it ended, or a person asked). A hint,
   * never a result: the owner confirms with one call (`GET /jobs/{id}`, or for a webhook the Configuration API's
   * `get_without_logs`, which brings the report too); a hint for another job is ignored.
   */
  checkJob: 'airbyteCheckJob',
} as const;

/** How an owner knows one run of a waiter (a repeated join from it is told again; see JoinRequest.waiterRunId). */
export function waiterRunKey(waiterId: string, waiterRunId: string): string {
  return `${waiterId}@${waiterRunId}`;
}
