import { z } from 'zod';
import { resolveInstanceConfig, type AirbyteInstanceConfig } from './config';
import { AirbyteHttp } from './http';
import { connectionSchema, connectionsPageSchema, jobInfoSchema, jobSchema, jobsPageSchema, workspaceSchema } from './schemas';
import type {
  AirbyteConnection,
  AirbyteJob,
  AirbyteLogger,
  AirbyteWorkspace,
  CreateJobRequest,
  JobDetails,
  ListConnectionsFilter,
  ListJobsFilter,
  Page,
  PageRequest,
} from './types';

const MAX_PAGE_SIZE = 100;

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
  createJob(request: CreateJobRequest): Promise<AirbyteJob> {
    return this.http.request({ method: 'POST', path: '/jobs', data: request, timeoutMs: this.createJobTimeoutMs, schema: jobSchema });
  }

  getJob(jobId: number): Promise<AirbyteJob> {
    return this.http.request({ method: 'GET', path: `/jobs/${jobIdPath(jobId)}`, schema: jobSchema });
  }

  /** Cancels the job; Airbyte answers with the job as it now stands. */
  cancelJob(jobId: number): Promise<AirbyteJob> {
    return this.http.request({ method: 'DELETE', path: `/jobs/${jobIdPath(jobId)}`, schema: jobSchema });
  }

  /** One page of jobs. Airbyte's default order is oldest first: pass `orderBy: 'createdAt|DESC'` for the newest. */
  listJobs(filter: ListJobsFilter = {}, page: PageRequest = {}): Promise<Page<AirbyteJob>> {
    return this.http.request({ method: 'GET', path: '/jobs', params: { ...filter, ...pageParams(page) }, schema: jobsPageSchema });
  }

  /** Every job matching the filter, page by page, up to `max`. */
  iterateJobs(filter: ListJobsFilter = {}, options: { pageSize?: number; max?: number } = {}): AsyncGenerator<AirbyteJob> {
    return paginate((page) => this.listJobs(filter, page), options);
  }

  getConnection(connectionId: string): Promise<AirbyteConnection> {
    return this.http.request({ method: 'GET', path: `/connections/${encodeURIComponent(connectionId)}`, schema: connectionSchema });
  }

  listConnections(filter: ListConnectionsFilter = {}, page: PageRequest = {}): Promise<Page<AirbyteConnection>> {
    return this.http.request({ method: 'GET', path: '/connections', params: { ...filter, ...pageParams(page) }, schema: connectionsPageSchema });
  }

  iterateConnections(filter: ListConnectionsFilter = {}, options: { pageSize?: number; max?: number } = {}): AsyncGenerator<AirbyteConnection> {
    return paginate((page) => this.listConnections(filter, page), options);
  }

  getWorkspace(workspaceId: string): Promise<AirbyteWorkspace> {
    return this.http.request({ method: 'GET', path: `/workspaces/${encodeURIComponent(workspaceId)}`, schema: workspaceSchema });
  }

  get hasConfigApi(): boolean {
    return this.http.hasConfigApi;
  }

  /** Per-attempt, per-stream stats and failure reasons, from the Configuration API. */
  async getJobDetails(jobId: number): Promise<JobDetails> {
    const info = await this.http.request({ method: 'POST', path: '/jobs/get', api: 'config', data: { id: jobId }, schema: jobInfoSchema });
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
 * empty or shorter than the limit, not a missing `next`.
 */
async function* paginate<T>(
  fetchPage: (page: PageRequest) => Promise<Page<T>>,
  { pageSize = MAX_PAGE_SIZE, max = Number.POSITIVE_INFINITY }: { pageSize?: number; max?: number },
): AsyncGenerator<T> {
  const limit = Math.min(Math.max(1, Math.floor(pageSize)), MAX_PAGE_SIZE);
  let yielded = 0;
  for (let offset = 0; ; offset += limit) {
    const { data } = await fetchPage({ limit, offset });
    for (const item of data) {
      if (yielded >= max) return;
      yield item;
      yielded++;
    }
    if (data.length < limit || yielded >= max) return;
  }
}
