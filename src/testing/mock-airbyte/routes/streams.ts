import { DESTINATION_SYNC_MODES, streamProperties } from '../catalog';
import { badRequest, notFound, type Reply } from '../problems';
import type { MockState } from '../state';
import { first, ok, type ApiCall } from './common';

// GET /streams (StreamsController): the source's catalogue as a bare array of StreamProperties. Without a
// destinationId Airbyte cannot combine sync modes, and leaves `syncModes` out.

export function getStreams(state: MockState, call: ApiCall): Reply {
  const sourceId = first(call.query, 'sourceId');
  const destinationId = first(call.query, 'destinationId');
  if (!sourceId) return badRequest('sourceId is required.');
  const source = state.sources.get(sourceId);
  if (!source || source.deleted) return notFound('SOURCE_CONNECTION', sourceId);
  if (destinationId) {
    const destination = state.destinations.get(destinationId);
    if (!destination || destination.deleted) return notFound('DESTINATION_CONNECTION', destinationId);
  }
  // ignoreCache would rediscover the schema; the mock's catalogue is always current.
  return ok(source.streams.map((stream) => streamProperties(stream, destinationId ? DESTINATION_SYNC_MODES : undefined)));
}
