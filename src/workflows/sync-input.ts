import type { Duration } from '@temporalio/common';
import { object, optional, type Infer } from 'superstruct';
import { JOB_TYPES, type JobStatus, type JobType } from '../airbyte/job-status';
import type { AttemptFailure, StreamStats } from '../airbyte/types';
import type { AttemptReport } from '../activities/types';
import { DEFAULT_POLL_POLICY, type PollPolicy } from './poll-policy';
import { bool, checkShape, type Checked, duration, INSTANCE_MESSAGE, INSTANCE_NAME, matches, maxLength, notEmpty, num, oneOf, positiveMs, str, UUID, whole } from './validation';

/** Input of `syncAndWait`. Only `connectionId` is required. */
export interface SyncInput {
  /** The Airbyte connection (a UUID). */
  connectionId: string;
  /** `sync` (default), `reset` or `clear`. */
  jobType?: JobType;
  /** Name of an Airbyte instance configured on the worker; default `default`. */
  instance?: string;
  /** How often to look at the job: the wait grows from `initialInterval` to `maxInterval`. */
  /**
   * How the job is watched. Default: shaped by the connection's recent job durations when it has some (sparse
   * early, dense near the expected end), else every 10 % of the time it has run, from 5 s to 60 s. A
   * `maxInterval` pins the proportional rule. `webhooks: true`: Airbyte's webhooks reach a receiver for this
   * connection's workspace (see the README), so the job is only polled as a slow safety net.
   */
  poll?: { initialInterval?: Duration; maxInterval?: Duration; latenessRatio?: number; webhooks?: boolean };
  /** Give up after this long overall (across continue-as-new). Default: wait as long as the job runs. */
  timeout?: Duration;
  /** Cancel the Airbyte job when the timeout passes. Default true. */
  cancelOnTimeout?: boolean;
  /** Cancel the Airbyte job when this workflow is cancelled. Default true. */
  cancelOnWorkflowCancel?: boolean;
  /** `throw` (default): a failed or cancelled job fails the workflow. `return`: it is returned as a result. */
  onFailure?: 'throw' | 'return';
  /** Fetch per-stream stats and failure reasons at the end (Configuration API, best effort). Default true. */
  report?: boolean;
  /** Continue-as-new once history holds this many events. Default 2,000 (Temporal warns at 10,240; short histories replay fast). */
  historyBound?: number;
  /** Retry policy of the Airbyte activities (the defaults suit production; tests shorten them). */
  retry?: {
    initialInterval?: Duration;
    maximumInterval?: Duration;
    /** Attempts to start the job (and to check it) before giving up; default unlimited. */
    maximumAttempts?: number;
    /** After a `POST /jobs` that got no answer, look this long for the job it may have created before posting again. Default 60 s. */
    createGrace?: Duration;
  };
  /** The connection's name, for people: summaries and details in the Temporal UI, logs. Not used to find it. */
  connectionName?: string;
  /** Keep the Airbyte search attributes (connection, instance, job id, job status) up to date; the server must know them. */
  searchAttributes?: boolean;
  /** Signal the parent workflow the job id once it is known (pipelines use it to show running jobs). */
  notifyParent?: boolean;
  /** Internal: state carried across continue-as-new. Do not set. */
  continued?: SyncContinuation;
}

/** What a continued run needs to go on watching the same job: the job is never triggered twice. */
export interface SyncContinuation {
  jobId: number;
  attached: boolean;
  startedAt: number;
  deadline?: number;
  polls: number;
  runs: number;
}

export interface SyncResult {
  instance: string;
  connectionId: string;
  jobId: number;
  jobType: string;
  /** Final job status: succeeded, failed or cancelled (or the last one seen, after a timeout that left the job running). */
  status: JobStatus;
  /** True when this sync did not start the job: it joined one started for another caller, or outside this product. */
  attached: boolean;
  /** True when this product created the job; false when it joined a job someone else started (never cancelled on our behalf). */
  owned?: boolean;
  /** How many other waiters shared the job. */
  sharedWith?: number;
  rowsSynced?: number;
  bytesSynced?: number;
  durationMs?: number;
  /** When Airbyte started the job and when we saw it end (ISO-8601). */
  startTime: string;
  endTime: string;
  /** Per-stream figures of the last attempt, when the Configuration API is reachable. */
  streams?: StreamStats[];
  failures?: AttemptFailure[];
  /** Airbyte's own explanation of a failure, when it gave one. */
  failureMessage?: string;
  /** Every attempt of the job (Airbyte retries failed attempts): outcome, rows, bytes and failures. */
  attempts?: AttemptReport[];
  /** The job in Airbyte's UI. Logs: `AirbyteAdminClient.attemptLogs({ jobId })`. */
  jobUrl?: string;
  /** True when the overall timeout ended the wait. */
  timedOut?: boolean;
  polls: number;
  /** How many times the workflow continued-as-new while waiting. */
  continuedAsNew: number;
}

const durationField = optional(duration());
const integer = () => whole(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'must be a whole number');
const flag = optional(bool());

