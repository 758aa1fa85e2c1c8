import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { AirbyteApiError } from '../src/airbyte';
import { toActivityFailure } from '../src/activities';
import {
  AIRBYTE_INVALID_RESPONSE_FAILURE,
  MAX_INVALID_RESPONSE_ATTEMPTS,
  withFailureMapping,
  type AirbyteFailureDetails,
} from '../src/activities/failures';
import { MAX_HEARTBEAT_INTERVAL_MS, withHeartbeat } from '../src/activities/heartbeat';

type Init = ConstructorParameters<typeof AirbyteApiError>[0];
const apiError = (init: Partial<Init>) => new AirbyteApiError({ kind: 'http', endpoint: 'GET /jobs/1', retryable: false, ...init });
const error = (init: Partial<Init>, attempt?: number) => toActivityFailure(apiError(init), attempt) as ApplicationFailure;
const details = (failure: ApplicationFailure) => failure.details?.[0] as AirbyteFailureDetails;
const unreadable = (init: Partial<Init> = {}) =>
  apiError({ kind: 'invalid-response', endpoint: 'GET /jobs/7', status: 200, retryable: true, reason: 'an HTML page instead of JSON (status 200)', ...init });

/** What an activity wrapped by withFailureMapping throws when run with this activity info. */
async function thrownBy(fn: () => Promise<unknown>, info: ConstructorParameters<typeof MockActivityEnvironment>[0] = {}): Promise<ApplicationFailure> {
  const env = new MockActivityEnvironment(info);
  const err = await env.run(withFailureMapping(fn)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('retry classification', () => {
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

  test('a Retry-After of 0 (or a date in the past) never becomes a next retry delay of 0, which would end the retries', () => {
    const failure = error({ status: 429, retryable: true, retryAfterMs: 0 });
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBeUndefined();
    expect(details(failure).retryAfterMs).toBeUndefined();
    expect(error({ status: 503, retryable: true, retryAfterMs: -30_000 }).nextRetryDelay).toBeUndefined();
  });

  test.each([400, 403, 404, 422])('%i is not retryable and keeps Airbyte\'s message', (status) => {
    const failure = error({ status, title: 'bad-request', airbyteMessage: 'connectionId is invalid' });
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('connectionId is invalid');
    expect(failure.type).toBe('AirbyteApiError');
  });
});

describe('failure details', () => {
  test('carry the safe fields a workflow needs, ambiguous and retryAfterMs included', () => {
    const failure = error({ kind: 'timeout', endpoint: 'POST /jobs', retryable: true, ambiguous: true, reason: 'no answer before the timeout' });
    expect(failure.details).toHaveLength(1);
    expect(details(failure)).toEqual({
      endpoint: 'POST /jobs',
      kind: 'timeout',
      status: undefined,
      title: undefined,
      airbyteMessage: undefined,
      retryable: true,
      ambiguous: true,
      retryAfterMs: undefined,
    });
    const throttled = error({ status: 429, retryable: true, retryAfterMs: 2_000 });
    expect(details(throttled)).toMatchObject({ status: 429, ambiguous: false, retryAfterMs: 2_000 });
    const rejected = error({ status: 404, title: 'resource-not-found' });
    expect(rejected.details).toHaveLength(1);
    expect(details(rejected)).toMatchObject({ status: 404, title: 'resource-not-found', retryable: false, ambiguous: false });
  });

  test('hold no header, token or request', () => {
    const failure = error({ status: 500, retryable: true, ambiguous: true, airbyteMessage: 'oops' });
    const text = JSON.stringify(failure.details);
    expect(text).not.toMatch(/authorization|bearer|token|header/i);
    expect(Object.keys(details(failure)).sort()).toEqual(['airbyteMessage', 'ambiguous', 'endpoint', 'kind', 'retryAfterMs', 'retryable', 'status', 'title']);
  });
});

describe('unreadable answers', () => {
  test(`are retried, and from attempt ${MAX_INVALID_RESPONSE_ATTEMPTS} fail for good naming the endpoint and the attempts`, () => {
    expect(MAX_INVALID_RESPONSE_ATTEMPTS).toBe(5);
    for (let attempt = 1; attempt < MAX_INVALID_RESPONSE_ATTEMPTS; attempt++) {
      const failure = toActivityFailure(unreadable(), attempt) as ApplicationFailure;
      expect(failure).toMatchObject({ nonRetryable: false, type: 'AirbyteApiError' });
    }
    const last = toActivityFailure(unreadable(), MAX_INVALID_RESPONSE_ATTEMPTS) as ApplicationFailure;
    expect(last).toBeInstanceOf(ApplicationFailure);
    expect(last.nonRetryable).toBe(true);
    expect(last.type).toBe(AIRBYTE_INVALID_RESPONSE_FAILURE);
    expect(last.type).toBe('AirbyteInvalidResponse');
    expect(last.message).toContain('GET /jobs/7');
    expect(last.message).toContain('5 attempts');
    expect(last.message).toContain('HTML page');
    expect(details(last)).toMatchObject({ kind: 'invalid-response', endpoint: 'GET /jobs/7', retryable: false, attempts: 5 });
    expect((toActivityFailure(unreadable(), 9) as ApplicationFailure).nonRetryable).toBe(true);
  });

  test('the bound applies to unreadable answers only', () => {
    expect(error({ status: 503, retryable: true }, 50).nonRetryable).toBe(false);
    expect(error({ kind: 'network', retryable: true }, 50).nonRetryable).toBe(false);
  });

  test('withFailureMapping reads the attempt from the activity context', async () => {
    const fail = () => Promise.reject(unreadable({ endpoint: 'POST /jobs', ambiguous: true }));
    const early = await thrownBy(fail, { attempt: MAX_INVALID_RESPONSE_ATTEMPTS - 1 });
    expect(early).toMatchObject({ nonRetryable: false, type: 'AirbyteApiError' });
    expect(details(early)).toMatchObject({ ambiguous: true });
    const late = await thrownBy(fail, { attempt: MAX_INVALID_RESPONSE_ATTEMPTS });
    expect(late).toMatchObject({ nonRetryable: true, type: 'AirbyteInvalidResponse' });
    expect(late.message).toContain('POST /jobs');
    expect(details(late)).toMatchObject({ ambiguous: true, attempts: MAX_INVALID_RESPONSE_ATTEMPTS });
  });

  test('withFailureMapping still works outside an activity: an unreadable answer stays retryable', async () => {
    const err = await withFailureMapping(() => Promise.reject(unreadable()))().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ nonRetryable: false, type: 'AirbyteApiError' });
    await expect(withFailureMapping((n: number) => Promise.resolve(n + 1))(1)).resolves.toBe(2);
  });
});

