import { AirbyteApiError, type AirbyteClient } from '../../airbyte';
import { toSnapshot } from '../snapshot';
import type { CreateJobInput, CreateJobOutcome } from './types';

/**
 * One `POST /jobs`, never retried here: whether a retry may create a second job depends on what earlier
 * attempts did, which only the owner workflow knows. So every answer is returned, classified, not thrown.
 */
export async function createJobOnce(client: AirbyteClient, input: CreateJobInput): Promise<CreateJobOutcome> {
  try {
    return { kind: 'created', job: toSnapshot(await client.createJob({ connectionId: input.connectionId, jobType: input.jobType })) };
  } catch (err) {
    if (!(err instanceof AirbyteApiError)) throw err;
    const retryAfterMs = err.retryAfterMs !== undefined && err.retryAfterMs > 0 ? err.retryAfterMs : undefined;
    if (err.isAlreadyRunning) return { kind: 'already-running', message: err.message };
    // Airbyte answering 500 or a cut body has finished with the request; a timeout, a reset or a proxy's 502/504 may not have.
    const inFlight = err.kind === 'timeout' || err.kind === 'network' || err.status === 502 || err.status === 504;
    if (err.ambiguous) return { kind: 'ambiguous', message: err.message, retryAfterMs, inFlight };
    if (err.retryable) return { kind: 'retry', message: err.message, retryAfterMs };
    return { kind: 'permanent', message: err.message, status: err.status };
  }
}