const syncInputStruct = object({
  connectionId: str(matches(UUID, 'must be an Airbyte connection id (a UUID)')),
  connectionName: optional(
    str(
      (s) => notEmpty(s.trim()),
      maxLength(200),
      // eslint-disable-next-line no-control-regex -- control characters are what is refused
      matches(/^[^\u0000-\u001f\u007f]*$/, 'must not hold control characters'),
    ),
  ),
  jobType: optional(oneOf(JOB_TYPES, `must be one of ${JOB_TYPES.join(', ')}`)),
  instance: optional(str(matches(INSTANCE_NAME, INSTANCE_MESSAGE))),
  poll: optional(
    object({
      initialInterval: durationField,
      maxInterval: durationField,
      latenessRatio: optional(num((n) => (n > 0 && n <= 10 ? undefined : 'must be a number above 0 and at most 10'))),
      webhooks: flag,
    }),
  ),
  timeout: durationField,
  cancelOnTimeout: flag,
  cancelOnWorkflowCancel: flag,
  onFailure: optional(oneOf(['throw', 'return'] as const)),
  report: flag,
  notifyParent: flag,
  searchAttributes: flag,
  historyBound: optional(whole(50, 40_000)),
  retry: optional(
    object({
      initialInterval: durationField,
      maximumInterval: durationField,
      maximumAttempts: optional(whole(1, 1_000_000)),
      createGrace: durationField,
    }),
  ),
  continued: optional(
    object({
      jobId: integer(),
      attached: bool(),
      startedAt: num(),
      deadline: optional(num()),
      polls: integer(),
      runs: integer(),
    }),
  ),
});

export interface ParsedSyncInput {
  connectionId: string;
  connectionName?: string;
  jobType: JobType;
  instance: string;
  poll: PollPolicy;
  timeoutMs?: number;
  cancelOnTimeout: boolean;
  cancelOnWorkflowCancel: boolean;
  onFailure: 'throw' | 'return';
  report: boolean;
  notifyParent: boolean;
  searchAttributes: boolean;
  historyBound: number;
  retry: { initialIntervalMs?: number; maximumIntervalMs?: number; maximumAttempts?: number; createGraceMs?: number };
  continued?: SyncContinuation;
}

export type InputCheck<T> = { ok: true; value: T } | { ok: false; message: string };

/** Validates a SyncInput and fills in defaults; the message names every bad field. */
export function parseSyncInput(input: unknown): InputCheck<ParsedSyncInput> {
  let checked: Checked<Infer<typeof syncInputStruct>>;
  try {
    checked = checkShape(input, syncInputStruct);
  } catch (err) {
    // Never throw here: inside the workflow a throw would fail the workflow task over and over.
    return { ok: false, message: `invalid sync input: could not be checked (${String((err as Error | undefined)?.message ?? err).slice(0, 200)})` };
  }
  if (!checked.ok) {
    const problems = checked.problems.map((p) => `${p.path.join('.') || 'input'} ${p.message}`);
    return { ok: false, message: `invalid sync input: ${problems.join('; ')}` };
  }
  const v = checked.value;
  const given = v.poll ?? {};
  const retry = v.retry ?? {};
  const ms = (d: Duration | undefined) => (d === undefined ? undefined : positiveMs(d));
  const initialMs = ms(given.initialInterval);
  const maxMs = ms(given.maxInterval);
  const poll: PollPolicy = {
    initialMs: initialMs ?? DEFAULT_POLL_POLICY.initialMs,
    maxMs: maxMs ?? Math.max(DEFAULT_POLL_POLICY.maxMs, initialMs ?? 0),
    latenessRatio: given.latenessRatio ?? DEFAULT_POLL_POLICY.latenessRatio,
    // A pinned maxInterval is a promise to look at least that often: history does not stretch it.
    adaptive: maxMs === undefined,
    ...(given.webhooks && { webhooks: true }),
  };
  if (poll.maxMs < poll.initialMs) return { ok: false, message: 'invalid sync input: poll.maxInterval must not be shorter than poll.initialInterval' };
  const retryInitialMs = ms(retry.initialInterval);
  const retryMaxMs = ms(retry.maximumInterval);
  if (retryInitialMs !== undefined && retryMaxMs !== undefined && retryMaxMs < retryInitialMs) {
    return { ok: false, message: 'invalid sync input: retry.maximumInterval must not be shorter than retry.initialInterval' };
  }
  return {
    ok: true,
    value: {
      connectionId: v.connectionId,
      connectionName: v.connectionName?.trim(),
      jobType: v.jobType ?? 'sync',
      instance: v.instance ?? 'default',
      poll,
      timeoutMs: ms(v.timeout),
      cancelOnTimeout: v.cancelOnTimeout ?? true,
      cancelOnWorkflowCancel: v.cancelOnWorkflowCancel ?? true,
      onFailure: v.onFailure ?? 'throw',
      report: v.report ?? true,
      notifyParent: v.notifyParent ?? false,
      searchAttributes: v.searchAttributes ?? false,
      historyBound: v.historyBound ?? 2_000,
      retry: {
        initialIntervalMs: retryInitialMs,
        maximumIntervalMs: retryMaxMs,
        maximumAttempts: retry.maximumAttempts,
        createGraceMs: ms(retry.createGrace),
      },
      continued: v.continued,
    },
  };
}