describe('heartbeats', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  /** Runs `withFailureMapping(fn)` in an activity with this heartbeat timeout; counts heartbeats. */
  function inActivity(heartbeatTimeoutMs: number | undefined) {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs });
    const beats = { count: 0 };
    env.on('heartbeat', () => beats.count++);
    let finish!: (value: string) => void;
    let fail!: (err: unknown) => void;
    let started = -1;
    const call = new Promise<string>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    const result = env.run(
      withFailureMapping(() => {
        started = beats.count;
        return call;
      }),
    );
    return { beats, result, finish, fail, startedAfter: () => started };
  }

  test('heartbeat at once, then every heartbeatTimeout / 3, and stop when the call ends', async () => {
    jest.useFakeTimers();
    const run = inActivity(3_000);
    expect(run.startedAfter()).toBe(1); // the first heartbeat went out before the call started
    jest.advanceTimersByTime(999);
    expect(run.beats.count).toBe(1);
    jest.advanceTimersByTime(1);
    expect(run.beats.count).toBe(2);
    jest.advanceTimersByTime(2_000);
    expect(run.beats.count).toBe(4);
    run.finish('done');
    await expect(run.result).resolves.toBe('done');
    jest.advanceTimersByTime(60_000);
    expect(run.beats.count).toBe(4);
    expect(jest.getTimerCount()).toBe(0);
  });

  test(`the interval is capped at ${MAX_HEARTBEAT_INTERVAL_MS} ms, and heartbeats also stop when the call fails`, async () => {
    jest.useFakeTimers();
    const run = inActivity(10 * 60_000);
    jest.advanceTimersByTime(MAX_HEARTBEAT_INTERVAL_MS - 1);
    expect(run.beats.count).toBe(1);
    jest.advanceTimersByTime(1);
    expect(run.beats.count).toBe(2);
    run.fail(apiError({ status: 502, retryable: true }));
    await expect(run.result).rejects.toMatchObject({ type: 'AirbyteApiError', nonRetryable: false });
    jest.advanceTimersByTime(60_000);
    expect(run.beats.count).toBe(2);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('no heartbeat without a heartbeat timeout, nor outside an activity', async () => {
    jest.useFakeTimers();
    const run = inActivity(undefined);
    jest.advanceTimersByTime(60_000);
    expect(run.beats.count).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    run.finish('ok');
    await expect(run.result).resolves.toBe('ok');
    await expect(withHeartbeat(() => Promise.resolve(3))).resolves.toBe(3);
  });
});
