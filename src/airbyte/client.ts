import { z } from 'zod';
import { resolveInstanceConfig, type AirbyteInstanceConfig } from './config';
import { AirbyteHttp } from './http';
import { pageParams, paginate } from './paginate';
import { ConnectionsResource } from './resources/connections';
import { destinationsResource, type DestinationsResource } from './resources/destinations';
import { JobHistoryResource } from './resources/job-history';
import { publicJobOf } from './resources/job-from-config';
import type { JobAttempts } from './resources/types';
import { sourcesResource, type SourcesResource } from './resources/sources';
import { StreamsResource } from './resources/streams';
import { WorkspacesResource } from './resources/workspaces';
import { connectionSchema, connectionsPageSchema, jobSchema, jobsPageSchema, workspaceSchema } from './schemas';
import type {
  AirbyteConnection,
  AirbyteJob,
  AirbyteClientOptions,
  AirbyteWorkspace,
  CreateJobRequest,
  IterateOptions,
  JobDetails,
  ListConnectionsFilter,
  ListJobsFilter,
  Page,
  PageRequest,
  RequestOptions,
} from './types';

export { DEFAULT_MAX_PAGES } from './paginate';

/** A typed client for the parts of Airbyte's public API that orchestration needs. No Temporal inside. */
export class AirbyteClient {
  /** `/workspaces`: create, get, list, update (notifications), delete, find by name. */
  readonly workspaces: WorkspacesResource;
  /** `/sources`: create, get, list, patch, replace, delete, find by name. */
  readonly sources: SourcesResource;
  /** `/destinations`: the same as `sources`. */
  readonly destinations: DestinationsResource;
  /** `/connections`: create, get, list, patch, delete, find by name. */
  readonly connections: ConnectionsResource;
  /** `/streams`: the streams a source offers. */
  readonly streams: StreamsResource;
  /** A connection's jobs (newest first), a job's attempts and an attempt's logs. */
  readonly jobHistory: JobHistoryResource;

  private readonly http: AirbyteHttp;
  private readonly createJobTimeoutMs: number;
  private readonly webAppUrl?: string;

  constructor(config: AirbyteInstanceConfig, options: AirbyteClientOptions = {}) {
    const resolved = resolveInstanceConfig(config, options.label);
    this.http = new AirbyteHttp(resolved, options.logger, options.onCall);
    this.createJobTimeoutMs = resolved.createJobTimeoutMs;
    this.webAppUrl = resolved.webUrl;
    this.workspaces = new WorkspacesResource(this.http);
    this.sources = sourcesResource(this.http);
    this.destinations = destinationsResource(this.http);
    this.connections = new ConnectionsResource(this.http);
    this.streams = new StreamsResource(this.http);
    this.jobHistory = new JobHistoryResource(this.http, (filter, page, o) => this.listJobs(filter, page, o));
  }

  /** The Airbyte web app's base URL (configured or derived from `url`), for `jobWebUrl`; undefined when unknown. */
  get webUrl(): string | undefined {
    return this.webAppUrl;
  }

  /** Starts a job. Not idempotent on Airbyte's side: see the trigger activity for the safe way to call it. */
  createJob(request: CreateJobRequest, options: RequestOptions = {}): Promise<AirbyteJob> {
    return this.http.request({ method: 'POST', path: '/jobs', data: request, timeoutMs: this.createJobTimeoutMs, schema: jobSchema, signal: options.signal });
  }

  getJob(jobId: number, options: RequestOptions = {}): Promise<AirbyteJob> {
    return this.http.request({ method: 'GET', path: `/jobs/${jobIdPath(jobId)}`, schema: jobSchema, signal: options.signal });
  }

  /** Cancels the job; Airbyte answers with the job as it now stands. */
  cancelJob(jobId: number, options: RequestOptions = {}): Promise<AirbyteJob> {
    return this.http.request({ method: 'DELETE', path: `/jobs/${jobIdPath(jobId)}`, schema: jobSchema, signal: options.signal });
  }

