import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkerOptions } from '@temporalio/worker';
import type { AirbyteInstancesInput } from '../activities';
import type { AirbyteInstanceConfig } from '../airbyte';
import { AirbyteSyncClient } from '../client';
import { createAirbyteWorker, type AirbyteWorkerOptions } from '../worker';
import { MockAirbyteServer, type MockAirbyteOptions } from './mock-airbyte';
import { resolveTemporalCli } from './temporal-cli';

export interface AirbyteTestEnvironmentOptions {
  /** An already running Temporal server, or options for a dev server started here (the default). */
  temporal?: { address: string; namespace?: string } | { ui?: boolean; uiPort?: number };
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
  /** Worker-wide limit on Airbyte activity starts per second (default 20). */
  maxAirbyteCallsPerSecond?: number;
  workerOptions?: Partial<WorkerOptions>;
}

/**
 * Everything a pipeline test needs, all real but Airbyte: a Temporal dev server (or yours), the mock
 * Airbyte server, and a running worker whose `default` instance points at the mock.
 */
export class AirbyteTestEnvironment {
  private constructor(
    readonly temporal: TestWorkflowEnvironment,
    readonly mock: MockAirbyteServer,
    readonly worker: Worker,
    private readonly running: Promise<void>,
    readonly taskQueue: string,
    /** The Temporal Web UI, when the dev server was started with it. */
    readonly uiUrl: string | undefined,
  ) {}

  static async start(options: AirbyteTestEnvironmentOptions = {}): Promise<AirbyteTestEnvironment> {
    const mock = await MockAirbyteServer.start(options.mock);
    let temporal: TestWorkflowEnvironment | undefined;
    try {
      const t = options.temporal ?? {};
      let uiUrl: string | undefined;
      if ('address' in t) {
        temporal = await TestWorkflowEnvironment.createFromExistingServer({ address: t.address, namespace: t.namespace });
      } else {
        temporal = await TestWorkflowEnvironment.createLocal({
          server: { executable: resolveTemporalCli(), ip: '127.0.0.1', ui: t.ui ?? false, uiPort: t.uiPort },
        });
        if (t.ui) uiUrl = `http://127.0.0.1:${t.uiPort ?? Number(temporal.address.split(':').pop()) + 1000}`;
      }
      const taskQueue = options.taskQueue ?? `airbyte-test-${Math.random().toString(36).slice(2, 10)}`;
      const credentials = mock.credentials;
      const worker = await createAirbyteWorker({
        connection: temporal.nativeConnection,
        namespace: temporal.namespace ?? 'default',
        taskQueue,
        instances: {
          default: {
            ...(credentials ? { url: mock.publicApiUrl, ...credentials } : { url: mock.publicApiUrl, noAuth: true }),
            ...options.defaultInstance,
          },
          ...options.instances,
        },
        activities: options.activities,
        dbt: options.dbt,
        maxAirbyteCallsPerSecond: options.maxAirbyteCallsPerSecond,
        workerOptions: options.workerOptions,
      });
      const running = worker.run();
      return new AirbyteTestEnvironment(temporal, mock, worker, running, taskQueue, uiUrl);
    } catch (err) {
      await temporal?.teardown();
      await mock.close();
      throw err;
    }
  }

  get client(): Client {
    return this.temporal.client;
  }

  /** Start, watch and cancel syncs on this environment's task queue. */
  get syncs(): AirbyteSyncClient {
    return new AirbyteSyncClient(this.client, { taskQueue: this.taskQueue });
  }

  async close(): Promise<void> {
    // The worker shuts itself down on SIGINT/SIGTERM; only ask if it is still running.
    if (this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running;
    await this.temporal.teardown();
    await this.mock.close();
  }
}
