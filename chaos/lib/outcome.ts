import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { CancelledFailure, TerminatedFailure } from '@temporalio/common';
import { AirbyteSyncError, SyncFailureType, type AirbyteSyncClient, type SyncResult } from '../../src';

/** How one caller's wait for a sync ended. */
export type Outcome =
  | { kind: 'result'; result: SyncResult }
  | { kind: 'sync-error'; type: string; message: string; result?: SyncResult }
  | { kind: 'cancelled' }
  /** The workflow was terminated: no result (terminate runs no workflow code). */
  | { kind: 'terminated'; message: string }
  /** The workflow failed for another reason than the job's outcome (e.g. its retries ran out). */
  | { kind: 'failed'; message: string }
  /** No answer before the scenario's deadline. */
  | { kind: 'no-result'; message: string };

export interface OutcomeWithStats {
  outcome: Outcome;
  /** How many times the wait was resumed after a Temporal error (the server was down). */
  clientRetries: number;
  /** When the wait ended, ms after the scenario started. */
  atMs: number;
}

const describe = (err: unknown): string => {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${describe(err.cause)}` : '';
  return `${err.name}: ${err.message}${cause}`;
};

/**
 * Waits for a sync's result through the public client, as a service would: a Temporal outage (the dev
 * server killed) is ridden out by asking again, up to `deadline`.
 */
export async function awaitOutcome(client: Client, syncs: AirbyteSyncClient, workflowId: string, deadline: number, t0: number): Promise<OutcomeWithStats> {
  let clientRetries = 0;
  let lastError = 'no answer';
  const done = (outcome: Outcome) => ({ outcome, clientRetries, atMs: Date.now() - t0 });
  for (let attempt = 0; ; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) return done({ kind: 'no-result', message: `no result by the deadline, ${Math.round((deadline - t0) / 1000)} s into the scenario (last error: ${lastError})` });
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), left);
    try {
      const result = await client.withAbortSignal(abort.signal, () => syncs.result(workflowId));
      return done({ kind: 'result', result });
    } catch (err) {
      if (err instanceof AirbyteSyncError) {
        // The client names how a sync without an Airbyte outcome ended: cancelled, or terminated.
        if (err.type === SyncFailureType.Cancelled) return done({ kind: 'cancelled' });
        if (err.type === SyncFailureType.Terminated) return done({ kind: 'terminated', message: `terminated: ${err.message}` });
        return done({ kind: 'sync-error', type: err.type, message: err.message, result: err.result });
      }
      if (err instanceof WorkflowFailedError) {
        if (err.cause instanceof CancelledFailure) return done({ kind: 'cancelled' });
        if (err.cause instanceof TerminatedFailure) return done({ kind: 'terminated', message: `terminated: ${describe(err.cause)}` });
        return done({ kind: 'failed', message: describe(err.cause ?? err) });
      }
      if (err instanceof WorkflowNotFoundError) return done({ kind: 'failed', message: describe(err) });
      if (abort.signal.aborted) return done({ kind: 'no-result', message: `no result by the deadline, ${Math.round((deadline - t0) / 1000)} s into the scenario` });
      lastError = describe(err);
    } finally {
      clearTimeout(timer);
    }
    if (Date.now() >= deadline) continue;
    clientRetries++;
    // Back off before asking Temporal again (it is unreachable: there is no event to wait for).
    await new Promise<void>((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2_000)));
  }
}
