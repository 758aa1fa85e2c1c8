import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkerOptions } from '@temporalio/worker';
import type { AirbyteInstancesInput } from '../activities';
import type { AirbyteInstanceConfig } from '../airbyte';
import { AirbyteSyncClient } from '../client';
import { createAirbyteWorker, type AirbyteWorkerOptions } from '../worker';
import { AIRBYTE_SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';
import { MockAirbyteServer, type MockAirbyteOptions } from './mock-airbyte';
import { TemporalDevServer } from './dev-server';

export interface AirbyteTestEnvironmentOptions {
  /** An already running Temporal server, or options for a dev server started here (the default). */
  /**
   * Its own dev server (with the UI if asked), which registers the Airbyte search attributes, or an existing
   * server: say `searchAttributes: true` when that one has them too.
   */
  temporal?: { address: string; namespace?: string; searchAttributes?: boolean } | { ui?: boolean; uiPort?: number; logFile?: string };
  /** Options of the mock Airbyte server that backs the `default` instance. */
  mock?: MockAirbyteOptions;
  /** Overrides for the `default` instance that points at the mock, e.g. a short `createJobTimeoutMs`. */
  defaultInstance?: Partial<AirbyteInstanceConfig>;
  /** More Airbyte instances on the worker, besides `default` (the mock). */
  instances?: AirbyteInstancesInput;
  taskQueue?: string;
  /** Your own activities (for pipeline `activity` steps) and dbt options, passed to the worker. */
  activities?: object;
  dbt?: AirbyteWorkerOptions['dbt'];
  /** The worker's resolver of connector `secretRef`s (see AirbyteWorkerOptions.secrets). */
  secrets?: AirbyteWorkerOptions['secrets'];
  /** OpenTelemetry tracing on the worker (see AirbyteWorkerOptions.tracing). */
  tracing?: AirbyteWorkerOptions['tracing'];
  /** Worker-wide limit on Airbyte activity starts per second (default 20). */
  maxAirbyteCallsPerSecond?: number;
  workerOptions?: Partial<WorkerOptions>;
  /**
   * The data converter of both the environment's client and its worker, e.g. `{ payloadCodecs: [codec] }`
   * (a `dataConverter` in `workerOptions` wins on the worker).
   */
  dataConverter?: DataConverter;
}

/**
 * Everything a pipeline test needs, all real but Airbyte: a Temporal dev server (or yours), the mock
 * Airbyte server, and a running worker whose `default` instance points at the mock.
 */
export class AirbyteTestEnvironment {
  private running: Promise<void>;

  private constructor(
    readonly temporal: TestWorkflowEnvironment,
    readonly mock: MockAirbyteServer,
    private current: Worker,
    private readonly workerOptions: AirbyteWorkerOptions,
    /** The Temporal Web UI, when the dev server was started with it. */
    readonly uiUrl: string | undefined,
    /** Whether `syncs` keeps the Airbyte search attributes (the server knows them). */
    readonly searchAttributes: boolean,
    private readonly devServer: TemporalDevServer | undefined,
  ) {
    this.running = current.run();
  }

  static async start(options: AirbyteTestEnvironmentOptions = {}): Promise<AirbyteTestEnvironment> {
    const mock = await MockAirbyteServer.start(options.mock);
    let temporal: TestWorkflowEnvironment | undefined;
    let server: TemporalDevServer | undefined;
    try {
      const t = options.temporal ?? {};
      let uiUrl: string | undefined;
      if ('address' in t) {
        temporal = await TestWorkflowEnvironment.createFromExistingServer({ address: t.address, namespace: t.namespace, client: { dataConverter: options.dataConverter } });
      } else {
        // Our own dev server rather than the SDK's: quiet (its output goes to a log file, not the terminal).
        server = await TemporalDevServer.start({ ui: t.ui ?? false, uiPort: t.uiPort, searchAttributes: AIRBYTE_SEARCH_ATTRIBUTE_KEYS, logFile: t.logFile });
        temporal = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address, client: { dataConverter: options.dataConverter } });
        uiUrl = server.uiUrl;
      }
      const credentials = mock.credentials;
      const workerOptions: AirbyteWorkerOptions = {
        connection: temporal.nativeConnection,
        namespace: temporal.namespace ?? 'default',
        taskQueue: options.taskQueue ?? `airbyte-test-${Math.random().toString(36).slice(2, 10)}`,
        instances: {
          default: {
            ...(credentials ? { url: mock.publicApiUrl, ...credentials } : { url: mock.publicApiUrl, noAuth: true }),
            ...options.defaultInstance,
          },
          ...options.instances,
        },
        activities: options.activities,
        dbt: options.dbt,
        secrets: options.secrets,
        tracing: options.tracing,
        maxAirbyteCallsPerSecond: options.maxAirbyteCallsPerSecond,
        workerOptions: options.dataConverter ? { dataConverter: options.dataConverter, ...options.workerOptions } : options.workerOptions,
      };
      const worker = await createAirbyteWorker(workerOptions);
      const searchAttributes = 'address' in t ? (t.searchAttributes ?? false) : true;
      return new AirbyteTestEnvironment(temporal, mock, worker, workerOptions, uiUrl, searchAttributes, server);
    } catch (err) {
      await temporal?.teardown();
      await server?.close();
      await mock.close();
      throw err;
    }
  }

  get client(): Client {
    return this.temporal.client;
  }

  get worker(): Worker {
    return this.current;
  }

  get taskQueue(): string {
    return this.workerOptions.taskQueue as string;
  }

  /** Start, watch and cancel syncs on this environment's task queue. */
  get syncs(): AirbyteSyncClient {
    return new AirbyteSyncClient(this.client, { taskQueue: this.taskQueue, searchAttributes: this.searchAttributes });
  }

  /** Stops the worker and starts a new one, as a deploy or a crash would: running workflows must carry on. */
  async restartWorker(): Promise<void> {
    await this.stopWorker();
    this.current = await createAirbyteWorker(this.workerOptions);
    this.running = this.current.run();
  }

  async close(): Promise<void> {
    await this.stopWorker();
    await this.temporal.teardown();
    await this.devServer?.close();
    await this.mock.close();
  }

  private async stopWorker(): Promise<void> {
    // The worker shuts itself down on SIGINT/SIGTERM; only ask if it is still running.
    if (this.current.getState() === 'RUNNING') this.current.shutdown();
    await this.running;
  }
}
