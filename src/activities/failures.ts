import { ApplicationFailure } from '@temporalio/common';
import { AirbyteApiError, AirbyteConfigError } from '../airbyte';
import { currentActivityInfo, withHeartbeat } from './heartbeat';

export const AIRBYTE_API_FAILURE = 'AirbyteApiError';
export const AIRBYTE_CONFIG_FAILURE = 'AirbyteConfigError';
/** The failure type once unreadable answers have used up their attempts (see MAX_INVALID_RESPONSE_ATTEMPTS). */
export const AIRBYTE_INVALID_RESPONSE_FAILURE = 'AirbyteInvalidResponse';
/**
 * An unreadable answer (an HTML page with status 200, truncated JSON, a body that fails the schema) is retried
 * as a passing proxy hiccup, but from this activity attempt on it fails for good: an Airbyte that keeps
 * answering garbage needs a person, and an unlimited retry policy would otherwise retry it forever.
 */
export const MAX_INVALID_RESPONSE_ATTEMPTS = 5;

/**
 * What a workflow reads from `ActivityFailure.cause.details[0]`. Only safe fields: never a header, a token or
 * the request.
 */
export interface AirbyteFailureDetails {
  endpoint: string;
  kind: AirbyteApiError['kind'];
  status?: number;
  title?: string;
  airbyteMessage?: string;
  retryable: boolean;
  /** The call was a write that Airbyte may have carried out (look before doing it again). */
  ambiguous: boolean;
  /** The server's `Retry-After`, only when it asked for a positive delay. */
  retryAfterMs?: number;
  /** Set on an AirbyteInvalidResponse failure: the activity attempt that gave up. */
  attempts?: number;
}

export function failureDetails(err: AirbyteApiError): AirbyteFailureDetails {
  return {
    endpoint: err.endpoint,
    kind: err.kind,
    status: err.status,
    title: err.title,
    airbyteMessage: err.airbyteMessage,
    retryable: err.retryable,
    ambiguous: err.ambiguous,
    retryAfterMs: err.retryAfterMs,
  };
}

/**
 * Maps an Airbyte error to the failure Temporal's retry policy acts on: retryable or not, and the
 * server's `Retry-After` as the next delay when it is a positive one (Temporal ends the retries on a next
 * delay of 0, so 0 or a past date leaves the back-off to the policy). The details hold only safe fields.
 * `attempt` is the activity attempt (1 for the first): it bounds the retries of unreadable answers.
 */
export function toActivityFailure(err: unknown, attempt = currentActivityInfo()?.attempt ?? 1): unknown {
  if (err instanceof AirbyteApiError) {
    const details = failureDetails(err);
    if (err.kind === 'invalid-response' && err.retryable && attempt >= MAX_INVALID_RESPONSE_ATTEMPTS) {
      const message =
        `Airbyte ${err.endpoint} gave an unreadable answer (${err.reason ?? 'invalid response'}) on attempt ${attempt}; ` +
        `giving up after ${attempt} attempts (unreadable answers are retried up to ${MAX_INVALID_RESPONSE_ATTEMPTS} attempts)`;
      return ApplicationFailure.nonRetryable(message, AIRBYTE_INVALID_RESPONSE_FAILURE, { ...details, retryable: false, attempts: attempt });
    }
    if (!err.retryable) return ApplicationFailure.nonRetryable(err.message, AIRBYTE_API_FAILURE, details);
    const delay = err.retryAfterMs;
    return ApplicationFailure.create({
      message: err.message,
      type: AIRBYTE_API_FAILURE,
      details: [details],
      ...(delay !== undefined && Number.isFinite(delay) && delay > 0 && { nextRetryDelay: delay }),
    });
  }
  if (err instanceof AirbyteConfigError) return ApplicationFailure.nonRetryable(err.message, AIRBYTE_CONFIG_FAILURE);
  return err;
}

/** Wraps every Airbyte activity: heartbeats while it runs (see withHeartbeat), and Airbyte errors leave it already classified. */
export function withFailureMapping<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await withHeartbeat(() => fn(...args));
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
}
