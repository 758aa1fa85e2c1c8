import { z } from 'zod';
import { resolveInstanceConfig, type AirbyteInstanceConfig } from './config';
import { AirbyteHttp } from './http';
import { AirbyteApiError } from './errors';
import { connectionSchema, connectionsPageSchema, jobInfoSchema, jobSchema, jobsPageSchema, workspaceSchema } from './schemas';
import type {
  AirbyteConnection,
  AirbyteJob,
  AirbyteLogger,
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

const MAX_PAGE_SIZE = 100;
/** How many pages an iteration reads at most, unless told otherwise: 10,000 items at the largest page size. */
export const DEFAULT_MAX_PAGES = 100;

/** A typed client for the parts of Airbyte's public API that orchestration needs. No Temporal inside. */
export class AirbyteClient {
  private readonly http: AirbyteHttp;
  private readonly createJobTimeoutMs: number;

  constructor(config: AirbyteInstanceConfig, options: { logger?: AirbyteLogger; label?: string } = {}) {
    const resolved = resolveInstanceConfig(config, options.label);
    this.http = new AirbyteHttp(resolved, options.logger);
    this.createJobTimeoutMs = resolved.createJobTimeoutMs;
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

  /** Per-attempt, per-stream stats and failure reasons, from the Configuration API. */
  async getJobDetails(jobId: number, options: RequestOptions = {}): Promise<JobDetails> {
    const info = await this.http.request({
      method: 'POST',
      path: '/jobs/get',
      api: 'config',
      data: { id: jobId },
      schema: jobInfoSchema,
      signal: options.signal,
    });
    return {
      jobId,
      attempts: info.attempts.map(({ attempt }) => ({
        status: attempt.status,
        recordsSynced: attempt.recordsSynced,
        bytesSynced: attempt.bytesSynced,
        streams: (attempt.streamStats ?? []).map((s) => ({ name: s.streamName, namespace: s.streamNamespace, ...s.stats })),
        failures: (attempt.failureSummary?.failures ?? []).map((f) => ({
          origin: f.failureOrigin,
          type: f.failureType,
          message: f.externalMessage,
          retryable: f.retryable,
        })),
      })),
    };
  }
}

function jobIdPath(jobId: number): string {
  return String(z.number().int().nonnegative().parse(jobId));
}

function pageParams(page: PageRequest): Record<string, number> {
  const params: Record<string, number> = {};
  if (page.limit !== undefined) params.limit = page.limit;
  if (page.offset !== undefined) params.offset = page.offset;
  return params;
}

/**
 * Walks offset pages. Airbyte sends a `next` link even on a short last page, so the end is a page that is
 * empty or shorter than the limit, not a missing `next` (which is never followed: it could point anywhere).
 * A server that never ends (full pages for ever, an offset it ignores) stops at `maxPages`, with an error.
 */
async function* paginate<T>(
  endpoint: string,
  fetchPage: (page: PageRequest, signal: AbortSignal | undefined) => Promise<Page<T>>,
  { pageSize = MAX_PAGE_SIZE, max = Number.POSITIVE_INFINITY, maxPages = DEFAULT_MAX_PAGES, signal }: IterateOptions,
): AsyncGenerator<T> {
  const limit = Math.min(Math.max(1, Math.floor(pageSize)), MAX_PAGE_SIZE);
  const pages = Number.isNaN(maxPages) ? DEFAULT_MAX_PAGES : Math.max(1, Math.floor(maxPages));
  let yielded = 0;
  for (let page = 0; ; page++) {
    signal?.throwIfAborted();
    if (page >= pages) {
      throw new AirbyteApiError({
        kind: 'invalid-response',
        endpoint,
        retryable: false,
        reason:
          `still more after ${pages} full pages of ${limit} (maxPages): stopped rather than return a partial list; ` +
          'pass a larger maxPages or a narrower filter if this many items are expected',
      });
    }
    const { data } = await fetchPage({ limit, offset: page * limit }, signal);
    for (const item of data) {
      if (yielded >= max) return;
      yield item;
      yielded++;
    }
    if (data.length < limit || yielded >= max) return;
  }
}
