// A stateful mock of Airbyte's public API (plus the Config API's jobs/get) with scripted job lifecycles
// and fault injection, for testing code that drives Airbyte.
export { MockAirbyteServer } from './server';
export { runStandalone } from './standalone';
export type * from './types';
