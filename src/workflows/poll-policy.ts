/**
 * When to look at a running job next. Without anything known about the job, the wait grows with the time it
 * has run (a few seconds of lateness matter for a one-minute sync, not for a five-hour one), from `initialMs` up
 * to `maxMs`:
 *   wait = clamp(elapsed * latenessRatio, initialMs, maxMs)
 * so a finished job is noticed within max(initialMs, latenessRatio * its duration), capped at maxMs.
 *
 * What it knows changes that:
 * - `expectedMs` (the median of the connection's recent successes) with `adaptive` (the caller did not pin
 *   `maxInterval`): two sparse looks before the window, then the window, where each look follows the last by 5 % of
 *   the time run so far (a job that ends there is seen within 5 % of its length), then the proportional rule again.
 *   The window is 60-150 % of the expected duration, narrower when `spread` says the connection's jobs take much
 *   the same time each run (expected x e^(+-2.5 spread)): a job that ends on time costs about 12 looks at any length
 *   where durations vary by +-20 % (1/5 of a 10 s poll's calls on a 10-minute job, 1/30 on an hour's), about 6.5
 *   where they vary by +-5 % (0.11x a 10 s poll's calls on a 10-minute job).
 * - `webhooks` (Airbyte's webhooks wake the owner when the job ends): only a slow safety net for a lost webhook or
 *   a cancellation (Airbyte sends none for those): at 1.5x the expected duration, then each look at 3x the time
 *   run so far; without history, after an hour, then 3h, 9h, 27h... (two looks before the end of a 6-hour job,
 *   so a sync costs at most five calls there; a job whose webhook is lost is seen within twice its run time).
 */
export interface PollPolicy {
  initialMs: number;
  maxMs: number;
  latenessRatio: number;
  /** The caller left the schedule to us (no explicit maxInterval): history may shape it. */
  adaptive?: boolean;
  /** Airbyte's webhooks reach us for this connection: poll only as a safety net. */
  webhooks?: boolean;
  /** What the job will likely take (median of recent successes). */
  expectedMs?: number;
  /** How much the recent successes' durations vary: the standard deviation of their logarithms (0.1: about +-10 %). */
  spread?: number;
}

export const DEFAULT_POLL_POLICY: PollPolicy = { initialMs: 5_000, maxMs: 60_000, latenessRatio: 0.1 };

const SPARSE_LOOKS = 3;
/** Where the window starts and ends at the widest, as shares of the expected duration: durations of a connection's jobs vary. */
const WINDOW_START = 0.6;
const WINDOW_END = 1.5;
/**
 * With a known spread, the window covers this many standard deviations either side of the expected duration
 * (from about ten past jobs, whose own median and spread are estimates: 2.5 keeps p95 lateness within 5 %).
 */
const WINDOW_SPREADS = 2.5;
/** The narrowest spread taken at its word: Airbyte's durations have whole seconds, and ten jobs are few. */
const MIN_SPREAD = 0.02;
/** Each look in the window follows the last by this share of the time run so far: the lateness bound. */
const WINDOW_LATENESS = 0.05;
const SAFETY_FACTOR = 1.5;
const SAFETY_WITHOUT_HISTORY_MS = 3_600_000;
/** After the first safety look, each waits this many times the time run so far (the next look at 3x it). */
const SAFETY_GROWTH = 2;

/**
 * How long to wait before the next look, `elapsedMs` into the job. `lastCheckMs`: the time run at the last look
 * (0: none yet); by default a look was just made. Safety looks follow the last one actually made, so one that never
 * happened (the worker was down when it was due) is made now rather than skipped.
 */
export function nextPollDelay(elapsedMs: number, policy: PollPolicy, lastCheckMs = elapsedMs): number {
  const elapsed = Math.max(0, elapsedMs);
  const expected = policy.expectedMs !== undefined && policy.expectedMs > 0 ? policy.expectedMs : undefined;
  if (policy.webhooks) {
    const first = expected !== undefined ? expected * SAFETY_FACTOR : SAFETY_WITHOUT_HISTORY_MS;
    const due = lastCheckMs < first ? first : lastCheckMs * (SAFETY_GROWTH + 1);
    return Math.round(Math.max(policy.initialMs, due - elapsed));
  }
  const [startShare, endShare] = windowShares(policy.spread);
  if (policy.adaptive && expected !== undefined && elapsed < expected * endShare) {
    const windowStart = expected * startShare;
    if (elapsed < windowStart) return Math.round(Math.max(policy.initialMs, Math.min(windowStart - elapsed, expected / SPARSE_LOOKS)));
    return Math.round(Math.max(policy.initialMs, elapsed * WINDOW_LATENESS));
  }
  const proportional = elapsed * policy.latenessRatio;
  return Math.round(Math.min(policy.maxMs, Math.max(policy.initialMs, proportional)));
}

/** The window of dense looks, as shares of the expected duration: the widest without a usable spread. */
export function windowShares(spread: number | undefined): [number, number] {
  if (spread === undefined || !Number.isFinite(spread) || spread < 0) return [WINDOW_START, WINDOW_END];
  const half = WINDOW_SPREADS * Math.max(MIN_SPREAD, spread);
  return [Math.max(WINDOW_START, Math.exp(-half)), Math.min(WINDOW_END, Math.exp(half))];
}

/** How many polls a job of the given duration costs under a policy (for docs and benchmarks). */
export function pollsForDuration(durationMs: number, policy: PollPolicy): number {
  let elapsed = 0;
  let polls = 0;
  while (elapsed < durationMs) {
    elapsed += nextPollDelay(elapsed, policy);
    polls++;
  }
  return polls;
}

/** How late a job that ends at `durationMs` is seen under a policy (for docs and benchmarks). */
export function latenessForDuration(durationMs: number, policy: PollPolicy): number {
  let elapsed = 0;
  while (elapsed < durationMs) elapsed += nextPollDelay(elapsed, policy);
  return elapsed - durationMs;
}
