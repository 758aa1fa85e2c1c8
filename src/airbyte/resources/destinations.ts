import type { AirbyteHttp } from '../http';
import { ConnectorResource } from './connector-resource';
import { destinationSchema, destinationsPageSchema } from './schemas';
import type { AirbyteDestination, DestinationCreate } from './types';

/** `/destinations`: see ConnectorResource. */
export type DestinationsResource = ConnectorResource<AirbyteDestination, DestinationCreate>;

export function destinationsResource(http: AirbyteHttp): DestinationsResource {
  return new ConnectorResource<AirbyteDestination, DestinationCreate>(http, {
    path: '/destinations',
    idName: 'destinationId',
    schema: destinationSchema,
    pageSchema: destinationsPageSchema,
  });
}
