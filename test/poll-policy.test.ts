import { durationHistory } from '../src/activities/owner/find-job';
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

test('with webhooks, only a safety net: first at 1.5x the expected duration (an hour without history), then at 3x the time run', () => {
  const expectedMs = 10 * MIN;
  const hooked = { ...DEFAULT_POLL_POLICY, webhooks: true };
  expect(nextPollDelay(0, { ...hooked, expectedMs })).toBe(1.5 * expectedMs);
  expect(nextPollDelay(1.5 * expectedMs, { ...hooked, expectedMs })).toBe(3 * expectedMs);
  expect(nextPollDelay(0, hooked)).toBe(60 * MIN);
  expect(nextPollDelay(60 * MIN, hooked)).toBe(120 * MIN);
  expect(pollsForDuration(6 * 60 * MIN, { ...hooked, expectedMs: 6 * 60 * MIN })).toBe(1);
  // Without history: looks at 1 h, 3 h, 9 h: two before a 6-hour (or 8.9-hour) job ends (the webhook's check ends the wait).
  const looksBefore = (d: number) => pollsForDuration(d, hooked) - 1;
  expect([10 * MIN, 60 * MIN + 1, 6 * 60 * MIN, 8.9 * 60 * MIN].map(looksBefore)).toEqual([0, 1, 2, 2]);
  // A job whose webhook is lost is seen within twice its run time (after the first look).
  for (const d of [61 * MIN, 5 * 60 * MIN, 30 * 60 * MIN]) expect(latenessForDuration(d, hooked)).toBeLessThanOrEqual(2 * d);
});

test('with webhooks, a safety look that never happened is made now, not skipped: the next follows the last look made', () => {
  const expectedMs = 10 * MIN;
  const hooked = { ...DEFAULT_POLL_POLICY, webhooks: true, expectedMs };
  // The worker was down when the first look (at 15 min) was due; at 20 min no look has been made: look now (the floor).
  expect(nextPollDelay(20 * MIN, hooked, 0)).toBe(DEFAULT_POLL_POLICY.initialMs);
  // The late first look was made at 20 min: the next at 3x that, 60 min.
  expect(nextPollDelay(20 * MIN, hooked, 20 * MIN)).toBe(40 * MIN);
  // A wait recomputed at 25 min (a waiter joined) after that look keeps its time: 60 min, not 3x 25 min.
  expect(nextPollDelay(25 * MIN, hooked, 20 * MIN)).toBe(35 * MIN);
  // A look a hint prompted before the first safety look does not move it.
  expect(nextPollDelay(5 * MIN, hooked, 5 * MIN)).toBe(10 * MIN);
});

const jobOf = (jobType: string, status: string, duration?: string) => ({ jobId: 1, jobType, status, duration, connectionId: 'c', startTime: '2026-12-01T00:00:00Z' }) as AirbyteJob;

test('the expected duration is the median of recent successes of the same job type', () => {
  const expected = (jobs: AirbyteJob[]) => durationHistory(jobs, 'sync').expectedMs;
  expect(expected([jobOf('sync', 'succeeded', 'PT10M'), jobOf('sync', 'failed', 'PT1M'), jobOf('sync', 'succeeded', 'PT12M'), jobOf('reset', 'succeeded', 'PT1S'), jobOf('sync', 'succeeded', 'PT11M')])).toBe(11 * MIN);
  expect(expected([jobOf('sync', 'succeeded', 'PT10M'), jobOf('sync', 'succeeded', 'PT20M')])).toBe(15 * MIN);
  expect(expected([jobOf('sync', 'running'), jobOf('sync', 'succeeded')])).toBeUndefined();
});

const minutes = (n: number) => `PT${Math.floor(n)}M${Math.round((n % 1) * 60)}S`;

test('the spread of durations is read from five recent successes on, as the deviation of their logarithms', () => {
  const same = Array.from({ length: 6 }, () => jobOf('sync', 'succeeded', 'PT10M'));
  expect(durationHistory(same, 'sync')).toEqual({ expectedMs: 10 * MIN, spread: 0 });
  expect(durationHistory(same.slice(0, 4), 'sync')).toEqual({ expectedMs: 10 * MIN }); // too few to say
  const varied = [9, 10, 11, 10, 12, 8].map((m) => jobOf('sync', 'succeeded', minutes(m)));
  const { spread } = durationHistory([...varied, jobOf('sync', 'failed', 'PT1M'), jobOf('reset', 'succeeded', 'PT1S')], 'sync');
  const logs = [9, 10, 11, 10, 12, 8].map(Math.log);
  const mean = logs.reduce((a, b) => a + b) / logs.length;
  expect(spread).toBeCloseTo(Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (logs.length - 1)), 3);
});

test('a connection whose jobs take much the same time is watched in a narrower window: fewer looks, the same 5 % bound', () => {
  const expectedMs = 10 * MIN;
  const tight = { ...DEFAULT_POLL_POLICY, adaptive: true, expectedMs, spread: 0.04 };
  const wide = { ...DEFAULT_POLL_POLICY, adaptive: true, expectedMs };
  // Within e^(+-2.5 spread) of the expected duration, still seen within 5 % of the job's length.
  for (let f = Math.exp(-0.1); f <= Math.exp(0.1); f += 0.005) expect(latenessForDuration(f * expectedMs, tight)).toBeLessThanOrEqual(0.05 * f * expectedMs);
  expect(pollsForDuration(expectedMs, tight)).toBeLessThanOrEqual(6);
  expect(pollsForDuration(expectedMs, tight)).toBeLessThanOrEqual(pollsForDuration(expectedMs, fixed(10_000)) / 10);
  expect(pollsForDuration(expectedMs, tight)).toBeLessThan(pollsForDuration(expectedMs, wide));
  // Never wider than without a spread, and a spread that makes no sense is ignored.
  for (const spread of [0.5, 3, Number.NaN, -1, Number.POSITIVE_INFINITY]) {
    expect(pollsForDuration(expectedMs, { ...wide, spread })).toBe(pollsForDuration(expectedMs, wide));
  }
  // No spread of zero: ten jobs are few and Airbyte's durations have whole seconds.
  expect(pollsForDuration(expectedMs, { ...wide, spread: 0 })).toBeGreaterThanOrEqual(3);
});

test.each([0.03, 0.1, 0.2])('jobs whose durations vary with sigma %f, their history read from ten earlier ones: p95 lateness within 5 %%', (sigma) => {
  // A seeded population: each connection's ten past successes and its next job drawn from the same log-normal.
  let seed = 12345;
  const random = () => ((seed = (seed * 1_664_525 + 1_013_904_223) >>> 0) / 4_294_967_296);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const typical = 30 * MIN;
  const shares: number[] = [];
  for (let i = 0; i < 1_000; i++) {
    const past = Array.from({ length: 10 }, () => jobOf('sync', 'succeeded', `PT${Math.round((typical * Math.exp(sigma * normal())) / 1_000)}S`));
    const history = durationHistory(past, 'sync');
    const actual = typical * Math.exp(sigma * normal());
    shares.push(latenessForDuration(actual, { ...DEFAULT_POLL_POLICY, adaptive: true, ...history }) / actual);
  }
  shares.sort((a, b) => a - b);
  expect(shares[Math.floor(0.95 * shares.length)]).toBeLessThanOrEqual(0.05);
});
