// What every section runs on: one Temporal dev server, one mock Airbyte, one client, and worker children.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { AirbyteClient, type AirbyteInstanceConfig } from '../../src/airbyte';
import { AirbyteSyncClient } from '../../src/client';
import { MockAirbyteServer, TemporalDevServer, type MockConnectionScript } from '../../src/testing';
import { configureWebhookNotifications, newWebhookToken, webhookUrl } from '../../src/webhooks';
import type { BenchWorkerConfig } from './protocol';
import { BenchWorker } from './worker';

export const DEV_SERVER_PRAGMAS = ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=off'] as const;

export class BenchEnv {
  private workers = 0;
  private readonly webhookToken = newWebhookToken();
  /** Connections here send webhooks; those in the default workspace do not (their histories stay free of hints). */
  readonly webhookWorkspaceId: string;

  private constructor(
    readonly server: TemporalDevServer,
    readonly mock: MockAirbyteServer,
    readonly connection: Connection,
    readonly client: Client,
    readonly logDir: string,
  ) {
    this.webhookWorkspaceId = mock.addWorkspace({ name: 'bench webhooks' }).workspaceId;
  }

  static async start(): Promise<BenchEnv> {
    const logDir = mkdtempSync(join(tmpdir(), 'temporal-airbyte-bench-'));
    // WAL without fsync per commit: the same server, as fast as its in-memory store (2-3x faster than the default
    // on this disk), so the workers rather than the store's fsyncs are what the fan-out measures.
    const server = await TemporalDevServer.start({ logFile: join(logDir, 'dev-server.log'), extraArgs: [...DEV_SERVER_PRAGMAS] });
    const mock = await MockAirbyteServer.start();
    const connection = await Connection.connect({ address: server.address });
    return new BenchEnv(server, mock, connection, new Client({ connection }), logDir);
  }

  /** The `default` instance of our workers: the mock. */
  get instances(): Record<string, AirbyteInstanceConfig> {
    const credentials = this.mock.credentials;
    return { default: credentials ? { url: this.mock.publicApiUrl, ...credentials } : { url: this.mock.publicApiUrl, noAuth: true } };
  }

  syncs(taskQueue: string): AirbyteSyncClient {
    return new AirbyteSyncClient(this.client, { taskQueue });
  }

  /** A worker child on a task queue of its own. */
  async worker(kind: BenchWorkerConfig['kind'], workflows: BenchWorkerConfig['workflows'], extra: Partial<BenchWorkerConfig> = {}): Promise<BenchWorker> {
    const n = ++this.workers;
    return BenchWorker.start(
      {
        kind,
        address: this.server.address,
        namespace: 'default',
        taskQueue: `bench-${kind}-${n}-${Math.random().toString(36).slice(2, 8)}`,
        workflows,
        ...(kind === 'airbyte' && { instances: this.instances, maxAirbyteCallsPerSecond: 10_000 }),
        ...extra,
      },
      join(this.logDir, `worker-${n}-${kind}.log`),
    );
  }

  /**
   * A worker child running this package's webhook receiver, with the webhook workspace's success and failure
   * webhooks pointed at it (configureWebhookNotifications through the public API, as a deployment would): a job
   * of a connection made with `webhookConnection` that ends is POSTed by the mock to the receiver, which signals
   * its owner `airbyteCheckJob`.
   */
  async webhookWorker(workflows: BenchWorkerConfig['workflows'], unlimited: boolean, extra: Partial<BenchWorkerConfig> = {}): Promise<BenchWorker> {
    const worker = await this.worker('airbyte', workflows, { ...extra, webhooks: { token: this.webhookToken, unlimited } });
    try {
      if (!worker.webhookUrl) throw new Error('the worker started no webhook receiver');
      const url = webhookUrl(worker.webhookUrl, 'default', this.webhookToken);
      await configureWebhookNotifications(new AirbyteClient(this.instances.default as AirbyteInstanceConfig), this.webhookWorkspaceId, { successUrl: url, failureUrl: url });
      return worker;
    } catch (err) {
      await worker.kill();
      throw err;
    }
  }

  /** A mock connection in the workspace whose webhooks reach the current webhook worker. */
  webhookConnection(script: MockConnectionScript): string {
    return this.mock.addConnection({ workspaceId: this.webhookWorkspaceId, script }).connectionId;
  }

  /** Stops everything; the logs (workers, dev server) stay for a run that failed. */
  async close(keepLogs: boolean): Promise<void> {
    await this.connection.close();
    await this.mock.close();
    await this.server.close();
    if (keepLogs) console.error(`logs of this run: ${this.logDir}`);
    else rmSync(this.logDir, { recursive: true, force: true });
  }
}
