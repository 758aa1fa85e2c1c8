import type { JoinRequest } from '../../activities/owner/types';
import { DEFAULT_POLL_POLICY, type PollPolicy } from '../poll-policy';
import { DEFAULT_RETRY, type RetryPrefs } from './proxies';

/** After a POST /jobs that got no answer, look this long for the job it may have created before posting again. */
export const DEFAULT_CREATE_GRACE_MS = 60_000;

export interface OwnerPrefs {
  poll: PollPolicy;
  retry: RetryPrefs;
  maximumAttempts?: number;
  createGraceMs: number;
  report: boolean;
  searchAttributes: boolean;
}

function retryOf(requests: readonly JoinRequest[]): RetryPrefs {
  const initial = requests.map((r) => r.retry.initialIntervalMs).filter((v): v is number => v !== undefined);
  const maximum = requests.map((r) => r.retry.maximumIntervalMs).filter((v): v is number => v !== undefined);
  const initialIntervalMs = initial.length ? Math.min(...initial) : DEFAULT_RETRY.initialIntervalMs;
  // Temporal refuses a policy whose maximum is below its initial interval (a long initial one alone, say).
  const maximumIntervalMs = Math.max(initialIntervalMs, maximum.length ? Math.min(...maximum) : DEFAULT_RETRY.maximumIntervalMs);
  return { initialIntervalMs, maximumIntervalMs };
}

/** One job serves several waiters: it is watched as eagerly as the most eager of them asks. */
export function mergePrefs(requests: readonly JoinRequest[]): OwnerPrefs {
  const min = (values: (number | undefined)[], fallback: number) => {
    const defined = values.filter((v): v is number => v !== undefined);
    return defined.length ? Math.min(...defined) : fallback;
  };
  const attempts = requests.map((r) => r.retry.maximumAttempts);
  return {
    poll: {
      initialMs: min(requests.map((r) => r.poll.initialMs), DEFAULT_POLL_POLICY.initialMs),
      maxMs: min(requests.map((r) => r.poll.maxMs), DEFAULT_POLL_POLICY.maxMs),
      latenessRatio: min(requests.map((r) => r.poll.latenessRatio), DEFAULT_POLL_POLICY.latenessRatio),
      // Only when every waiter leaves the schedule to us, and every one counts on webhooks.
      adaptive: requests.length > 0 && requests.every((r) => r.poll.adaptive === true),
      webhooks: requests.length > 0 && requests.every((r) => r.poll.webhooks === true),
    },
    retry: retryOf(requests),
    // Unlimited as soon as one waiter wants unlimited: the job must not fail under a patient waiter.
    maximumAttempts: attempts.includes(undefined) ? undefined : Math.max(...(attempts as number[])),
    createGraceMs: min(requests.map((r) => r.createGraceMs), DEFAULT_CREATE_GRACE_MS),
    report: requests.some((r) => r.report),
    searchAttributes: requests.some((r) => r.searchAttributes),
  };
}
