import type { MockConnectionScript, MockJob, MockJobPhase, MockStreamStats } from './types';

// Jobs and the timers that walk each one through its scripted phases.

export type Outcome = 'succeeded' | 'failed' | 'cancelled';

/** Anything but succeeded/failed/cancelled is still in flight, including statuses never seen before. */
export const isTerminal = (status: string): boolean => status === 'succeeded' || status === 'failed' || status === 'cancelled';

export const MAX_TIMER_MS = 2_147_483_647; // setTimeout's limit; a longer phase simply holds, like Infinity

const DEFAULT_PHASES: MockJobPhase[] = [{ status: 'pending', ms: 20 }, { status: 'running', ms: 200 }];

interface Failure { origin: string; type: string; message: string; retryable: boolean; timestamp: number }

export interface MockAttempt {
  id: number;
  status: 'running' | 'failed' | 'succeeded';
  createdAt: number;
  updatedAt: number;
  endedAt?: number;
  records: number;
  bytes: number;
  streams: MockStreamStats[];
  failure?: Failure;
}

export interface ResolvedScript {
  phases: MockJobPhase[];
  outcome: Outcome;
  rows: number;
  bytes: number;
  failureMessage: string;
  streams: MockStreamStats[];
  logLines?: string[];
  logFormat: 'formatted' | 'structured';
}

export interface JobRun {
  job: MockJob;
  updatedAt: number;
  script: ResolvedScript;
  timer?: NodeJS.Timeout;
  attemptLog: MockAttempt[];
}

export function validateScript(script: MockConnectionScript | undefined): void {
  for (const { status, ms } of script?.phases ?? []) {
    if (typeof status !== 'string' || !status || !(ms >= 0)) throw new Error(`Invalid job phase ${JSON.stringify({ status, ms })}`);
  }
}

const total = (streams: MockStreamStats[], field: 'records' | 'bytes') => streams.reduce((n, s) => n + s[field], 0);

/** The first defined value of each field wins: connection script, then default script, then built-ins. */
function resolve(...scripts: (MockConnectionScript | undefined)[]): ResolvedScript {
  const pick = <K extends keyof MockConnectionScript>(key: K) => scripts.find((s) => s?.[key] !== undefined)?.[key];
  const streams = pick('streams') ?? [];
  const logLines = pick('logLines');
  return {
    phases: pick('phases') ?? DEFAULT_PHASES,
    outcome: pick('outcome') ?? 'succeeded',
    rows: pick('rowsSynced') ?? (streams.length ? total(streams, 'records') : 1000),
    bytes: pick('bytesSynced') ?? (streams.length ? total(streams, 'bytes') : 64000),
    failureMessage: pick('failureMessage') ?? 'The mock source failed.',
    streams,
    ...(logLines && { logLines }),
    logFormat: pick('logFormat') ?? 'formatted',
  };
}

export class JobBook {
  readonly runs = new Map<number, JobRun>();
  private nextJobId = 1; // never reused, even across reset(): a stale poller must not see someone else's job
  peak = 0;

  constructor(
    private readonly defaultScript: MockConnectionScript | undefined,
    private readonly onTransition: (job: MockJob) => void,
    private readonly cancelDelayMs: number,
  ) {
    validateScript(defaultScript);
    if (!(cancelDelayMs >= 0)) throw new Error(`cancelDelayMs must be >= 0, got ${cancelDelayMs}`);
  }

  active(connectionId: string): JobRun | undefined {
    return [...this.runs.values()].find((run) => run.job.connectionId === connectionId && !isTerminal(run.job.status));
  }

  /** Creates a job without the API's checks; callers decide what is allowed. */
  create(connectionId: string, jobType: string, script: MockConnectionScript | undefined): JobRun {
    const now = Date.now();
    const job: MockJob = { jobId: this.nextJobId++, connectionId, jobType, status: 'pending', createdAt: now, attempts: 0 };
    const run: JobRun = { job, updatedAt: now, script: resolve(script, this.defaultScript), attemptLog: [] };
    this.runs.set(job.jobId, run);
    this.enterPhase(run, 0);
    return run;
  }

