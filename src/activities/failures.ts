import { ApplicationFailure } from '@temporalio/common';
import { AirbyteApiError, AirbyteConfigError } from '../airbyte';

export const AIRBYTE_API_FAILURE = 'AirbyteApiError';
export const AIRBYTE_CONFIG_FAILURE = 'AirbyteConfigError';

/**
 * Maps an Airbyte error to the failure Temporal's retry policy acts on: retryable or not, and the
 * server's `Retry-After` as the next delay. The details hold only safe fields.
 */
export function toActivityFailure(err: unknown): unknown {
  if (err instanceof AirbyteApiError) {
    const details = { endpoint: err.endpoint, status: err.status, title: err.title, airbyteMessage: err.airbyteMessage };
    if (!err.retryable) return ApplicationFailure.nonRetryable(err.message, AIRBYTE_API_FAILURE, details);
    return ApplicationFailure.create({
      message: err.message,
      type: AIRBYTE_API_FAILURE,
      details: [details],
      nextRetryDelay: err.retryAfterMs,
    });
  }
  if (err instanceof AirbyteConfigError) return ApplicationFailure.nonRetryable(err.message, AIRBYTE_CONFIG_FAILURE);
  return err;
}

/** Wraps every activity so Airbyte errors leave it already classified. */
export function withFailureMapping<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
}
