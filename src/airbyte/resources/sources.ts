import type { AirbyteHttp } from '../http';
import { ConnectorResource } from './connector-resource';
import { sourceSchema, sourcesPageSchema } from './schemas';
import type { AirbyteSource, SourceCreate } from './types';

/** `/sources`: see ConnectorResource. */
export type SourcesResource = ConnectorResource<AirbyteSource, SourceCreate>;

export function sourcesResource(http: AirbyteHttp): SourcesResource {
  return new ConnectorResource<AirbyteSource, SourceCreate>(http, {
    path: '/sources',
    idName: 'sourceId',
    schema: sourceSchema,
    pageSchema: sourcesPageSchema,
  });
}
