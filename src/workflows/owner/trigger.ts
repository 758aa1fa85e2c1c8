import { ActivityFailure, ApplicationFailure, CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import type { JobSnapshot } from '../../activities';
import type { CreateJobOutcome, FoundJobs } from '../../activities/owner/types';
import type { JobType } from '../../airbyte/job-status';
import { innermostMessage } from '../failure-message';
import type { OwnerActivities, RetryPrefs } from './proxies';

/** A `POST /jobs` we got no usable answer to: a job created from `sentAt` on may be its doing. */
export interface CreateWindow {
  sentAt: number;
  endedAt: number;
  /** The request may still be running on Airbyte's side: its job may appear later. */
  inFlight?: boolean;
}

/** What the trigger has tried so far; carried over continue-as-new with the rest of the owner's state. */
export interface TriggerState {
  /** The connection's newest job id before our first attempt: no older job can be ours. */
  baselineJobId?: number;
  attempts: number;
  ambiguous: CreateWindow[];
  lastMessage?: string;
  /** The median duration of the connection's recent successes of this job type (from the first look). */
  expectedMs?: number;
  /** How much those durations vary (see PollPolicy.spread). */
  spread?: number;
}

export type TriggerResult =
  /** `owned`: we created it (or one of our unanswered creates may have); otherwise someone else started it. */
  | { kind: 'job'; job: JobSnapshot; owned: boolean; adopted?: boolean }
  | { kind: 'abandoned' }
  | { kind: 'error'; message: string };

export interface TriggerContext {
  act: OwnerActivities;
  instance: string;
  connectionId: string;
  jobType: JobType;
  retry: RetryPrefs;
  maximumAttempts?: number;
  /** After an unanswered attempt, look this long for its job before posting again. */
  createGraceMs: number;
  /** True once no waiter wants the job any more: stop retrying. */
  abandoned: () => boolean;
  state: TriggerState;
}

// Airbyte's startTime has whole seconds, and its clock is not Temporal's.
const CREATED_SINCE_TOLERANCE_MS = 2_000;
const BUSY_RETRY_MS = 30_000;

/**
 * Starts the job, or finds the one that holds the connection, making sure one request never yields two
 * jobs. POST /jobs is not idempotent, so each attempt is one activity without Temporal retries, and the
 * next step depends on its answer: after an unanswered attempt (timeout, reset, 5xx, unreadable body, a
 * worker lost mid-call) we look for the job it may have created before posting again; we adopt an ended
 * job only if it was created after such an attempt was sent; a 409 joins the running job.
 */
export async function triggerJob(ctx: TriggerContext): Promise<TriggerResult> {
  try {
    return await tryToStart(ctx);
  } catch (err) {
    // A look at the job list that cannot succeed (a bad instance, a connection Airbyte does not know).
    if (err instanceof ActivityFailure) return { kind: 'error', message: innermostMessage(err) };
    throw err;
  }
}

async function tryToStart(ctx: TriggerContext): Promise<TriggerResult> {
  const { act, instance, connectionId, jobType, state } = ctx;
  let delay = ctx.retry.initialIntervalMs;
  const backoff = (retryAfterMs?: number) => {
    const wait = retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : delay;
    delay = Math.min(delay * 2, ctx.retry.maximumIntervalMs);
    return wait;
  };
  const mayBeOurs = (job: JobSnapshot) => {
    const since = state.ambiguous[0]?.sentAt;
    if (since === undefined || (state.baselineJobId !== undefined && job.jobId <= state.baselineJobId)) return false;
    return Date.parse(job.startTime) >= since - CREATED_SINCE_TOLERANCE_MS;
  };
  const find = (): Promise<FoundJobs> =>
    act.find.airbyteFindJobs({ instance, connectionId, jobType, createdSince: state.ambiguous[0]?.sentAt, newerThan: state.baselineJobId });

  if (state.baselineJobId === undefined) {
    // Look first: a running job is joined without a create, and the newest id tells later which jobs can be ours.
    // Nothing of ours exists yet, so if every waiter leaves meanwhile (during an outage, say) we just stop.
    const found = await unlessAbandoned(ctx, find);
    if (found === undefined) return { kind: 'abandoned' };
    state.baselineJobId = found.newestJobId;
    if (found.expectedMs !== undefined) state.expectedMs = found.expectedMs;
    if (found.spread !== undefined) state.spread = found.spread;
    if (found.active?.jobType === jobType) return { kind: 'job', job: found.active, owned: false };
  }

  for (;;) {
    if (ctx.abandoned()) return { kind: 'abandoned' };
    let wait: number | undefined;
    if (state.ambiguous.length > 0) {
      const found = await find();
      if (found.active?.jobType === jobType) return { kind: 'job', job: found.active, owned: mayBeOurs(found.active), adopted: mayBeOurs(found.active) };
      if (found.active) wait = BUSY_RETRY_MS;
      else if (found.recent) return { kind: 'job', job: found.recent, owned: true, adopted: true };
      // A slow Airbyte may still be creating it: posting again now could make a second job.
      else if (lastInFlight(state) && Date.now() < (state.ambiguous.at(-1) as CreateWindow).endedAt + ctx.createGraceMs) wait = backoff();
    }
    if (wait === undefined) {
      if (ctx.maximumAttempts !== undefined && state.attempts >= ctx.maximumAttempts) {
        return { kind: 'error', message: `gave up after ${state.attempts} attempts to start the job: ${state.lastMessage ?? 'no answer'}` };
      }
      const sentAt = Date.now();
      state.attempts++;
      const outcome = await createOnce(ctx);
      state.lastMessage = 'message' in outcome ? outcome.message : undefined;
      switch (outcome.kind) {
        case 'created':
          return { kind: 'job', job: outcome.job, owned: true };
        case 'permanent':
          return { kind: 'error', message: outcome.message };
        case 'ambiguous':
          state.ambiguous.push({ sentAt, endedAt: Date.now(), inFlight: outcome.inFlight });
          wait = backoff(outcome.retryAfterMs);
          break;
        case 'retry':
          wait = backoff(outcome.retryAfterMs);
          break;
        case 'already-running': {
          const found = await find();
          if (found.active?.jobType === jobType) return { kind: 'job', job: found.active, owned: mayBeOurs(found.active), adopted: mayBeOurs(found.active) };
          // Another kind of job holds the connection: joining it would report the wrong result. Wait for it.
          wait = found.active ? BUSY_RETRY_MS : ctx.retry.initialIntervalMs;
          break;
        }
      }
    }
    // Waits, but wakes up as soon as the last waiter has left.
    await condition(ctx.abandoned, wait);
  }
}

// Histories from before `inFlight` existed count every unanswered create as possibly still in flight.
const lastInFlight = (state: TriggerState) => state.ambiguous.at(-1)?.inFlight !== false;

/** Runs `fn`, cancelling it as soon as no waiter wants the job; undefined when it was cancelled so. */
async function unlessAbandoned<T>(ctx: TriggerContext, fn: () => Promise<T>): Promise<T | undefined> {
  const scope = new CancellationScope();
  void condition(ctx.abandoned).then(() => scope.cancel());
  try {
    return await scope.run(fn);
  } catch (err) {
    if (isCancellation(err) && ctx.abandoned()) return undefined;
    throw err;
  }
}

async function createOnce(ctx: TriggerContext): Promise<CreateJobOutcome> {
  try {
    return await ctx.act.create.airbyteCreateJob({ instance: ctx.instance, connectionId: ctx.connectionId, jobType: ctx.jobType });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    // A bad configuration (e.g. an unknown instance) fails before any request: no retry can help.
    if (err.cause instanceof ApplicationFailure && err.cause.nonRetryable) return { kind: 'permanent', message: err.cause.message };
    // Timed out, lost with its worker, or failed in a way we did not classify: the POST may have landed.
    return { kind: 'ambiguous', message: innermostMessage(err), inFlight: true };
    throw err;
  }
}
