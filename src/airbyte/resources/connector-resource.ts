import type { z } from 'zod';
import type { AirbyteHttp } from '../http';
import { collect, listParams, pageParams, paginate } from '../paginate';
import type { IterateOptions, Page, PageRequest, RequestOptions } from '../types';
import { idPath } from './paths';
import { noContentSchema } from './schemas';
import { configurationSecrets } from './secrets';
import type { AirbyteDestination, AirbyteSource, ConnectorConfiguration, ConnectorListFilter, ConnectorPatch, ConnectorReplace, DestinationCreate } from './types';

/** What tells sources and destinations apart: their path, id field and schemas. */
export interface ConnectorResourceKind<T> {
  /** `/sources` or `/destinations` */
  path: string;
  /** `sourceId` or `destinationId`, for messages. */
  idName: string;
  schema: z.ZodType<T>;
  pageSchema: z.ZodType<Page<T>>;
}

/** What a create request needs at least; sources add `secretId`. */
interface ConnectorCreateBase {
  name: string;
  workspaceId: string;
  definitionId?: string;
  configuration: ConnectorConfiguration;
}

/**
 * Sources and destinations, which Airbyte's public API treats alike. Every string value of a configuration
 * sent is treated as a secret: scrubbed from any error the call gives. Airbyte answers with the secrets masked.
 */
export class ConnectorResource<T extends { name: string; workspaceId: string }, Create extends ConnectorCreateBase> {
  constructor(
    private readonly http: AirbyteHttp,
    private readonly kind: ConnectorResourceKind<T>,
  ) {}

  async create(req: Create, options: RequestOptions = {}): Promise<T> {
    const secrets = [...configurationSecrets(req.configuration), ...('secretId' in req && typeof req.secretId === 'string' ? [req.secretId] : [])];
    return this.http.request({ method: 'POST', path: this.kind.path, data: req, secrets, schema: this.kind.schema, signal: options.signal });
  }

  async get(id: string, options: RequestOptions = {}): Promise<T> {
    return this.http.request({ method: 'GET', path: this.itemPath(id), schema: this.kind.schema, signal: options.signal });
  }

  /**
   * One page. Airbyte cannot filter by name: `filter.name` is applied to this page's items only, so a page may
   * come back short or empty while later pages still hold matches (`iterate` and `findByName` read them all).
   */
  async list(filter: ConnectorListFilter = {}, page: PageRequest = {}, options: RequestOptions = {}): Promise<Page<T>> {
    const { name, ...serverFilter } = filter;
    const result = await this.listPage(serverFilter, page, options);
    return name === undefined ? result : { ...result, data: result.data.filter((item) => item.name === name) };
  }

  /** Every item matching the filter (the name filter included); the same limits and cancellation as `iterateJobs`. */
  iterate(filter: ConnectorListFilter = {}, options: IterateOptions = {}): AsyncGenerator<T> {
    const { name, ...serverFilter } = filter;
    return paginate(
      `GET ${this.kind.path}`,
      (page, signal) => this.listPage(serverFilter, page, { signal }),
      options,
      (item) => name === undefined || item.name === name,
    );
  }

  /** Every item of the workspace named exactly `name` (names are not unique: maybe several). */
  async findByName(workspaceId: string, name: string, options: IterateOptions = {}): Promise<T[]> {
    return collect(
      paginate(
        `GET ${this.kind.path}`,
        (page, signal) => this.listPage({ workspaceIds: [workspaceId] }, page, { signal }),
        options,
        (item) => item.workspaceId === workspaceId && item.name === name,
      ),
    );
  }

  /** `PATCH`: only what is given changes (the configuration is merged by Airbyte). */
  async patch(id: string, req: ConnectorPatch, options: RequestOptions = {}): Promise<T> {
    return this.write('PATCH', id, req, options);
  }

  /** `PUT`: the name and configuration are overwritten with exactly these. */
  async replace(id: string, req: ConnectorReplace, options: RequestOptions = {}): Promise<T> {
    return this.write('PUT', id, req, options);
  }

  async delete(id: string, options: RequestOptions = {}): Promise<void> {
    await this.http.request({ method: 'DELETE', path: this.itemPath(id), schema: noContentSchema, signal: options.signal });
  }

  private async write(method: 'PATCH' | 'PUT', id: string, req: ConnectorPatch, options: RequestOptions): Promise<T> {
    return this.http.request({
      method,
      path: this.itemPath(id),
      data: req,
      secrets: configurationSecrets(req.configuration),
      schema: this.kind.schema,
      signal: options.signal,
    });
  }

  private async listPage(filter: Omit<ConnectorListFilter, 'name'>, page: PageRequest, options: RequestOptions): Promise<Page<T>> {
    return this.http.request({
      method: 'GET',
      path: this.kind.path,
      params: { ...listParams(filter), ...pageParams(page) },
      schema: this.kind.pageSchema,
      signal: options.signal,
    });
  }

  private itemPath(id: string): string {
    return `${this.kind.path}/${idPath(this.kind.idName, id)}`;
  }
}

/**
 * Either `client.sources` or `client.destinations`, for code that handles both (e.g. picks one by kind):
 * `const api: AnyConnectorResource = kind === 'source' ? client.sources : client.destinations`.
 */
export type AnyConnectorResource = ConnectorResource<AirbyteSource | AirbyteDestination, DestinationCreate>;
