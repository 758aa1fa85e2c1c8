import type { AirbyteHttp } from '../http';
import { listParams } from '../paginate';
import type { RequestOptions } from '../types';
import { idPath } from './paths';
import { streamPropertiesListSchema } from './schemas';
import type { AirbyteStreamProperties, StreamsQuery } from './types';

/** `/streams`: the streams a source offers, with the sync modes each one supports (for a destination, if given). */
export class StreamsResource {
  constructor(private readonly http: AirbyteHttp) {}

  /**
   * With `ignoreCache` Airbyte discovers the source's schema afresh, which can take minutes: give a longer
   * `timeoutMs` (100 ms to 10 minutes; default the instance's requestTimeoutMs).
   */
  async list(query: StreamsQuery, options: RequestOptions & { timeoutMs?: number } = {}): Promise<AirbyteStreamProperties[]> {
    idPath('sourceId', query.sourceId);
    return this.http.request({
      method: 'GET',
      path: '/streams',
      params: listParams(query),
      schema: streamPropertiesListSchema,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
  }
}
