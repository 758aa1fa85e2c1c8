import type { AirbyteHttp } from '../http';
import { collect, listParams, pageParams, paginate } from '../paginate';
import type { IterateOptions, Page, PageRequest, RequestOptions } from '../types';
import { idPath } from './paths';
import { noContentSchema, workspaceDetailsSchema, workspacesPageSchema } from './schemas';
import { notificationSecrets } from './secrets';
import type { AirbyteWorkspaceDetails, WorkspaceCreate, WorkspaceListFilter, WorkspaceUpdate } from './types';

/** `/workspaces`: create, read, list, update (notifications live here) and delete workspaces. */
export class WorkspacesResource {
  constructor(private readonly http: AirbyteHttp) {}

  async create(req: WorkspaceCreate, options: RequestOptions = {}): Promise<AirbyteWorkspaceDetails> {
    return this.http.request({
      method: 'POST',
      path: '/workspaces',
      data: req,
      secrets: notificationSecrets(req.notifications),
      schema: workspaceDetailsSchema,
      signal: options.signal,
    });
  }

  async get(workspaceId: string, options: RequestOptions = {}): Promise<AirbyteWorkspaceDetails> {
    return this.http.request({
      method: 'GET',
      path: `/workspaces/${idPath('workspaceId', workspaceId)}`,
      schema: workspaceDetailsSchema,
      signal: options.signal,
    });
  }

  async list(filter: WorkspaceListFilter = {}, page: PageRequest = {}, options: RequestOptions = {}): Promise<Page<AirbyteWorkspaceDetails>> {
    return this.http.request({
      method: 'GET',
      path: '/workspaces',
      params: { ...listParams(filter), ...pageParams(page) },
      schema: workspacesPageSchema,
      signal: options.signal,
    });
  }

  /** Every workspace matching the filter; the same limits and cancellation as `AirbyteClient.iterateJobs`. */
  iterate(filter: WorkspaceListFilter = {}, options: IterateOptions = {}): AsyncGenerator<AirbyteWorkspaceDetails> {
    return paginate('GET /workspaces', (page, signal) => this.list(filter, page, { signal }), options);
  }

  /** `PATCH`: only the fields given change. */
  async update(workspaceId: string, req: WorkspaceUpdate, options: RequestOptions = {}): Promise<AirbyteWorkspaceDetails> {
    return this.http.request({
      method: 'PATCH',
      path: `/workspaces/${idPath('workspaceId', workspaceId)}`,
      data: req,
      secrets: notificationSecrets(req.notifications),
      schema: workspaceDetailsSchema,
      signal: options.signal,
    });
  }

  async delete(workspaceId: string, options: RequestOptions = {}): Promise<void> {
    await this.http.request({
      method: 'DELETE',
      path: `/workspaces/${idPath('workspaceId', workspaceId)}`,
      schema: noContentSchema,
      signal: options.signal,
    });
  }

  /** Every workspace the caller can see whose name is exactly `name` (names are not unique: maybe several). */
  async findByName(name: string, options: IterateOptions = {}): Promise<AirbyteWorkspaceDetails[]> {
    return collect(paginate('GET /workspaces', (page, signal) => this.list({}, page, { signal }), options, (w) => w.name === name));
  }
}
