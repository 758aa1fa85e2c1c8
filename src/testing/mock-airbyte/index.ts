// A stateful mock of Airbyte's public API (jobs, workspaces, sources, destinations, connections, streams) and of
// the Config API's job, attempt and connection reads, with scripted job lifecycles, Airbyte's notification webhooks
// and fault injection, for testing code that drives Airbyte.
export { MockAirbyteServer } from './server';
export { runStandalone } from './standalone';
export type * from './types';
