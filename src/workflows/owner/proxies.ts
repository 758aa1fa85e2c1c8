import { proxyActivities, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import type { AirbyteActivities } from '../../activities';

/** The owner's retry preferences: the most eager of its waiters'. Unlimited attempts by default: an outage delays, never loses. */
export interface RetryPrefs {
  initialIntervalMs: number;
  maximumIntervalMs: number;
}

export const DEFAULT_RETRY: RetryPrefs = { initialIntervalMs: 2_000, maximumIntervalMs: 120_000 };

// Every Airbyte activity heartbeats while its call runs, so an attempt lost with its worker is retried
// within seconds instead of after its start-to-close timeout.
const HEARTBEAT = '10s';

export function ownerActivities(retry: RetryPrefs) {
  const policy: RetryPolicy = { initialInterval: retry.initialIntervalMs, backoffCoefficient: 2, maximumInterval: retry.maximumIntervalMs };
  const base: ActivityOptions = { startToCloseTimeout: '2m', heartbeatTimeout: HEARTBEAT, retry: policy };
  return {
    // One POST per activity, never retried by Temporal: the owner decides after each answer (see trigger.ts).
    create: proxyActivities<AirbyteActivities>({ ...base, startToCloseTimeout: '10m', retry: { maximumAttempts: 1 }, summary: 'create the Airbyte job' }),
    find: proxyActivities<AirbyteActivities>({ ...base, summary: 'look for the connection\'s jobs' }),
    poll: proxyActivities<AirbyteActivities>({ ...base, summary: 'check the Airbyte job' }),
    // No schedule-to-close: a cancel is retried through an outage of any length, and any Retry-After.
    cancel: proxyActivities<AirbyteActivities>({ ...base, summary: 'cancel the Airbyte job' }),
    report: proxyActivities<AirbyteActivities>({ ...base, retry: { ...policy, maximumAttempts: 3 }, summary: 'fetch per-stream stats' }),
  };
}

export type OwnerActivities = ReturnType<typeof ownerActivities>;