  /**
   * Airbyte's `DELETE /jobs/{id}`: it looks up the named job's connection and cancels whatever job runs on that
   * connection now, which is another job when the named one has ended. The cancelled job keeps its status (and
   * stops moving through its phases) for cancelDelayMs, then becomes `cancelled`. Returns the job hit, if any.
   */
  cancelByConnection(named: JobRun): JobRun | undefined {
    const current = this.active(named.job.connectionId);
    if (!current || current.job.cancelRequestedAt !== undefined) return current; // nothing to cancel, or already on its way out
    current.job.cancelRequestedAt = Date.now();
    current.job.cancelRequestedVia = named.job.jobId;
    clearTimeout(current.timer);
    current.timer = undefined;
    if (this.cancelDelayMs === 0) this.finish(current, 'cancelled', 'api');
    else if (this.cancelDelayMs < MAX_TIMER_MS) current.timer = setTimeout(() => this.finish(current, 'cancelled', 'api'), this.cancelDelayMs);
    return current;
  }

  /** Ends a job now. A job that already ended is left as it is. */
  finish(run: JobRun, outcome: Outcome, cancelledBy?: 'api' | 'mock'): JobRun {
    const { job, script } = run;
    if (isTerminal(job.status)) return run;
    clearTimeout(run.timer);
    job.status = outcome;
    job.endedAt = run.updatedAt = Date.now();
    // A failed sync reports what its scripted streams moved before failing (a partial success); a cancelled one nothing.
    const streams = outcome === 'cancelled' ? [] : script.streams;
    const [records, bytes] = outcome === 'succeeded' ? [script.rows, script.bytes] : [total(streams, 'records'), total(streams, 'bytes')];
    job.rowsSynced = records;
    job.bytesSynced = bytes;
    const open = this.openAttempt(run);
    if (outcome === 'cancelled') {
      job.cancelledBy = cancelledBy ?? 'mock';
      // Airbyte records a cancelled attempt as failed, with a manual_cancellation reason.
      if (open) this.closeAttempt(open, 'failed', ['airbyte_platform', 'manual_cancellation', 'The job was cancelled.', false]);
    } else {
      const attempt = Object.assign(open ?? this.startAttempt(run), { records, bytes, streams });
      this.closeAttempt(attempt, outcome, outcome === 'failed' ? ['source', 'system_error', script.failureMessage, false] : undefined);
    }
    this.changed(run);
    return run;
  }

  reset(): void {
    this.clearTimers();
    this.runs.clear();
    this.peak = 0;
  }

  clearTimers(): void {
    for (const run of this.runs.values()) clearTimeout(run.timer);
  }

  private enterPhase(run: JobRun, index: number): void {
    const phase = run.script.phases[index];
    if (!phase) return void this.finish(run, run.script.outcome);
    run.job.status = phase.status;
    run.updatedAt = Date.now();
    if (phase.status === 'running') {
      run.job.startedAt ??= run.updatedAt;
      if (!this.openAttempt(run)) this.startAttempt(run);
    } else if (phase.status === 'incomplete') {
      // An attempt failed and Airbyte will retry: close it and open the next one.
      const failed = this.openAttempt(run) ?? this.startAttempt(run);
      this.closeAttempt(failed, 'failed', ['source', 'transient_error', run.script.failureMessage, true]);
      this.startAttempt(run);
    }
    // Arm the next step before notifying, so a listener that ends the job also disarms it.
    if (phase.ms < MAX_TIMER_MS) run.timer = setTimeout(() => this.enterPhase(run, index + 1), phase.ms);
    this.changed(run);
  }

  private openAttempt(run: JobRun): MockAttempt | undefined {
    const last = run.attemptLog.at(-1);
    return last?.status === 'running' ? last : undefined;
  }

  private startAttempt(run: JobRun): MockAttempt {
    const now = Date.now();
    const empty = { records: 0, bytes: 0, streams: [] };
    const attempt: MockAttempt = { id: run.attemptLog.length, status: 'running', createdAt: now, updatedAt: now, ...empty };
    run.job.attempts = run.attemptLog.push(attempt);
    return attempt;
  }

  private closeAttempt(attempt: MockAttempt, status: 'succeeded' | 'failed', failure?: [string, string, string, boolean]): void {
    attempt.status = status;
    attempt.updatedAt = attempt.endedAt = Date.now();
    if (failure) {
      const [origin, type, message, retryable] = failure;
      attempt.failure = { origin, type, message, retryable, timestamp: attempt.endedAt };
    }
  }

  private changed(run: JobRun): void {
    let inFlight = 0;
    for (const other of this.runs.values()) if (!isTerminal(other.job.status)) inFlight++;
    this.peak = Math.max(this.peak, inFlight);
    this.onTransition({ ...run.job });
  }
}