  /** One page of jobs. Airbyte's default order is oldest first: pass `orderBy: 'createdAt|DESC'` for the newest. */
  listJobs(filter: ListJobsFilter = {}, page: PageRequest = {}, options: RequestOptions = {}): Promise<Page<AirbyteJob>> {
    return this.http.request({ method: 'GET', path: '/jobs', params: { ...filter, ...pageParams(page) }, schema: jobsPageSchema, signal: options.signal });
  }

  /**
   * Every job matching the filter, page by page, up to `max` items and at most `maxPages` pages (default 100).
   * A listing that still goes on after `maxPages` full pages throws a non-retryable error rather than end
   * silently short; aborting `signal` stops it before the next page (the iteration rejects with its reason).
   */
  iterateJobs(filter: ListJobsFilter = {}, options: IterateOptions = {}): AsyncGenerator<AirbyteJob> {
    return paginate('GET /jobs', (page, signal) => this.listJobs(filter, page, { signal }), options);
  }

  getConnection(connectionId: string, options: RequestOptions = {}): Promise<AirbyteConnection> {
    return this.http.request({
      method: 'GET',
      path: `/connections/${encodeURIComponent(connectionId)}`,
      schema: connectionSchema,
      signal: options.signal,
    });
  }

  listConnections(filter: ListConnectionsFilter = {}, page: PageRequest = {}, options: RequestOptions = {}): Promise<Page<AirbyteConnection>> {
    return this.http.request({
      method: 'GET',
      path: '/connections',
      params: { ...filter, ...pageParams(page) },
      schema: connectionsPageSchema,
      signal: options.signal,
    });
  }

  /** Every connection matching the filter; the same limits and cancellation as `iterateJobs`. */
  iterateConnections(filter: ListConnectionsFilter = {}, options: IterateOptions = {}): AsyncGenerator<AirbyteConnection> {
    return paginate('GET /connections', (page, signal) => this.listConnections(filter, page, { signal }), options);
  }

  getWorkspace(workspaceId: string, options: RequestOptions = {}): Promise<AirbyteWorkspace> {
    return this.http.request({
      method: 'GET',
      path: `/workspaces/${encodeURIComponent(workspaceId)}`,
      schema: workspaceSchema,
      signal: options.signal,
    });
  }

  get hasConfigApi(): boolean {
    return this.http.hasConfigApi;
  }

  /**
   * Per-attempt, per-stream stats and failure reasons, from the Configuration API (without logs, which can be
   * large). A summary of `jobHistory.attempts()`: the failures carry only origin, type, message and retryable.
   */
  async getJobDetails(jobId: number, options: RequestOptions = {}): Promise<JobDetails> {
    return detailsOf(await this.jobHistory.attempts(jobId, options));
  }

  /**
   * A job and its details in one Configuration API call (`get_without_logs`): the job as `getJob` shows it
   * (mapped as Airbyte's server maps it), undefined when the answer lacks what that needs.
   */
  async getJobWithDetails(jobId: number, options: RequestOptions = {}): Promise<{ job?: AirbyteJob; details: JobDetails }> {
    const info = await this.jobHistory.attempts(jobId, options);
    return { job: publicJobOf(info), details: detailsOf(info) };
  }
}

function detailsOf({ jobId, attempts }: JobAttempts): JobDetails {
  return {
    jobId,
    attempts: attempts.map((attempt) => ({
      status: attempt.status,
      recordsSynced: attempt.recordsSynced,
      bytesSynced: attempt.bytesSynced,
      streams: attempt.streams,
      failures: attempt.failures.map(({ origin, type, message, retryable }) => ({ origin, type, message, retryable })),
    })),
  };
}

function jobIdPath(jobId: number): string {
  return String(z.number().int().nonnegative().parse(jobId));
}
