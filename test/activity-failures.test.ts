import { ApplicationFailure } from '@temporalio/common';
import { AirbyteApiError } from '../src/airbyte';
import { toActivityFailure } from '../src/activities';

const error = (init: Partial<ConstructorParameters<typeof AirbyteApiError>[0]>) =>
  toActivityFailure(new AirbyteApiError({ kind: 'http', endpoint: 'GET /jobs/1', retryable: false, ...init })) as ApplicationFailure;

test('429 with Retry-After becomes a retryable failure whose next retry waits that long', () => {
  const failure = error({ status: 429, retryable: true, retryAfterMs: 7_000 });
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure.nonRetryable).toBe(false);
  expect(failure.nextRetryDelay).toBe(7_000);
});

test('429 without Retry-After and 5xx leave the delay to the retry policy', () => {
  expect(error({ status: 429, retryable: true }).nextRetryDelay).toBeUndefined();
  expect(error({ status: 503, retryable: true }).nonRetryable).toBe(false);
});

test.each([400, 403, 404, 422])('%i is not retryable and keeps Airbyte\'s message', (status) => {
  const failure = error({ status, title: 'bad-request', airbyteMessage: 'connectionId is invalid' });
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toContain('connectionId is invalid');
  expect(failure.type).toBe('AirbyteApiError');
});
