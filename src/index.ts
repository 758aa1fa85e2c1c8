// `temporal-airbyte`: everything but the workflows and the testing kit, for a process that is both client and
// worker. A service that only starts and awaits syncs imports `temporal-airbyte/client` (no worker code loaded);
// a worker process `temporal-airbyte/worker`. Workflows: `temporal-airbyte/workflows`; the mock Airbyte and the
// test environment: `temporal-airbyte/testing`.
export * from './airbyte';
export * from './entries/client';
export * from './entries/worker';
