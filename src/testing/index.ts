// `temporal-airbyte/testing`: test your own Airbyte pipelines against a real Temporal server and a mock Airbyte.
export * from './mock-airbyte';
export { AirbyteTestEnvironment, type AirbyteTestEnvironmentOptions } from './test-environment';
export { localTemporalCliPath, resolveTemporalCli } from './temporal-cli';
