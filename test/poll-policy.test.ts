import { expectedDuration } from '../src/activities/owner/find-job';
import type { AirbyteJob } from '../src/airbyte';
import { DEFAULT_POLL_POLICY, latenessForDuration, nextPollDelay, pollsForDuration } from '../src/workflows/poll-policy';
import { isoDurationToMs } from '../src/workflows/iso-duration';

test('the poll delay grows with the time the job has run, from the initial interval to the cap', () => {
  const p = DEFAULT_POLL_POLICY;
  expect(nextPollDelay(0, p)).toBe(p.initialMs);
  expect(nextPollDelay(30_000, p)).toBe(p.initialMs); // 10% of 30 s is under the floor
  expect(nextPollDelay(200_000, p)).toBe(20_000);
  expect(nextPollDelay(3_600_000, p)).toBe(p.maxMs);
  const delays = [0, 10_000, 60_000, 120_000, 600_000, 6_000_000].map((t) => nextPollDelay(t, p));
  expect([...delays].sort((a, b) => a - b)).toEqual(delays);
});

test('a day-long sync costs far fewer polls than fixed intervals, and a short one is seen promptly', () => {
  const day = 24 * 3_600_000;
  const polls = pollsForDuration(day, DEFAULT_POLL_POLICY);
  expect(polls).toBeLessThan(day / 10_000 / 5); // dagster's fixed 10 s would make 8,640
  expect(pollsForDuration(60_000, DEFAULT_POLL_POLICY)).toBeLessThanOrEqual(12);
});

test('ISO-8601 durations as Airbyte sends them', () => {
  expect(isoDurationToMs('PT8H6M12S')).toBe(((8 * 60 + 6) * 60 + 12) * 1000);
  expect(isoDurationToMs('PT1.5S')).toBe(1_500);
  expect(isoDurationToMs('P1DT1S')).toBe(86_401_000);
  expect(isoDurationToMs('PT0S')).toBe(0);
  expect(isoDurationToMs(undefined)).toBeUndefined();
  expect(isoDurationToMs('soon')).toBeUndefined();
});

const MIN = 60_000;
const fixed = (ms: number) => ({ initialMs: ms, maxMs: ms, latenessRatio: 0.0001 });

test.each([10, 60, 360])('with history, a %i-minute job is seen within 5 %% of its length wherever it ends near the typical duration', (minutes) => {
  const duration = minutes * MIN;
  const shaped = { ...DEFAULT_POLL_POLICY, adaptive: true, expectedMs: duration };
  for (let f = 0.6; f <= 1.5; f += 0.01) {
    const actual = f * duration;
    expect(latenessForDuration(actual, shaped)).toBeLessThanOrEqual(0.05 * actual);
  }
  // Past the window the proportional rule (10 %, at most 60 s) takes over.
  for (const actual of [1.6, 2, 3].map((f) => f * duration)) {
    expect(latenessForDuration(actual, shaped)).toBeLessThanOrEqual(Math.min(0.1 * actual, DEFAULT_POLL_POLICY.maxMs) + 1);
  }
});

test('with history, a job that ends on time costs the same few looks at any length: far fewer than a fixed poll on long jobs', () => {
  const looks = [10, 60, 360].map((minutes) => pollsForDuration(minutes * MIN, { ...DEFAULT_POLL_POLICY, adaptive: true, expectedMs: minutes * MIN }));
  expect(new Set(looks).size).toBe(1);
  expect(looks[0]).toBeLessThanOrEqual(14);
  expect(looks[1]).toBeLessThanOrEqual(pollsForDuration(60 * MIN, fixed(10_000)) / 25);
  expect(looks[0]).toBeLessThan(pollsForDuration(10 * MIN, fixed(10_000)) / 4);
});

test('history shapes the schedule only when the caller left it to us; without history the proportional rule holds', () => {
  const expectedMs = 10 * MIN;
  expect(nextPollDelay(0, { ...DEFAULT_POLL_POLICY, expectedMs })).toBe(DEFAULT_POLL_POLICY.initialMs); // not adaptive
  expect(nextPollDelay(0, { ...DEFAULT_POLL_POLICY, adaptive: true })).toBe(DEFAULT_POLL_POLICY.initialMs); // no history
  expect(nextPollDelay(0, { ...DEFAULT_POLL_POLICY, adaptive: true, expectedMs })).toBe(expectedMs / 3); // sparse early
  expect(nextPollDelay(0.4 * expectedMs, { ...DEFAULT_POLL_POLICY, adaptive: true, expectedMs })).toBe(0.2 * expectedMs); // up to the window
  expect(nextPollDelay(0.8 * expectedMs, { ...DEFAULT_POLL_POLICY, adaptive: true, expectedMs })).toBe(0.04 * expectedMs); // dense near the end: 5 % of the time run
  expect(nextPollDelay(2 * expectedMs, { ...DEFAULT_POLL_POLICY, adaptive: true, expectedMs })).toBe(DEFAULT_POLL_POLICY.maxMs); // overdue: proportional
});

test('with webhooks, only a safety net: first at 1.5x the expected duration (an hour without history), then doubling', () => {
  const expectedMs = 10 * MIN;
  const hooked = { ...DEFAULT_POLL_POLICY, webhooks: true };
  expect(nextPollDelay(0, { ...hooked, expectedMs })).toBe(1.5 * expectedMs);
  expect(nextPollDelay(1.5 * expectedMs, { ...hooked, expectedMs })).toBe(1.5 * expectedMs);
  expect(nextPollDelay(0, hooked)).toBe(60 * MIN);
  expect(pollsForDuration(6 * 60 * MIN, { ...hooked, expectedMs: 6 * 60 * MIN })).toBe(1);
});

test('the expected duration is the median of recent successes of the same job type', () => {
  const job = (jobType: string, status: string, duration?: string) => ({ jobId: 1, jobType, status, duration, connectionId: 'c', startTime: '2026-12-01T00:00:00Z' }) as AirbyteJob;
  expect(expectedDuration([job('sync', 'succeeded', 'PT10M'), job('sync', 'failed', 'PT1M'), job('sync', 'succeeded', 'PT12M'), job('reset', 'succeeded', 'PT1S'), job('sync', 'succeeded', 'PT11M')], 'sync')).toBe(11 * MIN);
  expect(expectedDuration([job('sync', 'succeeded', 'PT10M'), job('sync', 'succeeded', 'PT20M')], 'sync')).toBe(15 * MIN);
  expect(expectedDuration([job('sync', 'running'), job('sync', 'succeeded')], 'sync')).toBeUndefined();
});
