// `temporal-airbyte/testing`: test your own Airbyte pipelines against a real Temporal server and a mock Airbyte.
export * from './mock-airbyte';
export { AirbyteTestEnvironment, type AirbyteTestEnvironmentOptions } from './test-environment';
export { localTemporalCliPath, resolveTemporalCli } from './temporal-cli';
export { TcpGate, type TcpGateData, type TcpGateMode, type TcpGateOptions, type TcpGateStats } from './tcp-gate';
export { freePort, TemporalDevServer, type TemporalDevServerOptions } from './dev-server';
export {
  prebuildWorkflowBundle,
  WorkerProcess,
  type WorkerProcessOptions,
  type WorkerProcessTuning,
} from './worker-process';
