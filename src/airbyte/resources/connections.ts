import type { AirbyteHttp } from '../http';
import { collect, listParams, pageParams, paginate } from '../paginate';
import { connectionSchema, connectionsPageSchema } from '../schemas';
import type { AirbyteConnection, IterateOptions, ListConnectionsFilter, Page, PageRequest, RequestOptions } from '../types';
import { idPath } from './paths';
import { noContentSchema } from './schemas';
import { streamSecrets } from './secrets';
import type { ConnectionCreate, ConnectionPatch } from './types';

/** `/connections`: create, read, list, patch and delete connections. */
export class ConnectionsResource {
  constructor(private readonly http: AirbyteHttp) {}

  /** Not idempotent: a create that timed out may have created the connection (look it up by name before retrying). */
  async create(req: ConnectionCreate, options: RequestOptions = {}): Promise<AirbyteConnection> {
    return this.http.request({
      method: 'POST',
      path: '/connections',
      data: req,
      secrets: streamSecrets(req.configurations?.streams),
      schema: connectionSchema,
      signal: options.signal,
    });
  }

  async get(connectionId: string, options: RequestOptions = {}): Promise<AirbyteConnection> {
    return this.http.request({ method: 'GET', path: this.itemPath(connectionId), schema: connectionSchema, signal: options.signal });
  }

  async list(filter: ListConnectionsFilter = {}, page: PageRequest = {}, options: RequestOptions = {}): Promise<Page<AirbyteConnection>> {
    return this.http.request({
      method: 'GET',
      path: '/connections',
      params: { ...listParams(filter), ...pageParams(page) },
      schema: connectionsPageSchema,
      signal: options.signal,
    });
  }

  /** Every connection matching the filter; the same limits and cancellation as `AirbyteClient.iterateJobs`. */
  iterate(filter: ListConnectionsFilter = {}, options: IterateOptions = {}): AsyncGenerator<AirbyteConnection> {
    return paginate('GET /connections', (page, signal) => this.list(filter, page, { signal }), options);
  }

  /** Every connection of the workspace named exactly `name` (names are not unique: maybe several). */
  async findByName(workspaceId: string, name: string, options: IterateOptions = {}): Promise<AirbyteConnection[]> {
    return collect(
      paginate(
        'GET /connections',
        (page, signal) => this.list({ workspaceIds: [workspaceId] }, page, { signal }),
        options,
        (c) => c.workspaceId === workspaceId && c.name === name,
      ),
    );
  }

  /** Only what is given changes; `configurations.streams` replaces the connection's whole stream list. */
  async patch(connectionId: string, req: ConnectionPatch, options: RequestOptions = {}): Promise<AirbyteConnection> {
    return this.http.request({
      method: 'PATCH',
      path: this.itemPath(connectionId),
      data: req,
      secrets: streamSecrets(req.configurations?.streams),
      schema: connectionSchema,
      signal: options.signal,
    });
  }

  /** Airbyte keeps a deleted connection as `deprecated` (listed with `includeDeleted`). */
  async delete(connectionId: string, options: RequestOptions = {}): Promise<void> {
    await this.http.request({ method: 'DELETE', path: this.itemPath(connectionId), schema: noContentSchema, signal: options.signal });
  }

  private itemPath(connectionId: string): string {
    return `/connections/${idPath('connectionId', connectionId)}`;
  }
}
