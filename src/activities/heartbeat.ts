import { Context, type Info } from '@temporalio/activity';

/** The longest gap between two heartbeats, whatever the heartbeat timeout. */
export const MAX_HEARTBEAT_INTERVAL_MS = 5_000;

/** The running activity's context, or undefined outside an activity (unit tests, a plain script). */
export function currentActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** The running activity's info, or undefined outside an activity. */
export function currentActivityInfo(): Info | undefined {
  return currentActivity()?.info;
}

/**
 * Runs `fn` while heartbeating, when the activity has a heartbeat timeout: once at once, then every
 * min(heartbeatTimeout / 3, 5 s), until `fn` settles. A workflow can then give Airbyte calls a short
 * heartbeat timeout, so that an attempt lost with its worker is retried within seconds, not at its
 * start-to-close timeout. Outside an activity, or without a heartbeat timeout, it just runs `fn`.
 */
export async function withHeartbeat<R>(fn: () => Promise<R>): Promise<R> {
  const context = currentActivity();
  const timeoutMs = context?.info.heartbeatTimeoutMs;
  if (!context || !timeoutMs || !(timeoutMs > 0)) return fn();
  const beat = () => context.heartbeat();
  beat();
  const timer = setInterval(beat, Math.max(1, Math.min(timeoutMs / 3, MAX_HEARTBEAT_INTERVAL_MS)));
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
