// What the bench and its worker child (bench/lib/worker-child.ts) say to each other over IPC.
import type { AirbyteInstanceConfig } from '../../src/airbyte';
import type { WebhookStats } from '../../src/webhooks';

export const BENCH_WORKER_ENV = 'TEMPORAL_AIRBYTE_BENCH_WORKER';

export interface BenchWorkerConfig {
  /** `airbyte`: createAirbyteWorker (this package); `bare`: a plain Temporal worker running bench/workflows/bare.ts. */
  kind: 'airbyte' | 'bare';
  address: string;
  namespace: string;
  taskQueue: string;
  instances?: Record<string, AirbyteInstanceConfig>;
  maxAirbyteCallsPerSecond?: number;
  /** A prebuilt bundle, or a module to bundle at start. */
  workflows: { bundlePath: string } | { workflowsPath: string };
  /** Load the package from lib/ (compiled, as installed) rather than src/ through tsx. */
  fromLib?: boolean;
  maxCachedWorkflows?: number;
  /**
   * Run this package's webhook receiver in the worker process (as `temporal-airbyte worker` does with
   * TEMPORAL_AIRBYTE_WEBHOOK_ADDRESS), on 127.0.0.1, for the `default` instance. `unlimited`: rate limits and the
   * pending-signal cap far above the defaults (a fan-out ends hundreds of jobs in the same second, from one source).
   */
  webhooks?: { token: string; unlimited: boolean };
}

export interface ChildTimings {
  /** From the child process's start (performance.timeOrigin) to its first line of code. */
  bootMs: number;
  /** Loading the worker's modules (the package, the SDK). */
  importMs: number;
  /** NativeConnection.connect. */
  connectMs: number;
  /** Worker.create (with workflowsPath: the webpack bundling). */
  createMs: number;
}

export interface ChildUsage {
  /** CPU time of the whole process (every thread: main, workflow thread, the SDK core), microseconds. */
  userMicros: number;
  systemMicros: number;
  /** Peak resident set size of the process so far, bytes. */
  maxRss: number;
  rss: number;
  heapUsed: number;
  /** Peak number of bare jobs running at once (bare worker only). */
  barePeak: number;
  /** The webhook receiver's counters, when it runs. */
  webhooks?: WebhookStats;
}

export type ChildMessage =
  | { type: 'ready'; pid: number; timings: ChildTimings; webhookUrl?: string }
  | { type: 'failed'; message: string }
  | { type: 'usage'; id: number; usage: ChildUsage };

export type ParentMessage = { type: 'usage'; id: number; gc: boolean } | { type: 'reset-peak' };
