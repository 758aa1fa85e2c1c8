/**
 * When to look at a running job next. The wait grows with the time the job has run (a few seconds of
 * lateness matter for a one-minute sync, not for a five-hour one), from `initialMs` up to `maxMs`:
 *   wait = clamp(elapsed * latenessRatio, initialMs, maxMs)
 * so a finished job is noticed within max(initialMs, latenessRatio * its duration), capped at maxMs.
 */
export interface PollPolicy {
  initialMs: number;
  maxMs: number;
  latenessRatio: number;
}

export const DEFAULT_POLL_POLICY: PollPolicy = { initialMs: 5_000, maxMs: 60_000, latenessRatio: 0.1 };

export function nextPollDelay(elapsedMs: number, policy: PollPolicy): number {
  const proportional = Math.max(0, elapsedMs) * policy.latenessRatio;
  return Math.round(Math.min(policy.maxMs, Math.max(policy.initialMs, proportional)));
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
