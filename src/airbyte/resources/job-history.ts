import { AirbyteConfigError } from '../config';
import type { AirbyteHttp } from '../http';
import { paginate } from '../paginate';
import type { AirbyteJob, AttemptFailure, IterateOptions, ListJobsFilter, Page, PageRequest, RequestOptions } from '../types';
import { DEFAULT_LOG_TAIL_BYTES, formatLogEvent, tailLines } from './log-tail';
import { nonNegativeInt } from './paths';
import { attemptInfoSchema, jobAttemptsSchema, type AttemptRead } from './schemas';
import type { AttemptLogTail, AttemptLogsOptions, JobAttempt, JobAttempts } from './types';

const MIN_RESPONSE_CAP = 1024;

export type ListJobs = (filter: ListJobsFilter, page: PageRequest, options: RequestOptions) => Promise<Page<AirbyteJob>>;

/** A connection's jobs, newest first unless told otherwise, and each job's attempts and logs (Configuration API). */
export class JobHistoryResource {
  constructor(
    private readonly http: AirbyteHttp,
    private readonly listJobs: ListJobs,
  ) {}

  /** One page of the connection's jobs, newest first by default (`orderBy: 'createdAt|DESC'`). */
  list(connectionId: string, filter: Omit<ListJobsFilter, 'connectionId'> = {}, page: PageRequest = {}, options: RequestOptions = {}): Promise<Page<AirbyteJob>> {
    return this.listJobs({ orderBy: 'createdAt|DESC', ...filter, connectionId }, page, options);
  }

  /** Every job of the connection, newest first by default; the same limits and cancellation as `iterateJobs`. */
  iterate(connectionId: string, filter: Omit<ListJobsFilter, 'connectionId'> = {}, options: IterateOptions = {}): AsyncGenerator<AirbyteJob> {
    return paginate('GET /jobs', (page, signal) => this.list(connectionId, filter, page, { signal }), options);
  }

  /**
   * The job's attempts with their stats and failure reasons, without logs (`POST /jobs/get_without_logs`).
   * Upstream messages are scrubbed of the instance's secrets.
   */
  async attempts(jobId: number, options: RequestOptions = {}): Promise<JobAttempts> {
    const info = await this.http.request({
      method: 'POST',
      path: '/jobs/get_without_logs',
      api: 'config',
      data: { id: nonNegativeInt('jobId', jobId) },
      schema: jobAttemptsSchema,
      signal: options.signal,
    });
    return {
      jobId,
      status: info.job?.status,
      configType: info.job?.configType,
      configId: info.job?.configId,
      createdAt: info.job?.createdAt,
      updatedAt: info.job?.updatedAt,
      aggregatedStats: info.job?.aggregatedStats,
      attempts: info.attempts.map(({ attempt }, attemptNumber) => this.toAttempt(attempt, attemptNumber)),
    };
  }

  /**
   * The end of one attempt's log (`POST /attempt/get_for_job`): formatted lines or structured events, whichever
   * Airbyte keeps, the last `maxBytes` of them (default 1 MiB), scrubbed of the instance's secrets. Airbyte
   * sends the whole log: a log larger than `maxResponseBytes` is refused as an invalid response.
   */
  async attemptLogs(jobId: number, attemptNumber: number, options: AttemptLogsOptions = {}): Promise<AttemptLogTail> {
    const { maxBytes = DEFAULT_LOG_TAIL_BYTES, maxResponseBytes, signal } = options;
    nonNegativeInt('maxBytes', maxBytes);
    // axios reads -1 as "no limit": only a real cap is passed on.
    if (maxResponseBytes !== undefined && !(nonNegativeInt('maxResponseBytes', maxResponseBytes) >= MIN_RESPONSE_CAP)) {
      throw new AirbyteConfigError(`maxResponseBytes must be at least ${MIN_RESPONSE_CAP}`);
    }
    const info = await this.http.request({
      method: 'POST',
      path: '/attempt/get_for_job',
      api: 'config',
      data: { jobId: nonNegativeInt('jobId', jobId), attemptNumber: nonNegativeInt('attemptNumber', attemptNumber) },
      schema: attemptInfoSchema,
      maxResponseBytes,
      signal,
    });
    const logs = info.logs;
    const structured = logs?.events !== undefined && (info.logType === 'structured' || logs.logLines === undefined);
    const lines = structured ? (logs?.events ?? []).flatMap(formatLogEvent) : (logs?.logLines ?? []);
    return tailLines(lines, maxBytes, (line) => this.http.redact(line));
  }

  private toAttempt(attempt: AttemptRead, attemptNumber: number): JobAttempt {
    return {
      attemptNumber,
      id: attempt.id,
      status: attempt.status,
      createdAt: attempt.createdAt,
      updatedAt: attempt.updatedAt,
      endedAt: attempt.endedAt,
      recordsSynced: attempt.recordsSynced,
      bytesSynced: attempt.bytesSynced,
      streams: attempt.streamStats.map((s) => ({ name: s.streamName, namespace: s.streamNamespace, ...s.stats })),
      failures: (attempt.failureSummary?.failures ?? []).map(
        (f): AttemptFailure => ({
          origin: f.failureOrigin,
          type: f.failureType,
          message: this.scrub(f.externalMessage),
          internalMessage: this.scrub(f.internalMessage),
          retryable: f.retryable,
          timestamp: f.timestamp,
          stream: f.streamDescriptor && { name: f.streamDescriptor.name, namespace: f.streamDescriptor.namespace },
        }),
      ),
      partialSuccess: attempt.failureSummary?.partialSuccess,
    };
  }

  private scrub(text: string | undefined): string | undefined {
    return text === undefined ? undefined : this.http.redact(text);
  }
}
