// What every section runs on: one Temporal dev server, one mock Airbyte, one client, and worker children.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { AirbyteInstanceConfig } from '../../src/airbyte';
import { isTerminalJobStatus } from '../../src/airbyte/job-status';
import { AirbyteSyncClient } from '../../src/client';
import { jobOwnerWorkflowId, OwnerMessages } from '../../src/common/job-owner';
import { MockAirbyteServer, TemporalDevServer, type MockJob } from '../../src/testing';
import type { JobHint } from '../../src/workflows/owner/protocol';
import type { BenchWorkerConfig } from './protocol';
import { BenchWorker } from './worker';

export class BenchEnv {
  private workers = 0;

  private constructor(
    readonly server: TemporalDevServer,
    readonly mock: MockAirbyteServer,
    readonly connection: Connection,
    readonly client: Client,
    readonly logDir: string,
  ) {}

  static async start(): Promise<BenchEnv> {
    const logDir = mkdtempSync(join(tmpdir(), 'temporal-airbyte-bench-'));
    const server = await TemporalDevServer.start({ logFile: join(logDir, 'dev-server.log') });
    const mock = await MockAirbyteServer.start();
    mock.setMaxListeners(0);
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
   * Stands in for Airbyte's webhooks: when a job of one of `connectionIds` turns terminal on the mock, signals
   * its owner `airbyteCheckJob` {jobId, source: 'webhook'} at once, as a receiver would.
   */
  hints(connectionIds: ReadonlySet<string>): Hints {
    return new Hints(this, connectionIds);
  }

  async close(): Promise<void> {
    await this.connection.close();
    await this.mock.close();
    await this.server.close();
  }
}

export class Hints {
  readonly sent = new Map<number, { connectionId: string; endedAt: number; signalledAt?: number; error?: string }>();
  private readonly pending = new Set<Promise<void>>();
  private readonly listener = (job: MockJob) => this.onJob(job);

  constructor(
    private readonly env: BenchEnv,
    private readonly connectionIds: ReadonlySet<string>,
  ) {
    env.mock.on('job', this.listener);
  }

  private onJob(job: MockJob): void {
    if (!isTerminalJobStatus(job.status) || !this.connectionIds.has(job.connectionId) || this.sent.has(job.jobId)) return;
    const entry: { connectionId: string; endedAt: number; signalledAt?: number; error?: string } = { connectionId: job.connectionId, endedAt: job.endedAt ?? Date.now() };
    this.sent.set(job.jobId, entry);
    const hint: JobHint = { jobId: job.jobId, source: 'webhook' };
    const sending = this.env.client.workflow
      .getHandle(jobOwnerWorkflowId(job.connectionId, 'default'))
      .signal<[JobHint]>(OwnerMessages.checkJob, hint)
      .then(
        () => void (entry.signalledAt = Date.now()),
        (err: unknown) => void (entry.error = err instanceof Error ? err.message : String(err)),
      );
    this.pending.add(sending);
    void sending.finally(() => this.pending.delete(sending));
  }

  async stop(): Promise<void> {
    this.env.mock.off('job', this.listener);
    await Promise.all(this.pending);
  }
}
