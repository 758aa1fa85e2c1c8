import { DEFAULT_POLL_POLICY, nextPollDelay, pollsForDuration } from '../src/workflows/poll-policy';
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
